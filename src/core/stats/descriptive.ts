/*
 * Descriptive statistics shared by the tests. Two-pass variance (as numpy's var(ddof=1)); a
 * constant sample reports exactly 0 even when its mean does not round-trip (3 × 0.1 / 3 ≠ 0.1),
 * so "zero variance" checks are exact instead of depending on rounding noise.
 */

export type Sample = ArrayLike<number>;

export function sum(xs: Sample): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}

export function mean(xs: Sample): number {
  return sum(xs) / xs.length;
}

export function isConstant(xs: Sample): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[0]) return false;
  return true;
}

/** Σ (x − mean)², exactly 0 for a constant sample. */
export function sumOfSquaredDeviations(xs: Sample, m: number = mean(xs)): number {
  if (isConstant(xs)) return 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i]! - m;
    s += d * d;
  }
  return s;
}

/** Sample variance (n − 1 denominator); NaN when n < 2 (callers turn that into a reason). */
export function sampleVariance(xs: Sample): number {
  return xs.length < 2 ? Number.NaN : sumOfSquaredDeviations(xs) / (xs.length - 1);
}

export function median(xs: Sample): number {
  const s = Float64Array.from(xs).sort(); // native numeric sort of a typed copy
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Element-wise b − a for paired samples of equal length. */
export function pairedDifferences(a: Sample, b: Sample): Float64Array {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = b[i]! - a[i]!;
  return d;
}

export interface SampleSummary {
  n: number;
  mean: number | null;
  sd: number | null;
  median: number | null;
}

/** n, mean, sd, median; null where the sample is too small (JSON-safe). */
export function summarize(xs: Sample): SampleSummary {
  const n = xs.length;
  return {
    n,
    mean: n > 0 ? mean(xs) : null,
    sd: n > 1 ? Math.sqrt(sampleVariance(xs)) : null,
    median: n > 0 ? median(xs) : null,
  };
}
