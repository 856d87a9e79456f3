/*
 * JSON Lines (streamed line by line; `row` = line number) and JSON arrays (read whole,
 * since a JSON array has no safe streaming boundary without a streaming parser; `row` =
 * 1-based element index). Values that are not objects become `{row, error}`.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { DatasetRow } from './types';

export async function* readJsonlRows(file: string, signal?: AbortSignal): AsyncGenerator<DatasetRow> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let row = 0;
  try {
    for await (const raw of lines) {
      signal?.throwIfAborted();
      row++;
      const line = (row === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        yield { row, error: `Invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
        continue;
      }
      yield isRecord(value) ? { row, values: value } : { row, error: `Expected a JSON object, found ${kind(value)}` };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

export async function* readJsonArrayRows(file: string, signal?: AbortSignal): AsyncGenerator<DatasetRow> {
  const text = (await fs.promises.readFile(file, { encoding: 'utf8', ...(signal ? { signal } : {}) })).replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    yield { row: 1, error: `Invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
    return;
  }
  if (!Array.isArray(data)) {
    yield { row: 1, error: `Expected a JSON array of objects, found ${kind(data)}` };
    return;
  }
  for (let i = 0; i < data.length; i++) {
    signal?.throwIfAborted();
    const value: unknown = data[i];
    yield isRecord(value) ? { row: i + 1, values: value } : { row: i + 1, error: `Expected a JSON object, found ${kind(value)}` };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
