/*
 * Worker-thread entry: owns the sql.js database so that exports, snapshots and long
 * queries never stall the extension host's thread. The main thread journals each execution
 * itself (the acknowledgement) and posts it here to be applied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JournalOp } from './executionRecord';
import type { JournalPosition } from './journal';
import { ExecutionStore, ROLLUPS_WORTH_SAVING } from './executionStore';
import { writeJsonlExport } from './jsonlExport';
import { exportExecutions } from '../export';
import type { ExportRequest } from '../export/types';
import { setSqlWasmDirectory } from './sqlJs';
import { createBackup, restoreBackup } from './backup';
import { archiveOlderThan, optimizeDatabase } from './archive';

export interface StoreWorkerInit { dir: string; ftsWindow?: number; wasmDir?: string; pollMs: number; compactEveryRows: number }
export type ToWorker =
  | { type: 'apply'; ops: JournalOp[]; pos: JournalPosition }
  | { type: 'call'; id: number; method: string; args: unknown[] };
export type FromWorker =
  | { type: 'ready' } | { type: 'openFailed'; message: string }
  | { type: 'result'; id: number; ok: true; value: unknown } | { type: 'result'; id: number; ok: false; message: string }
  | { type: 'problem'; problem: unknown }
  | { type: 'exportProgress'; exportId: number; rows: number };

const port = parentPort!;
const init = workerData as StoreWorkerInit;
if (init.wasmDir) setSqlWasmDirectory(init.wasmDir);

void (async () => {
  let store: ExecutionStore;
  try {
    store = await ExecutionStore.open({ dir: init.dir, ftsWindow: init.ftsWindow, onProblem: (problem) => port.postMessage({ type: 'problem', problem }) });
  } catch (e) {
    port.postMessage({ type: 'openFailed', message: (e as Error).message });
    return;
  }
  let busy = false;
  const compact = async () => {
    busy = true;
    try { return await store.compact(); } finally { busy = false; }
  };
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    busy = true;
    try { return await fn(); } finally { busy = false; }
  };
  const runningExports = new Map<number, AbortController>();
  const runExport = async (file: string, req: ExportRequest, exportId: number) => {
    const ac = new AbortController();
    runningExports.set(exportId, ac);
    try {
      return await exportExecutions(store, file, { ...req, signal: ac.signal, onProgress: (rows) => port.postMessage({ type: 'exportProgress', exportId, rows } satisfies FromWorker) });
    } finally { runningExports.delete(exportId); }
  };
  const methods: Record<string, (...a: never[]) => unknown> = {
    history: (f: never) => store.history(f),
    getExecution: (id: never) => store.getExecution(id),
    stats: () => store.stats(),
    qualityOverview: (f: never) => store.qualityOverview(f),
    analytics: (q: never) => store.analytics(q),
    analyticsCacheStats: () => store.analyticsCacheStats(),
    experiments: (id: never) => store.experiments(id),
    recentRuns: (limit: never) => store.recentRuns(limit),
    metricSamples: (f: never) => store.metricSamples(f),
    count: () => store.count(),
    poll: () => store.poll(),
    compact,
    exportJsonl: (file: never, filter: never) => writeJsonlExport(store, file, filter),
    exportTo: (file: never, req: never, exportId: never) => runExport(file, req, exportId),
    cancelExport: (exportId: never) => { runningExports.get(exportId)?.abort(); },
    // Maintenance compacts under the lock: the timer keeps off the database meanwhile.
    backup: (file: never, opts: never) => exclusive(() => createBackup(store, file, opts)),
    restoreBackup: (file: never) => exclusive(() => restoreBackup(store, file)),
    optimize: () => exclusive(() => optimizeDatabase(store)),
    archive: (days: never) => exclusive(() => archiveOlderThan(store, days)),
    close: async () => {
      clearInterval(timer);
      store.poll(true);
      const r = store.database.pendingCount() > 0 || store.rollupsUnsaved() >= ROLLUPS_WORTH_SAVING ? await compact() : null;
      store.close();
      return r;
    },
  };
  const timer = setInterval(() => {
    if (busy) return;
    if (store.shouldReload()) { void store.reload(); return; }
    store.poll();
    store.catchUpIndex(150); // background FTS catch-up in short slices between messages
    store.catchUpRollupsInBackground(100); // and analytics rollups, so a query rarely has rows to fold in first
    // Texts waiting for a segment = rows not yet in a snapshot, whoever wrote them.
    if (store.database.pendingCount() >= init.compactEveryRows || store.rollupsUnsaved() >= ROLLUPS_WORTH_SAVING * 5) void compact().catch((e: unknown) => port.postMessage({ type: 'problem', problem: { kind: 'snapshot', file: '', message: `compaction failed: ${(e as Error).message}` } }));
  }, init.pollMs);

  port.on('message', async (m: ToWorker) => {
    if (m.type === 'apply') {
      store.apply(m.ops, m.pos);
      return;
    }
    const fn = methods[m.method];
    try {
      if (!fn) throw new Error(`unknown store method ${m.method}`);
      const value = await (fn as (...a: unknown[]) => unknown)(...m.args);
      port.postMessage({ type: 'result', id: m.id, ok: true, value });
    } catch (e) {
      port.postMessage({ type: 'result', id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  });
  port.postMessage({ type: 'ready' });
})();
