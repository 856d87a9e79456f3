import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExecutionInput, ExecutionPatch, ExecutionRecord, JournalOp } from './executionRecord';
import type { ExperimentRow, HistoryFilter, HistoryPage, MetricSampleRow, RecentRun, SampleFilter } from './executionDb';
import type { CompactResult, ExecutionDetail, StoreProblem, StoreStats } from './executionStore';
import type { JournalPosition } from './journal';
import type { QualityFilter, QualityOverview } from './qualityQueries';
import { JournalWriter, newWriterId } from './journal';
import type { OpenStoreOptions, PromptLabStore } from './localStore';
import { preparePatch, prepareRecord } from './recordPrep';
import type { FromWorker, StoreWorkerInit, ToWorker } from './storeWorker';
import type { ExportToOptions } from '../export/types';
import type { BackupResult, RestoreResult } from './backup';
import type { ArchiveResult, OptimizeResult } from './archive';
import type { AnalyticsCacheStats, AnalyticsQuery, AnalyticsReport } from '../analytics/types';

export interface WorkerStoreOptions extends OpenStoreOptions {
  /** The built worker script (dist/storeWorker.js). */
  workerScript: string;
  wasmDir?: string;
  execArgv?: string[];
}

/** Journal on the caller's thread, sql.js engine in a worker thread: the extension host's store. */
export class WorkerStore implements PromptLabStore {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(p: StoreProblem) => void> = [];
  private closed = false;

  private constructor(private readonly worker: Worker, private readonly journal: JournalWriter, private readonly opts: WorkerStoreOptions) {}

  get dir(): string { return this.opts.dir; }

  /**
   * Starts the worker and returns at once: executions can be recorded (journalled) before
   * the database has loaded, which at 100k rows takes seconds; queries wait for `ready`.
   * Activation of the extension therefore never waits for the database.
   */
  static async open(opts: WorkerStoreOptions): Promise<WorkerStore> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const init: StoreWorkerInit = { dir: opts.dir, ftsWindow: opts.ftsWindow, wasmDir: opts.wasmDir, pollMs: opts.pollMs || 1000, compactEveryRows: opts.compactEveryRows ?? 5000 };
    const worker = new Worker(opts.workerScript, { workerData: init, execArgv: opts.execArgv ?? [] });
    const journal = new JournalWriter({ dir: path.join(opts.dir, 'journal'), writerId: newWriterId() });
    const store = new WorkerStore(worker, journal, opts);
    store.ready = new Promise<void>((resolve, reject) => {
      store.markReady = resolve;
      store.markFailed = (e) => { reject(e); store.failAll(e); };
    });
    store.ready.catch(() => undefined); // observed through calls and onProblem
    worker.on('message', (m: FromWorker) => store.onMessage(m));
    worker.on('error', (e) => store.markFailed(e));
    worker.on('exit', (code) => { store.markFailed(new Error(`store worker exited (${code})`)); });
    return store;
  }

  /** Resolves when the database has loaded in the worker; rejects with the reason it could not. */
  ready!: Promise<void>;
  private markReady: () => void = () => undefined;
  private markFailed: (e: Error) => void = () => undefined;

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') { this.markReady(); return; }
    if (m.type === 'exportProgress') { this.exportProgress.get(m.exportId)?.(m.rows); return; }
    if (m.type === 'openFailed') {
      const e = new Error(`cannot open the Prompt Lab database in ${this.opts.dir}: ${m.message}`);
      this.opts.onProblem?.({ kind: 'snapshot', file: '', message: e.message });
      this.markFailed(e);
      void this.worker.terminate();
      return;
    }
    if (m.type === 'result') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value); else p.reject(new Error(m.message));
    } else if (m.type === 'problem') {
      const problem = m.problem as StoreProblem;
      this.opts.onProblem?.(problem);
      this.listeners.forEach((l) => l(problem));
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private async call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed && method !== 'close') throw new Error('the store is closed');
    await this.ready;
    this.flushOutbox(); // a query right after record() sees that record
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ type: 'call', id, method, args } satisfies ToWorker);
    });
  }

  record(input: ExecutionInput): ExecutionRecord {
    const rec = prepareRecord(input, this.opts.sanitizer);
    this.enqueue([{ v: 1, op: 'insert', rec }]); // acknowledged: journalled before this returns
    return rec;
  }

  recordMany(records: readonly ExecutionRecord[]): void {
    if (records.length) this.enqueue(records.map((rec) => ({ v: 1, op: 'insert', rec })));
  }

  /*
   * Journal now (the acknowledgement), post to the worker once per turn of the event loop:
   * one structured clone for a burst of executions instead of one each.
   */
  private outbox: JournalOp[] = [];
  private outboxPos: JournalPosition | null = null;
  private flushScheduled = false;

  private enqueue(ops: JournalOp[]): void {
    for (const op of ops) {
      this.outboxPos = this.journal.append(op);
      this.outbox.push(op);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushOutbox());
    }
  }

  private flushOutbox(): void {
    this.flushScheduled = false;
    if (!this.outbox.length || !this.outboxPos) return;
    const ops = this.outbox;
    const pos = this.outboxPos;
    this.outbox = [];
    this.outboxPos = null;
    this.worker.postMessage({ type: 'apply', ops, pos } satisfies ToWorker);
  }

  patch(patch: ExecutionPatch): void {
    this.enqueue([{ v: 1, op: 'patch', patch: preparePatch(patch, this.opts.sanitizer) }]);
  }

  history(filter?: HistoryFilter): Promise<HistoryPage> { return this.call('history', filter ?? {}); }
  getExecution(id: string): Promise<ExecutionDetail | null> { return this.call('getExecution', id); }
  stats(): Promise<StoreStats> { return this.call('stats'); }
  qualityOverview(filter?: QualityFilter): Promise<QualityOverview> { return this.call('qualityOverview', filter ?? {}); }
  analytics(q?: AnalyticsQuery): Promise<AnalyticsReport> { return this.call('analytics', q ?? {}); }
  analyticsCacheStats(): Promise<AnalyticsCacheStats> { return this.call('analyticsCacheStats'); }
  experiments(id?: string): Promise<ExperimentRow[]> { return this.call('experiments', id); }
  recentRuns(limit: number): Promise<RecentRun[]> { return this.call('recentRuns', limit); }
  metricSamples(filter: SampleFilter): Promise<MetricSampleRow[]> { return this.call('metricSamples', filter); }
  saveExperiment(experiment: ExperimentRow): void { this.enqueue([{ v: 1, op: 'experiment', experiment }]); }
  compact(): Promise<CompactResult> { this.journal.rotate(); return this.call('compact'); }
  exportJsonl(file: string, filter?: HistoryFilter): Promise<{ rows: number }> { return this.call('exportJsonl', file, filter); }

  /** Progress and cancellation cross to the worker as messages keyed by an export id. */
  private nextExportId = 1;
  private readonly exportProgress = new Map<number, (rows: number) => void>();
  async exportTo(file: string, opts: ExportToOptions): Promise<{ rows: number }> {
    const { signal, onProgress, ...req } = opts;
    if (signal?.aborted) throw new Error('export cancelled');
    const exportId = this.nextExportId++;
    if (onProgress) this.exportProgress.set(exportId, onProgress);
    const cancel = () => { void this.call('cancelExport', exportId).catch(() => undefined); };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.call<{ rows: number }>('exportTo', file, req, exportId);
    } finally {
      signal?.removeEventListener('abort', cancel);
      this.exportProgress.delete(exportId);
    }
  }
  onProblem(listener: (p: StoreProblem) => void): void { this.listeners.push(listener); }
  backup(file: string, opts?: { compress?: boolean }): Promise<BackupResult> { this.journal.rotate(); return this.call('backup', file, opts ?? {}); }
  restoreBackup(file: string): Promise<RestoreResult> { this.journal.rotate(); return this.call('restoreBackup', file); }
  optimize(): Promise<OptimizeResult> { this.journal.rotate(); return this.call('optimize'); }
  archive(days: number): Promise<ArchiveResult> { this.journal.rotate(); return this.call('archive', days); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.journal.rotate();
    this.journal.close();
    try { await this.call('close'); } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }
}
