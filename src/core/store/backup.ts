import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import type { Database } from 'sql.js';
import type { ExecutionSummary } from './executionDb';
import { ExecutionDb } from './executionDb';
import type { ExecutionRecord } from './executionRecord';
import type { ExecutionStore } from './executionStore';
import { SCHEMA_VERSION, currentVersion } from './migrations';
import { MANIFEST, acquireLock, fsyncDir, readManifest, readSnapshot, sha256, writeFileAtomic } from './snapshot';
import { loadSqlJs } from './sqlJs';

/*
 * Backups (and archives, see archive.ts) are self-contained database images: the sql.js
 * schema of the live database, with every row's texts inlined in `inline_texts` (the same
 * raw-deflated `[prompt, response]` records as the text segments, copied byte for byte) and
 * `text_ref = 'inline'`. One file holds everything, so it can be copied, checksummed and
 * restored on its own. A backup is `FILE` (gzip when `--compress` or FILE ends in `.gz`)
 * plus a sidecar `FILE.json` with its sha256, size, schema version and counts.
 *
 * Restore merges: every execution of the backup whose id is not in the live database comes
 * back; rows of the live database are kept as they are (the live copy wins where both
 * have an id: it may carry later scores). Journals are untouched, so executions written by
 * other processes during or after the restore are still replayed: a restore loses nothing.
 * It is installed as the next snapshot generation under the compaction lock; the snapshot
 * and manifest it replaces are copied to `<db>/pre-restore-<time>/` first.
 */

export const BACKUP_FORMAT = 'promptlab-backup/1';
export const INLINE_REF = 'inline';

export interface BackupSidecar {
  format: typeof BACKUP_FORMAT;
  file: string;
  sha256: string;
  bytes: number;
  compressed: boolean;
  schemaVersion: number;
  rows: number;
  /** Rows whose texts are inlined (all of them, unless `textErrors`). */
  texts: number;
  /** Rows whose texts could not be read from their segment: their snippets stand in. */
  textErrors: number;
  experiments: number;
  createdAt: string;
  sourceDir: string;
  sourceGeneration: number;
  textSegments: 'inlined';
}

export interface BackupResult extends BackupSidecar { path: string; sidecarPath: string; ms: number }

export function ensureInlineTexts(db: Database): void {
  db.run('CREATE TABLE IF NOT EXISTS inline_texts (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)');
}

export function encodeTexts(prompt: string, response: string): Uint8Array {
  return deflateRawSync(Buffer.from(JSON.stringify([prompt, response]), 'utf8'), { level: 6 });
}

export function decodeTexts(data: Uint8Array): { prompt: string; response: string } {
  const [prompt, response] = JSON.parse(inflateRawSync(data).toString('utf8')) as [string, string];
  return { prompt, response };
}

/** Raw bytes of one segment record (`file:offset:length:crc`), checked against its crc. */
function readSegmentRecord(textsDir: string, ref: string): Buffer {
  const m = /^([\w.-]+):(\d+):(\d+):([0-9a-f]+)$/.exec(ref);
  if (!m) throw new Error(`bad text reference "${ref}"`);
  const [, file, off, len, crc] = m as unknown as [string, string, string, string, string];
  const buf = Buffer.allocUnsafe(Number(len));
  const fd = fs.openSync(path.join(textsDir, file), 'r');
  try {
    if (fs.readSync(fd, buf, 0, buf.length, Number(off)) !== buf.length) throw new Error(`text segment ${file} is truncated at ${off}`);
  } finally { fs.closeSync(fd); }
  if (crc32(buf).toString(16) !== crc) throw new Error(`text segment ${file} fails its checksum at ${off}`);
  return buf;
}

function scalar(db: Database, sql: string, params: Array<string | number> = []): number {
  return Number(db.exec(sql, params)[0]?.values[0]?.[0] ?? 0);
}

function tableExists(db: Database, name: string): boolean {
  return db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).length > 0;
}

/**
 * Writes a consistent backup of the store: a compaction folds every journal in, then the
 * new snapshot is read under the compaction lock (so no other process retires it meanwhile)
 * and its texts are copied in from the segments.
 */
export async function createBackup(engine: ExecutionStore, file: string, opts: { compress?: boolean } = {}): Promise<BackupResult> {
  const t0 = Date.now();
  const dir = engine.dir;
  const c = await engine.compact(60_000);
  if (c.skipped) throw new Error(`cannot back up now: ${c.skipped}; try again`);
  const lock = await acquireLock(path.join(dir, 'compact.lock'), 60_000);
  if (!lock) throw new Error('cannot back up now: another process holds the compaction lock; try again');
  let image: Uint8Array;
  let gen: number;
  try {
    const manifest = readManifest(dir);
    if (!manifest) throw new Error(`no snapshot in ${dir} after compaction`);
    image = readSnapshot(dir, manifest);
    gen = manifest.gen;
  } finally { lock.release(); }

  const db = await ExecutionDb.open(image, { verified: true, owned: true });
  let textErrors = 0;
  let out: Uint8Array;
  let rows: number, texts: number, experiments: number, schemaVersion: number;
  try {
    const sq = db.db;
    ensureInlineTexts(sq);
    const textsDir = path.join(dir, 'texts');
    sq.run('BEGIN');
    try {
      let after = 0;
      for (;;) {
        const page = sq.exec(`SELECT e.seq, e.text_ref, p.prompt_text, p.response_text, e.prompt_snippet, e.response_snippet
          FROM executions e LEFT JOIN pending_texts p ON p.seq = e.seq WHERE e.seq > ? ORDER BY e.seq LIMIT 500`, [after])[0]?.values ?? [];
        if (!page.length) break;
        const ins = sq.prepare('INSERT OR REPLACE INTO inline_texts(seq, data) VALUES (?, ?)');
        try {
          for (const r of page) {
            after = Number(r[0]);
            let data: Uint8Array;
            if (r[2] !== null) data = encodeTexts(String(r[2]), String(r[3]));
            else {
              try {
                if (r[1] === null || r[1] === INLINE_REF) throw new Error('no texts');
                data = readSegmentRecord(textsDir, String(r[1]));
              } catch {
                textErrors++;
                data = encodeTexts(String(r[4]), String(r[5]));
              }
            }
            ins.run([after, data]);
          }
        } finally { ins.free(); }
      }
      sq.run(`UPDATE executions SET text_ref = '${INLINE_REF}'`);
      sq.run('DELETE FROM pending_texts');
      // Journal progress describes the source folder's journals: meaningless elsewhere.
      sq.run('DELETE FROM journal_progress');
      sq.run('COMMIT');
    } catch (e) {
      sq.run('ROLLBACK');
      throw e;
    }
    rows = db.count();
    texts = scalar(sq, 'SELECT COUNT(*) FROM inline_texts');
    experiments = scalar(sq, 'SELECT COUNT(*) FROM experiments');
    schemaVersion = currentVersion(sq);
    out = db.export();
  } finally { db.close(); }

  const compressed = opts.compress === true || /\.gz$/i.test(file);
  const payload = compressed ? gzipSync(out) : out;
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  writeFileAtomic(target, payload);
  const sidecar: BackupSidecar = {
    format: BACKUP_FORMAT, file: path.basename(target), sha256: sha256(payload), bytes: payload.length, compressed,
    schemaVersion, rows, texts, textErrors, experiments, createdAt: new Date().toISOString(), sourceDir: dir, sourceGeneration: gen, textSegments: 'inlined',
  };
  writeFileAtomic(`${target}.json`, JSON.stringify(sidecar, null, 2));
  return { ...sidecar, path: target, sidecarPath: `${target}.json`, ms: Date.now() - t0 };
}

export interface VerifyReport {
  ok: boolean;
  file: string;
  /** Reasons the backup cannot be trusted or restored (empty when ok). */
  problems: string[];
  warnings: string[];
  sidecar: BackupSidecar | null;
  compressed: boolean;
  schemaVersion: number | null;
  rows: number | null;
  texts: number | null;
}

/** Checks a backup: sidecar checksum and size, gzip, SQLite integrity_check, schema version, counts. */
export async function verifyBackup(file: string): Promise<VerifyReport> {
  const { report, image } = await inspectBackup(file);
  image?.close();
  return report;
}

async function inspectBackup(file: string): Promise<{ report: VerifyReport; image: { db: Database; close(): void; bytes: Uint8Array } | null }> {
  const report: VerifyReport = { ok: false, file, problems: [], warnings: [], sidecar: null, compressed: false, schemaVersion: null, rows: null, texts: null };
  const fail = (msg: string) => { report.problems.push(msg); return { report, image: null }; };
  let raw: Buffer;
  try { raw = fs.readFileSync(file); } catch (e) { return fail(`cannot read ${file}: ${(e as Error).message}`); }
  try {
    const sc = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as BackupSidecar;
    if (sc.format !== BACKUP_FORMAT) report.problems.push(`${file}.json: format "${String(sc.format)}" is not ${BACKUP_FORMAT}`);
    else report.sidecar = sc;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') report.warnings.push(`no sidecar ${path.basename(file)}.json: checksum and counts not checked, only the database's own integrity`);
    else report.problems.push(`${file}.json is not a valid backup sidecar (${(e as Error).message})`);
  }
  const sc = report.sidecar;
  if (sc) {
    if (raw.length !== sc.bytes) report.problems.push(`size is ${raw.length} bytes, the sidecar says ${sc.bytes}: the file is truncated or was changed`);
    else if (sha256(raw) !== sc.sha256) report.problems.push('checksum mismatch: the file was damaged or changed after the backup was written');
  }
  let bytes: Uint8Array = raw;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    report.compressed = true;
    try { bytes = gunzipSync(raw); } catch (e) { return fail(`gzip data is damaged: ${(e as Error).message}`); }
  }
  if (report.problems.length) return { report, image: null };
  const SQL = await loadSqlJs();
  let db: Database;
  try { db = new SQL.Database(new Uint8Array(bytes)); /* sql.js takes the buffer over: restore needs the original */ } catch (e) { return fail(`not a SQLite database: ${e instanceof Error ? e.message : String(e)}`); }
  const image = { db, bytes, close: () => db.close() };
  try {
    const verdict = db.exec('PRAGMA integrity_check').map((r) => r.values.map((v) => String(v[0])).join('; ')).join('; ');
    if (verdict !== 'ok') throw new Error(`integrity check failed: ${verdict}`);
    if (!tableExists(db, 'executions') || !tableExists(db, 'inline_texts')) throw new Error('not a Prompt Lab backup (no executions / inline_texts table)');
    report.schemaVersion = currentVersion(db);
    report.rows = scalar(db, 'SELECT COUNT(*) FROM executions');
    report.texts = scalar(db, 'SELECT COUNT(*) FROM inline_texts');
    if (report.schemaVersion > SCHEMA_VERSION) {
      report.problems.push(`the backup has schema version ${report.schemaVersion}, newer than this Prompt Lab understands (${SCHEMA_VERSION}); update Prompt Lab to restore it`);
    }
    if (sc && sc.rows !== report.rows) report.problems.push(`holds ${report.rows} execution(s), the sidecar says ${sc.rows}`);
    if (sc && sc.texts !== report.texts) report.problems.push(`holds texts of ${report.texts} execution(s), the sidecar says ${sc.texts}`);
    if (sc && sc.schemaVersion !== report.schemaVersion) report.problems.push(`schema version ${report.schemaVersion}, the sidecar says ${sc.schemaVersion}`);
    if (report.texts < report.rows) report.warnings.push(`${report.rows - report.texts} execution(s) have no texts in the backup`);
    if (sc?.textErrors) report.warnings.push(`${sc.textErrors} execution(s) had unreadable texts when backed up: their snippets stand in`);
  } catch (e) {
    image.close();
    return fail(e instanceof Error ? e.message : String(e));
  }
  report.ok = report.problems.length === 0;
  if (!report.ok) { image.close(); return { report, image: null }; }
  return { report, image };
}

export interface RestoreResult { file: string; restored: number; alreadyPresent: number; experiments: number; safetyCopy: string; gen: number; rows: number; ms: number }

/** Record of a row of a self-contained image (backup or archive), with its inlined texts. */
export function inlineRecord(db: Database, row: ExecutionSummary): ExecutionRecord {
  const { seq, promptSnippet: _p, responseSnippet: _r, promptChars: _pc, responseChars: _rc, ...rest } = row;
  const data = db.exec('SELECT data FROM inline_texts WHERE seq = ?', [seq])[0]?.values[0]?.[0];
  const pending = data === undefined ? db.exec('SELECT prompt_text, response_text FROM pending_texts WHERE seq = ?', [seq])[0]?.values[0] : undefined;
  const t = data instanceof Uint8Array ? decodeTexts(data) : pending ? { prompt: String(pending[0]), response: String(pending[1]) } : { prompt: row.promptSnippet, response: row.responseSnippet };
  const { textRef: _t, ...clean } = rest as typeof rest & { textRef?: unknown };
  return { ...clean, promptText: t.prompt, responseText: t.response };
}

/** Copies the current manifest and the snapshots it names aside (call under the compaction lock). */
function safetyCopy(dir: string): string {
  const target = path.join(dir, `pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(target, { recursive: true });
  const manifest = readManifest(dir);
  if (manifest) {
    for (const f of [manifest.file, manifest.previous?.file]) {
      if (f && fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(dir, f), path.join(target, f));
    }
    fs.copyFileSync(path.join(dir, MANIFEST), path.join(target, MANIFEST));
  }
  fsyncDir(target);
  return target;
}

/**
 * Restores a backup into the store (see the top of this file for the merge semantics).
 * Verifies first; refuses a newer schema; an older one is migrated on open.
 */
export async function restoreBackup(engine: ExecutionStore, file: string): Promise<RestoreResult> {
  const t0 = Date.now();
  const { report, image } = await inspectBackup(file);
  if (!report.ok || !image) throw new Error(`${file} failed verification, nothing was restored: ${report.problems.join('; ')}`);
  const bytes = image.bytes;
  image.close();
  const src = await ExecutionDb.open(bytes, { verified: true }); // migrates an older schema
  let restored = 0, total = 0, experiments = 0, safety = '';
  try {
    const r = await engine.compactWith(() => {
      safety = safetyCopy(engine.dir);
      const live = engine.database;
      let after = 0;
      for (;;) {
        const page = src.scan(after, 500);
        if (!page.length) break;
        after = page[page.length - 1]!.seq;
        total += page.length;
        restored += live.insertBatch(page.map((row) => inlineRecord(src.db, row)));
      }
      for (const x of src.experiments()) {
        if (live.experiments(x.id).length) continue;
        live.upsertExperiment(x);
        experiments++;
      }
    });
    if (r.skipped) throw new Error(`cannot restore now: ${r.skipped}; try again`);
    return { file, restored, alreadyPresent: total - restored, experiments, safetyCopy: safety, gen: r.gen ?? 0, rows: r.rows ?? 0, ms: Date.now() - t0 };
  } finally { src.close(); }
}
