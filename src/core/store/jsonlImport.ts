import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Sanitizer } from '../sanitize';
import type { ExecutionRecord } from './executionRecord';
import type { PromptLabStore } from './localStore';
import { prepareRecord } from './recordPrep';

export interface ImportReport { imported: number; bad: Array<{ line: number; reason: string }>; lines: number }

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (linesRead: number, bytesRead: number, totalBytes: number) => void;
  batchSize?: number;
}

/**
 * Imports the JSONL export format. Every line is validated (zod) and sanitized; a bad line
 * is reported by its line number and skipped, the rest is imported. Each batch is journalled
 * before the next is read, so a cancelled import keeps what it acknowledged.
 */
export async function importJsonl(file: string, store: PromptLabStore, sanitizer: Sanitizer, opts: ImportOptions = {}): Promise<ImportReport> {
  const totalBytes = fs.statSync(file).size;
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  const report: ImportReport = { imported: 0, bad: [], lines: 0 };
  const batchSize = opts.batchSize ?? 500;
  let batch: ExecutionRecord[] = [];
  let bytes = 0;
  const flush = () => {
    store.recordMany(batch);
    report.imported += batch.length;
    batch = [];
    opts.onProgress?.(report.lines, bytes, totalBytes);
  };
  try {
    for await (const line of lines) {
      report.lines++;
      bytes += Buffer.byteLength(line, 'utf8') + 1;
      if (opts.signal?.aborted) break;
      const text = report.lines === 1 ? line.replace(/^\uFEFF/, '') : line;
      if (!text.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        report.bad.push({ line: report.lines, reason: `not JSON (${(e as Error).message})` });
        continue;
      }
      try {
        batch.push(prepareRecord(value, sanitizer));
      } catch (e) {
        report.bad.push({ line: report.lines, reason: (e as Error).message });
        continue;
      }
      if (batch.length >= batchSize) flush();
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  flush();
  return report;
}
