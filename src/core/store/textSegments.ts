import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/*
 * Long texts live outside the SQLite heap: append-only segment files of raw-deflated
 * records. A row refers to its texts with `file:offset:length:crc`. Only the process that
 * holds the compaction lock appends, so one "current" segment is safe to share; a record
 * torn by a crash is never referenced (the snapshot naming it is written after fsync).
 */
const SEGMENT_LIMIT = 64 * 1024 * 1024;

export interface StoredTexts { prompt: string; response: string }

export class TextSegments {
  private fd = -1;
  private file = '';
  private size = 0;

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Appends texts; call `sync()` before anything that references them is made durable. */
  append(texts: StoredTexts): string {
    if (this.fd < 0 || this.size >= SEGMENT_LIMIT) this.openNext();
    const data = deflateRawSync(Buffer.from(JSON.stringify([texts.prompt, texts.response]), 'utf8'), { level: 6 });
    fs.writeSync(this.fd, data, 0, data.length, this.size);
    const ref = `${this.file}:${this.size}:${data.length}:${crc32(data).toString(16)}`;
    this.size += data.length;
    return ref;
  }

  sync(): void {
    if (this.fd >= 0) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) {
      fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = -1;
  }

  read(ref: string): StoredTexts {
    const m = /^([\w.-]+):(\d+):(\d+):([0-9a-f]+)$/.exec(ref);
    if (!m) throw new Error(`bad text reference "${ref}"`);
    const [, file, off, len, crc] = m as unknown as [string, string, string, string, string];
    const buf = Buffer.allocUnsafe(Number(len));
    const fd = fs.openSync(path.join(this.dir, file), 'r');
    try {
      const got = fs.readSync(fd, buf, 0, buf.length, Number(off));
      if (got !== buf.length) throw new Error(`text segment ${file} is truncated at ${off}`);
    } finally {
      fs.closeSync(fd);
    }
    if (crc32(buf).toString(16) !== crc) throw new Error(`text segment ${file} fails its checksum at ${off}`);
    const [prompt, response] = JSON.parse(inflateRawSync(buf).toString('utf8')) as [string, string];
    return { prompt, response };
  }

  private openNext(): void {
    this.close();
    // Continue the newest segment if it has room, so small compactions don't make many files.
    const existing = fs.readdirSync(this.dir).filter((f) => f.endsWith('.seg')).sort();
    const last = existing[existing.length - 1];
    if (last && fs.statSync(path.join(this.dir, last)).size < SEGMENT_LIMIT) {
      this.file = last;
    } else {
      this.file = `${Date.now().toString(36).padStart(9, '0')}-${process.pid}.seg`;
    }
    this.fd = fs.openSync(path.join(this.dir, this.file), 'a+');
    this.size = fs.fstatSync(this.fd).size;
  }
}
