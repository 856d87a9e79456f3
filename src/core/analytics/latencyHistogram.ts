/*
 * Latency percentiles from a log-bucketed histogram, so that rollups can be merged by adding
 * counts: bucket b holds latencies in [1.02^b, 1.02^(b+1)) ms and is reported as its geometric
 * midpoint 1.02^(b+0.5), which is within ±1% (relative) of every value in the bucket. Hence a
 * percentile taken from merged histograms is the nearest-rank percentile to within ±1%.
 * Latency 0 (cache hits) has a bucket of its own, reported as exactly 0.
 */

export const BUCKET_RATIO = 1.02;
const LOG_RATIO = Math.log(BUCKET_RATIO);
/** Key of the bucket of exact zeros. */
export const ZERO_BUCKET = 'z';

export const PERCENTILE_METHOD = 'nearest-rank over a log histogram with 2% wide buckets: each percentile is within ±1% of the exact nearest-rank value';

/** Sparse histogram: bucket key (index as a string, or 'z') to count. */
export type Histogram = Record<string, number>;

export function bucketOf(latencyMs: number): string {
  if (latencyMs <= 0) return ZERO_BUCKET;
  return String(Math.floor(Math.log(latencyMs) / LOG_RATIO));
}

export function bucketValue(key: string): number {
  return key === ZERO_BUCKET ? 0 : Math.pow(BUCKET_RATIO, Number(key) + 0.5);
}

export function addToHistogram(h: Histogram, key: string, count = 1): void {
  h[key] = (h[key] ?? 0) + count;
}

export function mergeHistogram(into: Histogram, from: Histogram): void {
  for (const k in from) into[k] = (into[k] ?? 0) + from[k]!;
}

/** Nearest-rank percentiles (p in (0, 1]) of a histogram holding `n` values; null when empty. */
export function histogramPercentiles(h: Histogram, ps: readonly number[]): Array<number | null> {
  const entries = Object.entries(h).map(([k, c]) => [k === ZERO_BUCKET ? -Infinity : Number(k), c, k] as const).sort((a, b) => a[0] - b[0]);
  let n = 0;
  for (const e of entries) n += e[1];
  if (n === 0) return ps.map(() => null);
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil(p * n));
    let seen = 0;
    for (const [, c, k] of entries) {
      seen += c;
      if (seen >= rank) return bucketValue(k);
    }
    return bucketValue(entries[entries.length - 1]![2]);
  });
}
