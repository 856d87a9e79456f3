import * as fs from 'node:fs';
import type { HistoryFilter } from './executionDb';
import type { ExecutionRecord } from './executionRecord';
import type { ExecutionStore } from './executionStore';
import { fsyncDir } from './snapshot';
import * as path from 'node:path';

export interface ExportOptions { signal?: AbortSignal; onProgress?: (rows: number) => void }

/**
 * One export format as a streaming transform: text before the first row, text per row (may
 * be '' when the format only aggregates, like the reports), text after the last row.
 */
export interface FormatWriter {
  begin?(): string;
  row(rec: ExecutionRecord): string;
  end?(rows: number): string;
}

/** Which executions an export covers: a history filter, or explicit ids (a selection). */
export interface ExportSource { filter?: HistoryFilter; ids?: readonly string[] }

/** Field order of the JSONL interchange format (stable, so exports diff cleanly). */
export const FIELD_ORDER: ReadonlyArray<keyof ExecutionRecord> = ['id', 'promptId', 'promptVersion', 'promptHash', 'variant',
  'experimentId', 'runId', 'testCaseId', 'provider', 'model', 'modelConfig', 'promptText', 'responseText', 'tokensIn',
  'tokensOut', 'costUsd', 'latencyMs', 'timeToFirstTokenMs', 'success', 'errorType', 'errorMessage', 'qualityScore',
  'quality', 'tags', 'metadata', 'userId', 'sessionId', 'environment', 'createdAt'];

export function recordToJsonl(r: ExecutionRecord): string {
  const o: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) o[k] = r[k];
  return JSON.stringify(o);
}

export const jsonlFormatWriter: FormatWriter = { row: (r) => recordToJsonl(r) + '\n' };

/**
 * Streams executions to `file` as JSONL (the format `promptlab import` reads). Written to a
 * temporary name and renamed at the end, so a cancelled or failed export leaves no half file
 * under the final name. Without a filter: every execution, oldest first; with one: the
 * history order (newest first) of that filter.
 */
export async function writeJsonlExport(store: ExecutionStore, file: string, filter?: HistoryFilter, opts: ExportOptions = {}): Promise<{ rows: number }> {
  return writeStreamingExport(store, file, jsonlFormatWriter, { filter }, opts);
}

/**
 * Runs `writer` over the executions of `source`, handing its output to `write` in chunks.
 * Yields to the event loop every 500 rows so cancellation (and other messages) get in.
 */
export async function pumpExport(store: ExecutionStore, writer: FormatWriter, write: (chunk: string) => void, source: ExportSource = {}, opts: ExportOptions = {}): Promise<{ rows: number }> {
  let rows = 0;
  let buffer: string[] = [];
  const flush = () => { if (buffer.length) { write(buffer.join('')); buffer = []; } };
  if (opts.signal?.aborted) throw new Error('export cancelled');
  const head = writer.begin?.() ?? '';
  if (head) buffer.push(head);
  for (const rec of iterateExport(store, source)) {
    if (opts.signal?.aborted) throw new Error('export cancelled');
    const text = writer.row(rec);
    if (text) buffer.push(text);
    rows++;
    if (rows % 500 === 0) {
      flush();
      opts.onProgress?.(rows);
      await new Promise((r) => setImmediate(r)); // let cancellation and other work in
    }
  }
  await new Promise((r) => setImmediate(r)); // a cancel that arrived during the last rows still counts
  if (opts.signal?.aborted) throw new Error('export cancelled');
  const tail = writer.end?.(rows) ?? '';
  if (tail) buffer.push(tail);
  flush();
  opts.onProgress?.(rows);
  return { rows };
}

/** `pumpExport` into a temp file, fsynced and renamed: the final name only ever holds a whole export. */
export async function writeStreamingExport(store: ExecutionStore, file: string, writer: FormatWriter, source: ExportSource = {}, opts: ExportOptions = {}): Promise<{ rows: number }> {
  const tmp = `${file}.partial-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const r = await pumpExport(store, writer, (chunk) => { fs.writeSync(fd, chunk); }, source, opts);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
    fsyncDir(path.dirname(path.resolve(file)));
    return r;
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Every execution oldest first; a filter's in history order (newest first); ids in the order given. */
export function* iterateExport(store: ExecutionStore, source: ExportSource = {}): Generator<ExecutionRecord> {
  const strip = (d: NonNullable<ReturnType<ExecutionStore['getExecution']>>): ExecutionRecord => {
    const { seq: _s, promptSnippet: _p, responseSnippet: _r, promptChars: _pc, responseChars: _rc, textError: _e, ...rest } = d;
    return rest;
  };
  if (source.ids) {
    for (const id of source.ids) {
      const d = store.getExecution(id);
      if (d) yield strip(d);
    }
    return;
  }
  const filter = source.filter;
  if (!filter || Object.keys(filter).length === 0) {
    yield* store.scanRecords();
    return;
  }
  let after = filter.after;
  for (;;) {
    const page = store.history({ ...filter, limit: 500, ...(after ? { after } : {}) });
    for (const row of page.rows) {
      const d = store.getExecution(row.id);
      if (d) yield strip(d);
    }
    if (!page.next) return;
    after = page.next;
  }
}
