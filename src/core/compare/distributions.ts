import type { Stat } from '../stats/stat';
import { available, notAvailable } from '../stats/stat';
import { wilsonInterval } from '../stats/proportions';

/*
 * What the compare panel's charts draw, computed on the host so the webview gets a few
 * hundred numbers instead of thousands of samples:
 * - continuous metrics: a histogram per variant on one shared axis (same bin edges for every
 *   variant, so bars line up), over exactly the values the tests used (per-case means);
 * - pass/fail metrics: the pass rate per variant with its Wilson 95% interval;
 * - latency and cost: mean and 95th percentile per variant over successful executions
 *   (executions, not case means: a p95 of means would hide the slow tail).
 */

export interface HistogramVariant { variant: string; n: number; counts: number[]; mean: number; median: number }

export interface ContinuousDistribution {
  metric: string;
  kind: 'continuous';
  better: 'higher' | 'lower';
  /** bins + 1 ascending edges; bin k is [edges[k], edges[k+1]) and the last bin is closed. */
  edges: number[];
  variants: HistogramVariant[];
}

export interface RateDistribution {
  metric: string;
  kind: 'binary';
  better: 'higher' | 'lower';
  variants: Array<{ variant: string; successes: number; total: number; wilson: Stat<{ rate: number; ci95: [number, number] }> }>;
}

export type MetricDistribution = ContinuousDistribution | RateDistribution;

export interface SpreadSummary { n: number; mean: number; p95: number; total: number }

export interface LatencyCost {
  variant: string;
  latencyMs: Stat<SpreadSummary>;
  costUsd: Stat<SpreadSummary>;
}

const MAX_BINS = 20;
const MIN_BINS = 5;

/** Linear-interpolation quantile (numpy's default, R type 7) of ascending `sorted`. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q, lo = Math.floor(h), hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function median(sorted: number[]): number { return quantileSorted(sorted, 0.5); }

/**
 * Shared bin edges for every variant's values. Scores on the 0–1 scale use tenths (as the
 * quality panel); other metrics use Sturges' rule on the largest group, 5–20 bins, over the
 * pooled range. All values equal: one bin of zero width.
 */
export function sharedEdges(columns: ReadonlyArray<readonly number[]>, unitInterval: boolean): number[] {
  if (unitInterval) return Array.from({ length: 11 }, (_, k) => k / 10);
  let min = Infinity, max = -Infinity, largest = 0;
  for (const c of columns) {
    largest = Math.max(largest, c.length);
    for (const x of c) { if (x < min) min = x; if (x > max) max = x; }
  }
  if (!Number.isFinite(min)) return [];
  if (min === max) return [min, max];
  const bins = Math.min(MAX_BINS, Math.max(MIN_BINS, Math.ceil(Math.log2(Math.max(1, largest)) + 1)));
  const width = (max - min) / bins;
  return Array.from({ length: bins + 1 }, (_, k) => (k === bins ? max : min + k * width));
}

export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const bins = Math.max(1, edges.length - 1);
  const counts = new Array<number>(bins).fill(0);
  if (edges.length < 2) return counts;
  const lo = edges[0]!, hi = edges[edges.length - 1]!;
  const width = (hi - lo) / bins;
  for (const x of values) {
    // Clamped: the top edge belongs to the last bin, and scores outside [0, 1] to the end bins.
    const k = width > 0 ? Math.floor((x - lo) / width) : 0;
    counts[Math.min(bins - 1, Math.max(0, k))]! += 1;
  }
  return counts;
}

export function metricDistribution(spec: { name: string; kind: 'continuous' | 'binary'; better: 'higher' | 'lower' }, columns: ReadonlyArray<{ variant: string; values: readonly number[] }>): MetricDistribution {
  if (spec.kind === 'binary') {
    return {
      metric: spec.name, kind: 'binary', better: spec.better,
      variants: columns.map((c) => {
        const successes = c.values.reduce((s, x) => s + x, 0);
        return { variant: c.variant, successes, total: c.values.length, wilson: wilsonInterval({ successes, total: c.values.length }) };
      }),
    };
  }
  const unit = spec.name === 'quality' || spec.name.startsWith('quality.');
  const edges = sharedEdges(columns.map((c) => c.values), unit);
  return {
    metric: spec.name, kind: 'continuous', better: spec.better, edges,
    variants: columns.map((c) => {
      const sorted = [...c.values].sort((a, b) => a - b);
      return { variant: c.variant, n: sorted.length, counts: histogram(sorted, edges), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, median: median(sorted) };
    }),
  };
}

function spread(values: number[], what: string): Stat<SpreadSummary> {
  if (!values.length) return notAvailable(`no successful execution has ${what}`);
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((s, x) => s + x, 0);
  return available({ n: sorted.length, mean: total / sorted.length, p95: quantileSorted(sorted, 0.95), total });
}

/** The fields of a stored sample this needs (not the store's type: the webview imports this file's types). */
interface SampleFacts { variant: string | null; success: boolean; latencyMs: number | null; costUsd: number | null }

/** Mean and p95 of latency and cost per variant, over successful executions. */
export function latencyCost(rows: readonly SampleFacts[], variants: readonly string[]): LatencyCost[] {
  return variants.map((v) => {
    const ok = rows.filter((r) => r.variant === v && r.success);
    return {
      variant: v,
      latencyMs: spread(ok.map((r) => r.latencyMs).filter((x): x is number => x !== null && Number.isFinite(x)), 'a latency'),
      costUsd: spread(ok.map((r) => r.costUsd).filter((x): x is number => x !== null && Number.isFinite(x)), 'a cost (unpriced model or provider)'),
    };
  });
}
