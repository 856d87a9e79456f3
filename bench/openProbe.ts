/*
 * Opens an existing store in a fresh process, as the CLI or a new extension host would:
 * prints {openMs (incl. sql.js WASM init), rssMB, peakRssMB, rssBeforeMB, count, firstPageMs, ...} as one JSON line.
 * After closing the store, it times the parts of an open separately (read + sha256 of the
 * snapshot, sql.js load with its integrity check, the integrity check alone).
 *
 * Usage: node --expose-gc --import tsx bench/openProbe.ts <store dir>
 */
import { Sanitizer } from '../src/core/sanitize';
import { ExecutionDb } from '../src/core/store/executionDb';
import { LocalStore } from '../src/core/store/localStore';
import { loadSqlJs } from '../src/core/store/sqlJs';
import { readManifest, readSnapshot } from '../src/core/store/snapshot';
import { MB, peakRssMB } from './util';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: openProbe.ts <store dir>');
  const rssBeforeMB = process.memoryUsage().rss / MB;
  // openMs covers what a user waits for: sql.js WASM init (wasmInitMs of it) + LocalStore.open.
  const t0 = performance.now();
  await loadSqlJs();
  const wasmInitMs = performance.now() - t0;
  const store = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  const openMs = performance.now() - t0;
  const rssMB = process.memoryUsage().rss / MB;
  const peak = peakRssMB();
  // Run with --expose-gc: the buffers read during open are garbage by now.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) { gc(); gc(); }
  const rssAfterGcMB = gc ? process.memoryUsage().rss / MB : null;
  const t1 = performance.now();
  const page = await store.history({ limit: 100 });
  const firstPageMs = performance.now() - t1;
  const count = store.engine.count();
  const problems = store.engine.problems.length;
  await store.close();

  // Breakdown of an open (separately, after the measurement above).
  const manifest = readManifest(dir);
  let readSha256Ms: number | null = null;
  let sqlOpenMs: number | null = null;
  let quickCheckMs: number | null = null;
  if (manifest) {
    const a = performance.now();
    const bytes = readSnapshot(dir, manifest);
    readSha256Ms = performance.now() - a;
    const b = performance.now();
    const db = await ExecutionDb.open(bytes);
    sqlOpenMs = performance.now() - b;
    const c = performance.now();
    db.db.exec('PRAGMA quick_check');
    quickCheckMs = performance.now() - c;
    db.close();
  }
  process.stdout.write(JSON.stringify({ openMs, wasmInitMs, rssMB, rssAfterGcMB, peakRssMB: peak, rssBeforeMB, count, firstPageMs, firstPageRows: page.rows.length, problems, readSha256Ms, sqlOpenMs, quickCheckMs }) + '\n');
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
