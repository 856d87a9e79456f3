/*
 * Store bench: raw sql.js ceiling vs the execution store (track() hot path, import, open
 * time/RSS, history queries). Prints figures, asserts nothing. See bench/README.md.
 *   npm run bench                  full run (10k / 100k rows, ~10 min on 2 cores)
 *   BENCH_SCALE=small npm run bench  quick run (1k / 10k rows)
 *   BENCH_KEEP=1 keeps .bench-data/; BENCH_IMPORT_BUDGET_S caps each import (default 420 s)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImportResult } from './measure';
import { measureImport, measureQueries, measureTrack, measureWorkerCompactionStall, measureWorkerQueries } from './measure';
import { Table } from './report';
import type { RowCounts } from './rows';
import { VOCABULARY_SIZE, writeJsonl } from './rows';
import { MB, ROOT, extrapolate, fmt, log, runProbe } from './util';

const SMALL = process.env.BENCH_SCALE === 'small';
const [N1, N2] = SMALL ? [1_000, 10_000] : [10_000, 100_000];
const TARGET_N = 1_000_000;
const TRACK_N = 5_000;
const STALL_ROWS = 10_000;
const IMPORT_BUDGET_MS = Number(process.env.BENCH_IMPORT_BUDGET_S ?? 420) * 1000;
const DATA = path.join(ROOT, '.bench-data');
const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

interface RawResult { n: number; insertMs: number; rowsPerSec: number; dbMB: number; queries?: Record<string, { ms: number; rows: number }> }
interface OpenResult { openMs: number; wasmInitMs: number; rssMB: number; rssAfterGcMB: number; peakRssMB: number | null; rssBeforeMB: number; count: number; firstPageMs: number; problems: number; readSha256Ms: number | null; sqlOpenMs: number | null; quickCheckMs: number | null }

async function main(): Promise<void> {
  const worker = path.join(ROOT, 'dist', 'storeWorker.js');
  if (!fs.existsSync(worker)) throw new Error(`${worker} is missing: build first (npm run bench does: node esbuild.mjs)`);
  clearData();
  fs.mkdirSync(DATA, { recursive: true });
  const t0 = performance.now();
  const loadStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  let maxLoad = os.loadavg()[0]!;
  const loadProbe = setInterval(() => { maxLoad = Math.max(maxLoad, os.loadavg()[0]!); }, 5000);
  loadProbe.unref();
  log(`scale ${SMALL ? 'small' : 'full'}: ${k(N1)} / ${k(N2)} rows; data in ${DATA}`);

  const files: Record<number, string> = {};
  const counts: Record<number, RowCounts> = {};
  for (const n of [N1, N2]) {
    files[n] = path.join(DATA, `rows-${n}.jsonl`);
    const t = performance.now();
    counts[n] = writeJsonl(files[n], n);
    log(`wrote ${files[n]} (${fmt(fs.statSync(files[n]).size / MB)} MB, ${fmt((performance.now() - t) / 1000)} s)`);
  }

  log(`raw sql.js baseline: ${k(N1)} rows (fresh process)`);
  const raw1 = await runProbe<RawResult>('rawProbe.ts', [files[N1]!, String(N1)]);
  log(`raw sql.js baseline: ${k(N2)} rows + queries (fresh process)`);
  const raw2 = await runProbe<RawResult>('rawProbe.ts', [files[N2]!, String(N2), 'query']);

  log(`track() over LocalStore: ${TRACK_N} executions (+200 warm-up)`);
  const trackLocal = await measureTrack('local', path.join(DATA, 'track-local'), TRACK_N, 200);
  log(`track() over WorkerStore: ${TRACK_N} executions (+200 warm-up), then up to ${TRACK_N} during a worker compaction`);
  const trackWorker = await measureTrack('worker', path.join(DATA, 'track-worker'), TRACK_N, 200);
  log(`WorkerStore compaction of ${k(STALL_ROWS)} rows with an event-loop probe`);
  const stall = await measureWorkerCompactionStall(path.join(DATA, 'stall'), STALL_ROWS);

  const imports: Record<number, ImportResult> = {};
  const opens: Record<number, OpenResult> = {};
  for (const n of [N1, N2]) {
    log(`importJsonl ${k(n)} rows into a fresh LocalStore`);
    imports[n] = await measureImport(files[n]!, path.join(DATA, `store-${n}`), n, IMPORT_BUDGET_MS);
    log(`  ${imports[n].imported} rows in ${fmt(imports[n].importMs / 1000)} s + close ${fmt(imports[n].closeMs / 1000)} s; open probe (fresh process)`);
    opens[n] = await runProbe<OpenResult>('openProbe.ts', [path.join(DATA, `store-${n}`)], ['--expose-gc']);
  }
  log(`history queries at ${k(N2)}`);
  const n2Rows = imports[N2]!.imported;
  const q = await measureQueries(path.join(DATA, `store-${N2}`), counts[N2]!, n2Rows);
  const wq = await measureWorkerQueries(path.join(DATA, `store-${N2}`));
  const totalS = (performance.now() - t0) / 1000;

  // ---- table ----
  const t = new Table();
  const i1 = imports[N1]!;
  const i2 = imports[N2]!;
  const rate = (r: ImportResult) => r.imported / ((r.importMs + r.closeMs) / 1000);
  t.section('1. Raw sql.js ceiling (full text in row, page_size 16384, transactions of 1000)');
  t.add(`raw batched INSERT, ${k(N1)} rows (rows/s)`, raw1.rowsPerSec);
  t.add(`raw batched INSERT, ${k(N2)} rows (rows/s)`, raw2.rowsPerSec);
  t.add(`raw database size at ${k(N2)} rows (MB)`, raw2.dbMB);

  t.section('2. track() hot path, per execution (µs)');
  const us = { target: { op: '<' as const, limit: 1000, label: 'p99 < 1000 µs' } };
  t.add(`WorkerStore (extension path, defaults) p50 (${trackWorker.overlapped} of the ${trackWorker.n} overlapped a compaction)`, trackWorker.p50);
  t.add(`WorkerStore (extension path, defaults) **p99 — headline**`, trackWorker.p99, us);
  t.add(`WorkerStore max`, trackWorker.max);
  if (trackWorker.duringCompaction) {
    t.add(`WorkerStore p99 while the worker compacts (${trackWorker.duringCompaction.n} further executions, timed during an automatic compaction)`, trackWorker.duringCompaction.p99, us);
    t.add('WorkerStore max while the worker compacts', trackWorker.duringCompaction.max);
  } else t.addText('WorkerStore while the worker compacts', 'no automatic compaction started within 20,000 seed rows');
  t.add('LocalStore (engine on same thread, compactEveryRows=1e9: compaction excluded) p50', trackLocal.p50);
  t.add('LocalStore (compaction excluded) p99', trackLocal.p99, us);
  t.add('LocalStore (compaction excluded) max', trackLocal.max);
  t.add(`main-thread worst event-loop stall during a WorkerStore compaction of ${k(STALL_ROWS)} rows (ms, monitorEventLoopDelay)`, stall.loopDelayMaxMs);
  t.add('  same, setInterval(1 ms) drift probe (ms)', stall.driftMaxMs);
  t.add('  synchronous part of WorkerStore.compact() on the caller: journal rotate + fdatasync (ms)', stall.callerSyncMs);
  t.add(`  the compaction itself, in the worker (ms)`, stall.compactMs);

  t.section('3. Sustained import (importJsonl → fresh LocalStore as `promptlab import` opens it: one snapshot at the end, included)');
  const ratioTarget = { op: '>=' as const, limit: 0.5, label: 'ratio ≥ 0.5' };
  for (const [n, r, raw] of [[N1, i1, raw1], [N2, i2, raw2]] as const) {
    if (r.aborted) t.addText(`importJsonl ${k(n)}`, `stopped at the ${IMPORT_BUDGET_MS / 1000} s budget after ${r.imported} rows: figures below are for those rows`);
    t.add(`importJsonl ${k(n)}: executions/s (import + final close)`, rate(r), { baseline: raw.rowsPerSec, target: ratioTarget });
    t.add(`  ${k(n)}: import alone (s)`, r.importMs / 1000);
    t.add(`  ${k(n)}: … of which ${r.compactions} compaction(s) on the importing thread (s${r.compactions ? `; longest ${fmt(r.compactMsMax)} ms` : ''})`, r.compactMsTotal / 1000);
    t.add(`  ${k(n)}: … … FTS indexing inside them (s, ${r.ftsIndexedAfterImport} rows)`, (r.ftsMs - r.closeFtsMs) / 1000);
    t.add(`  ${k(n)}: … … sql.js export() inside them (s)`, (r.exportMs - r.closeExportMs) / 1000);
    t.add(`  ${k(n)}: final close = tail compaction incl. FTS catch-up of ${r.imported - r.ftsIndexedAfterImport} rows (ms; FTS ${fmt(r.closeFtsMs)} ms)`, r.closeMs);
  }

  t.section(`4. Open in a fresh process, RSS, sizes (stores closed = compacted)`);
  const x = (f: (n: number) => number) => extrapolate(N1, f(N1), N2, f(N2), TARGET_N);
  const openT = { op: '<' as const, limit: 3000, label: '< 3 s at 1M' };
  const rssT = { op: '<' as const, limit: 1536, label: '< 1.5 GB at 1M' };
  for (const n of [N1, N2]) {
    const o = opens[n]!;
    t.add(`open ${k(n)} (ms, incl. ${fmt(o.wasmInitMs)} ms WASM init; read+sha256 ${fmt(o.readSha256Ms)}, sql.js load+quick_check ${fmt(o.sqlOpenMs)}, quick_check alone ${fmt(o.quickCheckMs)})`, o.openMs, { target: openT });
    t.add(`RSS after open ${k(n)}, after a GC (MB; ${fmt(o.rssBeforeMB)} before open, ${fmt(o.rssMB)} right after)`, o.rssAfterGcMB, { target: rssT });
    t.add(`peak RSS during open ${k(n)} (MB, VmHWM)`, o.peakRssMB, { target: rssT });
    t.add(`first history page after open ${k(n)} (ms)`, o.firstPageMs);
    const r = imports[n]!;
    t.add(`snapshot file ${k(n)} (MB)`, r.snapshotBytes / MB);
    t.add(`text segments ${k(n)} (MB)`, r.segmentBytes / MB);
    t.add(`bytes per execution ${k(n)} (snapshot + segments; journals left: ${fmt(r.journalBytes / MB)} MB)`, (r.snapshotBytes + r.segmentBytes) / Math.max(1, r.count), { baseline: (raw2.dbMB * MB) / raw2.n });
  }
  t.add(`open 1M (ms)`, x((n) => opens[n]!.openMs), { target: openT, extrapolated: true, note: `extrapolated linearly from ${k(N1)}/${k(N2)}` });
  t.add(`RSS after open 1M, after a GC (MB)`, x((n) => opens[n]!.rssAfterGcMB), { target: rssT, extrapolated: true, note: 'extrapolated' });
  t.add(`peak RSS during open 1M (MB)`, opens[N1]!.peakRssMB !== null ? x((n) => opens[n]!.peakRssMB!) : null, { target: rssT, extrapolated: true, note: 'extrapolated' });
  t.add(`snapshot file 1M (MB)`, x((n) => imports[n]!.snapshotBytes / MB), { target: { op: '<', limit: 2048, label: '< 2 GiB (readFileSync limit)' }, extrapolated: true, note: 'extrapolated' });
  t.add(`text segments 1M (MB)`, x((n) => imports[n]!.segmentBytes / MB), { extrapolated: true, note: 'extrapolated' });
  if (q.ftsShareOfSnapshot !== null) t.add(`FTS index share of the ${k(N2)} snapshot (%)`, q.ftsShareOfSnapshot * 100);

  t.section(`5. History queries at ${k(n2Rows)} (median of 20 after a warm-up, ms)`);
  const rawQ = raw2.queries ?? {};
  const baselineFor: Record<string, number | undefined> = {
    'latest 100, no filter': rawQ.latestNoFilter?.ms, 'latest 100, promptId = prompt-3': rawQ.latestPromptId?.ms, 'latest 100, success = false': rawQ.latestFailed?.ms,
  };
  for (const tm of [...q.timings, ...wq.timings]) {
    if (Number.isNaN(tm.minMs)) { t.add(tm.name, tm.ms); continue; } // a one-off, not a query target
    t.add(`${tm.name} (${tm.rows} rows; min ${fmt(tm.minMs)}, max ${fmt(tm.maxMs)})`, tm.ms, { baseline: baselineFor[tm.name] ?? null, target: { op: '<', limit: 50 } });
  }
  t.add(`WorkerStore.open at ${k(n2Rows)} (ms, the worker loads the snapshot)`, wq.openMs);

  const out: string[] = [];
  out.push(`# Prompt Lab store bench (${SMALL ? 'BENCH_SCALE=small' : 'full'}; ${new Date().toISOString()}; Node ${process.version}; ${os.cpus().length} CPUs; ${fmt(totalS)} s)`);
  clearInterval(loadProbe);
  maxLoad = Math.max(maxLoad, os.loadavg()[0]!);
  out.push('', `Load average at start ${loadStart}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, highest 1-minute load seen ${maxLoad.toFixed(2)} (other processes on the machine skew tail latencies).`);
  out.push('', `Rows: deterministic, ~${fmt((counts[N2]!.promptChars) / counts[N2]!.rows, 0)} + ${fmt(counts[N2]!.responseChars / counts[N2]!.rows, 0)} chars of prompt + response, vocabulary of ${VOCABULARY_SIZE} words.`, '');
  out.push(t.toMarkdown());
  out.push('', '**Correctness checks** (generator counts vs store answers)', '', '| check | expected | got | |', '| --- | ---: | ---: | --- |');
  const auto = trackWorker.autoCompactAfterRows;
  q.checks.push({ what: 'WorkerStore (defaults): rows recorded in a burst before the first automatic compaction started (compactEveryRows 5000)', expected: 5000, got: auto ?? NaN, ok: auto === 5000 });
  for (const c of q.checks) out.push(`| ${c.what} | ${c.expected} | ${c.got} | ${c.ok ? 'ok' : '**MISMATCH**'} |`);
  if (i1.bad || i2.bad) out.push('', `Import rejected lines: ${i1.bad} at ${k(N1)}, ${i2.bad} at ${k(N2)}.`);
  out.push('', '**Where the store stands**', '', standing({ trackWorker, trackLocal, stall, i1, i2, raw1, raw2, opens, x, q, wq, t, rate, maxLoad }));
  process.stdout.write(out.join('\n') + '\n');

  if (process.env.BENCH_KEEP === '1') log(`kept ${DATA}`);
  else clearData();
}

/** Empties .bench-data/ but keeps bench/analytics.ts's cached databases (analytics-*: 1M rows take long to build). */
function clearData(): void {
  let names: string[] = [];
  try { names = fs.readdirSync(DATA); } catch { return; }
  for (const f of names) if (!f.startsWith('analytics-')) fs.rmSync(path.join(DATA, f), { recursive: true, force: true });
}

/** The paragraph, from the figures only. */
function standing(f: {
  trackWorker: Awaited<ReturnType<typeof measureTrack>>; trackLocal: Awaited<ReturnType<typeof measureTrack>>;
  stall: Awaited<ReturnType<typeof measureWorkerCompactionStall>>; i1: ImportResult; i2: ImportResult; raw1: RawResult; raw2: RawResult;
  opens: Record<number, OpenResult>; x: (g: (n: number) => number) => number; q: Awaited<ReturnType<typeof measureQueries>>;
  wq: Awaited<ReturnType<typeof measureWorkerQueries>>; t: Table; rate: (r: ImportResult) => number; maxLoad: number;
}): string {
  const s: string[] = [];
  const tw = f.trackWorker;
  s.push(`Recording an execution through the extension's WorkerStore costs the calling thread ${fmt(tw.p50)} µs at p50 and ${fmt(tw.p99)} µs at p99 (${tw.p99 < 1000 ? 'within' : 'over'} the 1000 µs target), worst ${fmt(tw.max)} µs; with the engine on the same thread (LocalStore, no compaction) p99 is ${fmt(f.trackLocal.p99)} µs.`);
  s.push(`While the worker compacted ${k(f.stall.rows)} rows (${fmt(f.stall.compactMs / 1000)} s), the main thread's worst event-loop stall was ${fmt(f.stall.loopDelayMaxMs)} ms, of which the journal rotation that compact() does on the caller took ${fmt(f.stall.callerSyncMs)} ms.`);
  const r1 = f.rate(f.i1) / f.raw1.rowsPerSec;
  const r2 = f.rate(f.i2) / f.raw2.rowsPerSec;
  s.push(`Import sustains ${fmt(f.rate(f.i1), 0)} executions/s at ${k(f.i1.imported)} and ${fmt(f.rate(f.i2), 0)} at ${k(f.i2.imported)}, ${fmt(r1, 2)}× and ${fmt(r2, 2)}× the raw sql.js insert rate (target ≥ 0.5×${r1 >= 0.5 && r2 >= 0.5 ? ': met' : ': not met'}); compactions take ${fmt((100 * f.i2.compactMsTotal) / f.i2.importMs, 0)}% of the ${k(f.i2.imported)} import, FTS indexing ${fmt((100 * f.i2.ftsMs) / f.i2.importMs, 0)}% and export ${fmt((100 * f.i2.exportMs) / f.i2.importMs, 0)}%.`);
  const o1 = f.x((n) => f.opens[n]!.openMs);
  const m1 = f.x((n) => f.opens[n]!.rssAfterGcMB);
  const sn1 = f.x((n) => (n === N1 ? f.i1.snapshotBytes : f.i2.snapshotBytes) / MB);
  const o2 = f.opens[N2]!;
  s.push(`A ${k(f.i2.imported)} store opens in ${fmt(o2.openMs)} ms with ${fmt(o2.rssAfterGcMB)} MB RSS after a GC (peak ${fmt(o2.peakRssMB)} MB); extrapolated linearly to 1M that is ${fmt(o1 / 1000, 1)} s (${o1 < 3000 ? 'within' : 'over'} 3 s) and ${fmt(m1, 0)} MB (${m1 < 1536 ? 'within' : 'over'} 1.5 GB), with a ${fmt(sn1, 0)} MB snapshot${sn1 >= 2048 ? ', past the 2 GiB that readFileSync accepts' : ''}.`);
  const slow = [...f.q.timings, ...f.wq.timings].sort((a, b) => b.ms - a.ms)[0];
  const over = [...f.q.timings, ...f.wq.timings].filter((x) => x.ms >= 50);
  if (slow) s.push(`History queries at ${k(f.i2.imported)}: the slowest is "${slow.name}" at ${fmt(slow.ms)} ms; ${over.length ? `${over.length} of them ${over.length === 1 ? 'misses' : 'miss'} 50 ms` : 'all are under 50 ms'}.`);
  const bad = f.q.checks.filter((c) => !c.ok);
  s.push(bad.length ? `Correctness checks failing: ${bad.map((c) => c.what).join('; ')}.` : 'All correctness checks passed.');
  if (f.maxLoad > os.cpus().length) s.push(`The machine was busy (1-minute load up to ${fmt(f.maxLoad, 1)} on ${os.cpus().length} CPUs), so the p99/max latencies above include waiting for a CPU; rerun on a quiet machine before reading them as the store's.`);
  const misses = f.t.verdicts.filter((v) => !v.meets).length;
  s.push(`${f.t.verdicts.length - misses} of ${f.t.verdicts.length} targeted figures meet their target.`);
  return s.join(' ');
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
