import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionInput, ExecutionRecord } from '../../src/core/store';
import { ExecutionDb, LocalStore, WorkerStore, loadSqlJs, migrate, prepareRecord } from '../../src/core/store';
import { AnalyticsEngine } from '../../src/core/analytics/engine';
import type { AnalyticsReport, Kpis } from '../../src/core/analytics/types';
import { twoProportionZTest } from '../../src/core/stats/proportions';
import { welchTTest } from '../../src/core/stats/tTests';
import { welchFromSummaries } from '../../src/core/stats/welchSummaries';
import { tempDir } from './helpers/fixtures';
import { seededRng } from './helpers/randomExecutions';

const sanitizer = new Sanitizer();
const HOUR = 3_600_000, DAY = 86_400_000;
// Deliberately not on an hour or day boundary: the windows have raw, hourly and daily parts.
const UNTIL = Date.UTC(2026, 10, 20, 13, 37, 11, 250);

const prng = seededRng;

function randomExecutions(n: number, seed: number, spanMs = 16 * DAY): ExecutionInput[] {
  const r = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const cached = r() < 0.08;
    const success = r() < (i % 2 ? 0.9 : 0.8);
    const scored = success && r() < 0.7;
    const clarity = r() < 0.5 ? Math.round(r() * 100) / 100 : null;
    const relevance = Math.round(r() * 100) / 100;
    return {
      id: `x-${seed}-${i}`,
      promptId: pick(['p-alpha', 'p-beta', 'p-gamma', 'p-delta']),
      provider: pick(['openai', 'anthropic', null]),
      model: pick(['m1', 'm2', 'm3']),
      variant: pick([null, 'A', 'B']),
      success,
      promptText: 'prompt', responseText: success ? 'response' : '',
      latencyMs: cached ? 0 : r() < 0.05 ? null : Math.round(Math.exp(6 + r() * 3) * 10) / 10,
      qualityScore: scored ? Math.round(r() * 1000) / 1000 : null,
      quality: scored ? { overall: 0.5, dimensions: { relevance: { score: relevance, reason: 'r' }, clarity: { score: clarity, reason: 'c' } } } : null,
      tokensIn: r() < 0.9 ? Math.floor(r() * 1000) : null,
      tokensOut: Math.floor(r() * 500),
      costUsd: cached ? 0 : r() < 0.85 ? Math.round(r() * 1e6) / 1e8 : null,
      tags: cached ? ['cache-hit'] : ['t'],
      metadata: cached && i % 2 ? { cached: true } : {},
      createdAt: new Date(UNTIL - Math.floor(r() * spanMs)).toISOString(),
    };
  });
}

/** Brute force over raw records. */
function brute(rows: readonly ExecutionRecord[]) {
  const lat = rows.map((r) => r.latencyMs).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const q = rows.map((r) => r.qualityScore).filter((x): x is number => x !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const sd = (xs: number[]) => { if (xs.length < 2) return null; const m = mean(xs)!; return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)); };
  const pct = (p: number) => (lat.length ? lat[Math.max(1, Math.ceil(p * lat.length)) - 1]! : null);
  const dims: Record<string, number[]> = {};
  for (const r of rows) {
    const d = (r.quality as { dimensions?: Record<string, { score: number | null }> } | null)?.dimensions ?? {};
    for (const [k, v] of Object.entries(d)) if (typeof v.score === 'number') (dims[k] ??= []).push(v.score);
  }
  const cachedHits = rows.filter((r) => r.tags.includes('cache-hit') || r.metadata.cached === true).length;
  const costs = rows.map((r) => r.costUsd).filter((x): x is number => x !== null);
  return {
    n: rows.length, ok: rows.filter((r) => r.success).length, lat, q, latMean: mean(lat), latSd: sd(lat), p50: pct(0.5), p95: pct(0.95), p99: pct(0.99),
    qMean: mean(q), qSd: sd(q), dims, cachedHits, costTotal: costs.reduce((s, x) => s + x, 0), costKnown: costs.length,
    tokensIn: rows.reduce((s, r) => s + (r.tokensIn ?? 0), 0), tokensOut: rows.reduce((s, r) => s + (r.tokensOut ?? 0), 0),
  };
}

const close = (a: number | null, b: number | null, tol = 1e-9, msg = '') => {
  if (a === null || b === null) { assert.equal(a, b, msg); return; }
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${msg}: ${a} vs ${b}`);
};
const within1pct = (a: number | null, b: number | null, msg: string) => {
  if (a === null || b === null) { assert.equal(a, b, msg); return; }
  assert.ok(Math.abs(a - b) <= 0.01 * Math.abs(b) + 1e-12, `${msg}: ${a} not within 1% of ${b}`);
};

function checkKpis(k: Kpis, rows: readonly ExecutionRecord[], label: string): void {
  const b = brute(rows);
  assert.equal(k.executions, b.n, `${label} executions`);
  assert.equal(k.successes, b.ok, `${label} successes`);
  close(k.successRate, b.n ? b.ok / b.n : null, 1e-12, `${label} success rate`);
  assert.equal(k.latency.n, b.lat.length, `${label} latency n`);
  close(k.latency.mean, b.latMean, 1e-9, `${label} latency mean`);
  close(k.latency.sd, b.latSd, 1e-7, `${label} latency sd`);
  within1pct(k.latency.p50, b.p50, `${label} p50`);
  within1pct(k.latency.p95, b.p95, `${label} p95`);
  within1pct(k.latency.p99, b.p99, `${label} p99`);
  assert.equal(k.quality.n, b.q.length, `${label} quality n`);
  close(k.quality.mean, b.qMean, 1e-9, `${label} quality mean`);
  close(k.quality.sd, b.qSd, 1e-7, `${label} quality sd`);
  for (const [name, xs] of Object.entries(b.dims)) {
    assert.equal(k.quality.dimensions[name]?.n, xs.length, `${label} ${name} n`);
    close(k.quality.dimensions[name]!.mean, xs.reduce((s, x) => s + x, 0) / xs.length, 1e-9, `${label} ${name} mean`);
  }
  assert.deepEqual(Object.keys(k.quality.dimensions).sort(), Object.keys(b.dims).sort(), `${label} dimensions`);
  assert.equal(k.cacheHits, b.cachedHits, `${label} cache hits`);
  close(k.cacheHitRate, b.n ? b.cachedHits / b.n : null, 1e-12, `${label} cache hit rate`);
  close(k.cost.total, b.costTotal, 1e-9, `${label} cost`);
  assert.equal(k.cost.known, b.costKnown, `${label} cost known`);
  assert.equal(k.tokensIn, b.tokensIn, `${label} tokens in`);
  assert.equal(k.tokensOut, b.tokensOut, `${label} tokens out`);
}

async function storeWith(inputs: ExecutionInput[], extra: Partial<Parameters<typeof LocalStore.open>[0]> = {}) {
  const s = await LocalStore.open({ dir: tempDir('pl-analytics-'), sanitizer, compactEveryRows: 1e9, ...extra });
  const records = inputs.map((i) => prepareRecord(i, sanitizer));
  s.recordMany(records);
  return { s, records };
}

const inRange = (rows: readonly ExecutionRecord[], since: number, until: number) => rows.filter((r) => { const t = Date.parse(r.createdAt); return t >= since && t < until; });

describe('analytics against brute force', () => {
  it('KPIs, deltas, breakdowns and daily series over a 7-day window', async () => {
    const { s, records } = await storeWith(randomExecutions(4000, 11));
    await s.compact(); // rollups are caught up during compaction and then by the query itself
    const rep = await s.analytics({ until: UNTIL, days: 7 });
    assert.equal(rep.fromCache, false);
    assert.deepEqual(rep.window, { since: UNTIL - 7 * DAY, until: UNTIL });
    assert.deepEqual(rep.previousWindow, { since: UNTIL - 14 * DAY, until: UNTIL - 7 * DAY });
    const cur = inRange(records, UNTIL - 7 * DAY, UNTIL), prev = inRange(records, UNTIL - 14 * DAY, UNTIL - 7 * DAY);
    assert.ok(cur.length > 1000 && prev.length > 1000);
    checkKpis(rep.current, cur, 'current');
    checkKpis(rep.previous, prev, 'previous');

    // Deltas: p-values as the array-based tests give them.
    const bc = brute(cur), bp = brute(prev);
    const z = twoProportionZTest({ successes: bc.ok, total: bc.n }, { successes: bp.ok, total: bp.n });
    assert.ok(z.available);
    assert.equal(rep.deltas.successRate.test?.name, 'two-proportion z');
    close(rep.deltas.successRate.test!.p, z.p, 1e-9, 'success-rate p');
    assert.equal(rep.deltas.successRate.significant, z.p < 0.05);
    const w = welchTTest(bc.lat, bp.lat);
    assert.ok(w.available);
    close(rep.deltas.latencyMean.test!.statistic, w.t, 1e-6, 'latency t');
    close(rep.deltas.latencyMean.test!.p, w.p, 1e-6, 'latency p');
    const wq = welchTTest(bc.q, bp.q);
    assert.ok(wq.available);
    close(rep.deltas.qualityMean.test!.p, wq.p, 1e-6, 'quality p');
    const zc = twoProportionZTest({ successes: bc.cachedHits, total: bc.n }, { successes: bp.cachedHits, total: bp.n });
    assert.ok(zc.available);
    close(rep.deltas.cacheHitRate.test!.p, zc.p, 1e-9, 'cache-hit p');
    assert.equal(rep.deltas.executions.change, bc.n - bp.n);
    assert.equal(rep.deltas.executions.test, null);
    assert.equal(rep.deltas.executions.improved, null);
    assert.equal(rep.deltas.latencyP95.test, null);
    assert.match(rep.deltas.latencyP95.reason ?? '', /percentile/);
    const d = rep.deltas.latencyMean;
    assert.equal(d.direction, d.change! > 0 ? 'up' : 'down');
    assert.equal(d.improved, d.change! < 0, 'lower latency is better');
    close(d.relativeChange, (bc.latMean! - bp.latMean!) / bp.latMean!, 1e-9, 'relative change');

    // Breakdowns: every group against brute force, sorted by executions.
    const bd = rep.breakdowns!;
    for (const [rows, col] of [[bd.byPrompt, 'promptId'], [bd.byModel, 'model'], [bd.byProvider, 'provider'], [bd.byVariant, 'variant']] as const) {
      const keys = new Set(cur.map((r) => r[col] ?? '(none)'));
      assert.deepEqual(new Set(rows.map((g) => g.key)), keys, `${col} keys`);
      for (const g of rows) checkKpis(g.kpis, cur.filter((r) => (r[col] ?? '(none)') === g.key), `${col}=${g.key}`);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.kpis.executions >= rows[i]!.kpis.executions);
    }

    // Series: one point per UTC day of the window, each against brute force.
    assert.equal(rep.series!.bucket, 'day');
    const first = Math.floor((UNTIL - 7 * DAY) / DAY) * DAY;
    assert.deepEqual(rep.series!.points.map((p) => p.start), Array.from({ length: 8 }, (_, i) => first + i * DAY));
    for (const p of rep.series!.points) {
      const rows = inRange(cur, p.start, p.start + DAY);
      const b = brute(rows);
      assert.equal(p.executions, b.n, `day ${p.start}`);
      within1pct(p.latencyP95, b.p95, `day ${p.start} p95`);
      close(p.qualityMean, b.qMean, 1e-9, `day ${p.start} quality`);
      close(p.cost, b.costTotal, 1e-9, `day ${p.start} cost`);
    }
    await s.close();
  });

  it('hourly series with every bucket present, scoped queries, minute windows', async () => {
    const { s, records } = await storeWith(randomExecutions(3000, 12, 3 * DAY));
    const rep = await s.analytics({ until: UNTIL, days: 1 });
    assert.equal(rep.series!.bucket, 'hour');
    assert.equal(rep.series!.points.length, 25, 'a 24-hour window not on the hour touches 25 hours');
    for (const p of rep.series!.points) {
      const rows = inRange(records, Math.max(p.start, UNTIL - DAY), Math.min(p.start + HOUR, UNTIL));
      assert.equal(p.executions, rows.length, `hour ${new Date(p.start).toISOString()}`);
      close(p.successRate, rows.length ? rows.filter((r) => r.success).length / rows.length : null, 1e-12, 'hour rate');
    }
    const scoped = await s.analytics({ until: UNTIL, days: 2, promptId: 'p-beta', model: 'm2' });
    assert.deepEqual(scoped.scope, { promptId: 'p-beta', model: 'm2' });
    checkKpis(scoped.current, inRange(records, UNTIL - 2 * DAY, UNTIL).filter((r) => r.promptId === 'p-beta' && r.model === 'm2'), 'scoped');
    assert.deepEqual(scoped.breakdowns!.byPrompt.map((g) => g.key), ['p-beta']);
    const minutes = await s.analytics({ until: UNTIL, minutes: 90, breakdowns: false, series: false });
    assert.equal(minutes.breakdowns, undefined);
    assert.equal(minutes.series, undefined);
    checkKpis(minutes.current, inRange(records, UNTIL - 90 * 60_000, UNTIL), 'minutes');
    checkKpis(minutes.previous, inRange(records, UNTIL - 180 * 60_000, UNTIL - 90 * 60_000), 'minutes previous');
    await s.close();
  });

  it('says why instead of inventing: empty windows have null rates and no tests', async () => {
    const { s } = await storeWith([]);
    const rep = await s.analytics({ until: UNTIL });
    assert.equal(rep.current.executions, 0);
    assert.equal(rep.current.successRate, null);
    assert.equal(rep.current.latency.p95, null);
    assert.equal(rep.deltas.successRate.significant, null);
    assert.match(rep.deltas.successRate.reason ?? '', /no executions/);
    assert.equal(rep.deltas.cost.current, null);
    assert.equal(rep.series!.points.length, 8);
    assert.ok(rep.series!.points.every((p) => p.executions === 0 && p.successRate === null));
    await s.close();
  });
});

describe('welchFromSummaries', () => {
  it('matches welchTTest on the raw arrays', () => {
    const r = prng(5);
    for (let k = 0; k < 30; k++) {
      const a = Array.from({ length: 2 + Math.floor(r() * 40) }, () => r() * 10 + k);
      const b = Array.from({ length: 2 + Math.floor(r() * 40) }, () => r() * 30);
      const sum = (xs: number[]) => { const m = xs.reduce((s, x) => s + x, 0) / xs.length; return { n: xs.length, mean: m, sd: Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) }; };
      const w = welchTTest(a, b), ws = welchFromSummaries(sum(a), sum(b));
      assert.ok(w.available && ws.available);
      close(ws.t, w.t, 1e-10, 't');
      close(ws.df, w.df, 1e-10, 'df');
      close(ws.p, w.p, 1e-10, 'p');
    }
    assert.equal(welchFromSummaries({ n: 1, mean: 1, sd: 0 }, { n: 5, mean: 1, sd: 1 }).available, false);
    assert.equal(welchFromSummaries({ n: 3, mean: 1, sd: 0 }, { n: 5, mean: 2, sd: 0 }).available, false);
  });
});

describe('analytics after writes', () => {
  it('a patch changes the quality mean (and drops the cached report)', async () => {
    const inputs = randomExecutions(200, 13, 5 * DAY).map((e) => ({ ...e, qualityScore: 0.5, quality: null }));
    const { s } = await storeWith(inputs);
    await s.compact();
    const before = await s.analytics({ until: UNTIL, days: 7 });
    close(before.current.quality.mean, 0.5, 1e-12, 'before');
    s.patch({ id: inputs[0]!.id, qualityScore: 1 });
    const after = await s.analytics({ until: UNTIL, days: 7 });
    assert.equal(after.fromCache, false);
    close(after.current.quality.mean, (0.5 * 199 + 1) / 200, 1e-12, 'after the patch');
    await s.close();
  });

  it('archive removes rows from the analytics', async () => {
    const now = Date.now();
    const inputs = [
      ...randomExecutions(30, 14).map((e, i) => ({ ...e, createdAt: new Date(now - 40 * DAY - i * 1000).toISOString() })),
      ...randomExecutions(20, 15).map((e, i) => ({ ...e, createdAt: new Date(now - DAY - i * 1000).toISOString() })),
    ];
    const { s } = await storeWith(inputs);
    await s.compact();
    assert.equal((await s.analytics({ days: 60 })).current.executions, 50);
    const a = await s.archive(30);
    assert.equal(a.deleted, 30);
    const rep = await s.analytics({ days: 60 });
    assert.equal(rep.fromCache, false);
    assert.equal(rep.current.executions, 20);
    await s.close();
  });

  it('a row inserted under a seq that archive freed is counted (no AUTOINCREMENT: seqs are reused)', async () => {
    const now = Date.now();
    // The last two rows (highest seqs) are the old ones that archive removes.
    const inputs = randomExecutions(10, 22).map((e, i) => ({ ...e, createdAt: new Date(i < 8 ? now - DAY - i * 1000 : now - 40 * DAY).toISOString() }));
    const { s } = await storeWith(inputs);
    await s.compact();
    assert.equal((await s.analytics({ days: 7 })).current.executions, 8);
    assert.equal((await s.archive(30)).deleted, 2);
    s.record({ ...randomExecutions(1, 23)[0]!, id: 'reuses-seq-9', createdAt: new Date(now - 2 * DAY).toISOString() });
    assert.equal(Number(s.engine.database.db.exec("SELECT seq FROM executions WHERE id = 'reuses-seq-9'")[0]!.values[0]![0]), 9, 'the freed seq was handed out again');
    assert.equal((await s.analytics({ days: 7 })).current.executions, 9);
    await s.close();
  });

  it('the cache is invalidated by a new execution in the window, not by one outside it', async () => {
    const now = Date.now();
    const { s } = await storeWith(randomExecutions(100, 16).map((e, i) => ({ ...e, createdAt: new Date(now - i * 60_000).toISOString() })));
    const first = await s.analytics({ days: 7 });
    assert.equal(first.fromCache, false);
    const again = await s.analytics({ days: 7 });
    assert.equal(again.fromCache, true);
    assert.equal(again.current.executions, 100);
    // What a caller does to its copy does not reach the cached entry.
    again.current.executions = -1;
    assert.equal((await s.analytics({ days: 7 })).current.executions, 100);
    const st0 = await s.analyticsCacheStats();
    assert.equal(st0.hits, 2);
    assert.equal(st0.misses, 1);

    s.record({ ...randomExecutions(1, 17)[0]!, id: 'outside', createdAt: new Date(now - 30 * DAY).toISOString() });
    const outside = await s.analytics({ days: 7 });
    assert.equal(outside.fromCache, true, 'an execution 30 days ago is in neither window');

    s.record({ ...randomExecutions(1, 18)[0]!, id: 'fresh', createdAt: new Date().toISOString() });
    const fresh = await s.analytics({ days: 7 });
    assert.equal(fresh.fromCache, false, 'a fresh execution shows at once');
    assert.equal(fresh.current.executions, 101);
    const st = await s.analyticsCacheStats();
    assert.ok(st.invalidations >= 1);
    assert.equal(st.entries, 1);

    // A scoped entry survives a write to another prompt.
    await s.analytics({ days: 7, promptId: 'p-alpha' });
    s.record({ ...randomExecutions(1, 19)[0]!, id: 'other', promptId: 'p-other', createdAt: new Date().toISOString() });
    assert.equal((await s.analytics({ days: 7, promptId: 'p-alpha' })).fromCache, true);
    assert.equal((await s.analytics({ days: 7 })).fromCache, false);
    await s.close();
  });

  it('cached entries expire after the TTL (injected clock)', async () => {
    let clock = UNTIL;
    const { s } = await storeWith(randomExecutions(50, 20), { analyticsTtlMs: 300_000, analyticsNow: () => clock });
    assert.equal((await s.analytics({ until: UNTIL })).fromCache, false);
    clock += 299_000;
    assert.equal((await s.analytics({ until: UNTIL })).fromCache, true);
    clock += 2_000;
    assert.equal((await s.analytics({ until: UNTIL })).fromCache, false, 'expired after 300 s');
    const st = await s.analyticsCacheStats();
    assert.deepEqual([st.hits, st.misses, st.ttlMs], [1, 2, 300_000]);
    // A window ending "now" slides without writes: a 60-minute one is kept 1 minute, not 5.
    assert.equal((await s.analytics({ minutes: 60 })).fromCache, false);
    clock += 59_000;
    assert.equal((await s.analytics({ minutes: 60 })).fromCache, true);
    clock += 2_000;
    assert.equal((await s.analytics({ minutes: 60 })).fromCache, false, 'a 60-minute window is recomputed after a minute');
    await s.close();
  });
});

describe('rollup failures', () => {
  it('a broken rollup is reported, never stops a compaction, and the query says why', async () => {
    const problems: string[] = [];
    const { s } = await storeWith(randomExecutions(20, 24, DAY), { onProblem: (p) => problems.push(p.message) });
    await s.compact();
    // Both UTC days of the rows have a total cell, so folding in any new row reads a broken one.
    s.engine.database.db.run("UPDATE rollup_hour SET lat_hist = 'not json'");
    s.engine.database.db.run("UPDATE rollup_day SET lat_hist = 'not json'");
    s.record({ ...randomExecutions(1, 25, DAY)[0]!, id: 'late' });
    const r = await s.compact();
    assert.ok(r.gen, 'the snapshot was written');
    assert.ok(problems.some((m) => /analytics rollups not updated/.test(m)), problems.join('; '));
    await assert.rejects(s.analytics({ until: UNTIL }), /JSON/);
    await s.close();
  });
});

describe('rollup migration', () => {
  it('a version-3 database migrates and builds its rollups on first use', async () => {
    const SQL = await loadSqlJs();
    const raw = new SQL.Database();
    migrate(raw, 3);
    const inputs = randomExecutions(500, 21).map((e) => prepareRecord(e, sanitizer));
    const ins = raw.prepare(`INSERT INTO executions (id, prompt_id, provider, model, variant, success, latency_ms, quality_score, quality, tokens_in, tokens_out,
      cost_usd, tags, metadata, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    for (const r of inputs) {
      ins.run([r.id, r.promptId, r.provider, r.model, r.variant, r.success ? 1 : 0, r.latencyMs, r.qualityScore, r.quality === null ? null : JSON.stringify(r.quality),
        r.tokensIn, r.tokensOut, r.costUsd, JSON.stringify(r.tags), JSON.stringify(r.metadata), Date.parse(r.createdAt)]);
    }
    ins.free();
    const db = await ExecutionDb.open(raw.export());
    raw.close();
    assert.equal(Number(db.db.exec('SELECT COUNT(*) FROM rollup_hour')[0]!.values[0]![0]), 0, 'nothing rolled up yet');
    const engine = new AnalyticsEngine(() => db.db);
    const rep: AnalyticsReport = engine.report({ until: UNTIL, days: 7 });
    checkKpis(rep.current, inRange(inputs, UNTIL - 7 * DAY, UNTIL), 'migrated');
    assert.ok(Number(db.db.exec('SELECT COUNT(*) FROM rollup_hour')[0]!.values[0]![0]) > 0);
    assert.equal(Number(db.db.exec('SELECT seq FROM rollup_state')[0]!.values[0]![0]), 500);
    db.close();
  });
});

describe('analytics through the worker-thread store', () => {
  it('answers analytics and cache stats by message, and lastCompaction is set', async () => {
    const s = await WorkerStore.open({ dir: tempDir('pl-analytics-w-'), sanitizer, workerScript: path.join(__dirname, 'helpers/storeWorkerBoot.cjs'), pollMs: 50 });
    const now = Date.now();
    for (const e of randomExecutions(40, 30)) s.record({ ...e, createdAt: new Date(now - Math.floor(Math.random() * 3 * DAY)).toISOString() });
    const rep = await s.analytics({ days: 7 });
    assert.equal(rep.current.executions, 40, 'records posted just before the query are counted');
    assert.equal((await s.analytics({ days: 7 })).fromCache, true);
    const st = await s.analyticsCacheStats();
    assert.deepEqual([st.hits, st.misses, st.entries], [1, 1, 1]);
    assert.equal((await s.stats()).lastCompaction, null);
    await s.compact();
    const lc = (await s.stats()).lastCompaction;
    assert.ok(lc && lc.rows === 40 && lc.durationMs >= 0 && lc.at > 0);
    await s.close();
  });
});

describe('rollups built on the query path', () => {
  it('are written with the next snapshot on close, so the next start does not build them again', async () => {
    const dir = tempDir();
    const now = Date.now();
    // A snapshot without rollups (as an upgraded database has): no index/rollup budget in its compaction.
    let s = await LocalStore.open({ dir, sanitizer, compactEveryRows: 1e9, compactionIndexBudgetMs: 0 });
    s.recordMany(Array.from({ length: 12_000 }, (_, i) => prepareRecord({ id: `r${i}`, promptId: 'p', success: true, promptText: 'a', responseText: 'b', latencyMs: 100, createdAt: new Date(now - i * 1000).toISOString() }, sanitizer)));
    await s.close();
    s = await LocalStore.open({ dir, sanitizer, compactEveryRows: 1e9 });
    assert.ok(((await s.stats()).rollupBacklog ?? 0) >= 10_000, 'the snapshot was meant to hold no rollups');
    assert.equal((await s.analytics({ days: 1 })).current.executions, 12_000);
    await s.close(); // nothing pending, but 12,000 rows of rollups were built: they are saved
    s = await LocalStore.open({ dir, sanitizer, compactEveryRows: 1e9 });
    try {
      assert.equal((await s.stats()).rollupBacklog, 0);
    } finally { await s.close(); }
  });
});

describe('executions dated before 1970', () => {
  it('a patch reaches the rollups of their hour (SQLite % truncates toward zero; migration v5 floors)', async () => {
    const s = await LocalStore.open({ dir: tempDir(), sanitizer, analyticsTtlMs: 0 });
    try {
      s.record({ id: 'old', promptId: 'p', success: true, qualityScore: 0.5, createdAt: '1969-12-31T23:30:00Z' });
      const q = { until: Date.parse('1970-01-01T01:00:00Z'), days: 1, breakdowns: false, series: false };
      assert.equal((await s.analytics(q)).current.quality.mean, 0.5);
      s.patch({ id: 'old', qualityScore: 1 });
      assert.equal((await s.analytics(q)).current.quality.mean, 1);
    } finally { await s.close(); }
  });
});
