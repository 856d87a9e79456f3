import type { ExecutionRecord } from '../store/executionRecord';

/** Latencies kept for the p95: a growing Float64Array (8 MB at 1,000,000 executions). */
class NumberBuffer {
  private buf = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  /** Counts in `bins` equal-width bins from the minimum to the 99th percentile (the last bin takes the tail). */
  histogram(bins: number): { from: number; width: number; counts: number[] } | null {
    if (!this.length) return null;
    const sorted = this.buf.slice(0, this.length).sort();
    const from = sorted[0]!;
    const to = sorted[Math.min(this.length - 1, Math.ceil(0.99 * this.length) - 1)]!;
    const width = to > from ? (to - from) / bins : 1;
    const counts = new Array<number>(bins).fill(0);
    for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - from) / width))]!++;
    return { from, width, counts };
  }
  /** Nearest-rank percentile (p in 0..1); null when empty. */
  percentile(p: number): number | null {
    if (!this.length) return null;
    const sorted = this.buf.slice(0, this.length).sort();
    return sorted[Math.min(this.length - 1, Math.max(0, Math.ceil(p * this.length) - 1))]!;
  }
}

export interface GroupStats {
  n: number; ok: number;
  latencySum: number; latencyN: number;
  qualitySum: number; qualityN: number;
  costSum: number; costN: number;
  tokensIn: number; tokensOut: number;
}

const emptyGroup = (): GroupStats => ({ n: 0, ok: 0, latencySum: 0, latencyN: 0, qualitySum: 0, qualityN: 0, costSum: 0, costN: 0, tokensIn: 0, tokensOut: 0 });

function addTo(g: GroupStats, r: ExecutionRecord): void {
  g.n++;
  if (r.success) g.ok++;
  if (r.latencyMs !== null) { g.latencySum += r.latencyMs; g.latencyN++; }
  if (r.qualityScore !== null) { g.qualitySum += r.qualityScore; g.qualityN++; }
  if (r.costUsd !== null) { g.costSum += r.costUsd; g.costN++; }
  g.tokensIn += r.tokensIn ?? 0;
  g.tokensOut += r.tokensOut ?? 0;
}

export const mean = (sum: number, n: number): number | null => (n ? sum / n : null);

/** What the report keeps of one of the worst executions (not its texts: memory stays bounded). */
export interface WorstCase {
  id: string; promptId: string; variant: string | null; model: string | null; createdAt: string;
  qualityScore: number; weakestDimension: string | null; weakestScore: number | null; reason: string;
}

/** The lowest-scored dimension of a stored quality assessment and its reason. */
export function weakestDimension(quality: Record<string, unknown> | null): { name: string; score: number; reason: string } | null {
  const dims = quality?.dimensions;
  if (!dims || typeof dims !== 'object') return null;
  let best: { name: string; score: number; reason: string } | null = null;
  for (const [name, v] of Object.entries(dims as Record<string, unknown>)) {
    if (!v || typeof v !== 'object') continue;
    const { score, reason } = v as { score?: unknown; reason?: unknown };
    if (typeof score !== 'number' || !Number.isFinite(score)) continue;
    if (!best || score < best.score) best = { name, score, reason: typeof reason === 'string' ? reason : '' };
  }
  return best;
}

export interface DayStats { day: string; n: number; ok: number; qualitySum: number; qualityN: number }

/**
 * Everything the Markdown and HTML reports show, built in one pass: counts and sums, per
 * variant and per day (both bounded by distinct values, not rows), the worst N by quality,
 * and the latencies for the p95.
 */
export class ReportAggregator {
  readonly all = emptyGroup();
  readonly variants = new Map<string, GroupStats>();
  readonly days = new Map<string, DayStats>();
  readonly worst: WorstCase[] = [];
  private readonly latencies = new NumberBuffer();
  first: string | null = null;
  last: string | null = null;
  readonly prompts = new Set<string>();
  readonly models = new Set<string>();
  private static readonly MAX_NAMES = 1000;

  constructor(readonly worstN = 10) {}

  add(r: ExecutionRecord): void {
    addTo(this.all, r);
    if (r.latencyMs !== null) this.latencies.push(r.latencyMs);
    if (r.variant !== null) {
      let g = this.variants.get(r.variant);
      if (!g) { g = emptyGroup(); this.variants.set(r.variant, g); }
      addTo(g, r);
    }
    const day = r.createdAt.slice(0, 10);
    let d = this.days.get(day);
    if (!d) { d = { day, n: 0, ok: 0, qualitySum: 0, qualityN: 0 }; this.days.set(day, d); }
    d.n++;
    if (r.success) d.ok++;
    if (r.qualityScore !== null) { d.qualitySum += r.qualityScore; d.qualityN++; }
    if (this.first === null || r.createdAt < this.first) this.first = r.createdAt;
    if (this.last === null || r.createdAt > this.last) this.last = r.createdAt;
    if (this.prompts.size < ReportAggregator.MAX_NAMES) this.prompts.add(r.promptId);
    if (r.model && this.models.size < ReportAggregator.MAX_NAMES) this.models.add(r.model);
    if (r.qualityScore !== null) this.considerWorst(r);
  }

  private considerWorst(r: ExecutionRecord): void {
    const q = r.qualityScore!;
    // Sorted ascending, at most worstN long: an insertion costs O(N) with N = 10.
    if (this.worst.length >= this.worstN && q >= this.worst[this.worst.length - 1]!.qualityScore) return;
    const w = weakestDimension(r.quality);
    const item: WorstCase = { id: r.id, promptId: r.promptId, variant: r.variant, model: r.model, createdAt: r.createdAt, qualityScore: q,
      weakestDimension: w?.name ?? null, weakestScore: w?.score ?? null, reason: (w?.reason ?? '').slice(0, 500) };
    let i = this.worst.length;
    while (i > 0 && this.worst[i - 1]!.qualityScore > q) i--;
    this.worst.splice(i, 0, item);
    if (this.worst.length > this.worstN) this.worst.pop();
  }

  p95Latency(): number | null { return this.latencies.percentile(0.95); }
  latencyHistogram(bins = 20): { from: number; width: number; counts: number[] } | null { return this.latencies.histogram(bins); }
  sortedDays(): DayStats[] { return [...this.days.values()].sort((a, b) => (a.day < b.day ? -1 : 1)); }
  sortedVariants(): Array<[string, GroupStats]> { return [...this.variants.entries()].sort((a, b) => a[0].localeCompare(b[0])); }
}

export function fmtNum(v: number | null, digits = 2): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}
export function fmtPct(ok: number, n: number): string {
  return n ? `${((ok / n) * 100).toFixed(1)}%` : '–';
}
export function fmtMs(v: number | null): string {
  return v === null ? '–' : `${Math.round(v)} ms`;
}
export function fmtUsd(sum: number, n: number): string {
  return n ? `$${sum.toFixed(4)}` : '–';
}
