import type { Database, SqlValue, Statement } from 'sql.js';
import type { ExecutionPatch, ExecutionRecord } from './executionRecord';
import type { ExperimentRow, MetricSampleRow, SampleFilter } from './experimentQueries';
import { listExperiments, metricSamples, upsertExperiment } from './experimentQueries';
import { migrate } from './migrations';
import { loadSqlJs, sqlNumber, sqlString, withStatement } from './sqlJs';

export const SNIPPET_CHARS = 240;

/** A history row: everything but the full texts (those are fetched one at a time). */
export interface ExecutionSummary extends Omit<ExecutionRecord, 'promptText' | 'responseText'> {
  seq: number;
  promptSnippet: string;
  responseSnippet: string;
  promptChars: number;
  responseChars: number;
}

export interface HistoryCursor { createdAt: number; seq: number }

export interface HistoryFilter {
  limit?: number;
  promptId?: string;
  search?: string;
  since?: number;
  until?: number;
  success?: boolean;
  tag?: string;
  provider?: string;
  model?: string;
  variant?: string;
  experimentId?: string;
  runId?: string;
  /** The prompt file's content hash at run time (executions.prompt_version). */
  promptVersion?: string;
  /** Inclusive quality_score bounds; executions without a score never match a bound. */
  qualityMin?: number;
  qualityMax?: number;
  /** true: only responses served from the cache (tag `cache-hit`); false: only the others. */
  cacheHit?: boolean;
  after?: HistoryCursor;
}

/** One run as the Recent Runs tree shows it (counts over the whole run, not a window). */
export interface RecentRun { runId: string; promptId: string; startedAt: number; finishedAt: number; total: number; succeeded: number; failed: number }

export interface HistoryPage { rows: ExecutionSummary[]; next: HistoryCursor | null }

export type { ExperimentRow, MetricSampleRow, SampleFilter } from './experimentQueries';

const INSERT_SQL = `INSERT OR IGNORE INTO executions (id, prompt_id, prompt_version, prompt_hash, variant, experiment_id, run_id,
  test_case_id, provider, model, model_config, prompt_snippet, response_snippet, prompt_chars, response_chars, text_ref,
  tokens_in, tokens_out, cost_usd, latency_ms, ttft_ms, success, error_type, error_message, quality_score, quality, tags,
  metadata, user_id, session_id, environment, created_at)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;

const SUMMARY_COLUMNS = `e.seq, e.id, e.prompt_id, e.prompt_version, e.prompt_hash, e.variant, e.experiment_id, e.run_id,
  e.test_case_id, e.provider, e.model, e.model_config, e.prompt_snippet, e.response_snippet, e.prompt_chars, e.response_chars,
  e.tokens_in, e.tokens_out, e.cost_usd, e.latency_ms, e.ttft_ms, e.success, e.error_type, e.error_message, e.quality_score,
  e.quality, e.tags, e.metadata, e.user_id, e.session_id, e.environment, e.created_at`;

/**
 * The sql.js database of executions: schema, batched writes and the panels' queries.
 * Synchronous and single-threaded by design; the store decides which thread owns it.
 * Every prepared statement is freed (an unfreed one leaks WASM heap for good).
 */
export class ExecutionDb {
  private constructor(readonly db: Database) {}

  /**
   * Opens a database image. `verified`: the bytes matched the snapshot's sha256, so they are
   * exactly what a healthy database exported and the (slow: seconds at 100k rows) integrity
   * check is skipped; anything unverified is checked. `owned`: the caller hands the buffer
   * over (a fresh file read), so no defensive copy is made.
   */
  static async open(bytes?: Uint8Array, opts: { verified?: boolean; owned?: boolean } = {}): Promise<ExecutionDb> {
    const SQL = await loadSqlJs();
    // The buffer handed to sql.js becomes the database: a caller's buffer gets a copy.
    const db = bytes ? new SQL.Database(opts.owned ? bytes : new Uint8Array(bytes)) : new SQL.Database();
    try {
      if (!bytes) db.run('PRAGMA page_size = 16384');
      if (bytes && !opts.verified) {
        const check = db.exec('PRAGMA quick_check');
        const verdict = String(check[0]?.values[0]?.[0] ?? '');
        if (verdict !== 'ok') throw new Error(`integrity check failed: ${verdict}`);
      }
      migrate(db);
    } catch (e) {
      db.close();
      throw e instanceof Error ? e : new Error(String(e));
    }
    return new ExecutionDb(db);
  }

  close(): void {
    this.db.close();
  }

  export(): Uint8Array {
    return this.db.export();
  }

  private withStatement<T>(sql: string, fn: (st: Statement) => T): T { return withStatement(this.db, sql, fn); }

  private transaction<T>(fn: () => T): T {
    this.db.run('BEGIN');
    try {
      const r = fn();
      this.db.run('COMMIT');
      return r;
    } catch (e) {
      this.db.run('ROLLBACK');
      throw e instanceof Error ? e : new Error(String(e));
    }
  }

  /** INSERT OR IGNORE by id: replaying a journal twice is harmless. Returns rows added. */
  insertBatch(records: readonly ExecutionRecord[], textRefs?: ReadonlyArray<string | null>): number {
    if (records.length === 0) return 0;
    return this.transaction(() => {
      let added = 0;
      const ins = this.db.prepare(INSERT_SQL);
      const pend = this.db.prepare('INSERT INTO pending_texts(seq, prompt_text, response_text) VALUES (?,?,?)');
      try {
        records.forEach((r, i) => {
          const ref = textRefs?.[i] ?? null;
          ins.run(recordParams(r, ref));
          if (this.db.getRowsModified() === 0) return;
          added++;
          const seq = this.lastRowId();
          if (!ref) pend.run([seq, r.promptText, r.responseText]);
          if (r.tags.length) this.linkTags(seq, r.tags);
        });
      } finally {
        ins.free();
        pend.free();
      }
      return added;
    });
  }

  private lastRowId(): number {
    return Number(this.db.exec('SELECT last_insert_rowid()')[0]!.values[0]![0]);
  }

  private linkTags(seq: number, tags: readonly string[]): void {
    for (const t of new Set(tags)) {
      this.db.run('INSERT OR IGNORE INTO tags(name) VALUES (?)', [t]);
      this.db.run('INSERT OR IGNORE INTO execution_tags(tag_id, seq) SELECT id, ? FROM tags WHERE name = ?', [seq, t]);
    }
  }

  applyPatches(patches: readonly ExecutionPatch[]): number {
    if (patches.length === 0) return 0;
    return this.transaction(() => {
      let changed = 0;
      for (const p of patches) {
        const seqRow = this.db.exec('SELECT seq FROM executions WHERE id = ?', [p.id]);
        const seq = seqRow[0]?.values[0]?.[0];
        if (seq === undefined) continue;
        const sets: string[] = [];
        const params: SqlValue[] = [];
        if (p.qualityScore !== undefined) { sets.push('quality_score = ?'); params.push(p.qualityScore); }
        if (p.quality !== undefined) { sets.push('quality = ?'); params.push(p.quality === null ? null : JSON.stringify(p.quality)); }
        if (p.metadata !== undefined) { sets.push('metadata = ?'); params.push(JSON.stringify(p.metadata)); }
        if (p.tags !== undefined) {
          sets.push('tags = ?');
          params.push(JSON.stringify(p.tags));
          this.db.run('DELETE FROM execution_tags WHERE seq = ?', [Number(seq)]);
          this.linkTags(Number(seq), p.tags);
        }
        if (!sets.length) continue;
        this.db.run(`UPDATE executions SET ${sets.join(', ')} WHERE seq = ?`, [...params, Number(seq)]);
        changed++;
      }
      return changed;
    });
  }

  // ---- journal progress (which part of which journal this database already holds) ----

  getProgress(): Map<string, { offset: number; closed: boolean }> {
    const m = new Map<string, { offset: number; closed: boolean }>();
    for (const row of this.db.exec('SELECT file, offset, closed FROM journal_progress')[0]?.values ?? []) {
      m.set(String(row[0]), { offset: Number(row[1]), closed: Number(row[2]) === 1 });
    }
    return m;
  }

  setProgress(entries: Iterable<[string, { offset: number; closed: boolean }]>): void {
    this.withStatement('INSERT INTO journal_progress(file, offset, closed) VALUES (?,?,?) ON CONFLICT(file) DO UPDATE SET offset=excluded.offset, closed=excluded.closed', (st) => {
      for (const [file, p] of entries) st.run([file, p.offset, p.closed ? 1 : 0]);
    });
  }

  forgetProgress(files: readonly string[]): void {
    for (const f of files) this.db.run('DELETE FROM journal_progress WHERE file = ?', [f]);
  }

  getMeta(key: string): string | null {
    const v = this.db.exec('SELECT value FROM store_meta WHERE key = ?', [key])[0]?.values[0]?.[0];
    return v === undefined || v === null ? null : String(v);
  }

  setMeta(key: string, value: string): void {
    this.db.run('INSERT INTO store_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  // ---- texts ----

  pendingTexts(limit: number, afterSeq = 0): Array<{ seq: number; prompt: string; response: string }> {
    return this.withStatement('SELECT seq, prompt_text, response_text FROM pending_texts WHERE seq > ? ORDER BY seq LIMIT ?', (st) => {
      st.bind([afterSeq, limit]);
      const out: Array<{ seq: number; prompt: string; response: string }> = [];
      while (st.step()) {
        const r = st.get();
        out.push({ seq: Number(r[0]), prompt: String(r[1]), response: String(r[2]) });
      }
      return out;
    });
  }

  private hasPendingAfter(seq: number): boolean {
    return this.db.exec('SELECT 1 FROM pending_texts WHERE seq > ? LIMIT 1', [seq]).length > 0;
  }

  pendingCount(): number {
    return Number(this.db.exec('SELECT COUNT(*) FROM pending_texts')[0]!.values[0]![0]);
  }

  /** Marks texts as moved into a segment (one transaction per batch). */
  settleTexts(moved: ReadonlyArray<{ seq: number; ref: string }>): void {
    this.transaction(() => {
      const up = this.db.prepare('UPDATE executions SET text_ref = ? WHERE seq = ?');
      const del = this.db.prepare('DELETE FROM pending_texts WHERE seq = ?');
      try {
        for (const m of moved) { up.run([m.ref, m.seq]); del.run([m.seq]); }
      } finally { up.free(); del.free(); }
    });
  }

  textLocation(id: string): { seq: number; ref: string | null; pending: { prompt: string; response: string } | null } | null {
    const r = this.db.exec('SELECT e.seq, e.text_ref, p.prompt_text, p.response_text FROM executions e LEFT JOIN pending_texts p ON p.seq = e.seq WHERE e.id = ?', [id])[0]?.values[0];
    if (!r) return null;
    return { seq: Number(r[0]), ref: r[1] === null ? null : String(r[1]), pending: r[2] === null ? null : { prompt: String(r[2]), response: String(r[3]) } };
  }

  // ---- full-text index (batched, off the insert path) ----

  /** First seq the FTS index may hold (rows before it were dropped with the old index). */
  ftsStartSeq(): number {
    return Number(this.getMeta('fts_start_seq') ?? 0);
  }

  /** Drops every FTS entry; indexing restarts after `fromSeq`. */
  resetFts(fromSeq: number): void {
    this.transaction(() => {
      this.db.run('DROP TABLE executions_fts');
      this.db.run('CREATE VIRTUAL TABLE executions_fts USING fts4(content="", prompt, response)');
      this.setMeta('fts_start_seq', String(fromSeq));
      this.setMeta('fts_indexed_seq', String(fromSeq));
    });
  }

  ftsIndexedSeq(): number {
    return Number(this.getMeta('fts_indexed_seq') ?? 0);
  }

  maxSeq(): number {
    return Number(this.db.exec('SELECT COALESCE(MAX(seq), 0) FROM executions')[0]!.values[0]![0]);
  }

  /** Indexes rows after the high-water mark; `texts` supplies texts not in pending_texts. */
  indexTexts(rows: ReadonlyArray<{ seq: number; prompt: string; response: string }>, upTo: number): void {
    this.transaction(() => {
      this.withStatement('INSERT INTO executions_fts(docid, prompt, response) VALUES (?,?,?)', (st) => {
        for (const r of rows) st.run([r.seq, r.prompt, r.response]);
      });
      this.setMeta('fts_indexed_seq', String(upTo));
    });
  }

  /** Rows with seq in (after, upTo] that need texts for indexing, with pending texts when present. */
  unindexedRows(after: number, limit: number): Array<{ seq: number; ref: string | null; prompt: string | null; response: string | null }> {
    return this.withStatement(`SELECT e.seq, e.text_ref, p.prompt_text, p.response_text FROM executions e
        LEFT JOIN pending_texts p ON p.seq = e.seq WHERE e.seq > ? ORDER BY e.seq LIMIT ?`, (st) => {
      st.bind([after, limit]);
      const out: Array<{ seq: number; ref: string | null; prompt: string | null; response: string | null }> = [];
      while (st.step()) {
        const r = st.get();
        out.push({ seq: Number(r[0]), ref: r[1] === null ? null : String(r[1]), prompt: r[2] === null ? null : String(r[2]), response: r[3] === null ? null : String(r[3]) });
      }
      return out;
    });
  }

  // ---- queries ----

  count(): number {
    return Number(this.db.exec('SELECT COUNT(*) FROM executions')[0]!.values[0]![0]);
  }

  history(filter: HistoryFilter = {}): HistoryPage {
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 5000));
    const where: string[] = [];
    const params: SqlValue[] = [];
    const eq = (col: string, v: string | undefined) => { if (v !== undefined) { where.push(`e.${col} = ?`); params.push(v); } };
    eq('prompt_id', filter.promptId);
    eq('provider', filter.provider);
    eq('model', filter.model);
    eq('variant', filter.variant);
    eq('experiment_id', filter.experimentId);
    eq('run_id', filter.runId);
    eq('prompt_version', filter.promptVersion);
    if (filter.qualityMin !== undefined) { where.push('e.quality_score >= ?'); params.push(filter.qualityMin); }
    if (filter.qualityMax !== undefined) { where.push('e.quality_score <= ?'); params.push(filter.qualityMax); }
    if (filter.cacheHit !== undefined) {
      // Same probe as the tag filter below: one (tag_id, seq) key lookup per candidate row.
      where.push(`${filter.cacheHit ? '' : 'NOT '}EXISTS (SELECT 1 FROM execution_tags t WHERE t.tag_id = (SELECT id FROM tags WHERE name = 'cache-hit') AND t.seq = e.seq)`);
    }
    if (filter.success !== undefined) { where.push('e.success = ?'); params.push(filter.success ? 1 : 0); }
    if (filter.since !== undefined) { where.push('e.created_at >= ?'); params.push(filter.since); }
    if (filter.until !== undefined) { where.push('e.created_at < ?'); params.push(filter.until); }
    if (filter.tag !== undefined) {
      // EXISTS probes the (tag_id, seq) key per candidate row in date order: fast for common
      // tags (IN would collect and sort every tagged row first: 150 ms for a 30% tag at 100k).
      where.push('EXISTS (SELECT 1 FROM execution_tags t WHERE t.tag_id = (SELECT id FROM tags WHERE name = ?) AND t.seq = e.seq)');
      params.push(filter.tag);
    }
    if (filter.search !== undefined && filter.search.trim()) {
      const match = ftsQuery(filter.search);
      const indexedUpTo = this.ftsIndexedSeq();
      if (this.hasPendingAfter(indexedUpTo)) {
        // Indexed rows through FTS4; the not-yet-indexed tail by LIKE over its pending texts.
        const like = `%${filter.search.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        where.push(`(e.seq IN (SELECT docid FROM executions_fts WHERE executions_fts MATCH ?)
          OR e.seq IN (SELECT seq FROM pending_texts WHERE seq > ? AND (prompt_text LIKE ? ESCAPE '\\' OR response_text LIKE ? ESCAPE '\\')))`);
        params.push(match, indexedUpTo, like, like);
      } else {
        where.push('e.seq IN (SELECT docid FROM executions_fts WHERE executions_fts MATCH ?)');
        params.push(match);
      }
    }
    if (filter.after) { where.push('(e.created_at, e.seq) < (?, ?)'); params.push(filter.after.createdAt, filter.after.seq); }
    // Two phases: pick the page's keys (filter, sort, limit on narrow rows), then read their
    // columns; sorting thousands of FTS matches with every column attached was the slow part.
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM executions e WHERE e.seq IN (
        SELECT e.seq FROM executions e ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY e.created_at DESC, e.seq DESC LIMIT ?)
      ORDER BY e.created_at DESC, e.seq DESC`;
    params.push(limit + 1);
    const rows = this.withStatement(sql, (st) => {
      st.bind(params);
      const out: ExecutionSummary[] = [];
      while (st.step()) out.push(summaryFromRow(st.get()));
      return out;
    });
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { rows, next: more && last ? { createdAt: Date.parse(last.createdAt), seq: last.seq } : null };
  }

  /**
   * The newest runs: run ids come from the newest `window` rows only (created_at index, so
   * the cost does not grow with the table), then each run is counted in full by idx_exec_run.
   */
  recentRuns(limit: number, window = 5000): RecentRun[] {
    const sql = `WITH recent AS (
        SELECT run_id, MAX(created_at) AS last FROM (
          SELECT e.run_id, e.created_at FROM executions e ORDER BY e.created_at DESC, e.seq DESC LIMIT ?)
        WHERE run_id IS NOT NULL GROUP BY run_id ORDER BY last DESC LIMIT ?)
      SELECT r.run_id, MIN(e.prompt_id), MIN(e.created_at), MAX(e.created_at), COUNT(*), SUM(e.success)
      FROM recent r JOIN executions e ON e.run_id = r.run_id
      GROUP BY r.run_id ORDER BY MAX(e.created_at) DESC, r.run_id`;
    return this.withStatement(sql, (st) => {
      st.bind([Math.max(1, window), Math.max(1, Math.min(limit, 1000))]);
      const out: RecentRun[] = [];
      while (st.step()) {
        const r = st.get();
        const total = Number(r[4]);
        const succeeded = Number(r[5]);
        out.push({ runId: String(r[0]), promptId: String(r[1]), startedAt: Number(r[2]), finishedAt: Number(r[3]), total, succeeded, failed: total - succeeded });
      }
      return out;
    });
  }

  summaryById(id: string): ExecutionSummary | null {
    return this.withStatement(`SELECT ${SUMMARY_COLUMNS} FROM executions e WHERE e.id = ?`, (st) => {
      st.bind([id]);
      return st.step() ? summaryFromRow(st.get()) : null;
    });
  }

  /** Rows in seq order for streaming export (seq-keyed pages, not OFFSET). */
  scan(afterSeq: number, limit: number): Array<ExecutionSummary & { textRef: string | null }> {
    return this.withStatement(`SELECT ${SUMMARY_COLUMNS}, e.text_ref FROM executions e WHERE e.seq > ? ORDER BY e.seq LIMIT ?`, (st) => {
      st.bind([afterSeq, limit]);
      const out: Array<ExecutionSummary & { textRef: string | null }> = [];
      while (st.step()) {
        const r = st.get();
        out.push({ ...summaryFromRow(r), textRef: r[32] === null ? null : String(r[32]) });
      }
      return out;
    });
  }

  // ---- experiments (compare) ----

  /** Insert or replace one experiment row (journalled by the caller as an 'experiment' op). */
  upsertExperiment(x: ExperimentRow): void { upsertExperiment(this.db, x); }

  /** Experiments, newest first (one when `id` is given). */
  experiments(id?: string): ExperimentRow[] { return listExperiments(this.db, id); }

  /** Per-execution metric values for statistics (see experimentQueries.ts). */
  metricSamples(filter: SampleFilter): MetricSampleRow[] { return metricSamples(this.db, filter); }
}

/** User text to an FTS4 query: each word quoted (no operators injected), all required. */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.length ? words.map((w) => `"${w}"`).join(' ') : '""';
}

function recordParams(r: ExecutionRecord, ref: string | null): SqlValue[] {
  return [r.id, r.promptId, r.promptVersion, r.promptHash, r.variant, r.experimentId, r.runId, r.testCaseId, r.provider,
    r.model, JSON.stringify(r.modelConfig), r.promptText.slice(0, SNIPPET_CHARS), r.responseText.slice(0, SNIPPET_CHARS),
    r.promptText.length, r.responseText.length, ref, r.tokensIn, r.tokensOut, r.costUsd, r.latencyMs, r.timeToFirstTokenMs,
    r.success ? 1 : 0, r.errorType, r.errorMessage, r.qualityScore, r.quality === null ? null : JSON.stringify(r.quality),
    JSON.stringify(r.tags), JSON.stringify(r.metadata), r.userId, r.sessionId, r.environment, Date.parse(r.createdAt)];
}

const str = sqlString;
const num = sqlNumber;

function summaryFromRow(r: SqlValue[]): ExecutionSummary {
  return {
    seq: Number(r[0]), id: String(r[1]), promptId: String(r[2]), promptVersion: str(r[3]), promptHash: str(r[4]),
    variant: str(r[5]), experimentId: str(r[6]), runId: str(r[7]), testCaseId: str(r[8]), provider: str(r[9]),
    model: str(r[10]), modelConfig: JSON.parse(String(r[11])) as Record<string, unknown>,
    promptSnippet: String(r[12]), responseSnippet: String(r[13]), promptChars: Number(r[14]), responseChars: Number(r[15]),
    tokensIn: num(r[16]), tokensOut: num(r[17]), costUsd: num(r[18]), latencyMs: num(r[19]), timeToFirstTokenMs: num(r[20]),
    success: Number(r[21]) === 1, errorType: str(r[22]), errorMessage: str(r[23]), qualityScore: num(r[24]),
    quality: r[25] === null ? null : (JSON.parse(String(r[25])) as Record<string, unknown>),
    tags: JSON.parse(String(r[26])) as string[], metadata: JSON.parse(String(r[27])) as Record<string, unknown>,
    userId: str(r[28]), sessionId: str(r[29]), environment: str(r[30]), createdAt: new Date(Number(r[31])).toISOString(),
  };
}
