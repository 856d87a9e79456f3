import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { JournalOp } from './executionRecord';

/*
 * Append-only journal, one file per writer process and generation:
 *   <dir>/journal/<writerId>.<gen>.jsonl
 * Each line is `<crc32 hex8> <json>\n`. JSON escapes newlines, so a line is a record and a
 * damaged record can be skipped without losing the ones after it. An execution is
 * acknowledged once writeSync has returned: the bytes are then in the kernel's page cache
 * and survive a kill -9 of this process. fdatasync runs asynchronously (libuv pool) in
 * groups, for power loss, never on the caller's path.
 * A rotated file ends with a `close` line, so a compactor knows nobody appends to it again.
 */

/** Unique per process and start: each writer appends only to its own journal files. */
export function newWriterId(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

export const CLOSE_MARKER = '{"v":1,"op":"close"}';

export interface JournalPosition { file: string; endOffset: number }

export function encodeLine(json: string): string {
  const crc = crc32(json).toString(16).padStart(8, '0');
  return `${crc} ${json}\n`;
}

export interface JournalWriterOptions {
  dir: string;              // the journal directory
  writerId: string;         // unique per process
  rotateBytes?: number;     // rotate to a new generation past this size
  syncIntervalMs?: number;  // group-commit interval for fdatasync
}

export class JournalWriter {
  private fd = -1;
  private gen = 0;
  private size = 0;
  private dirty = false;
  private syncing = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly rotateBytes: number;
  private readonly syncIntervalMs: number;
  currentFile = '';

  constructor(private readonly opts: JournalWriterOptions) {
    this.rotateBytes = opts.rotateBytes ?? 16 * 1024 * 1024;
    this.syncIntervalMs = opts.syncIntervalMs ?? 100;
    fs.mkdirSync(opts.dir, { recursive: true });
    this.openGeneration(0);
  }

  private openGeneration(gen: number): void {
    this.gen = gen;
    this.currentFile = path.join(this.opts.dir, `${this.opts.writerId}.${String(gen).padStart(6, '0')}.jsonl`);
    this.fd = fs.openSync(this.currentFile, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Appends one operation; returns once it is in the file (acknowledged). */
  append(op: JournalOp): JournalPosition {
    return this.appendJson(JSON.stringify(op));
  }

  appendJson(json: string): JournalPosition {
    const buf = Buffer.from(encodeLine(json), 'utf8');
    let written = 0;
    while (written < buf.length) written += fs.writeSync(this.fd, buf, written, buf.length - written);
    this.size += buf.length;
    const pos = { file: path.basename(this.currentFile), endOffset: this.size };
    this.dirty = true;
    this.scheduleSync();
    if (this.size >= this.rotateBytes) this.rotate();
    return pos;
  }

  /** Closes the current generation with a close marker and starts the next one. */
  rotate(): void {
    if (this.size === 0) return;
    const buf = Buffer.from(encodeLine(CLOSE_MARKER), 'utf8');
    fs.writeSync(this.fd, buf);
    // Flush and close in the background: rotation happens on the caller's path (every
    // rotateBytes), and the old file only has to be on disk before a compaction deletes it,
    // which is two snapshots later.
    const old = this.fd;
    fs.fdatasync(old, () => fs.close(old, () => undefined));
    this.openGeneration(this.gen + 1);
  }

  private scheduleSync(): void {
    if (this.timer || this.syncIntervalMs < 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.dirty || this.syncing || this.fd < 0) return;
      this.dirty = false;
      this.syncing = true;
      const fd = this.fd;
      fs.fdatasync(fd, () => {
        this.syncing = false;
        if (this.dirty) this.scheduleSync();
      });
    }, this.syncIntervalMs);
    this.timer.unref?.();
  }

  /** Synchronous flush to disk (used on close and before a compaction reads the file). */
  syncNow(): void {
    if (this.fd >= 0) fs.fdatasyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd < 0) return;
    try { fs.fdatasyncSync(this.fd); } catch { /* closing anyway */ }
    fs.closeSync(this.fd);
    this.fd = -1;
    // An empty journal tells nothing; don't leave it lying around.
    if (this.size === 0) fs.rmSync(this.currentFile, { force: true });
  }
}

export interface JournalReadResult {
  ops: JournalOp[];
  /** Offset just past the last complete line that was consumed. */
  endOffset: number;
  closed: boolean;
  /** Complete lines whose checksum or JSON failed: corruption, not a torn tail. */
  corrupt: Array<{ offset: number; reason: string }>;
  /** Bytes after the last newline: a write in progress, or a torn write if the writer died. */
  tailBytes: number;
}

const CHUNK = 4 * 1024 * 1024;

/** Reads complete lines from `fromOffset`. An unterminated last line is left unread. */
export function readJournal(file: string, fromOffset: number): JournalReadResult {
  const res: JournalReadResult = { ops: [], endOffset: fromOffset, closed: false, corrupt: [], tailBytes: 0 };
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return res; }
  try {
    const size = fs.fstatSync(fd).size;
    let pos = fromOffset;
    let carry = Buffer.alloc(0);
    while (pos < size) {
      const want = Math.min(CHUNK, size - pos);
      const chunk = Buffer.allocUnsafe(want);
      const got = fs.readSync(fd, chunk, 0, want, pos);
      if (got <= 0) break;
      pos += got;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        const lineOffset = res.endOffset;
        const line = buf.toString('utf8', start, nl);
        res.endOffset += nl + 1 - start;
        start = nl + 1;
        if (line.length === 0) continue;
        const parsed = parseLine(line);
        if ('reason' in parsed) { res.corrupt.push({ offset: lineOffset, reason: parsed.reason }); continue; }
        if (parsed.json === CLOSE_MARKER) { res.closed = true; continue; }
        res.ops.push(parsed.op);
      }
      carry = Buffer.from(buf.subarray(start));
    }
    res.tailBytes = carry.length;
  } finally {
    fs.closeSync(fd);
  }
  return res;
}

function parseLine(line: string): { json: string; op: JournalOp } | { reason: string } {
  const sp = line.indexOf(' ');
  if (sp !== 8) return { reason: 'malformed record frame' };
  const json = line.slice(9);
  const want = parseInt(line.slice(0, 8), 16);
  if (crc32(json) !== want) return { reason: 'checksum mismatch' };
  try {
    return { json, op: JSON.parse(json) as JournalOp };
  } catch {
    return { reason: 'invalid JSON behind a valid checksum' };
  }
}

export function listJournals(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
}
