import type { Database, SqlValue, Statement } from 'sql.js';

/*
 * The quality panel's queries: distributions per dimension, a daily trend, the worst
 * executions. Pure functions over the sql.js database, so they run wherever the database
 * lives (the store worker, the CLI, tests).
 *
 * Cost: one scan of the selected scored rows (by prompt index, created_at index, or
 * sequentially) feeds every histogram and the daily trend; SQLite extracts the five
 * dimension scores, so the quality JSON is parsed in JS only for the worst rows and the
 * newest row's weights. Measured on 100k rows with 1.4 KB quality JSON each (90k scored):
 * ~0.6 s for all time and all prompts (the JSON parse in SQLite is most of it), ~0.4 s for
 * the newest 39k, ~30 ms for one prompt's 2k. json_each + GROUP BY in SQL was 5 s.
 */

export interface QualityFilter {
  promptId?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  /** How many of the lowest-scored executions to return (default 10, max 100). */
  worst?: number;
}

export interface ScoreDistribution {
  name: string;
  /** Executions with a score for this dimension. */
  n: number;
  mean: number | null;
  /** Counts per tenth: [0, 0.1), [0.1, 0.2) … [0.9, 1.0]. */
  histogram: number[];
  /** Executions where the dimension was present but could not be assessed (score null). */
  unassessed: number;
}

export interface DailyQuality {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  n: number;
  mean: number;
  /** Sample standard deviation; null for a single value. */
  sd: number | null;
  /** 10th and 90th percentile of the day's overall scores (linear interpolation). */
  p10: number;
  p90: number;
}

export interface WorstExecution {
  id: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  promptId: string;
  model: string | null;
  overall: number;
  /** The lowest-scored dimension and why; null when no dimension has a score. */
  weakest: { name: string; score: number; reason: string } | null;
}

export interface QualityOverview {
  /** Prompt ids with scored executions, most recently scored first (max 200), for the picker. */
  promptIds: string[];
  scored: number;
  /** Executions in the same window and prompt without an overall score (failures included). */
  unscored: number;
  dimensions: ScoreDistribution[];
  overall: ScoreDistribution;
  daily: DailyQuality[];
  /** Weights of the most recent scored execution in the selection; null when none. */
  weights: Record<string, number> | null;
  worst: WorstExecution[];
}

/** The stored dimensions (src/core/quality/types.ts), in the order the panel shows them. */
export const DIMENSION_ORDER: readonly string[] = ['relevance', 'completeness', 'accuracy', 'clarity', 'safety'];

const DAY_MS = 86_400_000;
const BUCKETS = 10;

export function qualityOverview(db: Database, filter: QualityFilter = {}): QualityOverview {
  const w = where(filter);
  const scan = scanScores(db, w);
  return {
    promptIds: promptIds(db),
    scored: scan.overall.n,
    unscored: Math.max(0, countAll(db, filter) - scan.overall.n),
    dimensions: scan.dimensions,
    overall: scan.overall,
    daily: scan.daily,
    weights: latestWeights(db, w),
    worst: worstExecutions(db, w, Math.max(0, Math.min(100, Math.floor(filter.worst ?? 10)))),
  };
}

interface Where { sql: string; params: SqlValue[] }

/** Conditions after the scored-row test, which each query words for the index it wants. */
function where(f: QualityFilter): Where {
  const w: string[] = [];
  const params: SqlValue[] = [];
  if (f.promptId !== undefined) { w.push('e.prompt_id = ?'); params.push(f.promptId); }
  if (f.since !== undefined && Number.isFinite(f.since)) { w.push('e.created_at >= ?'); params.push(f.since); }
  if (f.until !== undefined && Number.isFinite(f.until)) { w.push('e.created_at < ?'); params.push(f.until); }
  return { sql: w.map((c) => ` AND ${c}`).join(''), params };
}

function each(db: Database, sql: string, params: SqlValue[], fn: (row: SqlValue[]) => void): void {
  const st: Statement = db.prepare(sql);
  try {
    st.bind(params);
    while (st.step()) fn(st.get());
  } finally {
    st.free(); // an unfreed statement leaks WASM heap for good
  }
}

/*
 * Prompt ids by their newest execution (a covering-index scan), kept when they have a scored
 * one. Grouping the scored rows directly read every row of the table (300 ms at 100k).
 */
function promptIds(db: Database): string[] {
  const out: string[] = [];
  each(db, `SELECT p.prompt_id FROM (SELECT e.prompt_id, MAX(e.created_at) AS newest FROM executions e GROUP BY e.prompt_id) p
    WHERE EXISTS (SELECT 1 FROM executions x WHERE x.prompt_id = p.prompt_id AND x.quality_score IS NOT NULL)
    ORDER BY p.newest DESC LIMIT 200`, [], (r) => out.push(String(r[0])));
  return out;
}

/** Every execution in the selection (covering index); unscored = this minus the scored ones. */
function countAll(db: Database, f: QualityFilter): number {
  const w = where(f);
  let n = 0;
  each(db, `SELECT COUNT(*) FROM executions e WHERE 1${w.sql}`, w.params, (r) => { n = Number(r[0]); });
  return n;
}

export function bucketOf(score: number): number {
  return Math.max(0, Math.min(BUCKETS - 1, Math.floor(score * BUCKETS)));
}

class Distribution {
  n = 0;
  sum = 0;
  unassessed = 0;
  readonly histogram = new Array<number>(BUCKETS).fill(0);
  constructor(readonly name: string) {}
  add(score: number): void { this.n++; this.sum += score; this.histogram[bucketOf(score)]!++; }
  result(): ScoreDistribution {
    return { name: this.name, n: this.n, mean: this.n ? this.sum / this.n : null, histogram: this.histogram, unassessed: this.unassessed };
  }
}

/*
 * One pass over the selected scored rows: the overall score and created_at feed the overall
 * histogram and the daily trend; one multi-path json_extract (SQLite parses the JSON once
 * per row and json_type reuses that parse) returns the five dimension scores as a small array. The unary + keeps the planner
 * off idx_exec_quality here: walking it visits the table in score order, which is random
 * access into large rows (6 s at 100k instead of 0.6 s for a sequential scan).
 */
function scanScores(db: Database, w: Where): { overall: ScoreDistribution; dimensions: ScoreDistribution[]; daily: DailyQuality[] } {
  const overall = new Distribution('overall');
  const dims = DIMENSION_ORDER.map((name) => new Distribution(name));
  const byDay = new Map<number, number[]>();
  const paths = DIMENSION_ORDER.map((d) => `'$.dimensions.${d}.score'`).join(', ');
  each(db, `SELECT e.created_at, e.quality_score, json_extract(e.quality, ${paths}),
    json_type(e.quality, '$.dimensions') FROM executions e WHERE +e.quality_score IS NOT NULL${w.sql}`, w.params, (r) => {
    const s = Number(r[1]);
    if (!Number.isFinite(s)) return;
    overall.add(s);
    const day = Math.floor(Number(r[0]) / DAY_MS);
    let values = byDay.get(day);
    if (!values) byDay.set(day, (values = []));
    values.push(s);
    if (r[3] !== 'object') return; // no dimensions stored (evaluators only, or an older format)
    const scores = typeof r[2] === 'string' ? JSON.parse(r[2]) as unknown[] : [];
    dims.forEach((d, i) => {
      const v = scores[i];
      if (typeof v === 'number' && Number.isFinite(v)) d.add(v);
      else d.unassessed++; // null (cannot be assessed), missing or not a number
    });
  });
  const daily = [...byDay.keys()].sort((a, b) => a - b).map((day) => dayStats(day, byDay.get(day)!));
  return { overall: overall.result(), dimensions: dims.map((d) => d.result()), daily };
}

function dayStats(day: number, values: number[]): DailyQuality {
  values.sort((a, b) => a - b);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { day: new Date(day * DAY_MS).toISOString().slice(0, 10), n, mean, sd, p10: quantile(values, 0.1), p90: quantile(values, 0.9) };
}

/** Quantile of sorted values, linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function parseQuality(text: SqlValue | undefined): Record<string, unknown> | null {
  if (typeof text !== 'string') return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

function latestWeights(db: Database, w: Where): Record<string, number> | null {
  let weights: Record<string, number> | null = null;
  each(db, `SELECT e.quality FROM executions e WHERE e.quality_score IS NOT NULL${w.sql} ORDER BY e.created_at DESC, e.seq DESC LIMIT 1`, w.params, (r) => {
    const raw = parseQuality(r[0])?.weights;
    if (!raw || typeof raw !== 'object') return;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    weights = Object.keys(out).length ? out : null;
  });
  return weights;
}

/** The lowest-scored dimension of one stored assessment (ties: the panel's dimension order). */
export function weakestDimension(quality: Record<string, unknown> | null): WorstExecution['weakest'] {
  const dims = quality?.dimensions;
  if (!dims || typeof dims !== 'object') return null;
  const rank = (name: string) => { const i = DIMENSION_ORDER.indexOf(name); return i < 0 ? DIMENSION_ORDER.length : i; };
  let best: WorstExecution['weakest'] = null;
  for (const [name, v] of Object.entries(dims as Record<string, unknown>).sort(([a], [b]) => rank(a) - rank(b))) {
    if (!v || typeof v !== 'object') continue;
    const { score, reason } = v as { score?: unknown; reason?: unknown };
    if (typeof score !== 'number' || !Number.isFinite(score)) continue;
    if (!best || score < best.score) best = { name, score, reason: typeof reason === 'string' ? reason : '' };
  }
  return best;
}

function worstExecutions(db: Database, w: Where, limit: number): WorstExecution[] {
  if (limit === 0) return [];
  const out: WorstExecution[] = [];
  each(db, `SELECT e.id, e.created_at, e.prompt_id, e.model, e.quality_score, e.quality FROM executions e
    WHERE e.quality_score IS NOT NULL${w.sql} ORDER BY e.quality_score ASC, e.created_at DESC, e.seq DESC LIMIT ?`, [...w.params, limit], (r) => {
    out.push({
      id: String(r[0]), createdAt: new Date(Number(r[1])).toISOString(), promptId: String(r[2]),
      model: r[3] === null ? null : String(r[3]), overall: Number(r[4]), weakest: weakestDimension(parseQuality(r[5])),
    });
  });
  return out;
}
