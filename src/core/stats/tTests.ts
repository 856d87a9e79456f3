import type { Sample } from './descriptive';
import { isConstant, mean, pairedDifferences, sumOfSquaredDeviations } from './descriptive';
import { studentTQuantile, studentTTwoSidedP } from './distributions';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';

/*
 * t-tests, mean differences and standardized effect sizes for continuous metrics.
 * Conventions (see index.ts): test statistics follow SciPy's argument order, so t is for
 * a − b (ttest_ind(a, b, equal_var=False), ttest_rel(a, b)); "difference" is b − a, the
 * variant minus the control, and its CI is reported in that direction.
 */

export interface TTest {
  t: number;
  df: number;
  p: number;
}

export interface Difference {
  /** b − a (variant minus control). */
  value: number;
  ci95: [number, number];
}

export type EffectLabel = 'negligible' | 'small' | 'medium' | 'large';

export interface EffectSize {
  value: number;
  label: EffectLabel;
}

/** Cohen's conventions, by |d|: < .2 negligible, < .5 small, < .8 medium, otherwise large. */
export function effectSizeLabel(d: number): EffectLabel {
  const m = Math.abs(d);
  return m < 0.2 ? 'negligible' : m < 0.5 ? 'small' : m < 0.8 ? 'medium' : 'large';
}

interface WelchParts { diff: number; se: number; df: number }

function welchParts(a: Sample, b: Sample): Stat<WelchParts> {
  const na = a.length, nb = b.length;
  if (na < 2 || nb < 2) return notAvailable(`Welch's t-test needs at least 2 values per group (have ${na} and ${nb})`);
  if (isConstant(a) && isConstant(b)) return notAvailable('both groups have zero variance, so the t statistic is undefined');
  const ma = mean(a), mb = mean(b);
  const va = sumOfSquaredDeviations(a, ma) / (na - 1) / na;
  const vb = sumOfSquaredDeviations(b, mb) / (nb - 1) / nb;
  const se2 = va + vb;
  // Welch–Satterthwaite; a zero-variance group contributes 0 to the denominator.
  const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  return available({ diff: mb - ma, se: Math.sqrt(se2), df });
}

/** Welch's unequal-variance t-test (scipy.stats.ttest_ind(a, b, equal_var=False)). */
export function welchTTest(a: Sample, b: Sample): Stat<TTest> {
  const w = welchParts(a, b);
  if (!w.available) return w;
  const t = -w.diff / w.se;
  return available({ t, df: w.df, p: studentTTwoSidedP(t, w.df) });
}

interface PairedParts { diff: number; se: number; df: number }

function pairedParts(a: Sample, b: Sample): Stat<PairedParts> {
  if (a.length !== b.length) return notAvailable(`paired samples must have the same length (have ${a.length} and ${b.length})`);
  const n = a.length;
  if (n < 2) return notAvailable(`the paired t-test needs at least 2 pairs (have ${n})`);
  const d = pairedDifferences(a, b);
  const md = mean(d);
  const ss = sumOfSquaredDeviations(d, md);
  if (ss === 0) return notAvailable('every pair differs by the same amount (zero variance of the differences), so the t statistic is undefined');
  return available({ diff: md, se: Math.sqrt(ss / (n - 1) / n), df: n - 1 });
}

/** Student's paired t-test (scipy.stats.ttest_rel(a, b)): t for the mean of a − b. */
export function pairedTTest(a: Sample, b: Sample): Stat<TTest> {
  const w = pairedParts(a, b);
  if (!w.available) return w;
  const t = -w.diff / w.se;
  return available({ t, df: w.df, p: studentTTwoSidedP(t, w.df) });
}

/**
 * Mean difference b − a with its 95% CI: Welch's interval for independent samples, the t
 * interval of the differences for paired ones.
 */
export function meanDifference(a: Sample, b: Sample, paired = false): Stat<Difference> {
  const w = paired ? pairedParts(a, b) : welchParts(a, b);
  if (!w.available) return w;
  const h = studentTQuantile(0.975, w.df) * w.se;
  return available({ value: w.diff, ci95: [w.diff - h, w.diff + h] });
}

function pooledSd(a: Sample, b: Sample): Stat<{ sd: number }> {
  const na = a.length, nb = b.length;
  if (na < 1 || nb < 1 || na + nb < 3) return notAvailable(`a pooled standard deviation needs at least 3 values in total (have ${na} + ${nb})`);
  const ss = sumOfSquaredDeviations(a) + sumOfSquaredDeviations(b);
  if (ss === 0) return notAvailable('both groups have zero variance, so a standardized effect size is undefined');
  return available({ sd: Math.sqrt(ss / (na + nb - 2)) });
}

/** Cohen's d = (mean b − mean a) / pooled SD, pooled SD = √(((na−1)sa² + (nb−1)sb²)/(na+nb−2)). */
export function cohensD(a: Sample, b: Sample): Stat<EffectSize> {
  const s = pooledSd(a, b);
  if (!s.available) return s;
  const d = (mean(b) - mean(a)) / s.sd;
  return available({ value: d, label: effectSizeLabel(d) });
}

/** Hedges' g = d · (1 − 3 / (4(na + nb) − 9)), the small-sample bias correction of d. */
export function hedgesG(a: Sample, b: Sample): Stat<EffectSize> {
  const d = cohensD(a, b);
  if (!d.available) return d;
  const g = d.value * (1 - 3 / (4 * (a.length + b.length) - 9));
  return available({ value: g, label: effectSizeLabel(g) });
}

/** Cohen's d_z for paired data: mean of b − a over its SD (the effect that drives paired power). */
export function pairedEffectSize(a: Sample, b: Sample): Stat<EffectSize> {
  const w = pairedParts(a, b);
  if (!w.available) return w;
  const dz = w.diff / (w.se * Math.sqrt(a.length));
  return available({ value: dz, label: effectSizeLabel(dz) });
}
