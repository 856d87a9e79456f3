import type { Sample } from './descriptive';
import { incompleteBeta } from './specialFunctions';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';
import type { Difference } from './tTests';
import { wilsonInterval } from './proportions';

/*
 * Pass/fail metrics measured on the same cases by both variants. Only discordant cases carry
 * information about the difference, so the test is McNemar's exact test: a two-sided binomial
 * test of "a only" against "b only" with p = ½ (scipy.stats.binomtest(min, n, 0.5)).
 */

export interface PairedCounts {
  /** Cases passed by both. */
  both: number;
  /** Passed by a (control) only. */
  aOnly: number;
  /** Passed by b (variant) only. */
  bOnly: number;
  neither: number;
}

/** Cross-tabulates two equal-length 0/1 samples. */
export function pairedCounts(a: Sample, b: Sample): Stat<PairedCounts> {
  if (a.length !== b.length) return notAvailable(`paired samples must have the same length (have ${a.length} and ${b.length})`);
  const c: PairedCounts = { both: 0, aOnly: 0, bOnly: 0, neither: 0 };
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if ((x !== 0 && x !== 1) || (y !== 0 && y !== 1)) return notAvailable(`pass/fail values must be 0 or 1 (case ${i + 1} has ${x} and ${y})`);
    if (x === 1 && y === 1) c.both++;
    else if (x === 1) c.aOnly++;
    else if (y === 1) c.bOnly++;
    else c.neither++;
  }
  if (a.length === 0) return notAvailable('there are no pairs');
  return available(c);
}

/** McNemar's exact test: p = min(1, 2·P(X ≤ min(aOnly, bOnly))), X ~ Binomial(aOnly + bOnly, ½). */
export function mcnemarExact(c: PairedCounts): Stat<{ p: number }> {
  const n = c.aOnly + c.bOnly;
  if (n === 0) return notAvailable('no discordant pairs: both variants pass and fail the same cases');
  const k = Math.min(c.aOnly, c.bOnly);
  // P(X ≤ k) = I_½(n − k, k + 1)
  const cdf = incompleteBeta(n - k, k + 1, 0.5, 0.5).lower;
  return available({ p: Math.min(1, 2 * cdf) });
}

/**
 * Newcombe's score interval for the difference of paired proportions, pb − pa (Newcombe, Stat
 * Med 1998;17:2635, method 10, with φ̂ computed as in Altman et al., "Statistics with
 * Confidence", 2000): the two Wilson intervals combined with a correction for the correlation
 * between the paired outcomes.
 */
export function pairedProportionDifference(c: PairedCounts): Stat<Difference> {
  const n = c.both + c.aOnly + c.bOnly + c.neither;
  const wa = wilsonInterval({ successes: c.both + c.aOnly, total: n });
  const wb = wilsonInterval({ successes: c.both + c.bOnly, total: n });
  if (!wa.available || !wb.available) return notAvailable('there are no pairs');
  // Table with the variant as the first classification: r = both, s = b only, t = a only, u = neither.
  const r = c.both, s = c.bOnly, t = c.aOnly, u = c.neither;
  const marginProduct = (r + s) * (t + u) * (r + t) * (s + u);
  let phi = 0;
  if (marginProduct > 0) {
    const cross = r * u - s * t;
    const adjusted = cross > n / 2 ? cross - n / 2 : cross < 0 ? cross : 0;
    phi = adjusted / Math.sqrt(marginProduct);
  }
  const p1 = wb.rate, [l1, u1] = wb.ci95, p2 = wa.rate, [l2, u2] = wa.ci95;
  const d = p1 - p2;
  const lower = d - Math.sqrt(Math.max(0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2));
  const upper = d + Math.sqrt(Math.max(0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2));
  return available({ value: d, ci95: [lower, upper] });
}
