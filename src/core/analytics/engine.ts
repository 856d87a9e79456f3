import type { Database } from 'sql.js';
import type { KeyedCell, RollupChange } from '../store/rollups';
import type { CellSelection } from '../store/rollups';
import { ANY, DAY, HOUR, catchUp, ceilTo, floorTo, rawCells, refreshDirty, resetOutdatedRollups, rollupsStale, storedCells } from '../store/rollups';
import { AnalyticsCache, DEFAULT_ANALYTICS_TTL_MS } from './analyticsCache';
import type { Cell } from './cells';
import { emptyCell, kpisOf, mergeCell } from './cells';
import { computeDeltas } from './deltas';
import { PERCENTILE_METHOD } from './latencyHistogram';
import type { AnalyticsCacheStats, AnalyticsQuery, AnalyticsReport, AnalyticsScope, BreakdownRow, SeriesPoint } from './types';

/*
 * The analytics engine of one database (it lives beside the sql.js database, in the worker
 * thread in the extension). Before answering it brings the rollups up to date (dirty hours,
 * then rows not yet rolled up), which also tells the cache which entries those writes touched.
 */

export const NO_VALUE_KEY = '(none)';

export interface AnalyticsEngineOptions { ttlMs?: number; now?: () => number }

interface NormalisedQuery {
  scope: AnalyticsScope;
  windowMs: number;
  until: number | 'now';
  bucket: 'hour' | 'day';
  breakdowns: boolean;
  series: boolean;
}

export function normaliseQuery(q: AnalyticsQuery = {}): NormalisedQuery {
  let windowMs: number;
  if (q.minutes !== undefined) {
    if (!Number.isFinite(q.minutes) || q.minutes <= 0) throw new Error(`minutes must be a positive number (got ${q.minutes})`);
    windowMs = Math.round(q.minutes * 60_000);
  } else {
    const days = q.days ?? 7;
    if (!Number.isFinite(days) || days <= 0) throw new Error(`days must be a positive number (got ${days})`);
    windowMs = Math.round(days * DAY);
  }
  if (q.until !== undefined && !Number.isFinite(q.until)) throw new Error('until must be a time in epoch milliseconds');
  const scope: AnalyticsScope = {};
  for (const k of ['promptId', 'model', 'provider', 'variant'] as const) if (q[k] !== undefined) scope[k] = q[k];
  return {
    scope, windowMs, until: q.until ?? 'now', bucket: q.bucket ?? (windowMs <= 2 * DAY ? 'hour' : 'day'),
    breakdowns: q.breakdowns ?? true, series: q.series ?? true,
  };
}

/**
 * Cells covering [since, until): raw executions for the partial hours at the edges (full-key
 * cells), hourly cells for partial days (or everything when hour resolution is needed), daily
 * cells between. Unscoped, the stored part is cube cells (`breakdowns`) or the total only;
 * scoped, the full-key cells of the scope.
 */
export function collectCells(db: Database, since: number, until: number, hourResolution: boolean, scope: AnalyticsScope, breakdowns: boolean): KeyedCell[] {
  const select: CellSelection = Object.keys(scope).length ? 'full' : breakdowns ? 'cube' : 'total';
  const hs = ceilTo(since, HOUR), he = floorTo(until, HOUR);
  if (hs >= he) return rawCells(db, since, until, scope);
  const out = [...rawCells(db, since, hs, scope), ...rawCells(db, he, until, scope)];
  const ds = ceilTo(hs, DAY), de = floorTo(he, DAY);
  if (hourResolution || ds >= de) return out.concat(storedCells(db, 'hour', hs, he, select, scope));
  return out.concat(storedCells(db, 'hour', hs, ds, select, scope), storedCells(db, 'day', ds, de, select, scope), storedCells(db, 'hour', de, he, select, scope));
}

function addTo(map: Map<string, Cell>, key: string, cell: Cell): void {
  let c = map.get(key);
  if (!c) map.set(key, (c = emptyCell()));
  mergeCell(c, cell);
}

function breakdown(map: Map<string, Cell>): BreakdownRow[] {
  return [...map].map(([key, cell]) => ({ key, kpis: kpisOf(cell) }))
    .sort((a, b) => b.kpis.executions - a.kpis.executions || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export class AnalyticsEngine {
  private readonly cache: AnalyticsCache;
  private readonly now: () => number;

  constructor(private readonly getDb: () => Database, opts: AnalyticsEngineOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.cache = new AnalyticsCache(opts.ttlMs ?? DEFAULT_ANALYTICS_TTL_MS, this.now);
  }

  /** Brings the rollups up to date (within `budgetMs` for the catch-up) and drops cache entries the changes touch. */
  refresh(budgetMs = Infinity): number {
    const db = this.getDb();
    if (!rollupsStale(db)) return 0;
    if (resetOutdatedRollups(db)) this.cache.clear();
    const changes: RollupChange[] = [];
    refreshDirty(db, changes);
    // Small batches when on a budget (worker timer): one batch is the longest the worker stalls.
    const n = catchUp(db, budgetMs, Number.isFinite(budgetMs) ? 1000 : 5000, changes);
    this.cache.invalidate(changes);
    return n;
  }

  report(q: AnalyticsQuery = {}): AnalyticsReport {
    const t0 = performance.now();
    const nq = normaliseQuery(q);
    this.refresh();
    const key = JSON.stringify(nq);
    const hit = this.cache.get(key);
    // A deep copy: a caller in the same thread (LocalStore) must not be able to change the cached entry.
    if (hit) return { ...structuredClone(hit), fromCache: true, computeMs: performance.now() - t0 };
    const report = this.compute(nq);
    report.computeMs = performance.now() - t0;
    this.cache.set(key, report, { since: report.previousWindow.since, until: nq.until === 'now' ? Infinity : report.window.until });
    return report;
  }

  cacheStats(): AnalyticsCacheStats { return this.cache.stats(); }

  /** Drops every cached report (the database was replaced, e.g. reloaded from a snapshot). */
  clearCache(): void { this.cache.clear(); }

  private compute(nq: NormalisedQuery): AnalyticsReport {
    const db = this.getDb();
    const generatedAt = this.now();
    const until = nq.until === 'now' ? generatedAt : nq.until;
    const since = until - nq.windowMs, prevSince = since - nq.windowMs;
    const unit = nq.bucket === 'hour' ? HOUR : DAY;
    const current = emptyCell(), previous = emptyCell();
    const groups = { byPrompt: new Map<string, Cell>(), byModel: new Map<string, Cell>(), byProvider: new Map<string, Cell>(), byVariant: new Map<string, Cell>() };
    const buckets = new Map<number, Cell>();
    for (const k of collectCells(db, since, until, nq.series && nq.bucket === 'hour', nq.scope, nq.breakdowns)) {
      // A full-key cell counts everywhere; a cube cell either is the total (all ANY) or
      // feeds the one breakdown of its dimension (never both: see collectCells).
      const anyCount = Number(k.promptId === ANY) + Number(k.provider === ANY) + Number(k.model === ANY) + Number(k.variant === ANY);
      if (anyCount === 3) {
        if (!nq.breakdowns) continue;
        if (k.promptId !== ANY) addTo(groups.byPrompt, k.promptId, k.cell);
        else if (k.provider !== ANY) addTo(groups.byProvider, k.provider || NO_VALUE_KEY, k.cell);
        else if (k.model !== ANY) addTo(groups.byModel, k.model || NO_VALUE_KEY, k.cell);
        else addTo(groups.byVariant, k.variant || NO_VALUE_KEY, k.cell);
        continue;
      }
      mergeCell(current, k.cell);
      if (nq.breakdowns && anyCount === 0) {
        addTo(groups.byPrompt, k.promptId, k.cell);
        addTo(groups.byModel, k.model || NO_VALUE_KEY, k.cell);
        addTo(groups.byProvider, k.provider || NO_VALUE_KEY, k.cell);
        addTo(groups.byVariant, k.variant || NO_VALUE_KEY, k.cell);
      }
      if (nq.series) {
        const b = floorTo(k.t, unit);
        let c = buckets.get(b);
        if (!c) buckets.set(b, (c = emptyCell()));
        mergeCell(c, k.cell);
      }
    }
    for (const k of collectCells(db, prevSince, since, false, nq.scope, false)) mergeCell(previous, k.cell);
    const cur = kpisOf(current), prev = kpisOf(previous);
    const report: AnalyticsReport = {
      scope: nq.scope, window: { since, until }, previousWindow: { since: prevSince, until: since },
      current: cur, previous: prev, deltas: computeDeltas(cur, prev),
      percentileMethod: PERCENTILE_METHOD, generatedAt, computeMs: 0, fromCache: false,
    };
    if (nq.breakdowns) {
      report.breakdowns = { byPrompt: breakdown(groups.byPrompt), byModel: breakdown(groups.byModel), byProvider: breakdown(groups.byProvider), byVariant: breakdown(groups.byVariant) };
    }
    if (nq.series) {
      const points: SeriesPoint[] = [];
      for (let b = floorTo(since, unit); b < until; b += unit) {
        const k = kpisOf(buckets.get(b) ?? emptyCell());
        points.push({ start: b, executions: k.executions, successRate: k.successRate, latencyP50: k.latency.p50, latencyP95: k.latency.p95,
          latencyP99: k.latency.p99, qualityMean: k.quality.mean, cost: k.cost.total });
      }
      report.series = { bucket: nq.bucket, points };
    }
    return report;
  }
}
