import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ALERT_SETTINGS } from '../../src/core/analytics/alertRules';
import type { HealthSettings, HealthStats, HealthStoreView } from '../../src/core/analytics/health';
import { WriteLatencyRing, breakerHealth, runChecks, runHealth } from '../../src/core/analytics/health';
import type { AnalyticsReport, Kpis } from '../../src/core/analytics/types';
import { CircuitBreaker } from '../../src/core/runner/circuitBreaker';
import { tempDir } from './helpers/fixtures';

const SETTINGS: HealthSettings = { ...DEFAULT_ALERT_SETTINGS, checkTimeoutMs: 200, ingestionBacklogRows: 10_000 };

function kpis(executions: number, successes: number): Kpis {
  return {
    executions, successes, successRate: executions ? successes / executions : null,
    latency: { n: executions, mean: 100, sd: 1, p50: 100, p95: 120, p99: 130 },
    quality: { n: 0, mean: null, sd: null, dimensions: {} },
    tokensIn: 0, tokensOut: 0, cost: { total: 0, known: 0 }, cacheHits: 0, cacheHitRate: executions ? 0 : null,
  };
}

function stats(over: Partial<HealthStats> = {}): HealthStats {
  return { dir: '/x', executions: 100, pendingTexts: 10, snapshotGen: 2, snapshotBytes: 5e6, journals: 1, journalBytes: 1e5, ftsIndexedSeq: 100, maxSeq: 100, schemaVersion: 4, lastCompaction: { at: 1_000_000, durationMs: 420, rows: 90 }, ...over };
}

function fakeStore(o: { overall: Kpis; byProvider?: Array<[string, Kpis]>; stats?: () => Promise<HealthStats>; lastSuccess?: string | null }): HealthStoreView & { queries: unknown[] } {
  const queries: unknown[] = [];
  return {
    queries,
    stats: o.stats ?? (async () => stats()),
    history: async () => ({ rows: o.lastSuccess ? [{ createdAt: o.lastSuccess } as never] : [], next: null }),
    analytics: async (q) => {
      queries.push(q);
      return { current: o.overall, breakdowns: { byPrompt: [], byModel: [], byVariant: [], byProvider: (o.byProvider ?? []).map(([key, k]) => ({ key, kpis: k })) } } as unknown as AnalyticsReport;
    },
    analyticsCacheStats: async () => ({ hits: 3, misses: 1, invalidations: 2, entries: 4, ttlMs: 300_000 }),
  };
}

describe('health checks', () => {
  it('runs checks together; a throwing check and a slow check are unhealthy with the reason', async () => {
    const results = await runChecks([
      { name: 'fine', run: async () => ({ name: 'fine', healthy: true, details: 'ok', metrics: { x: 1 } }) },
      { name: 'throws', run: async () => { throw new Error('disk on fire'); } },
      { name: 'slow', severity: 'medium', run: () => new Promise(() => undefined) },
    ], 50);
    assert.deepEqual(results.map((r) => [r.name, r.healthy]), [['fine', true], ['throws', false], ['slow', false]]);
    assert.equal(results[1]!.details, 'check failed: disk on fire');
    assert.equal(results[1]!.severity, 'high');
    assert.equal(results[2]!.details, 'did not answer within 50 ms');
    assert.equal(results[2]!.severity, 'medium');
  });

  it('maps breaker states to health', () => {
    assert.deepEqual(breakerHealth('closed'), { healthy: true, text: 'breaker closed' });
    assert.equal(breakerHealth('half_open').healthy, false);
    assert.equal(breakerHealth('half_open').severity, 'medium');
    assert.equal(breakerHealth('open').healthy, false);
    assert.equal(breakerHealth('open').severity, 'high');
    assert.equal(breakerHealth(null).healthy, true, 'no provider calls in this process is not a failure');
  });

  it('keeps a ring of the latest write latencies with a nearest-rank p95', () => {
    const ring = new WriteLatencyRing(100);
    assert.deepEqual(ring.summary(), { n: 0, p95: null, max: null, last: null, total: 0 });
    for (let i = 1; i <= 250; i++) ring.add(i);
    const s = ring.summary();
    assert.equal(s.n, 100);
    assert.equal(s.total, 250);
    assert.equal(s.last, 250);
    assert.equal(s.p95, 245, 'values 151..250: the 95th of 100 is 245');
    assert.equal(s.max, 250);
  });

  it('reports a healthy database, provider breakers and the cache; an open breaker makes its provider unhealthy', async () => {
    let t = 0;
    const breaker = new CircuitBreaker({ providerId: 'acme', failureThreshold: 2, recoveryTimeoutMs: 60_000, clock: { now: () => t, sleep: async () => undefined } as never });
    const store = fakeStore({ overall: kpis(40, 40), byProvider: [['acme', kpis(30, 30)], ['other', kpis(10, 10)]], lastSuccess: '2026-11-27T08:00:00.000Z' });
    const ring = new WriteLatencyRing();
    for (let i = 0; i < 30; i++) ring.add(0.5);
    const inputs = { store, dir: tempDir(), breakers: () => [{ profileId: 'acme', breaker: breaker.snapshot() }], writeLatency: () => ring.summary(), now: () => 2_000_000 };
    const first = await runHealth(inputs, SETTINGS, []);
    assert.equal(first.report.healthy, true, JSON.stringify(first.report.checks));
    assert.deepEqual(first.report.checks.map((c) => c.name), ['database', 'ingestion', 'analytics-cache', 'provider:acme', 'provider:other']);
    const db = first.report.checks[0]!;
    assert.equal(db.metrics.writable, true);
    assert.equal(db.metrics.sizeBytes, 5.1e6);
    assert.equal(db.metrics.lastCompactionAgeS, 1000);
    assert.equal(db.metrics.lastCompactionMs, 420);
    assert.equal(db.metrics.writeLatencyP95Ms, 0.5);
    assert.equal(first.report.checks[2]!.metrics.hitRate, 0.75);
    assert.deepEqual(store.queries[0], { minutes: 60, breakdowns: true, series: false });
    const acme = first.report.checks[3]!;
    assert.equal(acme.metrics.breakerState, 'closed');
    assert.equal(acme.metrics.lastSuccessAt, '2026-11-27T08:00:00.000Z');
    assert.deepEqual(first.transitions, []);

    const permit = () => { const a = breaker.tryAcquire(); assert.ok(a.ok); return a.permit; };
    breaker.record(permit(), { ok: false, error: { kind: 'server', status: 503, message: 'down' } });
    breaker.record(permit(), { ok: false, error: { kind: 'server', status: 503, message: 'down' } });
    const second = await runHealth(inputs, SETTINGS, first.report.alerts);
    const acme2 = second.report.checks.find((c) => c.name === 'provider:acme')!;
    assert.equal(acme2.healthy, false);
    assert.equal(acme2.severity, 'high');
    assert.equal(acme2.metrics.breakerState, 'open');
    assert.match(acme2.details, /breaker open.*last failure: server 503: down/);
    assert.equal(second.report.healthy, false);
    breaker.reset('test');
    t = 1;
  });

  it('without breakers (the CLI) says there were no provider calls instead of pretending', async () => {
    const store = fakeStore({ overall: kpis(0, 0), byProvider: [['openai', kpis(5, 5)]] });
    const { report } = await runHealth({ store, dir: tempDir(), breakers: () => null, writeLatency: null }, SETTINGS, []);
    const p = report.checks.find((c) => c.name === 'provider:openai')!;
    assert.equal(p.healthy, true);
    assert.equal(p.metrics.breakerState, null);
    assert.match(p.details, /no provider calls in this process/);
    assert.match(p.details, /too few to judge \(minimum 20\)/);
    const db = report.checks[0]!;
    assert.equal(db.metrics.writeSamples, 1, 'the CLI times one probe write');
    const w = report.alerts.find((a) => a.ruleId === 'write-latency')!;
    assert.equal(w.firing, false);
    assert.match(w.reason!, /one probe write/);
  });

  it('a hung store times the database check out and marks the report unhealthy; analytics errors become reasons', async () => {
    const store = fakeStore({ overall: kpis(0, 0), stats: () => new Promise(() => undefined) });
    store.analytics = async () => { throw new Error('worker gone'); };
    const { report } = await runHealth({ store, dir: tempDir(), breakers: () => [], writeLatency: null }, SETTINGS, []);
    const db = report.checks[0]!;
    assert.equal(db.healthy, false);
    assert.match(db.details, /^writable; stats failed: did not answer within 200 ms; write latency [\d.]+ ms \(one probe write\)$/);
    assert.equal(report.healthy, false);
    const e = report.alerts.find((a) => a.ruleId === 'error-rate')!;
    assert.equal(e.value, null);
    assert.equal(e.reason, 'analytics worker gone');
  });

  it('reports an ingestion backlog (FTS window respected) as an info-level finding', async () => {
    const store = fakeStore({ overall: kpis(0, 0), stats: async () => stats({ ftsIndexedSeq: 1000, maxSeq: 200_000, rollupBacklog: 12_000 }) });
    const { report } = await runHealth({ store, dir: tempDir(), breakers: () => [], writeLatency: null, ftsWindow: 100_000 }, SETTINGS, []);
    const ing = report.checks.find((c) => c.name === 'ingestion')!;
    assert.equal(ing.healthy, false);
    assert.equal(ing.severity, 'info');
    assert.equal(ing.metrics.ftsBacklog, 100_000, 'rows older than the FTS window are not counted as backlog');
    assert.equal(ing.metrics.rollupBacklog, 12_000);
    assert.match(ing.details, /12,000 execution\(s\) waiting for the analytics rollups/);
    assert.equal(report.healthy, true, 'an info finding alone does not make the report unhealthy');
    const caughtUp = await runHealth({ store: fakeStore({ overall: kpis(0, 0), stats: async () => stats({ ftsIndexedSeq: 150_000, maxSeq: 150_100 }) }), dir: tempDir(), breakers: () => [], writeLatency: null }, SETTINGS, []);
    const ok = caughtUp.report.checks.find((c) => c.name === 'ingestion')!;
    assert.equal(ok.healthy, true);
    assert.equal(ok.metrics.ftsBacklog, 100);
    assert.match(ok.details, /rollup backlog: not reported by this store/);
  });

  it('with a large rollup backlog and maxRollupBacklog set, the execution rules wait instead of querying analytics', async () => {
    const store = fakeStore({ overall: kpis(40, 0), stats: async () => stats({ rollupBacklog: 50_000 }) });
    const { report } = await runHealth({ store, dir: tempDir(), breakers: () => [], writeLatency: null, maxRollupBacklog: 20_000 }, SETTINGS, []);
    assert.equal(store.queries.length, 0, 'no analytics query was made');
    const e = report.alerts.find((a) => a.ruleId === 'error-rate')!;
    assert.equal(e.firing, false);
    assert.match(e.reason ?? '', /analytics rollups are being built in the background \(50,000 executions to go\)/);
    // Without the limit (the CLI) the query runs and the 100% error rate fires.
    const cli = await runHealth({ store, dir: tempDir(), breakers: () => [], writeLatency: null }, SETTINGS, []);
    assert.equal(cli.report.alerts.find((a) => a.ruleId === 'error-rate')!.firing, true);
  });

  it('a store without analytics still gets a report, with the gaps named', async () => {
    const { report } = await runHealth({ store: { stats: async () => stats({ lastCompaction: null }), history: async () => ({ rows: [], next: null }) }, dir: tempDir(), breakers: () => [], writeLatency: null }, SETTINGS, []);
    assert.match(report.checks.find((c) => c.name === 'analytics-cache')!.details, /not available/);
    assert.match(report.checks[0]!.details, /no snapshot written yet/);
    assert.equal(report.healthy, true, 'info-level gaps do not make it unhealthy');
  });
});
