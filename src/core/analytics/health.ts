import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistoryFilter, HistoryPage } from '../store/executionDb';
import type { StoreStats } from '../store/executionStore';
import type { BreakerSnapshot } from '../runner/circuitBreaker';
import { readManifest } from '../store/snapshot';
import type { AlertSettings } from './alertRules';
import { alertRules, alertTransitions, evaluateAlerts } from './alertRules';
import type { AlertInputs } from './alertRules';
import type { AlertState, AlertTransition, AnalyticsCacheStats, AnalyticsQuery, AnalyticsReport, HealthCheckResult, HealthReport, Kpis, Severity } from './types';

/*
 * Health checks: each is a function returning {healthy, details, metrics}; they run together,
 * each with its own timeout, so one hung query cannot hide the others. A check that throws or
 * times out is reported unhealthy with the reason instead of failing the whole report. The
 * same checks serve the extension (scheduled, with its breakers and measured write latency)
 * and the CLI (one run, one probe write, no provider calls in that process).
 */

export type HealthCheck = () => Promise<HealthCheckResult>;

export interface NamedCheck {
  name: string;
  run: HealthCheck;
  /** Severity reported when the check throws or times out. */
  severity?: Severity;
}

/** Runs every check concurrently; each gets `timeoutMs`. Results come back in registration order. */
export async function runChecks(checks: readonly NamedCheck[], timeoutMs: number): Promise<HealthCheckResult[]> {
  return Promise.all(checks.map(async (c): Promise<HealthCheckResult> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<HealthCheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ name: c.name, healthy: false, details: `did not answer within ${timeoutMs} ms`, metrics: { timedOut: true }, severity: c.severity ?? 'high' }), timeoutMs);
    });
    try {
      const result = await Promise.race([c.run(), timeout]);
      return { ...result, name: c.name };
    } catch (e) {
      return { name: c.name, healthy: false, details: `check failed: ${e instanceof Error ? e.message : String(e)}`, metrics: {}, severity: c.severity ?? 'high' };
    } finally {
      clearTimeout(timer);
    }
  }));
}

/** The latest write latencies (ms) in a fixed ring: the extension times every store.record(). */
export class WriteLatencyRing {
  private readonly values: number[] = [];
  private next = 0;
  private total = 0;
  constructor(readonly capacity = 200) {}

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.values.length < this.capacity) this.values.push(ms);
    else this.values[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    this.total++;
  }

  /** p95 by nearest rank over the writes in the ring; `last` is the newest one. */
  summary(): WriteLatencySummary {
    const n = this.values.length;
    if (!n) return { n: 0, p95: null, max: null, last: null, total: this.total };
    const sorted = [...this.values].sort((a, b) => a - b);
    const last = this.values[(this.next - 1 + this.capacity) % this.capacity] ?? this.values[n - 1]!;
    return { n, p95: sorted[Math.ceil(0.95 * n) - 1]!, max: sorted[n - 1]!, last, total: this.total };
  }
}

export interface WriteLatencySummary { n: number; p95: number | null; max: number | null; last: number | null; total: number }

/** Set by the store when a compaction finishes (StoreStats.lastCompaction, added with analytics). */
export interface LastCompaction { at: number; durationMs: number; rows: number }
export type HealthStats = StoreStats & {
  lastCompaction?: LastCompaction | null;
  /** Executions not yet folded into the analytics rollups (rollups.ts rollupBacklog), when the store reports it. */
  rollupBacklog?: number;
};

/** The part of PromptLabStore the checks read; analytics methods are optional so an older store still gets a report. */
export interface HealthStoreView {
  stats(): Promise<HealthStats>;
  history(filter?: HistoryFilter): Promise<HistoryPage>;
  analytics?(q?: AnalyticsQuery): Promise<AnalyticsReport>;
  analyticsCacheStats?(): Promise<AnalyticsCacheStats>;
}

export interface ProviderBreakerView { profileId: string; breaker: BreakerSnapshot }

export interface HealthInputs {
  store: HealthStoreView;
  /** Database folder: the probe write goes to its journal directory. */
  dir: string;
  /** Breakers of this process; null = no provider calls in this process (the CLI). */
  breakers: () => readonly ProviderBreakerView[] | null;
  /** Latencies measured around store.record(); null = time one probe write instead (the CLI). */
  writeLatency: (() => WriteLatencySummary) | null;
  /** Rows the store keeps full-text indexed (promptLab.store.ftsWindow). */
  ftsWindow?: number;
  /**
   * Above this many executions waiting for the analytics rollups, the execution rules are not
   * evaluated: an analytics query would first fold them all in and hold the store for that long
   * (an upgraded 100k database: ~30 s). The background catch-up gets there; a scheduled check
   * must not block every panel meanwhile. Undefined = always query (the CLI, which waits).
   */
  maxRollupBacklog?: number;
  now?: () => number;
}

export interface HealthSettings extends AlertSettings {
  /** Per-check timeout (ms). */
  checkTimeoutMs: number;
  /** Executions waiting for the full-text index above which ingestion is reported behind. */
  ingestionBacklogRows: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
/** Two compaction batches of FTS indexing: more than this waiting means indexing is not keeping up. */
export const DEFAULT_INGESTION_BACKLOG_ROWS = 10_000;

/** Bytes of the probe write: about one journalled execution. */
const PROBE_BYTES = 4096;

/** Writes, fsyncs and removes a small file in the journal directory; returns how long it took. */
export function probeWrite(dir: string, clock: () => number = () => performance.now()): number {
  const journalDir = path.join(dir, 'journal');
  fs.mkdirSync(journalDir, { recursive: true });
  // Not *.jsonl: journal readers never see it, even if the process dies between write and unlink.
  const file = path.join(journalDir, `.health-probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t0 = clock();
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.alloc(PROBE_BYTES, 0x20));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return clock() - t0;
}

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** Health of one provider from its breaker: closed is healthy, open is serious, half-open is recovering. */
export function breakerHealth(state: BreakerSnapshot['state'] | null): { healthy: boolean; severity?: Severity; text: string } {
  if (state === null) return { healthy: true, text: 'breaker: no provider calls in this process' };
  if (state === 'closed') return { healthy: true, text: 'breaker closed' };
  if (state === 'half_open') return { healthy: false, severity: 'medium', text: 'breaker half-open (the next request is a trial)' };
  return { healthy: false, severity: 'high', text: 'breaker open (requests fail fast)' };
}

type Settled<T> = { ok: true; value: T } | { ok: false; reason: string };
/** The outcome of a shared read, never pending for longer than `timeoutMs`. */
function settle<T>(p: Promise<T>, timeoutMs: number): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => { timer = setTimeout(() => resolve({ ok: false, reason: `did not answer within ${timeoutMs} ms` }), timeoutMs); });
  const outcome = p.then((value): Settled<T> => ({ ok: true, value }), (e: unknown): Settled<T> => ({ ok: false, reason: e instanceof Error ? e.message : String(e) }));
  return Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs every check and evaluates the alert rules against `previous` alert states. Returns the
 * report and the alert transitions since `previous` (empty when nothing changed).
 */
export async function runHealth(inputs: HealthInputs, settings: HealthSettings, previous: readonly AlertState[]): Promise<{ report: HealthReport; transitions: AlertTransition[] }> {
  const now = inputs.now ?? (() => Date.now());
  const started = now();
  // Shared reads, started once: several checks and the rules use them.
  const stats = settle(inputs.store.stats(), settings.checkTimeoutMs);
  const analytics = (async (): Promise<Settled<AnalyticsReport>> => {
    if (!inputs.store.analytics) return { ok: false, reason: 'not available: this store has no analytics' };
    if (inputs.maxRollupBacklog !== undefined) {
      const st = await stats;
      const backlog = st.ok ? st.value.rollupBacklog ?? 0 : 0;
      if (backlog > inputs.maxRollupBacklog) return { ok: false, reason: `analytics rollups are being built in the background (${backlog.toLocaleString('en-US')} executions to go)` };
    }
    return settle(inputs.store.analytics({ minutes: settings.windowMinutes, breakdowns: true, series: false }), settings.checkTimeoutMs);
  })();
  const probe = (async (): Promise<Settled<number>> => {
    try { return { ok: true, value: probeWrite(inputs.dir) }; } catch (e) { return { ok: false, reason: (e as Error).message }; }
  })();
  const latency = async (): Promise<{ n: number; p95: number | null; last: number | null; source: string } | { n: null; reason: string }> => {
    if (inputs.writeLatency) {
      const s = inputs.writeLatency();
      return { n: s.n, p95: s.p95, last: s.last, source: `last ${s.n} recorded execution(s)` };
    }
    const p = await probe;
    return p.ok ? { n: 1, p95: p.value, last: p.value, source: 'one probe write' } : { n: null, reason: `the probe write failed: ${p.reason}` };
  };

  const checks: NamedCheck[] = [
    { name: 'database', severity: 'high', run: async () => databaseCheck(await stats, await probe, await latency(), newestSnapshotAt(inputs.dir), now()) },
    { name: 'ingestion', severity: 'info', run: async () => ingestionCheck(await stats, inputs.ftsWindow ?? 100_000, settings.ingestionBacklogRows) },
    { name: 'analytics-cache', severity: 'info', run: async () => cacheCheck(inputs.store) },
  ];
  const breakers = inputs.breakers();
  const report = await analytics;
  const providerIds = new Set<string>(breakers?.map((b) => b.profileId) ?? []);
  if (report.ok) for (const row of report.value.breakdowns?.byProvider ?? []) if (row.key) providerIds.add(row.key);
  for (const id of [...providerIds].sort()) {
    const breaker = breakers === null ? null : breakers.find((b) => b.profileId === id)?.breaker ?? null;
    const kpis = report.ok ? report.value.breakdowns?.byProvider.find((r) => r.key === id)?.kpis ?? null : null;
    checks.push({ name: `provider:${id}`, severity: 'medium', run: () => providerCheck(id, breaker, breakers === null, kpis, report.ok ? null : report.reason, inputs.store, settings) });
  }
  const results = await runChecks(checks, settings.checkTimeoutMs);

  const s = await stats;
  const lat = await latency();
  const alertInputs: AlertInputs = {
    window: report.ok ? { kpis: report.value.current } : { kpis: null, reason: `analytics ${report.reason}` },
    dbBytes: s.ok ? { value: s.value.snapshotBytes + s.value.journalBytes } : { value: null, reason: `database stats failed: ${s.reason}` },
    writeLatency: lat.n === null ? { p95: null, n: null, reason: lat.reason } : { p95: lat.p95, n: lat.n, source: lat.source },
    journalBacklog: s.ok ? { value: s.value.pendingTexts } : { value: null, reason: `database stats failed: ${s.reason}` },
  };
  const alerts = evaluateAlerts(alertRules(settings), alertInputs, previous, now());
  const transitions = alertTransitions(previous, alerts, now());
  // Info-level findings are shown but do not make the whole thing unhealthy (or fail a cron job).
  const healthy = results.every((c) => c.healthy || c.severity === 'info') && alerts.every((a) => !a.firing || a.severity === 'info');
  return { report: { healthy, checks: results, alerts, generatedAt: now(), windowMinutes: settings.windowMinutes, durationMs: now() - started }, transitions };
}

/** When the newest snapshot was written, by any process (from its manifest); null when unknown. */
function newestSnapshotAt(dir: string): number | null {
  try {
    const t = Date.parse(readManifest(dir)?.createdAt ?? '');
    return Number.isNaN(t) ? null : t;
  } catch { return null; }
}

function databaseCheck(stats: Settled<HealthStats>, probe: Settled<number>, latency: { n: number; p95: number | null; last: number | null; source: string } | { n: null; reason: string }, snapshotAt: number | null, now: number): HealthCheckResult {
  const metrics: HealthCheckResult['metrics'] = { writable: probe.ok, probeWriteMs: probe.ok ? round(probe.value) : null };
  const parts: string[] = [probe.ok ? 'writable' : `NOT writable: ${probe.reason}`];
  if (stats.ok) {
    const st = stats.value;
    const size = st.snapshotBytes + st.journalBytes;
    Object.assign(metrics, { sizeBytes: size, snapshotBytes: st.snapshotBytes, journalBytes: st.journalBytes, journals: st.journals, pendingRows: st.pendingTexts, executions: st.executions, snapshotGen: st.snapshotGen });
    parts.push(`${MB(size)} (snapshot ${MB(st.snapshotBytes)} + journals ${MB(st.journalBytes)})`, `${st.executions.toLocaleString('en-US')} executions, ${st.pendingTexts.toLocaleString('en-US')} not yet compacted in ${st.journals} journal file(s)`);
    const lc = st.lastCompaction;
    if (lc) {
      Object.assign(metrics, { lastCompactionAt: new Date(lc.at).toISOString(), lastCompactionAgeS: Math.round((now - lc.at) / 1000), lastCompactionMs: Math.round(lc.durationMs), lastCompactionRows: lc.rows });
      parts.push(`last compaction ${ago(now - lc.at)} (${Math.round(lc.durationMs)} ms, ${lc.rows.toLocaleString('en-US')} rows)`);
    } else {
      // Another process (or an earlier session) may have compacted: the manifest says when, not how long it took.
      Object.assign(metrics, { lastCompactionAt: snapshotAt === null ? null : new Date(snapshotAt).toISOString(), lastCompactionAgeS: snapshotAt === null ? null : Math.round((now - snapshotAt) / 1000), lastCompactionMs: null });
      parts.push(snapshotAt === null ? 'no snapshot written yet' : `newest snapshot written ${ago(now - snapshotAt)}; compaction duration not available (no compaction in this process yet)`);
    }
  } else {
    parts.push(`stats failed: ${stats.reason}`);
  }
  if (latency.n === null) {
    Object.assign(metrics, { writeLatencyP95Ms: null, writeLatencyLastMs: null, writeSamples: 0 });
    parts.push(`write latency: not available (${latency.reason})`);
  } else {
    Object.assign(metrics, { writeLatencyP95Ms: latency.p95 === null ? null : round(latency.p95), writeLatencyLastMs: latency.last === null ? null : round(latency.last), writeSamples: latency.n });
    parts.push(latency.p95 === null ? 'write latency: not available (no executions recorded in this session yet)' : `write latency ${latency.n === 1 ? '' : 'p95 '}${round(latency.p95)} ms (${latency.source})`);
  }
  const healthy = probe.ok && stats.ok;
  return { name: 'database', healthy, details: parts.join('; '), metrics, ...(healthy ? {} : { severity: 'high' as const }) };
}

function ingestionCheck(stats: Settled<HealthStats>, ftsWindow: number, maxBacklog: number): HealthCheckResult {
  if (!stats.ok) return { name: 'ingestion', healthy: false, details: `not available: database stats failed: ${stats.reason}`, metrics: {}, severity: 'info' };
  const st = stats.value;
  // Rows older than the FTS window are deliberately not indexed (see ExecutionStore.ftsBacklog).
  const backlog = Math.max(0, st.maxSeq - Math.max(st.ftsIndexedSeq, st.maxSeq - ftsWindow));
  const healthy = backlog <= maxBacklog && (st.rollupBacklog ?? 0) <= maxBacklog;
  const details = `${backlog.toLocaleString('en-US')} execution(s) waiting for the full-text index (indexed up to #${st.ftsIndexedSeq} of #${st.maxSeq}; limit ${maxBacklog.toLocaleString('en-US')})` +
    `; ${st.pendingTexts.toLocaleString('en-US')} text(s) waiting to move into segment files at the next compaction` +
    (st.rollupBacklog === undefined ? '; analytics rollup backlog: not reported by this store' : `; ${st.rollupBacklog.toLocaleString('en-US')} execution(s) waiting for the analytics rollups (folded in before each analytics query)`) +
    (backlog > maxBacklog ? '; full-text search may miss them until indexing catches up (VS Code indexes in the background; promptlab history --search indexes first)' : '');
  return { name: 'ingestion', healthy, details, metrics: { ftsBacklog: backlog, ftsIndexedSeq: st.ftsIndexedSeq, maxSeq: st.maxSeq, ftsWindow, pendingTexts: st.pendingTexts, rollupBacklog: st.rollupBacklog ?? null }, ...(healthy ? {} : { severity: 'info' as const }) };
}

async function cacheCheck(store: HealthStoreView): Promise<HealthCheckResult> {
  if (!store.analyticsCacheStats) return { name: 'analytics-cache', healthy: false, details: 'not available: this store has no analytics cache', metrics: {}, severity: 'info' };
  const c = await store.analyticsCacheStats();
  const lookups = c.hits + c.misses;
  const rate = lookups ? c.hits / lookups : null;
  const details = `${rate === null ? 'hit rate not available (no lookups yet)' : `hit rate ${pct(rate)} (${c.hits} of ${lookups} lookups)`}; ${c.entries} entr${c.entries === 1 ? 'y' : 'ies'}; ${c.invalidations} invalidation(s) by writes; TTL ${Math.round(c.ttlMs / 1000)} s`;
  return { name: 'analytics-cache', healthy: true, details, metrics: { hitRate: rate === null ? null : round(rate, 4), hits: c.hits, misses: c.misses, entries: c.entries, invalidations: c.invalidations, ttlMs: c.ttlMs } };
}

async function providerCheck(id: string, breaker: BreakerSnapshot | null, noCalls: boolean, kpis: Kpis | null, analyticsProblem: string | null, store: HealthStoreView, settings: HealthSettings): Promise<HealthCheckResult> {
  const b = breakerHealth(noCalls ? null : breaker?.state ?? 'closed');
  const metrics: HealthCheckResult['metrics'] = {
    breakerState: noCalls ? null : breaker?.state ?? 'closed',
    consecutiveFailures: breaker?.consecutiveFailures ?? null,
    failureThreshold: breaker?.failureThreshold ?? null,
    retryAt: breaker?.retryAt ? new Date(breaker.retryAt).toISOString() : null,
  };
  const parts = [noCalls ? 'breaker: not available (no provider calls in this process)' : breaker ? b.text : 'breaker closed (no calls yet in this session)'];
  if (breaker?.lastFailure && breaker.state !== 'closed') parts.push(`last failure: ${breaker.lastFailure}`);
  let healthy = b.healthy;
  let severity = b.severity;
  if (kpis && kpis.executions > 0 && kpis.successRate !== null) {
    const errorRate = (kpis.executions - kpis.successes) / kpis.executions;
    Object.assign(metrics, { executions: kpis.executions, errorRate: round(errorRate, 4) });
    const enough = kpis.executions >= settings.minSamples;
    parts.push(`${pct(errorRate)} errors in the last ${settings.windowMinutes} min (${kpis.executions - kpis.successes} of ${kpis.executions})${enough ? '' : ` — too few to judge (minimum ${settings.minSamples})`}`);
    if (enough && errorRate > settings.errorRateThreshold) { healthy = false; severity ??= 'medium'; }
  } else {
    Object.assign(metrics, { executions: kpis?.executions ?? 0, errorRate: null });
    parts.push(analyticsProblem ? `error rate: not available (analytics ${analyticsProblem})` : `no executions in the last ${settings.windowMinutes} min`);
  }
  // Bounded to 30 days: there is no provider index, and a provider that never succeeded would
  // otherwise walk every successful row of the database on every check.
  const LOOKBACK_MS = 30 * 86_400_000;
  const last = (await store.history({ provider: id, success: true, since: Date.now() - LOOKBACK_MS, limit: 1 })).rows[0];
  metrics.lastSuccessAt = last ? last.createdAt : null;
  parts.push(last ? `last success ${last.createdAt}` : 'no successful execution in the last 30 days');
  return { name: `provider:${id}`, healthy, details: parts.join('; '), metrics, ...(healthy ? {} : { severity: severity ?? 'medium' }) };
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
