import type { Database, SqlValue } from 'sql.js';
import type { Cell, RawExecution } from '../analytics/cells';
import { addExecution, emptyCell, mergeCell } from '../analytics/cells';
import type { AnalyticsScope } from '../analytics/types';

/*
 * Analytics rollups (tables of migration v4). Measured with sql.js: reading 100k rollup rows
 * and parsing their histograms takes ~190 ms, and at 1M executions over 90 days an hour holds
 * ~300 (prompt, provider, model, variant) cells, so a 7-day window + the previous one would
 * read ~100k hourly cells. Daily cells cut that to ~12k; hourly cells cover the partial days
 * at the window's edges and hour-bucketed series, and the partial hours at the very edges are
 * aggregated from `executions` (index on created_at: a few hundred rows).
 *
 * That was still too many cells (the bench at 100k: 134k cells for 100k rows, a 446 ms summary,
 * because a period holds about one execution per full-key cell), so each period also keeps
 * "cube" cells where dimensions are ANY: the total (all four ANY) and one cell per prompt,
 * provider, model and variant (three ANY). An unscoped summary reads only those (~64 a
 * period instead of ~1,000), the previous window only the total; a scoped one reads the
 * full-key cells that match its scope.
 *
 * Kept current off the insert path: rows with seq > rollup_state.seq are folded in by
 * `catchUp` (worker timer, compaction, and before every query); triggers mark an hour dirty
 * when an already rolled-up row is updated, deleted or re-inserted under a reused seq, and
 * `refreshDirty` recomputes such hours (and their days) from `executions` before a query.
 */

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export type Period = 'hour' | 'day';

/** The value of a rolled-up dimension in a cube cell ("any"): a control character no id contains. */
export const ANY = '\u0001';
/** Bump when what the rollup tables hold changes: older rollups are then rebuilt on first use. */
export const ROLLUP_FORMAT = '2';

export const floorTo = (t: number, unit: number): number => t - (((t % unit) + unit) % unit);
export const ceilTo = (t: number, unit: number): number => { const f = floorTo(t, unit); return f === t ? t : f + unit; };

/** A cell with its period start and dimensions ('' for a missing provider/model/variant). */
export interface KeyedCell { t: number; promptId: string; provider: string; model: string; variant: string; cell: Cell }

// Dimension scores as "name\x1fscore" joined by \x1e; odd stored shapes (a dimension that is not an
// object, a string score) are skipped, and CASE keeps json_type away from non-JSON values.
const DIM_SCORES = `CASE WHEN e.quality IS NULL OR NOT json_valid(e.quality) THEN NULL ELSE (SELECT group_concat(key || char(31) || json_extract(value, '$.score'), char(30))
  FROM json_each(e.quality, '$.dimensions') WHERE (CASE WHEN type = 'object' THEN json_type(value, '$.score') END) IN ('integer', 'real')) END`;

/** Cache hits: tag `cache-hit` or metadata `cached: true` (see runner/runCase.ts). */
const RAW_SELECT = `SELECT e.created_at, e.prompt_id, e.provider, e.model, e.variant, e.success, e.latency_ms, e.quality_score,
  (json_extract(e.metadata, '$.cached') IS 1 OR instr(e.tags, '"cache-hit"') > 0), e.tokens_in, e.tokens_out, e.cost_usd, ${DIM_SCORES}, e.seq
  FROM executions e`;

function rawFromRow(r: SqlValue[]): RawExecution {
  let dims: Record<string, number> | null = null;
  if (r[12] !== null && r[12] !== undefined) {
    dims = {};
    for (const part of String(r[12]).split('\x1e')) {
      const i = part.lastIndexOf('\x1f');
      if (i > 0) dims[part.slice(0, i)] = Number(part.slice(i + 1));
    }
  }
  const n = (v: SqlValue | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    createdAt: Number(r[0]), promptId: String(r[1]), provider: r[2] === null ? null : String(r[2]), model: r[3] === null ? null : String(r[3]),
    variant: r[4] === null ? null : String(r[4]), success: Number(r[5]) === 1, latencyMs: n(r[6]), qualityScore: n(r[7]), cached: Number(r[8]) === 1,
    tokensIn: n(r[9]), tokensOut: n(r[10]), costUsd: n(r[11]), dims,
  };
}

function scopeWhere(scope: AnalyticsScope, alias: string): { sql: string[]; params: SqlValue[] } {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  const add = (col: string, v: string | undefined) => {
    if (v === undefined) return;
    sql.push(`${alias}.${col} = ?`);
    params.push(v);
  };
  add('prompt_id', scope.promptId);
  add('provider', scope.provider);
  add('model', scope.model);
  add('variant', scope.variant);
  return { sql, params };
}

/** Groups raw executions into cells of `unit`: full-key cells, plus the cube cells when `cube`. */
function groupIntoCells(rows: Iterable<RawExecution>, unit: number, cube = false): Map<string, KeyedCell> {
  const cells = new Map<string, KeyedCell>();
  const add = (t: number, promptId: string, provider: string, model: string, variant: string, e: RawExecution) => {
    const key = `${t}\x1f${promptId}\x1f${provider}\x1f${model}\x1f${variant}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { t, promptId, provider, model, variant, cell: emptyCell() }));
    addExecution(c.cell, e);
  };
  for (const e of rows) {
    const t = floorTo(e.createdAt, unit);
    const provider = e.provider ?? '', model = e.model ?? '', variant = e.variant ?? '';
    add(t, e.promptId, provider, model, variant, e);
    if (!cube) continue;
    add(t, ANY, ANY, ANY, ANY, e);
    add(t, e.promptId, ANY, ANY, ANY, e);
    add(t, ANY, provider, ANY, ANY, e);
    add(t, ANY, ANY, model, ANY, e);
    add(t, ANY, ANY, ANY, variant, e);
  }
  return cells;
}

/** Whether a cell is a full-key cell (no dimension rolled up). */
export const isFullKey = (k: KeyedCell): boolean => k.promptId !== ANY && k.provider !== ANY && k.model !== ANY && k.variant !== ANY;

function* rawRows(db: Database, where: string, params: SqlValue[], onSeq?: (seq: number) => void): Generator<RawExecution> {
  const st = db.prepare(`${RAW_SELECT} WHERE ${where}`);
  try {
    st.bind(params);
    while (st.step()) {
      const r = st.get();
      onSeq?.(Number(r[13]));
      yield rawFromRow(r);
    }
  } finally { st.free(); }
}

/** Executions in [since, until) within the scope, grouped into hourly cells (the window edges). */
export function rawCells(db: Database, since: number, until: number, scope: AnalyticsScope): KeyedCell[] {
  if (since >= until) return [];
  const w = scopeWhere(scope, 'e');
  return [...groupIntoCells(rawRows(db, ['e.created_at >= ?', 'e.created_at < ?', ...w.sql].join(' AND '), [since, until, ...w.params]), HOUR).values()];
}

const CELL_COLUMNS = 't, prompt_id, provider, model, variant, n, ok, cached, lat_n, lat_sum, lat_sq, lat_hist, q_n, q_sum, q_sq, dims, tokens_in, tokens_out, cost_sum, cost_n';

function cellFromRow(r: SqlValue[]): KeyedCell {
  return {
    t: Number(r[0]), promptId: String(r[1]), provider: String(r[2]), model: String(r[3]), variant: String(r[4]),
    cell: {
      n: Number(r[5]), ok: Number(r[6]), cached: Number(r[7]), latN: Number(r[8]), latSum: Number(r[9]), latSq: Number(r[10]),
      hist: JSON.parse(String(r[11])) as Cell['hist'], qN: Number(r[12]), qSum: Number(r[13]), qSq: Number(r[14]),
      dims: JSON.parse(String(r[15])) as Cell['dims'], tokensIn: Number(r[16]), tokensOut: Number(r[17]), costSum: Number(r[18]), costN: Number(r[19]),
    },
  };
}

function cellParams(k: KeyedCell): SqlValue[] {
  const c = k.cell;
  return [k.t, k.promptId, k.provider, k.model, k.variant, c.n, c.ok, c.cached, c.latN, c.latSum, c.latSq, JSON.stringify(c.hist),
    c.qN, c.qSum, c.qSq, JSON.stringify(c.dims), c.tokensIn, c.tokensOut, c.costSum, c.costN];
}

const table = (p: Period) => (p === 'hour' ? 'rollup_hour' : 'rollup_day');

/**
 * Which stored cells to read: 'full' full-key cells within the scope; 'cube' the total and the
 * one-dimension cells; 'total' the total only; 'all' every cell (rebuilding a day from hours).
 */
export type CellSelection = 'full' | 'cube' | 'total' | 'all';

/** Rolled-up cells with period start in [since, until). */
export function storedCells(db: Database, period: Period, since: number, until: number, select: CellSelection, scope: AnalyticsScope = {}): KeyedCell[] {
  if (since >= until) return [];
  const w = select === 'full' ? scopeWhere(scope, 'r') : { sql: [], params: [] };
  if (select === 'full') { w.sql.push('r.prompt_id != ? AND r.provider != ? AND r.model != ? AND r.variant != ?'); w.params.push(ANY, ANY, ANY, ANY); }
  if (select === 'total') { w.sql.push('r.prompt_id = ? AND r.provider = ? AND r.model = ? AND r.variant = ?'); w.params.push(ANY, ANY, ANY, ANY); }
  if (select === 'cube') { w.sql.push('(r.prompt_id = ?) + (r.provider = ?) + (r.model = ?) + (r.variant = ?) >= 3'); w.params.push(ANY, ANY, ANY, ANY); }
  const st = db.prepare(`SELECT ${CELL_COLUMNS} FROM ${table(period)} r WHERE ${['r.t >= ?', 'r.t < ?', ...w.sql].join(' AND ')}`);
  try {
    st.bind([since, until, ...w.params]);
    const out: KeyedCell[] = [];
    while (st.step()) out.push(cellFromRow(st.get()));
    return out;
  } finally { st.free(); }
}

function tx<T>(db: Database, fn: () => T): T {
  db.run('BEGIN');
  try {
    const r = fn();
    db.run('COMMIT');
    return r;
  } catch (e) {
    db.run('ROLLBACK');
    throw e instanceof Error ? e : new Error(String(e));
  }
}

/** Adds cells into the stored ones (read, merge, write back). */
function mergeIntoTable(db: Database, period: Period, cells: Iterable<KeyedCell>): void {
  const sel = db.prepare(`SELECT ${CELL_COLUMNS} FROM ${table(period)} WHERE t = ? AND prompt_id = ? AND provider = ? AND model = ? AND variant = ?`);
  const put = db.prepare(`INSERT OR REPLACE INTO ${table(period)} (${CELL_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  try {
    for (const k of cells) {
      sel.bind([k.t, k.promptId, k.provider, k.model, k.variant]);
      const merged = sel.step() ? cellFromRow(sel.get()) : { ...k, cell: emptyCell() };
      sel.reset();
      mergeCell(merged.cell, k.cell);
      put.run(cellParams(merged));
    }
  } finally { sel.free(); put.free(); }
}

function replaceCells(db: Database, period: Period, t: number, cells: Iterable<KeyedCell>): void {
  db.run(`DELETE FROM ${table(period)} WHERE t = ?`, [t]);
  const put = db.prepare(`INSERT INTO ${table(period)} (${CELL_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  try { for (const k of cells) put.run(cellParams(k)); } finally { put.free(); }
}

export function rolledUpSeq(db: Database): number {
  return Number(db.exec('SELECT seq FROM rollup_state WHERE id = 1')[0]?.values[0]?.[0] ?? 0);
}

/** What a refresh changed: periods (and, for new rows, the dimensions) whose figures moved. */
export interface RollupChange { since: number; until: number; scope?: { promptId: string; provider: string; model: string; variant: string } }

/** True when rows wait to be rolled up, hours are dirty or the rollups are of an older format (cheap: index probes). */
export function rollupsStale(db: Database): boolean {
  const r = db.exec(`SELECT (SELECT COALESCE(MAX(seq), 0) FROM executions), (SELECT seq FROM rollup_state WHERE id = 1), EXISTS (SELECT 1 FROM rollup_dirty),
    (SELECT value FROM store_meta WHERE key = 'rollup_format')`)[0]?.values[0];
  if (!r) return false;
  return Number(r[0]) > Number(r[1]) || Number(r[2]) === 1 || r[3] !== ROLLUP_FORMAT;
}

/** Drops rollups of an older format (they are rebuilt by the catch-up); true when it did. */
export function resetOutdatedRollups(db: Database): boolean {
  const v = db.exec("SELECT value FROM store_meta WHERE key = 'rollup_format'")[0]?.values[0]?.[0];
  if (v === ROLLUP_FORMAT) return false;
  tx(db, () => {
    db.run('DELETE FROM rollup_hour');
    db.run('DELETE FROM rollup_day');
    db.run('DELETE FROM rollup_dirty');
    db.run('UPDATE rollup_state SET seq = 0 WHERE id = 1');
    db.run("INSERT INTO store_meta(key, value) VALUES ('rollup_format', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [ROLLUP_FORMAT]);
  });
  return true;
}

/** Recomputes dirty hours (and their days) from `executions`. */
export function refreshDirty(db: Database, changes: RollupChange[] = []): number {
  const hours = (db.exec('SELECT hour FROM rollup_dirty ORDER BY hour')[0]?.values ?? []).map((v) => Number(v[0]));
  if (!hours.length) return 0;
  tx(db, () => {
    const upTo = rolledUpSeq(db);
    const days = new Set<number>();
    for (const h of hours) {
      // Only rows already counted by seq: newer ones are added by the catch-up that follows.
      replaceCells(db, 'hour', h, groupIntoCells(rawRows(db, 'e.created_at >= ? AND e.created_at < ? AND e.seq <= ?', [h, h + HOUR, upTo]), HOUR, true).values());
      days.add(floorTo(h, DAY));
      changes.push({ since: h, until: h + HOUR });
    }
    for (const d of days) {
      const merged = new Map<string, KeyedCell>();
      for (const k of storedCells(db, 'hour', d, d + DAY, 'all')) {
        const key = `${k.promptId}\x1f${k.provider}\x1f${k.model}\x1f${k.variant}`;
        const m = merged.get(key);
        if (m) mergeCell(m.cell, k.cell); else merged.set(key, { ...k, t: d });
      }
      replaceCells(db, 'day', d, merged.values());
    }
    db.run('DELETE FROM rollup_dirty');
  });
  return hours.length;
}

/**
 * Folds rows with seq > rollup_state.seq into the hourly and daily cells, `batch` rows per
 * transaction, until caught up or `budgetMs` has passed. Returns rows folded in.
 */
export function catchUp(db: Database, budgetMs = Infinity, batch = 5000, changes: RollupChange[] = []): number {
  const until = performance.now() + budgetMs;
  let total = 0;
  for (;;) {
    const from = rolledUpSeq(db);
    let last = from;
    const rows = [...rawRows(db, 'e.seq > ? ORDER BY e.seq LIMIT ?', [from, batch], (seq) => { last = seq; })];
    if (!rows.length) return total;
    tx(db, () => {
      const hourCells = groupIntoCells(rows, HOUR, true);
      mergeIntoTable(db, 'hour', hourCells.values());
      mergeIntoTable(db, 'day', groupIntoCells(rows, DAY, true).values());
      db.run('UPDATE rollup_state SET seq = ? WHERE id = 1', [last]);
      for (const k of hourCells.values()) if (isFullKey(k)) changes.push({ since: k.t, until: k.t + HOUR, scope: { promptId: k.promptId, provider: k.provider, model: k.model, variant: k.variant } });
    });
    total += rows.length;
    if (rows.length < batch || performance.now() > until) return total;
  }
}

/** Rows not yet rolled up (for stats and the health check). */
export function rollupBacklog(db: Database): number {
  return Number(db.exec('SELECT COUNT(*) FROM executions WHERE seq > (SELECT seq FROM rollup_state WHERE id = 1)')[0]?.values[0]?.[0] ?? 0);
}
