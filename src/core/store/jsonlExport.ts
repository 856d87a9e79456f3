import * as fs from 'node:fs';
import type { HistoryFilter } from './executionDb';
import type { ExecutionRecord } from './executionRecord';
import type { ExecutionStore } from './executionStore';
import { fsyncDir } from './snapshot';
import * as path from 'node:path';

export interface ExportOptions { signal?: AbortSignal; onProgress?: (rows: number) => void }

/** Field order of the JSONL interchange format (stable, so exports diff cleanly). */
const FIELD_ORDER: ReadonlyArray<keyof ExecutionRecord> = ['id', 'promptId', 'promptVersion', 'promptHash', 'variant',
  'experimentId', 'runId', 'testCaseId', 'provider', 'model', 'modelConfig', 'promptText', 'responseText', 'tokensIn',
  'tokensOut', 'costUsd', 'latencyMs', 'timeToFirstTokenMs', 'success', 'errorType', 'errorMessage', 'qualityScore',
  'quality', 'tags', 'metadata', 'userId', 'sessionId', 'environment', 'createdAt'];

export function recordToJsonl(r: ExecutionRecord): string {
  const o: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) o[k] = r[k];
  return JSON.stringify(o);
}

/**
 * Streams executions to `file` as JSONL (the format `promptlab import` reads). Written to a
 * temporary name and renamed at the end, so a cancelled or failed export leaves no half file
 * under the final name. Without a filter: every execution, oldest first; with one: the
 * history order (newest first) of that filter.
 */
export async function writeJsonlExport(store: ExecutionStore, file: string, filter?: HistoryFilter, opts: ExportOptions = {}): Promise<{ rows: number }> {
  const tmp = `${file}.partial-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  let rows = 0;
  let buffer: string[] = [];
  const flush = () => { if (buffer.length) { fs.writeSync(fd, buffer.join('')); buffer = []; } };
  try {
    for (const rec of iterate(store, filter)) {
      if (opts.signal?.aborted) throw new Error('export cancelled');
      buffer.push(recordToJsonl(rec) + '\n');
      rows++;
      if (buffer.length >= 500) {
        flush();
        opts.onProgress?.(rows);
        await new Promise((r) => setImmediate(r)); // let cancellation and other work in
      }
    }
    flush();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
    fsyncDir(path.dirname(path.resolve(file)));
    return { rows };
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function* iterate(store: ExecutionStore, filter?: HistoryFilter): Generator<ExecutionRecord> {
  if (!filter || Object.keys(filter).length === 0) {
    yield* store.scanRecords();
    return;
  }
  let after = filter.after;
  for (;;) {
    const page = store.history({ ...filter, limit: 500, ...(after ? { after } : {}) });
    for (const row of page.rows) {
      const d = store.getExecution(row.id);
      if (!d) continue;
      const { seq: _s, promptSnippet: _p, responseSnippet: _r, promptChars: _pc, responseChars: _rc, textError: _e, ...rest } = d;
      yield rest;
    }
    if (!page.next) return;
    after = page.next;
  }
}
