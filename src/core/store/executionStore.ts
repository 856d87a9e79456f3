import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionDb, ExecutionSummary, ExperimentRow, HistoryFilter, HistoryPage, MetricSampleRow, RecentRun, SampleFilter } from './executionDb';
import { ExecutionDb as Db } from './executionDb';
import type { ExecutionPatch, ExecutionRecord, JournalOp } from './executionRecord';
import type { JournalPosition } from './journal';
import { listJournals, readJournal } from './journal';
import { SCHEMA_VERSION } from './migrations';
import type { Manifest } from './snapshot';
import { acquireLock, fsyncDir, quarantine, readManifest, readSnapshot, sha256, writeFileAtomic, MANIFEST } from './snapshot';
import { TextSegments } from './textSegments';
import type { QualityFilter, QualityOverview } from './qualityQueries';
import { qualityOverview } from './qualityQueries';
import { AnalyticsEngine } from '../analytics/engine';
import { rollupBacklog, rolledUpSeq } from './rollups';
import type { AnalyticsCacheStats, AnalyticsQuery, AnalyticsReport } from '../analytics/types';

/*
 * The database engine of one process: the sql.js database (loaded from the newest good
 * snapshot), kept current by reading every process's journal, and compacted into a new
 * snapshot under a lock shared by all processes. It never writes journals: the caller's
 * JournalWriter does, on the caller's thread, so acknowledging an execution never waits
 * for this engine (which may sit in a worker thread busy exporting).
 */

export interface StoreProblem { kind: 'snapshot' | 'journal' | 'segment'; file: string; message: string; quarantinedAs?: string }

export interface StoreOptions {
  dir: string;
  /** How many of the newest executions are full-text indexed. */
  ftsWindow?: number;
  /** Time a compaction may spend on FTS indexing before leaving the rest for later (ms). */
  compactionIndexBudgetMs?: number;
  /** Analytics cache TTL (ms, default 300 s; 0 disables the cache) and clock (tests). */
  analyticsTtlMs?: number;
  analyticsNow?: () => number;
  onProblem?: (p: StoreProblem) => void;
}

export interface CompactResult { skipped?: string; gen?: number; rows?: number; bytes?: number; movedTexts?: number; deletedJournals?: number; ms: number }

export interface ExecutionDetail extends ExecutionSummary { promptText: string; responseText: string; textError?: string }

export interface StoreStats {
  dir: string; executions: number; pendingTexts: number; snapshotGen: number; snapshotBytes: number;
  journals: number; journalBytes: number; ftsIndexedSeq: number; maxSeq: number; schemaVersion: number;
  /** The last compaction this process finished (null before the first). */
  lastCompaction: { at: number; durationMs: number; rows: number } | null;
  /** Executions not yet folded into the analytics rollups (an analytics query folds them in first). */
  rollupBacklog?: number;
}

/** Rollup rows built since the snapshot that are worth a snapshot of their own (rebuilding them costs ~1 ms a row). */
export const ROLLUPS_WORTH_SAVING = 10_000;

interface Progress { offset: number; closed: boolean }

export class ExecutionStore {
  readonly problems: StoreProblem[] = [];
  private progress = new Map<string, Progress>();
  private gen = 0;
  private readonly journalDir: string;
  private readonly segments: TextSegments;
  private reloadNeeded = false;
  /** Journals this process writes: their rows arrive through apply(), so polling skips them. */
  private readonly ownFiles = new Set<string>();
  private compacting: Promise<CompactResult> | null = null;
  private lastCompaction: StoreStats['lastCompaction'] = null;
  /** rollup_state.seq in the newest snapshot: rollups built since then are lost unless a snapshot follows. */
  private rollupSeqSaved = 0;
  /** Analytics over rollups of this database (follows `db` across reloads). */
  readonly analyticsEngine: AnalyticsEngine;

  private constructor(private db: ExecutionDb, private readonly opts: StoreOptions) {
    this.journalDir = path.join(opts.dir, 'journal');
    this.segments = new TextSegments(path.join(opts.dir, 'texts'));
    this.analyticsEngine = new AnalyticsEngine(() => this.db.db, { ttlMs: opts.analyticsTtlMs, now: opts.analyticsNow });
  }

  static async open(opts: StoreOptions): Promise<ExecutionStore> {
    fs.mkdirSync(path.join(opts.dir, 'journal'), { recursive: true });
    const problems: StoreProblem[] = [];
    const { db, gen } = await loadNewestSnapshot(opts.dir, problems);
    const store = new ExecutionStore(db, opts);
    store.gen = gen;
    store.rollupSeqSaved = rolledUpSeq(db.db);
    store.progress = db.getProgress();
    for (const p of problems) store.report(p);
    store.poll();
    return store;
  }

  private report(p: StoreProblem): void {
    this.problems.push(p);
    this.opts.onProblem?.(p);
  }

  get database(): ExecutionDb { return this.db; }
  get generation(): number { return this.gen; }
  get dir(): string { return this.opts.dir; }

  /** Applies operations that the caller has just journalled (and validated). */
  apply(ops: readonly JournalOp[], pos?: JournalPosition): number {
    const inserts: ExecutionRecord[] = [];
    const patches: ExecutionPatch[] = [];
    for (const op of ops) {
      if (op.op === 'insert') inserts.push(op.rec);
      else if (op.op === 'patch') patches.push(op.patch);
      else if (op.op === 'experiment') this.db.upsertExperiment(op.experiment);
    }
    const added = this.db.insertBatch(inserts);
    // Patches after inserts: a patch in the same batch refers to a row inserted just before.
    this.db.applyPatches(patches);
    if (pos) {
      this.ownFiles.add(pos.file);
      const p = this.progress.get(pos.file);
      if (!p || p.offset < pos.endOffset) this.progress.set(pos.file, { offset: pos.endOffset, closed: p?.closed ?? false });
    }
    return added;
  }

  /**
   * Reads what other writers (and earlier runs) appended since last time. Cheap when idle.
   * This process's own journals are read only when `includeOwn` (compaction needs their
   * close markers); otherwise their rows would be parsed and inserted twice.
   */
  poll(includeOwn = false): { added: number } {
    let added = 0;
    const onDisk = new Set(listJournals(this.journalDir));
    for (const file of onDisk) {
      const p = this.progress.get(file) ?? { offset: 0, closed: false };
      if (p.closed || (!includeOwn && this.ownFiles.has(file))) continue;
      const full = path.join(this.journalDir, file);
      let size: number;
      try { size = fs.statSync(full).size; } catch { continue; }
      if (size <= p.offset) {
        if (writerIsDead(file)) this.progress.set(file, { offset: p.offset, closed: true });
        continue;
      }
      const res = readJournal(full, p.offset);
      if (res.corrupt.length) {
        const first = res.corrupt[0]!;
        let quarantinedAs: string | undefined;
        try { quarantinedAs = quarantine(this.opts.dir, full, true); } catch { /* report anyway */ }
        this.report({ kind: 'journal', file, quarantinedAs, message: `${res.corrupt.length} damaged record(s) skipped (first at byte ${first.offset}: ${first.reason}); the other records were recovered` });
      }
      const ops = res.ops.filter((op) => op.v === 1 && (op.op === 'insert' || op.op === 'patch' || op.op === 'experiment'));
      if (ops.length < res.ops.length) this.report({ kind: 'journal', file, message: `${res.ops.length - ops.length} record(s) of an unknown version were skipped` });
      for (let i = 0; i < ops.length; i += 1000) added += this.apply(ops.slice(i, i + 1000));
      let closed = res.closed;
      // A writer that died without closing its journal never appends again: treat the file as
      // closed so compaction can retire it. Its torn last line was never acknowledged.
      if (!closed && writerIsDead(file)) {
        closed = true;
        if (res.tailBytes > 0) this.report({ kind: 'journal', file, message: `the last record (${res.tailBytes} bytes) of a writer that stopped mid-write was incomplete and skipped; it had not been acknowledged` });
      }
      this.progress.set(file, { offset: res.endOffset, closed });
    }
    // A journal we had not finished is gone: another process compacted and deleted it. The
    // snapshot on disk holds its rows, so the next compaction (or reload) picks them up.
    for (const [file, p] of this.progress) {
      if (onDisk.has(file)) continue;
      if (!p.closed) this.reloadNeeded = true;
      this.progress.delete(file);
    }
    return { added };
  }

  /** True when a journal vanished before we read it all: only a reload from the snapshot recovers its rows. */
  shouldReload(): boolean {
    return this.reloadNeeded;
  }

  async reload(): Promise<void> {
    const problems: StoreProblem[] = [];
    const { db, gen } = await loadNewestSnapshot(this.opts.dir, problems);
    this.db.close();
    this.db = db;
    this.gen = gen;
    this.rollupSeqSaved = rolledUpSeq(db.db);
    this.progress = db.getProgress();
    this.reloadNeeded = false;
    this.analyticsEngine.clearCache(); // another database: nothing cached about the old one holds
    for (const p of problems) this.report(p);
    this.poll(true);
  }

  // ---- queries ----

  history(filter: HistoryFilter = {}): HistoryPage {
    return this.db.history(filter);
  }

  count(): number { return this.db.count(); }

  qualityOverview(filter: QualityFilter = {}): QualityOverview {
    return qualityOverview(this.db.db, filter);
  }

  experiments(id?: string): ExperimentRow[] { return this.db.experiments(id); }

  /** KPIs, deltas, breakdowns and series over the rollups (brought up to date first). */
  analytics(q: AnalyticsQuery = {}): AnalyticsReport { return this.analyticsEngine.report(q); }

  analyticsCacheStats(): AnalyticsCacheStats { return this.analyticsEngine.cacheStats(); }

  /**
   * Rows folded into the rollups since the last snapshot. Building rollups for an upgraded
   * database takes long and leaves no pending rows: close and the idle worker compact when this
   * is large, or every start would build them again.
   */
  rollupsUnsaved(): number { return Math.abs(rolledUpSeq(this.db.db) - this.rollupSeqSaved); }

  /** Folds not-yet-rolled-up rows into the analytics rollups for up to `budgetMs`; returns rows folded. */
  catchUpRollups(budgetMs = Infinity): number { return this.analyticsEngine.refresh(budgetMs); }

  private lastRollupProblem = '';
  /**
   * The same off the query path (timer, compaction): a failure is reported once, not thrown,
   * so that analytics can never stop compactions or kill the worker; the next analytics query
   * retries and surfaces it to its caller.
   */
  catchUpRollupsInBackground(budgetMs: number): number {
    try {
      const n = this.catchUpRollups(budgetMs);
      this.lastRollupProblem = '';
      return n;
    } catch (e) {
      const message = `analytics rollups not updated: ${e instanceof Error ? e.message : String(e)}`;
      if (message !== this.lastRollupProblem) this.report({ kind: 'snapshot', file: '', message });
      this.lastRollupProblem = message;
      return 0;
    }
  }

  recentRuns(limit: number): RecentRun[] { return this.db.recentRuns(limit); }

  metricSamples(filter: SampleFilter): MetricSampleRow[] { return this.db.metricSamples(filter); }

  getExecution(id: string): ExecutionDetail | null {
    const summary = this.db.summaryById(id);
    if (!summary) return null;
    const loc = this.db.textLocation(id);
    if (loc?.pending) return { ...summary, promptText: loc.pending.prompt, responseText: loc.pending.response };
    if (loc?.ref) {
      try {
        const t = this.segments.read(loc.ref);
        return { ...summary, promptText: t.prompt, responseText: t.response };
      } catch (e) {
        return { ...summary, promptText: summary.promptSnippet, responseText: summary.responseSnippet, textError: (e as Error).message };
      }
    }
    return { ...summary, promptText: '', responseText: '', textError: 'texts not found' };
  }

  /** Every execution in seq order with full texts, a page at a time (for export). */
  *scanRecords(pageSize = 500): Generator<ExecutionRecord> {
    let after = 0;
    for (;;) {
      const page = this.db.scan(after, pageSize);
      if (!page.length) return;
      for (const row of page) {
        after = row.seq;
        const detail = this.getExecution(row.id);
        const { seq: _s, promptSnippet: _p, responseSnippet: _r, promptChars: _pc, responseChars: _rc, textRef: _t, ...rest } = row;
        yield { ...rest, promptText: detail?.promptText ?? '', responseText: detail?.responseText ?? '' };
      }
    }
  }

  stats(): StoreStats {
    const journals = listJournals(this.journalDir);
    let journalBytes = 0;
    for (const f of journals) { try { journalBytes += fs.statSync(path.join(this.journalDir, f)).size; } catch { /* deleted meanwhile */ } }
    let snapshotBytes = 0;
    try { snapshotBytes = readManifest(this.opts.dir)?.bytes ?? 0; } catch { /* reported at open */ }
    return {
      dir: this.opts.dir, executions: this.db.count(), pendingTexts: this.db.pendingCount(), snapshotGen: this.gen,
      snapshotBytes, journals: journals.length, journalBytes, ftsIndexedSeq: this.db.ftsIndexedSeq(), maxSeq: this.db.maxSeq(),
      schemaVersion: SCHEMA_VERSION, lastCompaction: this.lastCompaction, rollupBacklog: rollupBacklog(this.db.db),
    };
  }

  // ---- full-text indexing, in slices ----

  /** Indexes up to `maxRows` not-yet-indexed rows inside the FTS window. Returns rows indexed. */
  indexSome(maxRows = 500): number {
    const window = this.opts.ftsWindow ?? 100_000;
    const max = this.db.maxSeq();
    let from = Math.max(this.db.ftsIndexedSeq(), max - window);
    if (from >= max) return 0;
    const rows = this.db.unindexedRows(from, maxRows);
    const docs: Array<{ seq: number; prompt: string; response: string }> = [];
    for (const r of rows) {
      from = r.seq;
      if (r.prompt !== null) { docs.push({ seq: r.seq, prompt: r.prompt, response: r.response ?? '' }); continue; }
      if (!r.ref) continue;
      try { const t = this.segments.read(r.ref); docs.push({ seq: r.seq, prompt: t.prompt, response: t.response }); }
      catch (e) { this.report({ kind: 'segment', file: r.ref, message: `not indexed: ${(e as Error).message}` }); }
    }
    this.db.indexTexts(docs, from);
    return rows.length; // progress, even when some texts could not be read
  }

  /** Indexes until caught up or `budgetMs` has passed; returns rows indexed. */
  catchUpIndex(budgetMs = Infinity): number {
    const until = performance.now() + budgetMs;
    let n = 0;
    for (let k; (k = this.indexSome(1000)) > 0;) {
      n += k;
      if (performance.now() > until) break;
    }
    return n;
  }

  /** Rows inside the window that full-text search does not cover yet. */
  ftsBacklog(): number {
    const max = this.db.maxSeq();
    return Math.max(0, max - Math.max(this.db.ftsIndexedSeq(), max - (this.opts.ftsWindow ?? 100_000)));
  }

  /**
   * Keeps the FTS index to the window. Contentless FTS4 cannot delete a row, so once the
   * rows indexed before the window exceed a quarter of it, the index is dropped and the
   * window re-indexed (from segments) by the caller's indexing loop.
   */
  private trimFtsIndex(): boolean {
    const window = this.opts.ftsWindow ?? 100_000;
    const start = this.db.ftsStartSeq();
    const max = this.db.maxSeq();
    if (max - window - start <= Math.max(1000, window / 4)) return false;
    this.db.resetFts(Math.max(0, max - window));
    return true;
  }

  // ---- compaction ----

  /**
   * Folds journals and pending texts into a new snapshot. Serialised across processes by
   * the lock file; returns `skipped` when another process holds it.
   */
  compact(lockTimeoutMs = 5000): Promise<CompactResult> {
    if (!this.compacting) this.compacting = this.doCompact(lockTimeoutMs).finally(() => { this.compacting = null; });
    return this.compacting;
  }

  /**
   * A compaction that first runs `mutate` under the lock, on a database that is current
   * (reloaded/polled): restore, archive and optimize change the database this way, so the
   * change lands atomically with the next snapshot and no other process compacts in between.
   * If `mutate` throws, nothing is written and the next operation reloads from the snapshot.
   */
  async compactWith(mutate: () => void | Promise<void>, lockTimeoutMs = 60_000): Promise<CompactResult> {
    while (this.compacting) await this.compacting.catch(() => undefined);
    const run = this.doCompact(lockTimeoutMs, mutate).finally(() => { if (this.compacting === run) this.compacting = null; });
    this.compacting = run;
    return run;
  }

  private async doCompact(lockTimeoutMs: number, mutate?: () => void | Promise<void>): Promise<CompactResult> {
    const t0 = Date.now();
    const lock = await acquireLock(path.join(this.opts.dir, 'compact.lock'), lockTimeoutMs);
    if (!lock) return { skipped: 'another process is compacting', ms: Date.now() - t0 };
    try {
      const before = readManifest(this.opts.dir);
      // Someone else wrote a snapshot since we loaded ours: start from theirs, or we would
      // write one that lacks what they folded in from journals they have since deleted.
      if ((before?.gen ?? 0) !== this.gen || this.reloadNeeded) await this.reload();
      else this.poll(true);
      if (mutate) {
        try { await mutate(); } catch (e) { this.reloadNeeded = true; throw e; }
      }
      // Index while the texts are still at hand, then move them into a segment.
      // FTS indexing costs ~250 µs a row: a compaction spends at most a couple of seconds on
      // it, and the rest is indexed in the background (worker timer) or before a search
      // (catchUpIndex), so a bulk import is not held up by it. Rows indexed now are read from
      // pending texts; later ones from their segments.
      this.trimFtsIndex();
      this.catchUpIndex(this.opts.compactionIndexBudgetMs ?? 2000);
      // Rollups travel with the snapshot; whatever the budget leaves is caught up later.
      this.catchUpRollupsInBackground(this.opts.compactionIndexBudgetMs ?? 2000);
      let moved = 0;
      for (;;) {
        const batch = this.db.pendingTexts(1000);
        if (!batch.length) break;
        const refs = batch.map((t) => ({ seq: t.seq, ref: this.segments.append({ prompt: t.prompt, response: t.response }) }));
        this.segments.sync();
        this.db.settleTexts(refs);
        moved += refs.length;
      }
      // Free pages left by texts that moved to segments (a bulk import puts them all in
      // pending_texts first) would be exported with every snapshot: reclaim them when they
      // are a quarter of the file.
      const pageInfo = (pragma: string) => Number(this.db.db.exec(`PRAGMA ${pragma}`)[0]?.values[0]?.[0] ?? 0);
      const free = pageInfo('freelist_count');
      if (free > pageInfo('page_count') / 4 && free * pageInfo('page_size') > 8 * 1024 * 1024) this.db.db.run('VACUUM');
      // Planner statistics follow the data (without them SQLite skipped the covering index).
      const rows = this.db.count();
      if (rows > Number(this.db.getMeta('analyzed_rows') ?? 0) * 1.25 + 1000) {
        this.db.db.run('ANALYZE');
        this.db.setMeta('analyzed_rows', String(rows));
      }
      const gen = this.gen + 1;
      const closedJournals = [...this.progress].filter(([, p]) => p.closed).map(([f]) => f);
      this.db.setProgress(this.progress);
      this.db.setMeta('generation', String(gen));
      const rolledUp = rolledUpSeq(this.db.db);
      const bytes = this.db.export();
      const file = `snapshot-${String(gen).padStart(8, '0')}.sqlite`;
      writeFileAtomic(path.join(this.opts.dir, file), bytes);
      const info = { gen, file, sha256: sha256(bytes), bytes: bytes.length, createdAt: new Date().toISOString(), rows: this.db.count() };
      const previous = before ? { gen: before.gen, file: before.file, sha256: before.sha256, bytes: before.bytes, createdAt: before.createdAt, rows: before.rows } : null;
      const manifest: Manifest = { ...info, schemaVersion: SCHEMA_VERSION, closedJournals, previous };
      writeFileAtomic(path.join(this.opts.dir, MANIFEST), JSON.stringify(manifest, null, 2));
      this.gen = gen;
      this.rollupSeqSaved = rolledUp;
      // Both kept snapshots now cover the journals the previous one listed as closed.
      let deletedJournals = 0;
      for (const j of before?.closedJournals ?? []) {
        try { fs.rmSync(path.join(this.journalDir, j)); deletedJournals++; } catch { /* already gone */ }
        this.progress.delete(j);
      }
      this.db.forgetProgress(before?.closedJournals ?? []);
      if (deletedJournals) fsyncDir(this.journalDir);
      for (const f of fs.readdirSync(this.opts.dir)) {
        if (/^snapshot-\d+\.sqlite$/.test(f) && f !== file && f !== previous?.file) fs.rmSync(path.join(this.opts.dir, f), { force: true });
      }
      this.lastCompaction = { at: Date.now(), durationMs: Date.now() - t0, rows: info.rows };
      return { gen, rows: info.rows, bytes: info.bytes, movedTexts: moved, deletedJournals, ms: Date.now() - t0 };
    } finally {
      lock.release();
    }
  }

  close(): void {
    this.segments.close();
    this.db.close();
  }
}

/** Journal names start `<time36>-<pid>-<random>`; a writer whose process is gone is dead. */
function writerIsDead(file: string): boolean {
  const pid = Number(/^[0-9a-z]+-(\d+)-/.exec(file)?.[1]);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Newest snapshot that passes its checksum and integrity check; damaged ones are quarantined. */
async function loadNewestSnapshot(dir: string, problems: StoreProblem[]): Promise<{ db: ExecutionDb; gen: number }> {
  let manifest: Manifest | null = null;
  try {
    manifest = readManifest(dir);
  } catch (e) {
    const q = quarantine(dir, path.join(dir, MANIFEST));
    problems.push({ kind: 'snapshot', file: MANIFEST, message: (e as Error).message, quarantinedAs: q });
    // Without a manifest, try the newest snapshot files by name, unverified but integrity-checked.
    const files = fs.readdirSync(dir).filter((f) => /^snapshot-\d+\.sqlite$/.test(f)).sort().reverse();
    for (const f of files) {
      try {
        const db = await Db.open(fs.readFileSync(path.join(dir, f)), { owned: true });
        return { db, gen: Number(f.match(/\d+/)![0]) };
      } catch (err) {
        problems.push({ kind: 'snapshot', file: f, message: (err as Error).message, quarantinedAs: quarantine(dir, path.join(dir, f)) });
      }
    }
  }
  const candidates = manifest ? [manifest, ...(manifest.previous ? [manifest.previous] : [])] : [];
  for (const c of candidates) {
    try {
      const db = await Db.open(readSnapshot(dir, c), { verified: true, owned: true });
      return { db, gen: c.gen };
    } catch (e) {
      const message = (e as Error).message;
      if (/newer than this Prompt Lab/.test(message)) throw e; // not damage: refuse rather than quarantine
      let quarantinedAs: string | undefined;
      try { quarantinedAs = quarantine(dir, path.join(dir, c.file)); } catch { /* missing file */ }
      problems.push({ kind: 'snapshot', file: c.file, message: `${message}; falling back`, quarantinedAs });
    }
  }
  // No usable snapshot: every journal is replayed from its start.
  return { db: await Db.open(), gen: manifest?.gen ?? 0 };
}
