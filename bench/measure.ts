import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Tracker } from '../src/core/runner/track';
import { Sanitizer } from '../src/core/sanitize';
import type { HistoryFilter } from '../src/core/store/executionDb';
import type { CompactResult, ExecutionStore } from '../src/core/store/executionStore';
import { importJsonl } from '../src/core/store/jsonlImport';
import type { PromptLabStore } from '../src/core/store/localStore';
import { LocalStore } from '../src/core/store/localStore';
import { readManifest } from '../src/core/store/snapshot';
import { WorkerStore } from '../src/core/store/workerStore';
import type { RowCounts } from './rows';
import { COMMON_TAG, MID_TERM, RARE_TAG, RARE_TERM, makeRecord, toTrack } from './rows';
import { ROOT, filesSize, log, median, nextTurn, quantile, sleep } from './util';

/** The measurements; run.ts orders them and prints the table. */

export const sanitizer = new Sanitizer();
const workerOpts = { workerScript: path.join(ROOT, 'dist', 'storeWorker.js'), wasmDir: path.join(ROOT, 'dist') };
const defaults = { userId: 'bench-user', sessionId: 'bench-session', environment: 'development' };

export interface Latency { n: number; p50: number; p99: number; max: number; mean: number }
function latency(us: readonly number[]): Latency {
  return { n: us.length, p50: quantile(us, 0.5), p99: quantile(us, 0.99), max: Math.max(...us), mean: us.reduce((a, b) => a + b, 0) / us.length };
}

export interface TrackResult extends Latency {
  warm: number; closeMs: number;
  /** Timed executions (of n) recorded while the worker held the compaction lock, checked every 10 executions. */
  overlapped: number;
  /** Worker only: rows recorded in one burst into a fresh store before its first automatic compaction started (null: none within the cap). */
  autoCompactAfterRows: number | null;
  /** Worker only: executions timed while a compaction (started by a burst of seed rows) ran in the worker. */
  duringCompaction: Latency | null;
}

/**
 * Per-execution wall time of `await tracker.track(ctx, async ex => { ...fill... })`, µs.
 * Between executions the loop yields one event-loop turn (setImmediate, untimed) so timers,
 * the background fdatasync and worker messages run as they would between real LLM calls.
 * Worker: (1) a burst of seed rows into the fresh store until the worker's first automatic
 * compaction starts (how many it took is reported), waiting for it to finish; (2) the timed
 * executions (headline); (3) seed rows until the next automatic compaction starts, then up
 * to n executions timed while it runs.
 */
export async function measureTrack(kind: 'local' | 'worker', dir: string, n: number, warm: number): Promise<TrackResult> {
  const space = n * 2 + warm + 50_000; // row-generator span (only spreads createdAt)
  const salt = kind === 'local' ? 3 : 4;
  const store: PromptLabStore = kind === 'local'
    ? await LocalStore.open({ dir, sanitizer, compactEveryRows: 1e9 }) // compaction excluded: it would run on this thread
    : await WorkerStore.open({ dir, sanitizer, ...workerOpts }); // defaults: compaction every 5000 rows, in the worker
  let next = 0; // next row index
  const lockFile = path.join(dir, 'compact.lock');
  const locked = () => fs.existsSync(lockFile);
  const lockWithin = async (ms: number) => { for (let w = 0; w < ms && !locked(); w += 5) await sleep(5); return locked(); };
  /** Seed rows (untimed) until the worker starts a compaction by itself; returns rows recorded, or null. */
  const burstUntilCompaction = async (first: number, cap: number): Promise<number | null> => {
    let count = 0;
    for (let chunk = first; count < cap; chunk = 500) {
      for (let k = 0; k < chunk; k++, count++) {
        store.record(makeRecord(next++, space, salt));
        if (count % 100 === 99) await nextTurn();
      }
      await store.stats(); // the worker has applied them (one message queue)
      if (await lockWithin(count === first ? 2500 : 1500)) return count; // its timer ticks every pollMs (1 s)
    }
    return null;
  };
  const tracker = new Tracker(store, defaults);
  const timeOne = async (): Promise<number> => {
    const { ctx, fill } = toTrack(makeRecord(next++, space, salt));
    const t0 = performance.now();
    await tracker.track(ctx, async (ex) => { fill(ex); });
    const us = (performance.now() - t0) * 1000;
    await nextTurn();
    return us;
  };

  let autoCompactAfterRows: number | null = null;
  if (kind === 'worker') {
    autoCompactAfterRows = await burstUntilCompaction(5000, 20_000);
    await store.stats(); // answered once that compaction has finished
  }
  for (let i = 0; i < warm; i++) await timeOne();
  const all: number[] = [];
  let overlapped = 0;
  let compacting = false;
  for (let i = 0; i < n; i++) {
    if (kind === 'worker' && i % 10 === 0) compacting = locked();
    all.push(await timeOne());
    if (compacting) overlapped++;
  }
  let duringCompaction: Latency | null = null;
  if (kind === 'worker') {
    await store.stats();
    if (await burstUntilCompaction(4000, 20_000) !== null) {
      const during: number[] = [];
      for (let i = 0; i < n && (i % 10 !== 0 || locked()); i++) during.push(await timeOne());
      duringCompaction = during.length ? latency(during) : null;
    }
  }
  const t1 = performance.now();
  await store.close();
  return { ...latency(all), warm, closeMs: performance.now() - t1, overlapped, autoCompactAfterRows, duringCompaction };
}

export interface StallResult {
  rows: number; loopDelayMaxMs: number; loopDelayP99Ms: number; driftMaxMs: number;
  /** Synchronous part of WorkerStore.compact() on the calling thread (journal rotate with fdatasync). */
  callerSyncMs: number; compactMs: number; result: CompactResult;
}

/** Main-thread event-loop delay while the worker compacts `rows` executions (main thread otherwise idle). */
export async function measureWorkerCompactionStall(dir: string, rows: number): Promise<StallResult> {
  const store = await WorkerStore.open({ dir, sanitizer, ...workerOpts, compactEveryRows: 1e9 }); // one compaction, ours
  for (let i = 0; i < rows; i++) {
    store.record(makeRecord(i, rows, 5));
    if (i % 100 === 99) await nextTurn();
  }
  await store.stats(); // replies after every posted row was applied (one message queue)
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let last = performance.now();
  let maxGap = 0;
  const probe = setInterval(() => { const t = performance.now(); maxGap = Math.max(maxGap, t - last); last = t; }, 1);
  await sleep(50);
  const t0 = performance.now();
  const pending = store.compact();
  const callerSyncMs = performance.now() - t0;
  const result = await pending;
  const compactMs = performance.now() - t0;
  await sleep(20);
  clearInterval(probe);
  h.disable();
  await store.close();
  return { rows, loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, driftMaxMs: Math.max(0, maxGap - 1), callerSyncMs, compactMs, result };
}

export interface ImportResult {
  n: number; imported: number; bad: number; aborted: boolean; importMs: number; closeMs: number;
  ftsIndexedAfterImport: number; pendingAfterImport: number;
  compactions: number; compactMsTotal: number; compactMsMax: number; ftsMs: number; ftsRows: number; exportMs: number;
  closeCompactMs: number; closeFtsMs: number; closeExportMs: number; snapshotBytes: number; segmentBytes: number; journalBytes: number; count: number;
}

/** Times hidden inside the engine's compactions (the bench wraps methods on its own instance; no source change). */
function instrument(engine: ExecutionStore) {
  const s = { phase: 'import' as 'import' | 'close', compactions: 0, compactMsTotal: 0, compactMsMax: 0, closeCompactMs: 0, ftsMs: 0, ftsRows: 0, exportMs: 0 };
  const compact = engine.compact.bind(engine);
  engine.compact = (lockTimeoutMs?: number) => {
    const p = compact(lockTimeoutMs);
    void p.then((r) => {
      if (r.skipped) return;
      if (s.phase === 'close') { s.closeCompactMs += r.ms; return; }
      s.compactions++;
      s.compactMsTotal += r.ms;
      s.compactMsMax = Math.max(s.compactMsMax, r.ms);
    }, () => undefined);
    return p;
  };
  const indexSome = engine.indexSome.bind(engine);
  engine.indexSome = (maxRows?: number) => { const t = performance.now(); const k = indexSome(maxRows); s.ftsMs += performance.now() - t; s.ftsRows += k; return k; };
  const db = engine.database;
  const exp = db.export.bind(db);
  db.export = () => { const t = performance.now(); const b = exp(); s.exportMs += performance.now() - t; return b; };
  return s;
}

/**
 * importJsonl into a fresh LocalStore configured as `promptlab import` opens it (a snapshot
 * at the end, not every 5,000 rows), then close: the closing compaction — FTS indexing,
 * moving texts to segments, the snapshot — is part of the figure.
 */
export const IMPORT_COMPACT_EVERY = 250_000;
export async function measureImport(file: string, dir: string, n: number, budgetMs: number): Promise<ImportResult> {
  const store = await LocalStore.open({ dir, sanitizer, compactEveryRows: IMPORT_COMPACT_EVERY });
  const inst = instrument(store.engine);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), budgetMs);
  let lastLog = performance.now();
  const t0 = performance.now();
  const rep = await importJsonl(file, store, sanitizer, {
    signal: ac.signal,
    onProgress: (lines) => { if (performance.now() - lastLog > 15_000) { lastLog = performance.now(); log(`  … ${lines} lines imported`); } },
  });
  const importMs = performance.now() - t0;
  clearTimeout(timer);
  await sleep(0); // let the last compaction's bookkeeping settle
  const st = await store.stats();
  inst.phase = 'close';
  const [ftsBefore, exportBefore] = [inst.ftsMs, inst.exportMs];
  const t1 = performance.now();
  await store.close();
  const closeMs = performance.now() - t1;
  const manifest = readManifest(dir);
  return {
    n, imported: rep.imported, bad: rep.bad.length, aborted: ac.signal.aborted, importMs, closeMs,
    ftsIndexedAfterImport: st.ftsIndexedSeq, pendingAfterImport: st.pendingTexts,
    compactions: inst.compactions, compactMsTotal: inst.compactMsTotal, compactMsMax: inst.compactMsMax, closeCompactMs: inst.closeCompactMs,
    closeFtsMs: inst.ftsMs - ftsBefore, closeExportMs: inst.exportMs - exportBefore,
    ftsMs: inst.ftsMs, ftsRows: inst.ftsRows, exportMs: inst.exportMs,
    snapshotBytes: manifest?.bytes ?? 0, segmentBytes: filesSize(path.join(dir, 'texts')).bytes,
    journalBytes: filesSize(path.join(dir, 'journal')).bytes, count: manifest?.rows ?? 0,
  };
}

export interface QueryTiming { name: string; ms: number; minMs: number; maxMs: number; rows: number }
export interface Check { what: string; expected: number; got: number; ok: boolean }

function timeQuery(name: string, run: () => { rows: unknown[] }, reps = 20): QueryTiming {
  let rows = run().rows.length; // warm-up
  const ts: number[] = [];
  for (let k = 0; k < reps; k++) { const t = performance.now(); rows = run().rows.length; ts.push(performance.now() - t); }
  return { name, ms: median(ts), minMs: Math.min(...ts), maxMs: Math.max(...ts), rows };
}

/** History queries against the engine (same thread, no message round trip), plus correctness checks. */
export async function measureQueries(dir: string, counts: RowCounts, n: number): Promise<{ timings: QueryTiming[]; checks: Check[]; ftsShareOfSnapshot: number | null }> {
  const store = await LocalStore.open({ dir, sanitizer });
  const eng = store.engine;
  const h = (f: HistoryFilter) => eng.history(f);
  const timings: QueryTiming[] = [];
  // A bulk import leaves most of the FTS index to background catch-up (as the CLI's
  // history --search and the extension's worker do it); measured here, then searched.
  const backlog = eng.ftsBacklog();
  const tc = performance.now();
  eng.catchUpIndex();
  timings.push({ name: `FTS catch-up of the ${backlog} rows a bulk import left unindexed (one-off)`, ms: performance.now() - tc, minMs: NaN, maxMs: NaN, rows: backlog });
  timings.push(timeQuery('latest 100, no filter', () => h({ limit: 100 })));
  timings.push(timeQuery('latest 100, promptId = prompt-3', () => h({ limit: 100, promptId: 'prompt-3' })));
  timings.push(timeQuery('latest 100, success = false', () => h({ limit: 100, success: false })));
  let page = h({ limit: 100 });
  for (let k = 2; k <= 49 && page.next; k++) page = h({ limit: 100, after: page.next });
  const cursor = page.next;
  if (cursor) timings.push(timeQuery('keyset page 50 (after 49 pages of 100)', () => h({ limit: 100, after: cursor })));
  timings.push(timeQuery(`FTS "${MID_TERM}" (~5% of rows), latest 100`, () => h({ limit: 100, search: MID_TERM })));
  timings.push(timeQuery(`FTS "${RARE_TERM}" (~0.1% of rows), latest 100`, () => h({ limit: 100, search: RARE_TERM })));
  timings.push(timeQuery(`tag "${COMMON_TAG}" (~30% of rows), latest 100`, () => h({ limit: 100, tag: COMMON_TAG })));
  timings.push(timeQuery(`tag "${RARE_TAG}" (~1% of rows), latest 100`, () => h({ limit: 100, tag: RARE_TAG })));

  // Correctness: counts the generator knows vs what the store returns.
  const checks: Check[] = [];
  const check = (what: string, expected: number, got: number) => checks.push({ what, expected, got, ok: expected === got });
  const all = (f: HistoryFilter) => { let c = 0; let p = h({ ...f, limit: 5000 }); c += p.rows.length; while (p.next) { p = h({ ...f, limit: 5000, after: p.next }); c += p.rows.length; } return c; };
  check(`rows with "${RARE_TERM}" (FTS)`, counts.rareTerm, all({ search: RARE_TERM }));
  check(`rows with "${MID_TERM}" (FTS)`, counts.midTerm, all({ search: MID_TERM }));
  check(`rows tagged ${RARE_TAG}`, counts.rareTag, all({ tag: RARE_TAG }));
  check('failed rows', counts.failed, all({ success: false }));
  check('prompt-3 rows', counts.byPrompt.get('prompt-3') ?? 0, all({ promptId: 'prompt-3' }));
  const ids = new Set<string>();
  let walked = 0;
  let p = h({ limit: 1000 });
  for (;;) { for (const r of p.rows) ids.add(r.id); walked += p.rows.length; if (!p.next) break; p = h({ limit: 1000, after: p.next }); }
  check('keyset walk: rows seen (all pages of 1000)', n, walked);
  check('keyset walk: distinct ids', n, ids.size);
  let textsOk = 0;
  const probes = [0, Math.floor(n / 2), n - 1];
  for (const i of probes) {
    const rec = makeRecord(i, n, 1);
    const d = await store.getExecution(rec.id);
    if (d && !d.textError && d.promptText === sanitizer.redact(rec.promptText) && d.responseText === sanitizer.redact(rec.responseText)) textsOk++;
  }
  check('full texts read back from segments (3 probes)', probes.length, textsOk);

  let ftsShareOfSnapshot: number | null = null;
  try {
    const ftsBytes = Number(eng.database.db.exec('SELECT COALESCE(SUM(LENGTH(block)),0) + (SELECT COALESCE(SUM(LENGTH(root)),0) FROM executions_fts_segdir) FROM executions_fts_segments')[0]!.values[0]![0]);
    const manifest = readManifest(dir);
    if (manifest) ftsShareOfSnapshot = ftsBytes / manifest.bytes;
  } catch { /* FTS shadow tables differ: leave the share out */ }
  await store.close();
  return { timings, checks, ftsShareOfSnapshot };
}

/** The extension's path: the same queries through WorkerStore (message round trip + structured clone). */
export async function measureWorkerQueries(dir: string): Promise<{ openMs: number; timings: QueryTiming[] }> {
  const t0 = performance.now();
  const store = await WorkerStore.open({ dir, sanitizer, ...workerOpts });
  const openMs = performance.now() - t0;
  const timings: QueryTiming[] = [];
  const timeAsync = async (name: string, f: HistoryFilter) => {
    let rows = (await store.history(f)).rows.length;
    const ts: number[] = [];
    for (let k = 0; k < 20; k++) { const t = performance.now(); rows = (await store.history(f)).rows.length; ts.push(performance.now() - t); }
    timings.push({ name, ms: median(ts), minMs: Math.min(...ts), maxMs: Math.max(...ts), rows });
  };
  await timeAsync('WorkerStore: latest 100, no filter (incl. round trip)', { limit: 100 });
  await timeAsync(`WorkerStore: FTS "${MID_TERM}", latest 100 (incl. round trip)`, { limit: 100, search: MID_TERM });
  await store.close();
  return { openMs, timings };
}
