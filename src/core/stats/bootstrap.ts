import { wasmKernel } from './bootstrapKernel';
import type { Sample } from './descriptive';
import { isConstant, pairedDifferences } from './descriptive';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';

/*
 * Seeded percentile bootstrap of a difference in means.
 *
 * Random numbers: xoshiro128** (Blackman & Vigna, 2018; 32-bit output, period 2^128 − 1),
 * its 128-bit state filled by splitmix32 from (seed, stream). Each group gets its own stream:
 * the control is stream 0 and the k-th variant stream k, so an A/B bootstrap and the same
 * pair inside a larger compareMetrics call resample identically and the numbers reproduce
 * anywhere. Indices are ⌊u·n / 2³²⌋ for a 32-bit u (bias below n / 2³², irrelevant here).
 *
 * Speed: one index stream per group drives every metric column of that group (resampling
 * cases, not values), columns are interleaved in blocks so each drawn index feeds several
 * independent sums, indices are drawn inside the summing loop, and nothing is allocated per
 * resample. Where WebAssembly is available the same loop runs as a small WebAssembly function
 * (bootstrapKernel.ts): bit-identical results, ~1.5–2× faster; the JavaScript kernels below
 * are the fallback and the reference the tests compare it with.
 */

export const DEFAULT_RESAMPLES = 10_000;
export const DEFAULT_SEED = 1;

export class Xoshiro128 {
  /** The 128-bit state; exposed so the bootstrap's hot loop can keep it in locals. */
  readonly state = new Int32Array(4);

  constructor(seed: number, stream = 0) {
    let x = ((seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab)) | 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32: golden-ratio increment, then murmur3's finalizer
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[i] = z ^ (z >>> 16);
    }
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1; // the one forbidden state
  }

  nextUint32(): number {
    const s = this.state;
    const m = Math.imul(s[1]!, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!; s[2]! ^= t;
    s[3] = (s[3]! << 11) | (s[3]! >>> 21);
    return result;
  }
}

// The resampling kernels. Each call sums one resample of n cases. The first pass draws the
// indices inside the summing loop (no index-buffer round trip: ~2.5× faster) over a 4-wide
// interleaved block plus, in draw5, one more column; it records the indices in `idx` only when
// further columns must reuse the same resample. Every column is summed in case order, so a
// column's resample means do not depend on which lane or block it lands in: bit-identical to
// a standalone bootstrap of that column.

function draw4(state: Int32Array, x: Float64Array, n: number, idx: Int32Array | null, sums: Float64Array): void {
  let s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
  const scale = n / 4294967296;
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.imul(s1, 5);
    const u = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    const k = (u * scale) | 0;
    if (idx) idx[i] = k;
    const j = k << 2;
    a += x[j]!; b += x[j + 1]!; c += x[j + 2]!; d += x[j + 3]!;
  }
  state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
  sums[0] = a; sums[1] = b; sums[2] = c; sums[3] = d;
}

/** draw4 plus a fifth, separate column (five metrics is the common case and costs ~5% more than four). */
function draw5(state: Int32Array, x: Float64Array, y: Float64Array, n: number, idx: Int32Array | null, sums: Float64Array): void {
  let s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
  const scale = n / 4294967296;
  let a = 0, b = 0, c = 0, d = 0, e = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.imul(s1, 5);
    const u = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    const k = (u * scale) | 0;
    if (idx) idx[i] = k;
    const j = k << 2;
    a += x[j]!; b += x[j + 1]!; c += x[j + 2]!; d += x[j + 3]!; e += y[k]!;
  }
  state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
  sums[0] = a; sums[1] = b; sums[2] = c; sums[3] = d; sums[4] = e;
}

function gather4(x: Float64Array, idx: Int32Array, n: number, sums: Float64Array): void {
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = 0; i < n; i++) {
    const j = idx[i]! << 2;
    a += x[j]!; b += x[j + 1]!; c += x[j + 2]!; d += x[j + 3]!;
  }
  sums[0] = a; sums[1] = b; sums[2] = c; sums[3] = d;
}

function gather1(x: Float64Array, idx: Int32Array, n: number, sums: Float64Array): void {
  let a = 0;
  for (let i = 0; i < n; i++) a += x[idx[i]!]!;
  sums[0] = a;
}

function interleave(columns: ReadonlyArray<Sample>, cols: number[], n: number): Float64Array {
  const data = new Float64Array(n * 4); // fewer than four columns: zero-padded lanes
  cols.forEach((k, off) => { const col = columns[k]!; for (let i = 0; i < n; i++) data[i * 4 + off] = col[i]!; });
  return data;
}

let kernelChoice: 'wasm' | 'js' = 'wasm';

/** Which resampling loop runs (tests compare both; results are bit-identical). Returns the previous choice. */
export function setBootstrapKernel(choice: 'wasm' | 'js'): 'wasm' | 'js' {
  const previous = kernelChoice;
  kernelChoice = choice;
  return previous;
}

/**
 * Resample means of several equal-length columns (the metrics of one group), all driven by one
 * index stream: result[c][r] is the mean of column c in resample r. Columns 0–3 form the
 * first 4-wide block, column 4 rides along in draw5, and any further columns reuse the drawn
 * indices in 4-wide blocks (a lone leftover column on its own).
 */
export function bootstrapMeans(columns: ReadonlyArray<Sample>, resamples: number, rng: Xoshiro128): Float64Array[] {
  const n = columns[0]?.length ?? 0;
  if (columns.some((c) => c.length !== n)) throw new Error('bootstrapMeans: columns must have equal length');
  if (n > 0 && columns.length > 0 && kernelChoice === 'wasm') {
    const means = wasmKernel()?.means(columns, resamples, rng.state);
    if (means) return means;
  }
  const out = columns.map(() => new Float64Array(resamples));
  if (n === 0) return out;
  const k = columns.length;
  const firstCols = [0, 1, 2, 3].filter((c) => c < k);
  const first = interleave(columns, firstCols, n);
  const extra = k > 4 ? Float64Array.from(columns[4]!) : null;
  const rest: Array<{ data: Float64Array; cols: number[] }> = [];
  for (let c = 5; c < k; c += 4) {
    const cols = [c, c + 1, c + 2, c + 3].filter((x) => x < k);
    rest.push({ data: cols.length === 1 ? Float64Array.from(columns[c]!) : interleave(columns, cols, n), cols });
  }
  const idx = rest.length ? new Int32Array(n) : null;
  const sums = new Float64Array(5);
  const state = rng.state;
  for (let r = 0; r < resamples; r++) {
    if (extra) draw5(state, first, extra, n, idx, sums);
    else draw4(state, first, n, idx, sums);
    for (let c = 0; c < firstCols.length; c++) out[c]![r] = sums[c]! / n;
    if (extra) out[4]![r] = sums[4]! / n;
    for (let bi = 0; bi < rest.length; bi++) {
      const b = rest[bi]!;
      if (b.cols.length === 1) gather1(b.data, idx!, n, sums);
      else gather4(b.data, idx!, n, sums);
      for (let c = 0; c < b.cols.length; c++) out[b.cols[c]!]![r] = sums[c]! / n;
    }
  }
  return out;
}

/**
 * Rearranges v so that v[k] is its k-th smallest value, smaller ones before it and larger
 * ones after (Hoare's quickselect, median-of-three pivots): O(n), versus a full sort.
 */
function select(v: Float64Array, k: number, left: number, right: number): void {
  let lo = left, hi = right;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three to v[mid], then partition around it
    if (v[mid]! < v[lo]!) swap(v, mid, lo);
    if (v[hi]! < v[lo]!) swap(v, hi, lo);
    if (v[hi]! < v[mid]!) swap(v, hi, mid);
    const pivot = v[mid]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) { swap(v, i, j); i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(v: Float64Array, i: number, j: number): void {
  const t = v[i]!; v[i] = v[j]!; v[j] = t;
}

/** Linear interpolation between order statistics (numpy's default); reorders v in place. */
function quantileInPlace(v: Float64Array, q: number, left: number): { value: number; index: number } {
  const h = (v.length - 1) * q, k = Math.floor(h);
  select(v, k, left, v.length - 1);
  let next = v[k]!;
  if (k + 1 < v.length && h > k) {
    next = v[k + 1]!;
    for (let i = k + 2; i < v.length; i++) if (v[i]! < next) next = v[i]!;
  }
  return { value: v[k]! + (h - k) * (next - v[k]!), index: k };
}

/** Percentile interval (type 7 interpolation, as numpy.percentile). Reorders `values` in place. */
export function percentileInterval(values: Float64Array, level = 0.95): [number, number] {
  // Via percentages, as numpy.percentile(x, [2.5, 97.5]): (1 − 0.95)/2 is not exactly 0.025.
  const pct = level * 100;
  const lower = quantileInPlace(values, (100 - pct) / 200, 0);
  // Everything after the lower order statistic is ≥ it, so the upper one is found to its right.
  const upper = quantileInPlace(values, (100 + pct) / 200, lower.index);
  return [lower.value, upper.value];
}

export interface BootstrapOptions {
  paired?: boolean;
  /** Default 10,000. */
  resamples?: number;
  /** Unsigned 32-bit integer, default 1. */
  seed?: number;
}

export interface BootstrapCi {
  ci95: [number, number];
  resamples: number;
  seed: number;
}

export function checkBootstrapOptions(resamples: number, seed: number): string | null {
  if (!Number.isInteger(resamples) || resamples < 100) return `bootstrap resamples must be an integer ≥ 100 (got ${resamples})`;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return `the seed must be an integer from 0 to 4294967295 (got ${seed})`;
  return null;
}

/** Percentile 95% CI of mean(b) − mean(a): cases resampled within each group, or pairs when paired. */
export function bootstrapDifferenceCi(a: Sample, b: Sample, options: BootstrapOptions = {}): Stat<BootstrapCi> {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES, seed = options.seed ?? DEFAULT_SEED;
  const bad = checkBootstrapOptions(resamples, seed);
  if (bad) return notAvailable(bad);
  if (options.paired) {
    if (a.length !== b.length) return notAvailable(`paired samples must have the same length (have ${a.length} and ${b.length})`);
    if (a.length < 2) return notAvailable(`the bootstrap needs at least 2 pairs (have ${a.length})`);
    const d = pairedDifferences(a, b);
    if (isConstant(d)) return notAvailable('every pair differs by the same amount, so resampling cannot vary the difference');
    const [means] = bootstrapMeans([d], resamples, new Xoshiro128(seed, 1));
    return available({ ci95: percentileInterval(means!), resamples, seed });
  }
  if (a.length < 2 || b.length < 2) return notAvailable(`the bootstrap needs at least 2 values per group (have ${a.length} and ${b.length})`);
  if (isConstant(a) && isConstant(b)) return notAvailable('both groups have zero variance, so resampling cannot vary the difference');
  const [ma] = bootstrapMeans([a], resamples, new Xoshiro128(seed, 0));
  const [mb] = bootstrapMeans([b], resamples, new Xoshiro128(seed, 1));
  return available({ ci95: percentileInterval(differenceOf(mb!, ma!)), resamples, seed });
}

/** b − a element-wise into a new array (the bootstrap distribution of the difference). */
export function differenceOf(b: Float64Array, a: Float64Array): Float64Array {
  const out = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i]! - a[i]!;
  return out;
}
