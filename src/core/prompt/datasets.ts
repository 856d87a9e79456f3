/*
 * Test cases for a run: a dataset file (CSV, JSON Lines, JSON array) or the prompt's inline
 * testData. Rows stream as `{row, values}`; a row that cannot be used is `{row, error}` and
 * the rest still run. What `row` counts depends on the format (documented per reader):
 * CSV — physical line where the record starts (header is line 1); JSONL — line number;
 * JSON — 1-based element index; inline testData — 1-based position in the list.
 * A file that cannot be opened at all rejects the iteration with its error.
 */
import * as path from 'node:path';
import { readCsvRows } from './csvDataset';
import { readJsonArrayRows, readJsonlRows } from './jsonDataset';
import type { DatasetRow, PromptFile } from './types';

export type DatasetFormat = 'csv' | 'jsonl' | 'json';

export interface DatasetOptions { signal?: AbortSignal }

const FORMATS: Record<string, DatasetFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json' };

/** Format by extension; throws for anything else, naming the supported ones. */
export function datasetFormat(file: string): DatasetFormat {
  const ext = path.extname(file).toLowerCase();
  const format = FORMATS[ext];
  if (!format) throw new Error(`Unsupported dataset '${path.basename(file)}': use a .csv, .jsonl or .json file`);
  return format;
}

export function readDataset(file: string, opts: DatasetOptions = {}): AsyncIterable<DatasetRow> {
  const format = datasetFormat(file);
  if (format === 'csv') return readCsvRows(file, opts.signal);
  if (format === 'jsonl') return readJsonlRows(file, opts.signal);
  return readJsonArrayRows(file, opts.signal);
}

/** Rows of the prompt's `dataset:` when it names one, else of its inline testData. */
export async function* loadTestCases(prompt: PromptFile, opts: DatasetOptions = {}): AsyncGenerator<DatasetRow> {
  if (prompt.dataset) {
    yield* readDataset(prompt.dataset, opts);
    return;
  }
  for (let i = 0; i < prompt.testData.length; i++) {
    opts.signal?.throwIfAborted();
    yield { row: i + 1, values: { ...prompt.testData[i] } };
  }
}
