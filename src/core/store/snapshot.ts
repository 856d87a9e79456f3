import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * Snapshots: `snapshot-<gen>.sqlite` files named by a manifest (`snapshot.json`) that holds
 * their sha256 and size. Both are written temp + fsync + rename + directory fsync, the
 * snapshot first, so a crash leaves either the old manifest or the new one, each naming a
 * complete file. The previous snapshot is kept as a fallback, and journals are deleted only
 * once both kept snapshots cover them: a corrupt newest snapshot loses nothing.
 */
export interface SnapshotInfo { gen: number; file: string; sha256: string; bytes: number; createdAt: string; rows: number }
export interface Manifest extends SnapshotInfo {
  schemaVersion: number;
  /** Closed journals this snapshot covers completely (deleted once the next snapshot lands). */
  closedJournals: string[];
  previous: SnapshotInfo | null;
}

export const MANIFEST = 'snapshot.json';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch { /* some filesystems refuse a directory fsync; the rename is still atomic */ }
}

export function readManifest(dir: string): Manifest | null {
  const file = path.join(dir, MANIFEST);
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
  try {
    const m = JSON.parse(text) as Manifest;
    if (typeof m.gen !== 'number' || typeof m.file !== 'string' || typeof m.sha256 !== 'string') throw new Error('missing fields');
    return m;
  } catch (e) {
    throw new Error(`${file} is not a valid snapshot manifest (${(e as Error).message})`);
  }
}

/** Reads a snapshot and checks it against its manifest entry; throws with the reason. */
export function readSnapshot(dir: string, info: SnapshotInfo): Uint8Array {
  const file = path.join(dir, info.file);
  const bytes = fs.readFileSync(file);
  if (bytes.length !== info.bytes) throw new Error(`${info.file}: size ${bytes.length} bytes, manifest says ${info.bytes}`);
  if (sha256(bytes) !== info.sha256) throw new Error(`${info.file}: checksum mismatch`);
  return bytes;
}

/** Moves a damaged file aside (never deletes it) and returns where it went. */
export function quarantine(dir: string, file: string, copy = false): string {
  const qdir = path.join(dir, 'quarantine');
  fs.mkdirSync(qdir, { recursive: true });
  const target = path.join(qdir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${path.basename(file)}`);
  if (copy) fs.copyFileSync(file, target);
  else fs.renameSync(file, target);
  return target;
}

/*
 * Compaction lock shared by every process on the database (extension hosts, CLI). A lock
 * left by a dead process, or older than `staleMs`, is taken over.
 */
export interface LockHandle { release(): void }

export function tryLock(file: string, staleMs = 10 * 60_000): LockHandle | null {
  const body = JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, body);
      fs.closeSync(fd);
      return { release: () => { try { if (fs.readFileSync(file, 'utf8') === body) fs.rmSync(file); } catch { /* already gone */ } } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!isStale(file, staleMs)) return null;
      try { fs.rmSync(file); } catch { /* raced with another taker */ }
    }
  }
  return null;
}

function isStale(file: string, staleMs: number): boolean {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; host: string; at: number };
    if (Date.now() - owner.at > staleMs) return true;
    if (owner.host !== os.hostname()) return false;
    try { process.kill(owner.pid, 0); return false; } catch (e) { return (e as NodeJS.ErrnoException).code === 'ESRCH'; }
  } catch {
    return true; // unreadable or half-written lock file from a crash
  }
}

export async function acquireLock(file: string, timeoutMs: number): Promise<LockHandle | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = tryLock(file);
    if (h || Date.now() >= until) return h;
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
}
