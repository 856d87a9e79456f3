import { normalQuantile, normalTwoSidedP } from './distributions';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';
import type { Difference } from './tTests';

/*
 * Pass/fail metrics from independent groups: pooled two-proportion z-test, Fisher's exact test
 * (scipy.stats.fisher_exact semantics), Wilson 95% intervals, and Newcombe's hybrid score
 * interval for the difference (method 10 of Newcombe, Stat Med 1998;17:873). As elsewhere,
 * test statistics follow argument order (z is for a − b) and the difference is b − a.
 */

export interface Counts {
  successes: number;
  total: number;
}

const Z975 = normalQuantile(0.975);

function checkCounts(c: Counts, label: string): string | null {
  if (!Number.isInteger(c.successes) || !Number.isInteger(c.total) || c.successes < 0 || c.successes > c.total) return `${label}: successes must be an integer from 0 to total (got ${c.successes} of ${c.total})`;
  if (c.total < 1) return `${label} has no cases`;
  return null;
}

/** Pooled two-proportion z-test without continuity correction; z = (pa − pb)/SE. */
export function twoProportionZTest(a: Counts, b: Counts): Stat<{ z: number; p: number }> {
  const bad = checkCounts(a, 'group a') ?? checkCounts(b, 'group b');
  if (bad) return notAvailable(bad);
  const pooled = (a.successes + b.successes) / (a.total + b.total);
  if (pooled === 0 || pooled === 1) return notAvailable(`every case ${pooled === 0 ? 'failed' : 'passed'} in both groups, so the z statistic is undefined`);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.total + 1 / b.total));
  const z = (a.successes / a.total - b.successes / b.total) / se;
  return available({ z, p: normalTwoSidedP(z) });
}

/**
 * Fisher's exact test on [[sa, na − sa], [sb, nb − sb]], two-sided: the probability of every
 * table with the same margins that is no more likely than the observed one. Hypergeometric
 * weights come from the term ratio (no factorials), normalised at the end. Tables within a
 * relative 1e-7 of the observed probability count as equally likely (R's tolerance; SciPy
 * uses 1e-14 but compares values computed with rounding error of their own). As in SciPy, a
 * zero margin (no successes or no failures at all) gives p = 1.
 */
export function fisherExact(a: Counts, b: Counts): Stat<{ p: number }> {
  const bad = checkCounts(a, 'group a') ?? checkCounts(b, 'group b');
  if (bad) return notAvailable(bad);
  const n1 = a.total, n2 = b.total, k = a.successes + b.successes;
  if (k === 0 || k === n1 + n2) return available({ p: 1 });
  const lo = Math.max(0, k - n2), hi = Math.min(k, n1);
  const w = new Float64Array(hi - lo + 1);
  // Start at the mode so no weight overflows; ratios P(x+1)/P(x) walk outwards.
  const mode = Math.min(hi, Math.max(lo, Math.floor(((k + 1) * (n1 + 1)) / (n1 + n2 + 2))));
  w[mode - lo] = 1;
  for (let x = mode; x < hi; x++) w[x + 1 - lo] = (w[x - lo]! * (n1 - x) * (k - x)) / ((x + 1) * (n2 - k + x + 1));
  for (let x = mode; x > lo; x--) w[x - 1 - lo] = (w[x - lo]! * x * (n2 - k + x)) / ((n1 - x + 1) * (k - x + 1));
  const observed = w[a.successes - lo]! * (1 + 1e-7);
  let total = 0, tail = 0;
  for (const v of w) {
    total += v;
    if (v <= observed) tail += v;
  }
  return available({ p: Math.min(1, tail / total) });
}

/** Wilson score 95% interval (scipy binomtest(...).proportion_ci(method='wilson')). */
export function wilsonInterval(c: Counts): Stat<{ rate: number; ci95: [number, number] }> {
  const bad = checkCounts(c, 'group');
  if (bad) return notAvailable(bad);
  const n = c.total, p = c.successes / n, z2 = Z975 * Z975;
  const center = (2 * n * p + z2) / (2 * (n + z2));
  const half = (Z975 * Math.sqrt(z2 + 4 * n * p * (1 - p))) / (2 * (n + z2));
  // Exact bounds at the edges, as SciPy does (the formula gives them only up to rounding).
  return available({ rate: p, ci95: [c.successes === 0 ? 0 : center - half, c.successes === n ? 1 : center + half] });
}

/** Newcombe's hybrid score 95% interval for pb − pa (independent groups). */
export function proportionDifference(a: Counts, b: Counts): Stat<Difference> {
  const wa = wilsonInterval(a), wb = wilsonInterval(b);
  if (!wa.available) return notAvailable(`group a: ${wa.reason}`);
  if (!wb.available) return notAvailable(`group b: ${wb.reason}`);
  const [la, ua] = wa.ci95, [lb, ub] = wb.ci95;
  const pa = wa.rate, pb = wb.rate, d = pb - pa;
  return available({ value: d, ci95: [d - Math.hypot(pb - lb, ua - pa), d + Math.hypot(ub - pb, pa - la)] });
}

/** Cohen's h = 2·asin√pb − 2·asin√pa: the standardized effect for proportions (same labels as d). */
export function cohensH(a: Counts, b: Counts): number {
  return 2 * Math.asin(Math.sqrt(b.successes / b.total)) - 2 * Math.asin(Math.sqrt(a.successes / a.total));
}
