import { studentTTwoSidedP } from './distributions';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';
import type { TTest } from './tTests';

/** A sample known only by its size, mean and sample standard deviation (ddof = 1). */
export interface SampleSummary { n: number; mean: number; sd: number }

/**
 * Welch's unequal-variance t-test from summary statistics (rollups keep sums, not samples);
 * the same figures as `welchTTest(a, b)` on the raw values: t for a − b, Welch–Satterthwaite df.
 */
export function welchFromSummaries(a: SampleSummary, b: SampleSummary): Stat<TTest> {
  if (a.n < 2 || b.n < 2) return notAvailable(`Welch's t-test needs at least 2 values per group (have ${a.n} and ${b.n})`);
  if (![a.mean, a.sd, b.mean, b.sd].every(Number.isFinite) || a.sd < 0 || b.sd < 0) return notAvailable('the group summaries are not finite numbers');
  if (a.sd === 0 && b.sd === 0) return notAvailable('both groups have zero variance, so the t statistic is undefined');
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se2 = va + vb;
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const t = (a.mean - b.mean) / Math.sqrt(se2);
  return available({ t, df, p: studentTTwoSidedP(t, df) });
}
