/*
 * Analytics + history bench at 100k (default) or 1M executions (BENCH_ANALYTICS_N=1000000):
 * history first/next/filtered page, FTS search, dashboard summary (analytics with breakdowns
 * and series) cold and cached, against a raw sql.js scan computing the same summary in the
 * same run. Prints a Markdown table with targets and verdicts; asserts nothing.
 *
 * The database is built with the import path (writeJsonl → importJsonl → LocalStore, as
 * `promptlab import` does; ~1.4k rows/s, so 1M takes a while) and kept under
 * .bench-data/analytics-<n>-v<version>/ for the next run (delete it to rebuild).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Database } from 'sql.js';
import { Sanitizer } from '../src/core/sanitize';
import type { HistoryFilter } from '../src/core/store';
import { LocalStore, SCHEMA_VERSION, importJsonl } from '../src/core/store';
import { readManifest } from '../src/core/store/snapshot';
import { Table } from './report';
import type { ExecutionRecord } from '../src/core/store';
import { DAY, MID_TERM, NOW, PROMPT_COUNT, makeRecord, prng } from './rows';
import { MB, ROOT, fmt, log, median, peakRssMB } from './util';

const N = Number(process.env.BENCH_ANALYTICS_N ?? 100_000);
/*
 * Full rows (~3.5 KB of prose, bench/rows.ts) cost ~0.7 ms of CPU each to generate and import;
 * on a shared 2-core machine 1M of them took hours. From 1M rows on (or BENCH_ANALYTICS_TEXT=slim)
 * rows keep every analytics field of rows.ts with the same distributions but ~150 characters of
 * text: the summary does not read texts; history pages read snippets only; FTS has fewer terms.
 */
const SLIM = process.env.BENCH_ANALYTICS_TEXT === 'slim' || (process.env.BENCH_ANALYTICS_TEXT !== 'full' && N >= 1_000_000);
/** Bump when the generator or the stored layout changes: the cached database is rebuilt. */
const DATA_VERSION = `${SCHEMA_VERSION}.1${SLIM ? '-slim' : ''}`;
const DATA_DIR = path.join(ROOT, '.bench-data', `analytics-${N}-v${DATA_VERSION}`);
const DB_DIR = path.join(DATA_DIR, 'db');
const DONE = path.join(DATA_DIR, 'complete.json');
const sanitizer = new Sanitizer();
// Not on an hour or day boundary: the summary has raw edges, hourly and daily rollup parts.
const UNTIL = NOW - 3 * 3_600_000 - 17 * 60_000 - 11_000;
const CHUNK = 100_000;
const k = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

async function buildDatabase(): Promise<{ importMs: number; reused: boolean }> {
  if (fs.existsSync(DONE)) {
    const info = JSON.parse(fs.readFileSync(DONE, 'utf8')) as { importMs: number };
    log(`reusing ${DB_DIR} (built earlier in ${fmt(info.importMs / 1000)} s)`);
    return { importMs: info.importMs, reused: true };
  }
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  fs.mkdirSync(DATA_DIR, { recursive: true });
  // Generated and imported in chunks of 100k rows (row i of n is the same whatever the chunk),
  // so 1M rows never need a 4 GB JSONL file on disk at once.
  const file = path.join(DATA_DIR, 'rows.jsonl');
  const t = performance.now();
  let genMs = 0;
  const store = await LocalStore.open({ dir: DB_DIR, sanitizer, compactEveryRows: 250_000 });
  let imported = 0, bad = 0, last = performance.now();
  for (let from = 0; from < N; from += CHUNK) {
    const tg = performance.now();
    writeJsonlRange(file, from, Math.min(N, from + CHUNK), N);
    genMs += performance.now() - tg;
    const rep = await importJsonl(file, store, sanitizer, {
      onProgress: (lines) => { if (performance.now() - last > 30_000) { last = performance.now(); log(`  … ${imported + lines} rows imported`); } },
    });
    imported += rep.imported;
    bad += rep.bad.length;
  }
  await store.close();
  fs.rmSync(file);
  const importMs = performance.now() - t - genMs;
  log(`imported ${imported} rows (${bad} bad) in ${fmt(importMs / 1000)} s (+ ${fmt(genMs / 1000)} s generating them)`);
  fs.writeFileSync(DONE, JSON.stringify({ n: N, imported, importMs, at: new Date().toISOString() }));
  return { importMs, reused: false };
}

const PROVIDERS = ['openai', 'anthropic', 'ollama'];
const MODELS: Record<string, string[]> = { openai: ['gpt-4o', 'gpt-4o-mini'], anthropic: ['claude-sonnet-4', 'claude-haiku-3.5'], ollama: ['llama3.1:8b', 'qwen2.5:14b'] };
const WORDS = ['retry', 'invoice', 'shipment', 'latency', 'refund', 'contract', 'summary', 'customer', 'ticket', 'policy', 'deadline', 'cluster'];

/** Row i of n with the analytics fields of rows.ts (same distributions) and short texts. */
function slimRecord(i: number, n: number): ExecutionRecord {
  const r = prng((Math.imul(1, 2654435761) + Math.imul(i, 40503)) >>> 0);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const pIdx = Math.floor(PROMPT_COUNT * r() * r());
  const provider = pick(PROVIDERS);
  const model = pick(MODELS[provider]!);
  const success = r() >= 0.05;
  const createdAt = NOW - 90 * DAY + Math.floor((i / n) * 90 * DAY) + Math.floor(r() * 1000);
  const words = Array.from({ length: 12 }, () => pick(WORDS));
  if (r() < 0.05) words[Math.floor(r() * 12)] = MID_TERM;
  const inExperiment = r() < 0.3;
  const scored = success && r() < 0.6;
  let u = 0;
  while (u === 0) u = r();
  const latencyMs = Math.round(Math.exp(7.1 + 0.6 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())));
  const q = scored ? [r(), r(), r()].map((x) => Math.round(x * 100) / 100) : null;
  const tokensIn = 400 + Math.floor(r() * 200), tokensOut = success ? 300 + Math.floor(r() * 150) : 0;
  const cached = success && r() < 0.08; // a response-cache hit: latency 0, nothing paid (runner/runCase.ts)
  return {
    id: `slim-${i}`, promptId: `prompt-${pIdx}`, promptVersion: String(1 + Math.floor(r() * 5)), promptHash: null,
    variant: inExperiment ? pick(['A', 'B', 'control']) : null, experimentId: inExperiment ? `exp-${pIdx % 7}` : null,
    runId: `run-${Math.floor(i / 40)}`, testCaseId: `case-${Math.floor(r() * 200)}`, provider, model, modelConfig: { temperature: 0.2 },
    promptText: `Prompt ${pIdx}: ${words.join(' ')}`, responseText: success ? `Answer: ${words.reverse().join(' ')}` : '',
    tokensIn, tokensOut, costUsd: cached ? 0 : Math.round(tokensIn * 2.5 + tokensOut * 10) / 1e6, latencyMs: cached ? 0 : latencyMs,
    timeToFirstTokenMs: cached ? null : Math.round(latencyMs * 0.2),
    success, errorType: success ? null : 'RateLimitError', errorMessage: success ? null : '429 Too Many Requests',
    qualityScore: q ? Math.round(((q[0]! + q[1]! + q[2]!) / 3) * 1000) / 1000 : null,
    quality: q ? { overall: (q[0]! + q[1]! + q[2]!) / 3, dimensions: { relevance: { score: q[0] }, completeness: { score: q[1] }, clarity: { score: q[2] } } } : null,
    tags: cached ? ['cache-hit'] : ['env-development'], metadata: cached ? { cached: true } : {}, userId: null, sessionId: null, environment: 'development',
    createdAt: new Date(createdAt).toISOString(),
  };
}

/** Rows [from, to) of n as JSONL (the import format). */
function writeJsonlRange(file: string, from: number, to: number, n: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    let buf: string[] = [];
    for (let i = from; i < to; i++) {
      buf.push(JSON.stringify(SLIM ? slimRecord(i, n) : makeRecord(i, n)) + '\n');
      if (buf.length === 500) { fs.writeSync(fd, buf.join('')); buf = []; }
    }
    if (buf.length) fs.writeSync(fd, buf.join(''));
  } finally { fs.closeSync(fd); }
}

function timed<T>(fn: () => T, reps: number, before?: () => void): { ms: number; min: number; max: number; last: T } {
  const ts: number[] = [];
  let last!: T;
  for (let i = 0; i < reps; i++) {
    before?.();
    const t = performance.now();
    last = fn();
    ts.push(performance.now() - t);
  }
  return { ms: median(ts), min: Math.min(...ts), max: Math.max(...ts), last };
}

/**
 * The baseline: the same summary straight from `executions` with sql.js and JS — KPIs of the
 * window and the previous one, the four breakdowns and exact percentiles by sorting.
 */
function rawSummary(db: Database, since: number, until: number, prevSince: number): { executions: number; successes: number; p95: number | null } {
  const st = db.prepare(`SELECT created_at, prompt_id, provider, model, variant, success, latency_ms, quality_score, cost_usd, tokens_in, tokens_out
    FROM executions WHERE created_at >= ? AND created_at < ?`);
  const groups = new Map<string, { n: number; ok: number; lat: number[]; q: number; qn: number; cost: number }>();
  const add = (key: string, ok: boolean, lat: number | null, q: number | null, cost: number | null) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { n: 0, ok: 0, lat: [], q: 0, qn: 0, cost: 0 }));
    g.n++;
    if (ok) g.ok++;
    if (lat !== null) g.lat.push(lat);
    if (q !== null) { g.q += q; g.qn++; }
    if (cost !== null) g.cost += cost;
  };
  try {
    st.bind([prevSince, until]);
    while (st.step()) {
      const r = st.get();
      const t = Number(r[0]), ok = Number(r[5]) === 1, lat = r[6] === null ? null : Number(r[6]), q = r[7] === null ? null : Number(r[7]), cost = r[8] === null ? null : Number(r[8]);
      if (t < since) { add('prev', ok, lat, q, cost); continue; }
      add('all', ok, lat, q, cost);
      add(`p:${String(r[1])}`, ok, lat, q, cost);
      add(`m:${String(r[3])}`, ok, lat, q, cost);
      add(`v:${String(r[2])}`, ok, lat, q, cost);
      add(`x:${String(r[4])}`, ok, lat, q, cost);
      add(`d:${Math.floor(t / DAY)}`, ok, lat, q, cost);
    }
  } finally { st.free(); }
  let p95: number | null = null;
  for (const [key, g] of groups) {
    g.lat.sort((a, b) => a - b);
    const v = g.lat.length ? g.lat[Math.ceil(0.95 * g.lat.length) - 1]! : null;
    if (key === 'all') p95 = v;
  }
  const all = groups.get('all');
  return { executions: all?.n ?? 0, successes: all?.ok ?? 0, p95 };
}

async function main(): Promise<void> {
  const loadStart = os.loadavg()[0]!;
  log(`analytics bench at ${k(N)} executions; data in ${DATA_DIR}`);
  const built = await buildDatabase();

  let t = performance.now();
  const store = await LocalStore.open({ dir: DB_DIR, sanitizer });
  const openMs = performance.now() - t;
  const eng = store.engine;
  const snapshotBytes = readManifest(DB_DIR)?.bytes ?? 0; // the newest snapshot (the previous one is kept beside it)
  log(`opened in ${fmt(openMs / 1000)} s (${eng.count()} rows)`);

  // One-offs a fresh database pays once: rollups and the FTS window built in the background.
  t = performance.now();
  const rolled = eng.catchUpRollups();
  const rollupMs = performance.now() - t;
  log(`rollup catch-up: ${rolled} rows in ${fmt(rollupMs / 1000)} s`);
  t = performance.now();
  const indexed = eng.catchUpIndex();
  const ftsMs = performance.now() - t;
  log(`FTS catch-up: ${indexed} rows in ${fmt(ftsMs / 1000)} s`);
  const rollupRows = Number(eng.database.db.exec('SELECT (SELECT COUNT(*) FROM rollup_hour) + (SELECT COUNT(*) FROM rollup_day)')[0]!.values[0]![0]);

  const h = (f: HistoryFilter) => eng.history(f);
  const first = timed(() => h({ limit: 100 }), 20);
  const cursor = first.last.next!;
  const next = timed(() => h({ limit: 100, after: cursor }), 20);
  const filtered = timed(() => h({ limit: 100, promptId: 'prompt-3', success: true }), 20);
  const fts = timed(() => h({ limit: 100, search: MID_TERM }), 20);

  const q = { until: UNTIL, days: 7 };
  const cold = timed(() => eng.analytics(q), 7, () => eng.analyticsEngine.clearCache());
  const cached = timed(() => eng.analytics(q), 50);
  const coldPrompt = timed(() => eng.analytics({ ...q, promptId: 'prompt-3' }), 7, () => eng.analyticsEngine.clearCache());
  const coldHour = timed(() => eng.analytics({ until: UNTIL, days: 1 }), 7, () => eng.analyticsEngine.clearCache());
  const rep = cold.last;
  const baseline = timed(() => rawSummary(eng.database.db, UNTIL - 7 * DAY, UNTIL, UNTIL - 14 * DAY), 3);
  const stats = eng.analyticsCacheStats();
  const p95Error = rep.current.latency.p95 !== null && baseline.last.p95 ? rep.current.latency.p95 / baseline.last.p95 - 1 : null;

  const tb = new Table();
  const at = N >= 1_000_000 ? '' : ` (target is for 1M; this run: ${k(N)})`;
  tb.section(`Analytics and history at ${k(N)} executions, ${SLIM ? 'slim rows (~150 chars of text)' : 'full rows (~3.5 KB of text)'} (${built.reused ? 'database reused' : 'database built in this run'})`);
  tb.add(`import of ${k(N)} rows (importJsonl → LocalStore, incl. close), s`, built.importMs / 1000, { digits: 0, note: built.reused ? 'from the run that built it' : undefined });
  tb.add('LocalStore.open, ms', openMs, { digits: 0 });
  tb.add('snapshot, MB', snapshotBytes / MB, { digits: 0 });
  tb.add('rollup catch-up (one-off after a bulk import), s', rollupMs / 1000, { digits: 1, note: `${rolled} rows; ${rollupRows} hourly+daily cells` });
  tb.add('FTS catch-up (one-off after a bulk import), s', ftsMs / 1000, { digits: 1, note: `${indexed} rows` });
  tb.add(`history first page (100 rows), ms${at}`, first.ms, { target: { op: '<', limit: 50 } });
  tb.add(`history next page (keyset cursor), ms${at}`, next.ms, { target: { op: '<', limit: 50 } });
  tb.add(`history filtered page (prompt + success), ms${at}`, filtered.ms, { target: { op: '<', limit: 50 } });
  tb.add(`FTS search (~5% word), first page, ms${at}`, fts.ms, { target: { op: '<', limit: 50 } });
  tb.add(`dashboard summary cold (7 days, breakdowns + daily series), ms${at}`, cold.ms, { baseline: baseline.ms, target: { op: '<', limit: 500 } });
  tb.add(`dashboard summary cached, ms${at}`, cached.ms, { baseline: baseline.ms, target: { op: '<', limit: 5 } });
  tb.add('summary cold, scoped to one prompt, ms', coldPrompt.ms);
  tb.add('summary cold, 1 day with hourly series, ms', coldHour.ms);
  tb.add('raw sql.js scan of the same two windows (baseline), ms', baseline.ms);
  tb.section('Checks');
  tb.add('executions in the window: summary', rep.current.executions, { digits: 0, note: `scan: ${baseline.last.executions}` });
  tb.add('successes in the window: summary', rep.current.successes, { digits: 0, note: `scan: ${baseline.last.successes}` });
  tb.add('p95 latency: summary vs exact (relative error, %)', p95Error === null ? null : p95Error * 100, { digits: 2, note: 'stated bound ±1%' });
  tb.add('analytics cache hits / misses / invalidations', stats.hits, { digits: 0, note: `${stats.misses} misses, ${stats.invalidations} invalidations, ${stats.entries} entries` });
  // Keep the one-offs in the cached database: the next run measures queries, not catch-ups.
  if (rolled || indexed) await store.compact();
  process.stdout.write(`\n${tb.toMarkdown()}\n\n`);
  process.stdout.write(`cold ${fmt(cold.min, 1)}–${fmt(cold.max, 1)} ms over 7 runs; cached ${fmt(cached.min, 3)}–${fmt(cached.max, 3)} ms over 50; load average ${loadStart.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores; peak RSS ${fmt(peakRssMB())} MB\n`);
  await store.close();
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
