/*
 * CSV datasets, streamed record by record (csv-parse over a file stream), so a 100k-row file
 * never sits in memory as one string.
 *
 * - The header row names the variables; a BOM is stripped; quoted fields may hold commas,
 *   `""` escapes and newlines; empty lines are skipped; stray quotes inside unquoted fields
 *   are kept as text (relax_quotes), as spreadsheets write them.
 * - `row` is the physical line where the record starts (header = line 1), so the user can
 *   jump to it even when earlier records span several lines.
 * - A record with the wrong number of fields becomes `{row, error}` and reading goes on.
 *   A broken quote cannot be resynchronised: it ends the file with one error row.
 * - Columns with an empty header are ignored; a duplicate header name ends the file (which
 *   of the two would be the variable?).
 */
import * as fs from 'node:fs';
import { parse } from 'csv-parse';
import type { DatasetRow } from './types';

interface CsvRecord {
  record: string[];
  info: { lines: number; empty_lines: number; comment_lines: number };
}

export async function* readCsvRows(file: string, signal?: AbortSignal): AsyncGenerator<DatasetRow> {
  const stream = fs.createReadStream(file);
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }));
  // A read error (missing file) surfaces through the parser's iterator.
  stream.on('error', (e) => parser.destroy(e));
  let header: string[] | null = null;
  let lastEnd = 0;
  let skipped = 0;
  try {
    for await (const item of parser as AsyncIterable<CsvRecord>) {
      signal?.throwIfAborted();
      const { record, info } = item;
      const startLine = lastEnd + 1 + (info.empty_lines + info.comment_lines - skipped);
      lastEnd = info.lines;
      skipped = info.empty_lines + info.comment_lines;
      if (!header) {
        header = record.map((h) => h.trim());
        const dup = header.find((h, i) => h !== '' && header?.indexOf(h) !== i);
        if (dup !== undefined) {
          yield { row: startLine, error: `The header names '${dup}' twice` };
          return;
        }
        continue;
      }
      if (record.length !== header.length) {
        yield { row: startLine, error: `Expected ${header.length} fields (as in the header), found ${record.length}` };
        continue;
      }
      const values: Record<string, unknown> = {};
      header.forEach((name, i) => {
        if (name !== '') values[name] = record[i];
      });
      yield { row: startLine, values };
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    const err = e as { code?: string; lines?: number; message?: string };
    if (!err.code?.startsWith('CSV_')) throw e;
    yield { row: (err.lines ?? lastEnd) || lastEnd + 1, error: `CSV error: ${err.message ?? String(e)}` };
  } finally {
    stream.destroy();
  }
}
