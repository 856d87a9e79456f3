import type { Histogram } from './latencyHistogram';
import { addToHistogram, bucketOf, histogramPercentiles, mergeHistogram } from './latencyHistogram';
import type { Kpis } from './types';

/*
 * A cell is the mergeable aggregate of a set of executions: counts, sums and sums of squares,
 * a latency histogram and per-dimension quality sums. Rollup rows store cells; a report adds
 * cells together and only then derives rates, means, standard deviations and percentiles.
 */

export interface Cell {
  n: number;
  ok: number;
  cached: number;
  latN: number;
  latSum: number;
  latSq: number;
  hist: Histogram;
  qN: number;
  qSum: number;
  qSq: number;
  /** Dimension name → [scored executions, sum of scores]. */
  dims: Record<string, [number, number]>;
  tokensIn: number;
  tokensOut: number;
  costSum: number;
  costN: number;
}

/** One execution as the rollups read it (see rollups.ts RAW_SELECT). */
export interface RawExecution {
  createdAt: number;
  promptId: string;
  provider: string | null;
  model: string | null;
  variant: string | null;
  success: boolean;
  latencyMs: number | null;
  qualityScore: number | null;
  cached: boolean;
  tokensIn: number | null;
  tokensOut: number | null;
  costUsd: number | null;
  /** Dimension name → score, for the dimensions that have a numeric score. */
  dims: Record<string, number> | null;
}

export function emptyCell(): Cell {
  return { n: 0, ok: 0, cached: 0, latN: 0, latSum: 0, latSq: 0, hist: {}, qN: 0, qSum: 0, qSq: 0, dims: {}, tokensIn: 0, tokensOut: 0, costSum: 0, costN: 0 };
}

export function addExecution(c: Cell, e: RawExecution): void {
  c.n++;
  if (e.success) c.ok++;
  if (e.cached) c.cached++;
  if (e.latencyMs !== null) {
    c.latN++;
    c.latSum += e.latencyMs;
    c.latSq += e.latencyMs * e.latencyMs;
    addToHistogram(c.hist, bucketOf(e.latencyMs));
  }
  if (e.qualityScore !== null) {
    c.qN++;
    c.qSum += e.qualityScore;
    c.qSq += e.qualityScore * e.qualityScore;
  }
  if (e.dims) {
    for (const [name, score] of Object.entries(e.dims)) {
      const d = c.dims[name] ?? (c.dims[name] = [0, 0]);
      d[0]++;
      d[1] += score;
    }
  }
  if (e.tokensIn !== null) c.tokensIn += e.tokensIn;
  if (e.tokensOut !== null) c.tokensOut += e.tokensOut;
  if (e.costUsd !== null) { c.costN++; c.costSum += e.costUsd; }
}

export function mergeCell(into: Cell, from: Cell): void {
  into.n += from.n;
  into.ok += from.ok;
  into.cached += from.cached;
  into.latN += from.latN;
  into.latSum += from.latSum;
  into.latSq += from.latSq;
  mergeHistogram(into.hist, from.hist);
  into.qN += from.qN;
  into.qSum += from.qSum;
  into.qSq += from.qSq;
  for (const [name, [n, sum]] of Object.entries(from.dims)) {
    const d = into.dims[name] ?? (into.dims[name] = [0, 0]);
    d[0] += n;
    d[1] += sum;
  }
  into.tokensIn += from.tokensIn;
  into.tokensOut += from.tokensOut;
  into.costSum += from.costSum;
  into.costN += from.costN;
}

/** Sample standard deviation from n, Σx and Σx² (null below 2 values; never negative from rounding). */
export function sdFromSums(n: number, sum: number, sumSq: number): number | null {
  if (n < 2) return null;
  const m = sum / n;
  const ss = sumSq - n * m * m;
  // Σx² − n·m² of a constant sample is rounding noise, not spread: report the exact 0 that a
  // two-pass computation gives (else Welch would "find" a difference between two constants).
  if (ss <= 1e-12 * sumSq) return 0;
  return Math.sqrt(ss / (n - 1));
}

export function kpisOf(c: Cell): Kpis {
  const [p50, p95, p99] = histogramPercentiles(c.hist, [0.5, 0.95, 0.99]);
  const dimensions: Kpis['quality']['dimensions'] = {};
  for (const name of Object.keys(c.dims).sort()) {
    const [n, sum] = c.dims[name]!;
    dimensions[name] = { n, mean: n ? sum / n : null };
  }
  return {
    executions: c.n,
    successes: c.ok,
    successRate: c.n ? c.ok / c.n : null,
    latency: { n: c.latN, mean: c.latN ? c.latSum / c.latN : null, sd: sdFromSums(c.latN, c.latSum, c.latSq), p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null },
    quality: { n: c.qN, mean: c.qN ? c.qSum / c.qN : null, sd: sdFromSums(c.qN, c.qSum, c.qSq), dimensions },
    tokensIn: c.tokensIn,
    tokensOut: c.tokensOut,
    cost: { total: c.costSum, known: c.costN },
    cacheHits: c.cached,
    cacheHitRate: c.n ? c.cached / c.n : null,
  };
}
