import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Sanitizer } from '../sanitize';
import type { ExecutionInput, ExecutionPatch, ExecutionRecord } from './executionRecord';
import type { CompactResult, ExecutionDetail, StoreOptions, StoreProblem, StoreStats } from './executionStore';
import { ExecutionStore, ROLLUPS_WORTH_SAVING } from './executionStore';
import type { ExperimentRow, HistoryFilter, HistoryPage, MetricSampleRow, RecentRun, SampleFilter } from './executionDb';
import { JournalWriter, newWriterId } from './journal';
import { preparePatch, prepareRecord } from './recordPrep';
import { exportExecutions } from '../export';
import type { ExportToOptions } from '../export/types';
import type { QualityFilter, QualityOverview } from './qualityQueries';
import type { BackupResult, RestoreResult } from './backup';
import { createBackup, restoreBackup } from './backup';
import type { ArchiveResult, OptimizeResult } from './archive';
import { archiveOlderThan, optimizeDatabase } from './archive';
import type { AnalyticsCacheStats, AnalyticsQuery, AnalyticsReport } from '../analytics/types';

/** What the extension and the CLI use, whether the engine runs here or in a worker thread. */
export interface PromptLabStore {
  readonly dir: string;
  /** Sanitizes and journals; returns once the execution is durable against a process kill. */
  record(input: ExecutionInput): ExecutionRecord;
  recordMany(inputs: readonly ExecutionRecord[]): void;
  patch(patch: ExecutionPatch): void;
  history(filter?: HistoryFilter): Promise<HistoryPage>;
  getExecution(id: string): Promise<ExecutionDetail | null>;
  stats(): Promise<StoreStats>;
  /** The quality panel's aggregates for one prompt (or all) in a time window. */
  qualityOverview(filter?: QualityFilter): Promise<QualityOverview>;
  /** Dashboard/CLI analytics: KPIs with tested deltas vs the previous window, breakdowns, series (cached, see analytics/). */
  analytics(q?: AnalyticsQuery): Promise<AnalyticsReport>;
  /** Hit/miss counters of the analytics cache. */
  analyticsCacheStats(): Promise<AnalyticsCacheStats>;
  /** Creates or updates an experiment (journalled: durable against a kill, visible to other processes). */
  saveExperiment(experiment: ExperimentRow): void;
  /** Experiments, newest first (one when `id` is given, none if unknown). */
  experiments(id?: string): Promise<ExperimentRow[]>;
  /** The newest runs (grouped by run_id) with their ok/failed counts, newest first. */
  recentRuns(limit: number): Promise<RecentRun[]>;
  /** Per-execution metric values by experiment, or by prompt and date range (for compare). */
  metricSamples(filter: SampleFilter): Promise<MetricSampleRow[]>;
  compact(): Promise<CompactResult>;
  exportJsonl(file: string, filter?: HistoryFilter): Promise<{ rows: number }>;
  /** Streams executions to `file` as csv/json/jsonl/md/html; a cancelled or failed export leaves no file under that name. */
  exportTo(file: string, opts: ExportToOptions): Promise<{ rows: number }>;
  onProblem(listener: (p: StoreProblem) => void): void;
  /** Consistent backup (compacts first) to `file` + `file.json`; gzip when `compress` or `.gz`. */
  backup(file: string, opts?: { compress?: boolean }): Promise<BackupResult>;
  /** Verifies `file`, then merges it in as the next snapshot (see backup.ts): nothing live is lost. */
  restoreBackup(file: string): Promise<RestoreResult>;
  /** ANALYZE, PRAGMA optimize, FTS rebuild, VACUUM, written out by a compaction. */
  optimize(): Promise<OptimizeResult>;
  /** Moves executions older than `days` days into `<db>/archive/YYYY-MM.sqlite`. */
  archive(days: number): Promise<ArchiveResult>;
  close(): Promise<void>;
}

export interface OpenStoreOptions extends StoreOptions {
  sanitizer: Sanitizer;
  /** Compact after this many executions are waiting in journals. */
  compactEveryRows?: number;
  /** How often to look for other processes' executions (ms); 0 disables the timer. */
  pollMs?: number;
}

/** Engine and journal on one thread: the CLI, tests and benches. */
export class LocalStore implements PromptLabStore {
  private timer: NodeJS.Timeout | undefined;
  private sinceCompact = 0;

  private constructor(readonly engine: ExecutionStore, private readonly journal: JournalWriter, private readonly opts: OpenStoreOptions,
    private readonly listeners: Array<(p: StoreProblem) => void>) {}

  get dir(): string { return this.opts.dir; }

  static async open(opts: OpenStoreOptions): Promise<LocalStore> {
    fs.mkdirSync(opts.dir, { recursive: true });
    const listeners: Array<(p: StoreProblem) => void> = [];
    const engine = await ExecutionStore.open({ ...opts, onProblem: (p) => { opts.onProblem?.(p); listeners.forEach((l) => l(p)); } });
    const journal = new JournalWriter({ dir: path.join(opts.dir, 'journal'), writerId: newWriterId() });
    const store = new LocalStore(engine, journal, opts, listeners);
    if (opts.pollMs) {
      store.timer = setInterval(() => store.tick(), opts.pollMs);
      store.timer.unref();
    }
    return store;
  }

  private tick(): void {
    if (this.engine.shouldReload()) { void this.engine.reload(); return; }
    this.engine.poll();
    this.engine.indexSome(200);
    this.engine.catchUpRollupsInBackground(100);
  }

  record(input: ExecutionInput): ExecutionRecord {
    const rec = prepareRecord(input, this.opts.sanitizer);
    const pos = this.journal.append({ v: 1, op: 'insert', rec });
    this.engine.apply([{ v: 1, op: 'insert', rec }], pos);
    this.afterWrite(1);
    return rec;
  }

  /** Already-prepared records (import): one journal line each, applied as one batch. */
  recordMany(records: readonly ExecutionRecord[]): void {
    if (!records.length) return;
    const ops = records.map((rec) => ({ v: 1 as const, op: 'insert' as const, rec }));
    let pos = { file: '', endOffset: 0 };
    for (const op of ops) pos = this.journal.append(op);
    this.engine.apply(ops, pos);
    this.afterWrite(records.length);
  }

  patch(patch: ExecutionPatch): void {
    const op = { v: 1 as const, op: 'patch' as const, patch: preparePatch(patch, this.opts.sanitizer) };
    this.engine.apply([op], this.journal.append(op));
  }

  private afterWrite(n: number): void {
    this.sinceCompact += n;
    if (this.sinceCompact >= (this.opts.compactEveryRows ?? 5000)) {
      this.sinceCompact = 0;
      this.journal.rotate();
      void this.engine.compact(0).catch((e: unknown) => this.listeners.forEach((l) => l({ kind: 'snapshot', file: '', message: `compaction failed: ${(e as Error).message}` })));
    }
  }

  async history(filter?: HistoryFilter): Promise<HistoryPage> { return this.engine.history(filter); }
  async getExecution(id: string): Promise<ExecutionDetail | null> { return this.engine.getExecution(id); }
  async stats(): Promise<StoreStats> { return this.engine.stats(); }
  async qualityOverview(filter?: QualityFilter): Promise<QualityOverview> { return this.engine.qualityOverview(filter); }
  async analytics(q?: AnalyticsQuery): Promise<AnalyticsReport> { return this.engine.analytics(q ?? {}); }
  async analyticsCacheStats(): Promise<AnalyticsCacheStats> { return this.engine.analyticsCacheStats(); }
  async experiments(id?: string): Promise<ExperimentRow[]> { return this.engine.experiments(id); }
  async recentRuns(limit: number): Promise<RecentRun[]> { return this.engine.recentRuns(limit); }
  async metricSamples(filter: SampleFilter): Promise<MetricSampleRow[]> { return this.engine.metricSamples(filter); }

  saveExperiment(experiment: ExperimentRow): void {
    const op = { v: 1 as const, op: 'experiment' as const, experiment };
    this.engine.apply([op], this.journal.append(op));
  }

  async compact(): Promise<CompactResult> {
    this.journal.rotate();
    return this.engine.compact();
  }

  async exportJsonl(file: string, filter?: HistoryFilter): Promise<{ rows: number }> {
    return this.exportTo(file, { format: 'jsonl', filter });
  }

  async exportTo(file: string, opts: ExportToOptions): Promise<{ rows: number }> {
    return exportExecutions(this.engine, file, opts);
  }

  onProblem(listener: (p: StoreProblem) => void): void {
    this.listeners.push(listener);
  }

  async backup(file: string, opts?: { compress?: boolean }): Promise<BackupResult> {
    this.journal.rotate();
    return createBackup(this.engine, file, opts);
  }

  async restoreBackup(file: string): Promise<RestoreResult> {
    this.journal.rotate();
    return restoreBackup(this.engine, file);
  }

  async optimize(): Promise<OptimizeResult> {
    this.journal.rotate();
    return optimizeDatabase(this.engine);
  }

  async archive(days: number): Promise<ArchiveResult> {
    this.journal.rotate();
    return archiveOlderThan(this.engine, days);
  }

  /** Flushes: journal fsync, then a final compaction when there is something to fold in. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.journal.rotate();
    this.journal.close();
    if (this.engine.database.pendingCount() > 0 || this.engine.rollupsUnsaved() >= ROLLUPS_WORTH_SAVING) await this.engine.compact();
    this.engine.close();
  }
}
