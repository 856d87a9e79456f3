import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionRecord } from './executionRecord';
import type { ExecutionDetail, ExecutionStore } from './executionStore';
import type { HistoryFilter, HistoryPage } from './executionDb';
import { ExecutionDb } from './executionDb';
import { INLINE_REF, encodeTexts, ensureInlineTexts, inlineRecord } from './backup';
import { readManifest, writeFileAtomic } from './snapshot';

/*
 * Archive: executions older than N days move to `<db>/archive/YYYY-MM.sqlite` (one file per
 * month of created_at, UTC), self-contained images like backups (texts inlined). Crash-safe
 * in two steps: (1) rows are added to the month's file (INSERT OR IGNORE by id; temp + fsync
 * + rename), (2) only rows confirmed present in their archive file are deleted from the
 * live database, inside a compaction. A kill between the steps leaves rows in both places;
 * a rerun ignores the copies already archived and deletes them: nothing lost, nothing twice.
 * Texts of archived rows stay in the live text segments (they are append-only and never
 * rewritten), so archiving shrinks the snapshot, not texts/.
 */

const DAY = 86_400_000;

export interface ArchiveWriteResult { cutoff: number; files: string[]; candidates: number; added: number; alreadyArchived: number; archivedIds: string[] }
export interface ArchiveResult { cutoff: string; files: string[]; candidates: number; added: number; alreadyArchived: number; deleted: number; bytesBefore: number; bytesAfter: number; ms: number }

export function archiveDir(dbDir: string): string { return path.join(dbDir, 'archive'); }

/** Opens an archive (or backup) image read-only in memory; a missing file gives an empty database when `create`. */
export async function openArchive(file: string, create = false): Promise<ExecutionDb> {
  let bytes: Buffer | undefined;
  try { bytes = fs.readFileSync(file); } catch (e) {
    if (!create || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read archive ${file}: ${(e as Error).message}`);
  }
  const db = await ExecutionDb.open(bytes, { owned: true });
  ensureInlineTexts(db.db);
  return db;
}

/** History of an archive file (same filters as the live history; search matches snippets only). */
export async function archiveHistory(file: string, filter: HistoryFilter = {}): Promise<HistoryPage> {
  const db = await openArchive(file);
  try {
    const { search, ...rest } = filter;
    if (search === undefined || !search.trim()) return db.history(rest);
    // Archives keep no FTS index: fall back to a LIKE over the snippets.
    const like = `%${search.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    const ids = new Set((db.db.exec("SELECT id FROM executions WHERE prompt_snippet LIKE ? ESCAPE '\\' OR response_snippet LIKE ? ESCAPE '\\'", [like, like])[0]?.values ?? []).map((v) => String(v[0])));
    const page = db.history({ ...rest, limit: 5000 });
    return { rows: page.rows.filter((r) => ids.has(r.id)).slice(0, filter.limit ?? 100), next: null };
  } finally { db.close(); }
}

/** One archived execution with its full texts. */
export async function archiveExecution(file: string, id: string): Promise<ExecutionDetail | null> {
  const db = await openArchive(file);
  try {
    const s = db.summaryById(id);
    if (!s) return null;
    const r = inlineRecord(db.db, s);
    return { ...s, promptText: r.promptText, responseText: r.responseText };
  } finally { db.close(); }
}

/**
 * An archiver killed while writing a month's file leaves `<month>.sqlite.tmp-<pid>` (the
 * month file itself is only ever replaced whole): as large as the archive, never read.
 * Removed on the next run, unless its process still lives (another archive in progress).
 */
function removeDeadTempFiles(dir: string): void {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const f of names) {
    const m = /^\d{4}-\d{2}\.sqlite\.tmp-(\d+)$/.exec(f);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    try { fs.rmSync(path.join(dir, f), { force: true }); } catch { /* raced with another cleaner */ }
  }
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Step 1: adds executions created before `cutoff` to their month's archive file. */
export async function writeArchives(engine: ExecutionStore, cutoff: number): Promise<ArchiveWriteResult> {
  const live = engine.database;
  const months = (live.db.exec("SELECT DISTINCT strftime('%Y-%m', created_at / 1000, 'unixepoch') FROM executions WHERE created_at < ? ORDER BY 1", [cutoff])[0]?.values ?? []).map((v) => String(v[0]));
  const res: ArchiveWriteResult = { cutoff, files: [], candidates: 0, added: 0, alreadyArchived: 0, archivedIds: [] };
  removeDeadTempFiles(archiveDir(engine.dir));
  if (!months.length) return res;
  fs.mkdirSync(archiveDir(engine.dir), { recursive: true });
  for (const month of months) {
    const start = Date.parse(`${month}-01T00:00:00Z`);
    const next = new Date(start); next.setUTCMonth(next.getUTCMonth() + 1);
    const until = Math.min(cutoff, next.getTime());
    const file = path.join(archiveDir(engine.dir), `${month}.sqlite`);
    const arch = await openArchive(file, true);
    try {
      let cursor: HistoryFilter['after'];
      const ids: string[] = [];
      for (;;) {
        const page = live.history({ since: start, until, limit: 1000, ...(cursor ? { after: cursor } : {}) });
        const records: ExecutionRecord[] = [];
        for (const row of page.rows) {
          const d = engine.getExecution(row.id);
          if (!d) continue;
          if (d.textError) throw new Error(`cannot archive ${row.id}: its texts cannot be read (${d.textError}); nothing was deleted`);
          const { seq: _s, promptSnippet: _p, responseSnippet: _r, promptChars: _pc, responseChars: _rc, textError: _te, ...rec } = d;
          records.push(rec);
        }
        res.candidates += records.length;
        const added = arch.insertBatch(records, records.map(() => INLINE_REF));
        res.added += added;
        res.alreadyArchived += records.length - added;
        const ins = arch.db.prepare('INSERT OR IGNORE INTO inline_texts(seq, data) SELECT seq, ? FROM executions WHERE id = ?');
        try {
          for (const r of records) { ins.run([encodeTexts(r.promptText, r.responseText), r.id]); ids.push(r.id); }
        } finally { ins.free(); }
        if (!page.next) break;
        cursor = page.next;
      }
      writeFileAtomic(file, arch.export());
      // Delete only what the file on disk now holds.
      const check = await openArchive(file);
      try {
        const st = check.db.prepare('SELECT 1 FROM executions e JOIN inline_texts t ON t.seq = e.seq WHERE e.id = ?');
        try {
          for (const id of ids) {
            st.bind([id]);
            if (st.step()) res.archivedIds.push(id);
            st.reset();
          }
        } finally { st.free(); }
      } finally { check.close(); }
      res.files.push(file);
    } finally { arch.close(); }
  }
  return res;
}

/** Step 2: deletes archived rows from the live database in a compaction. */
export async function deleteArchived(engine: ExecutionStore, ids: readonly string[], cutoff: number): Promise<{ deleted: number; gen?: number; bytes?: number }> {
  let deleted = 0;
  const r = await engine.compactWith(() => {
    const db = engine.database.db;
    db.run('BEGIN');
    try {
      const seqOf = db.prepare('SELECT seq FROM executions WHERE id = ? AND created_at < ?');
      try {
        for (const id of ids) {
          seqOf.bind([id, cutoff]);
          const seq = seqOf.step() ? Number(seqOf.get()[0]) : null;
          seqOf.reset();
          if (seq === null) continue;
          db.run('DELETE FROM execution_tags WHERE seq = ?', [seq]);
          db.run('DELETE FROM pending_texts WHERE seq = ?', [seq]);
          db.run('DELETE FROM executions WHERE seq = ?', [seq]);
          deleted++;
        }
      } finally { seqOf.free(); }
      db.run('COMMIT');
    } catch (e) {
      db.run('ROLLBACK');
      throw e;
    }
    // Without AUTOINCREMENT a deleted top seq is handed out again, and contentless FTS4
    // cannot drop the deleted rows' terms: rebuild the index (the compaction and the
    // background timer re-index), or a new row could match an archived row's words.
    if (deleted) {
      const live = engine.database;
      live.resetFts(Math.min(live.ftsStartSeq(), live.maxSeq()));
    }
  });
  if (r.skipped) throw new Error(`archived rows were written but not yet removed from the live database: ${r.skipped}; run again`);
  return { deleted, gen: r.gen, bytes: r.bytes };
}

/** Moves executions older than `days` days into the monthly archive files. */
export async function archiveOlderThan(engine: ExecutionStore, days: number, now = Date.now()): Promise<ArchiveResult> {
  if (!Number.isFinite(days) || days < 1) throw new Error('days must be at least 1');
  const t0 = Date.now();
  const cutoff = now - days * DAY;
  let bytesBefore = 0;
  try { bytesBefore = readManifest(engine.dir)?.bytes ?? 0; } catch { /* reported at open */ }
  // Fold other processes' journals in first, so their old rows are archived too.
  engine.poll();
  const w = await writeArchives(engine, cutoff);
  const d = w.archivedIds.length ? await deleteArchived(engine, w.archivedIds, cutoff) : { deleted: 0, bytes: bytesBefore };
  return { cutoff: new Date(cutoff).toISOString(), files: w.files, candidates: w.candidates, added: w.added, alreadyArchived: w.alreadyArchived, deleted: d.deleted,
    bytesBefore, bytesAfter: d.bytes ?? bytesBefore, ms: Date.now() - t0 };
}

export interface OptimizeResult { bytesBefore: number; bytesAfter: number; rows: number; gen: number; ftsRows: number; ms: number }

/**
 * ANALYZE, PRAGMA optimize, FTS rebuild over the same window, VACUUM, then written out as
 * the next snapshot (all under the compaction lock).
 */
export async function optimizeDatabase(engine: ExecutionStore): Promise<OptimizeResult> {
  const t0 = Date.now();
  let bytesBefore = 0;
  try { bytesBefore = readManifest(engine.dir)?.bytes ?? 0; } catch { /* reported at open */ }
  let ftsRows = 0;
  const r = await engine.compactWith(() => {
    const db = engine.database;
    db.resetFts(db.ftsStartSeq());
    ftsRows = engine.catchUpIndex();
    db.db.run('ANALYZE');
    db.setMeta('analyzed_rows', String(db.count()));
    db.db.run('PRAGMA optimize');
    db.db.run('VACUUM');
  });
  if (r.skipped) throw new Error(`cannot optimize now: ${r.skipped}; try again`);
  return { bytesBefore, bytesAfter: r.bytes ?? 0, rows: r.rows ?? 0, gen: r.gen ?? 0, ftsRows, ms: Date.now() - t0 };
}
