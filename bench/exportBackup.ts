/*
 * Export and backup figures (issue 7): rows/s and peak RSS per export format, and backup
 * create / verify / restore times, on a store of realistic rows (bench/rows.ts). Figures
 * only. BENCH_EXPORT_N sets the size (default 20,000 to keep `npm run bench` short; the
 * issue's 100k is `BENCH_EXPORT_N=100000`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Sanitizer } from '../src/core/sanitize';
import { verifyBackup } from '../src/core/store/backup';
import { LocalStore } from '../src/core/store/localStore';
import { makeRecord } from './rows';

const N = Number(process.env.BENCH_EXPORT_N ?? 20_000);
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

void (async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-export-'));
  const sanitizer = new Sanitizer();
  try {
    let store = await LocalStore.open({ dir: path.join(root, 'db'), sanitizer, compactEveryRows: 1e9 });
    for (let i = 0; i < N; i += 1000) store.recordMany(Array.from({ length: Math.min(1000, N - i) }, (_, k) => makeRecord(i + k, N)));
    await store.close();
    store = await LocalStore.open({ dir: path.join(root, 'db'), sanitizer });
    console.log(`\n## Export and backup (${N.toLocaleString()} executions of ~3.5 KB)\n`);
    console.log('| operation | time | rows/s | output MB | peak RSS MB (process so far) |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const format of ['jsonl', 'json', 'csv', 'md', 'html'] as const) {
      const out = path.join(root, `export.${format}`);
      const t = performance.now();
      const r = await store.exportTo(out, { format });
      const ms = performance.now() - t;
      console.log(`| export ${format} | ${(ms / 1000).toFixed(2)} s | ${Math.round((r.rows * 1000) / ms).toLocaleString()} | ${(fs.statSync(out).size / 1048576).toFixed(1)} | ${peakRssMb().toFixed(0)} |`);
    }
    const backup = path.join(root, 'backup.sqlite.gz');
    let t = performance.now();
    await store.backup(backup, { compress: true });
    console.log(`| backup create (gzip) | ${((performance.now() - t) / 1000).toFixed(2)} s | — | ${(fs.statSync(backup).size / 1048576).toFixed(1)} | ${peakRssMb().toFixed(0)} |`);
    t = performance.now();
    const v = await verifyBackup(backup);
    console.log(`| backup verify | ${((performance.now() - t) / 1000).toFixed(2)} s | — | — | ${peakRssMb().toFixed(0)} |`);
    if (!v.ok) console.log(`backup verify FAILED: ${JSON.stringify(v).slice(0, 300)}`);
    await store.close();
    const fresh = await LocalStore.open({ dir: path.join(root, 'restored'), sanitizer });
    t = performance.now();
    await fresh.restoreBackup(backup);
    const restoredMs = performance.now() - t;
    const rows = (await fresh.stats()).executions;
    console.log(`| backup restore into an empty database | ${(restoredMs / 1000).toFixed(2)} s | ${Math.round((rows * 1000) / restoredMs).toLocaleString()} | — | ${peakRssMb().toFixed(0)} |`);
    if (rows !== N) console.log(`restore: expected ${N} rows, got ${rows}`);
    await fresh.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
})();
