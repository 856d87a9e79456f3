import type { Sample } from './descriptive';
import { normalSf } from './distributions';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';

/*
 * Rank tests, matching SciPy 1.17's defaults exactly (including how method "auto" chooses):
 *
 * mannwhitneyu(a, b, use_continuity=True, alternative='two-sided', method='auto')
 *   exact when either sample has at most 8 values and there are no ties; otherwise the normal
 *   approximation with tie correction and continuity correction. U is the statistic of a.
 *
 * wilcoxon(a, b) with zero_method='wilcox', correction=False, method='auto'
 *   d = a − b; zeros are dropped from the ranking. With more than 50 pairs (zeros included):
 *   normal approximation. Otherwise exact without ties or zeros, else — if at most 13 pairs —
 *   SciPy's exact permutation test over all 2^n sign flips (computed here by counting subset
 *   sums of the doubled ranks, which is the same enumeration), else the normal approximation.
 *   The statistic reported is min(R+, R−).
 */

export interface MannWhitney {
  /** SciPy's U for the first sample (a). */
  u: number;
  p: number;
  method: 'exact' | 'asymptotic';
}

export interface Wilcoxon {
  statistic: number;
  p: number;
  method: 'exact' | 'permutation' | 'asymptotic';
}

interface Ranked { ranks: Float64Array; tieTerm: number; hasTies: boolean }

/** Index of the first element ≥ x (lower) or > x (upper) in ascending `sorted`. */
function bound(sorted: Float64Array, x: number, upper: boolean): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (upper && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Average ranks (1-based) and Σ(t³ − t) over tie groups. A native numeric sort of a copy plus
 * binary search per value: several times faster than sorting indices with a comparator.
 */
function rank(values: Float64Array): Ranked {
  const sorted = Float64Array.from(values).sort();
  let tieTerm = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // ranks first+1 … last of a tie group average to (first + last + 1) / 2 + ½
    ranks[i] = (bound(sorted, x, false) + bound(sorted, x, true) + 1) / 2;
  }
  return { ranks, tieTerm, hasTies: tieTerm > 0 };
}

/**
 * Sum of the average ranks of all[0 … n1) within `all`, and Σ(t³ − t): two native sorts and one
 * merge walk instead of a binary search per value. Ranks are multiples of ½ and the sums stay
 * far below 2^53, so the result is exactly the sum of rank() over the first n1 values.
 */
function rankSumOfFirst(all: Float64Array, n1: number): { r1: number; tieTerm: number; hasTies: boolean } {
  const sorted = Float64Array.from(all).sort();
  const first = all.slice(0, n1).sort();
  let r1 = 0, tieTerm = 0, pa = 0;
  for (let i = 0; i < sorted.length;) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    let count = 0;
    while (pa < first.length && first[pa] === v) { pa++; count++; }
    r1 += count * ((i + j + 1) / 2);
    i = j;
  }
  return { r1, tieTerm, hasTies: tieTerm > 0 };
}

/**
 * P(U ≤ k) under H0 for sample sizes m ≤ n, via the Gaussian binomial coefficient
 * [m+n choose m]_q = Π_{i=1..m} (1 − q^{n+i}) / (1 − q^i), truncated at degree k. After each
 * factor the coefficients are nonnegative counts; the small ones (the tail we need) are exact.
 */
function mannWhitneyCdf(k: number, m: number, n: number): number {
  const poly = new Float64Array(k + 1);
  poly[0] = 1;
  let total = 1;
  for (let i = 1; i <= m; i++) {
    for (let u = k; u >= n + i; u--) poly[u]! -= poly[u - n - i]!;
    for (let u = i; u <= k; u++) poly[u]! += poly[u - i]!;
    total = (total * (n + i)) / i;
  }
  let s = 0;
  for (let u = 0; u <= k; u++) s += poly[u]!;
  return s / total;
}

/** Mann–Whitney U test, two-sided (scipy.stats.mannwhitneyu defaults). */
export function mannWhitneyU(a: Sample, b: Sample): Stat<MannWhitney> {
  const n1 = a.length, n2 = b.length;
  if (n1 < 1 || n2 < 1) return notAvailable(`the Mann-Whitney U test needs at least 1 value per group (have ${n1} and ${n2})`);
  const all = new Float64Array(n1 + n2);
  for (let i = 0; i < n1; i++) all[i] = a[i]!;
  for (let i = 0; i < n2; i++) all[n1 + i] = b[i]!;
  if (all.some(Number.isNaN)) return notAvailable('the samples contain NaN');
  const { r1, tieTerm, hasTies } = rankSumOfFirst(all, n1);
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const big = Math.max(u1, n1 * n2 - u1);
  if ((n1 <= 8 || n2 <= 8) && !hasTies) {
    const p = 2 * mannWhitneyCdf(n1 * n2 - big, Math.min(n1, n2), Math.max(n1, n2));
    return available({ u: u1, p: Math.min(1, p), method: 'exact' });
  }
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sd > 0)) return notAvailable('every value is tied, so ranks carry no information');
  const z = (big - (n1 * n2) / 2 - 0.5) / sd;
  return available({ u: u1, p: Math.min(1, 2 * normalSf(z)), method: 'asymptotic' });
}

/** Two-sided p from subset-sum counts of integer weights: P(S ≤ obs) and P(S ≥ obs). */
function subsetSumTwoSidedP(weights: Int32Array, observed: number): number {
  let max = 0;
  for (const w of weights) max += w;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  let reach = 0;
  for (const w of weights) {
    for (let s = reach; s >= 0; s--) counts[s + w]! += counts[s]!;
    reach += w;
  }
  let le = 0, ge = 0, total = 0;
  for (let s = 0; s <= max; s++) {
    const c = counts[s]!;
    total += c;
    if (s <= observed) le += c;
    if (s >= observed) ge += c;
  }
  return Math.min(1, (2 * Math.min(le, ge)) / total);
}

/** Wilcoxon signed-rank test on a − b, two-sided (scipy.stats.wilcoxon defaults). */
export function wilcoxonSignedRank(a: Sample, b: Sample): Stat<Wilcoxon> {
  if (a.length !== b.length) return notAvailable(`paired samples must have the same length (have ${a.length} and ${b.length})`);
  const n = a.length;
  const nonzero: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (Number.isNaN(d)) return notAvailable('the samples contain NaN');
    if (d !== 0) nonzero.push(d);
  }
  const count = nonzero.length;
  if (count === 0) return notAvailable(n === 0 ? 'there are no pairs' : 'every pair is identical (all differences are zero)');
  const { ranks, tieTerm, hasTies } = rank(Float64Array.from(nonzero, Math.abs));
  let rPlus = 0;
  for (let i = 0; i < count; i++) if (nonzero[i]! > 0) rPlus += ranks[i]!;
  const total = (count * (count + 1)) / 2;
  const statistic = Math.min(rPlus, total - rPlus);
  const hasZeros = count < n;
  if (n <= 50 && !hasTies && !hasZeros) {
    // Ranks are 1…count, so the exact null distribution is the subset-sum count of 1…count.
    const p = subsetSumTwoSidedP(Int32Array.from({ length: count }, (_, i) => i + 1), rPlus);
    return available({ statistic, p, method: 'exact' });
  }
  if (n <= 13) {
    // Average ranks are multiples of ½: doubling makes them integers without changing the order.
    const p = subsetSumTwoSidedP(Int32Array.from(ranks, (r) => Math.round(2 * r)), Math.round(2 * rPlus));
    return available({ statistic, p, method: 'permutation' });
  }
  const meanR = (count * (count + 1)) / 4;
  const se = Math.sqrt((count * (count + 1) * (2 * count + 1) - tieTerm / 2) / 24);
  const z = (rPlus - meanR) / se;
  return available({ statistic, p: Math.min(1, 2 * normalSf(Math.abs(z))), method: 'asymptotic' });
}
