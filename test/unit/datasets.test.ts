/*
 * Datasets: CSV edge cases (BOM, quoted commas, embedded newlines, "" escapes, ragged rows),
 * JSONL and JSON with bad rows, streaming of a large file, and test cases from a prompt.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFormat, loadTestCases, parsePromptFile, readDataset } from '../../src/core/prompt';
import type { DatasetRow } from '../../src/core/prompt';
import { tempDir } from './helpers/fixtures';

const DATA = path.resolve(__dirname, '../fixtures/datasets');
const PROMPTS = path.resolve(__dirname, '../fixtures/prompts');

async function collect(rows: AsyncIterable<DatasetRow>): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

function writeTemp(name: string, content: string): string {
  const file = path.join(tempDir('pl-dataset-'), name);
  fs.writeFileSync(file, content);
  return file;
}

describe('CSV', () => {
  test('BOM, quoted commas, embedded newline, "" escapes, an empty line, a ragged row', async () => {
    const rows = await collect(readDataset(path.join(DATA, 'edge-cases.csv')));
    assert.deepEqual(rows, [
      { row: 2, values: { product: 'Blendr', ticket: 'Broken, again', expected: 'hardware' } },
      { row: 3, values: { product: 'Toastr', ticket: 'First line\nsecond line', expected: 'hardware' } },
      { row: 5, values: { product: 'Kettle', ticket: 'She said "hot"', expected: 'safety' } },
      { row: 7, error: 'Expected 3 fields (as in the header), found 4' },
      { row: 8, values: { product: 'Mixer', ticket: 'Loud noise', expected: 'noise' } },
    ]);
  });

  test('CRLF line ends, no final newline, stray quotes inside a field', async () => {
    const file = writeTemp('crlf.csv', 'a,b\r\n1,say "hi" now\r\n"x\r\ny",2');
    assert.deepEqual(await collect(readDataset(file)), [
      { row: 2, values: { a: '1', b: 'say "hi" now' } },
      { row: 3, values: { a: 'x\r\ny', b: '2' } },
    ]);
  });

  test('an unclosed quote ends the file with one error row', async () => {
    const file = writeTemp('broken.csv', 'a,b\n1,2\n3,"never closed\n4,5\n');
    const rows = await collect(readDataset(file));
    assert.deepEqual(rows[0], { row: 2, values: { a: '1', b: '2' } });
    assert.equal(rows.length, 2);
    assert.match('error' in rows[1]! ? rows[1].error : '', /CSV error: .*quote/i);
  });

  test('a duplicate header name is refused; an empty header column is ignored', async () => {
    assert.deepEqual(await collect(readDataset(writeTemp('dup.csv', 'a,a\n1,2\n'))), [{ row: 1, error: "The header names 'a' twice" }]);
    assert.deepEqual(await collect(readDataset(writeTemp('trail.csv', 'a,b,\n1,2,\n'))), [{ row: 2, values: { a: '1', b: '2' } }]);
  });

  test('10,000 rows stream through', async () => {
    const dir = tempDir('pl-bigcsv-');
    const file = path.join(dir, 'big.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'id,ticket,expected\n');
    for (let i = 1; i <= 10_000; i++) fs.writeSync(fd, `${i},"Ticket ${i}, with a comma\nand a second line",label-${i % 7}\n`);
    fs.closeSync(fd);
    let count = 0;
    let last: DatasetRow | undefined;
    for await (const r of readDataset(file)) {
      count++;
      last = r;
    }
    assert.equal(count, 10_000);
    // Each record spans two lines, so the last one starts on line 2 + 2 × 9,999.
    assert.deepEqual(last, { row: 20_000, values: { id: '10000', ticket: 'Ticket 10000, with a comma\nand a second line', expected: 'label-4' } });
  });

  test('an abort signal stops the stream', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const r of readDataset(path.join(DATA, 'edge-cases.csv'), { signal: controller.signal })) {
        seen.push(r.row);
        controller.abort();
      }
    }, { name: 'AbortError' });
    assert.deepEqual(seen, [2]);
  });

  test('a missing file rejects the iteration (every format)', async () => {
    for (const name of ['nope.csv', 'nope.jsonl', 'nope.json']) {
      await assert.rejects(collect(readDataset(path.join(DATA, name))), { code: 'ENOENT' }, name);
    }
  });
});

describe('JSON Lines and JSON', () => {
  test('JSONL: a bad line and a non-object are reported by line; blank lines skipped', async () => {
    const rows = await collect(readDataset(path.join(DATA, 'bad-line.jsonl')));
    assert.deepEqual(rows.map((r) => ('error' in r ? [r.row, r.error.slice(0, 24)] : [r.row, r.values])), [
      [1, { product: 'Blendr', ticket: 'Broken' }],
      [2, 'Invalid JSON: Unexpected'],
      [4, 'Expected a JSON object, '],
      [5, { product: 'Kettle', ticket: 'Hot' }],
    ]);
  });

  test('JSON array: a non-object element is an error row at its index', async () => {
    const rows = await collect(readDataset(path.join(DATA, 'mixed.json')));
    assert.deepEqual(rows, [
      { row: 1, values: { product: 'Blendr', ticket: 'Broken' } },
      { row: 2, error: 'Expected a JSON object, found a number' },
      { row: 3, values: { product: 'Kettle', ticket: 'Hot' } },
      { row: 4, error: 'Expected a JSON object, found null' },
    ]);
  });

  test('JSON that is not an array, or not JSON at all', async () => {
    assert.deepEqual(await collect(readDataset(writeTemp('obj.json', '{"a": 1}'))), [{ row: 1, error: 'Expected a JSON array of objects, found an object' }]);
    const bad = await collect(readDataset(writeTemp('bad.json', '[{"a": 1},')));
    assert.equal(bad.length, 1);
    assert.match('error' in bad[0]! ? bad[0].error : '', /^Invalid JSON/);
  });
});

describe('datasetFormat and loadTestCases', () => {
  test('format by extension; anything else is an error naming the supported ones', () => {
    assert.deepEqual(['a.csv', 'b.JSONL', 'c.ndjson', 'd.json'].map(datasetFormat), ['csv', 'jsonl', 'jsonl', 'json']);
    assert.throws(() => datasetFormat('data.xlsx'), /Unsupported dataset 'data\.xlsx': use a \.csv, \.jsonl or \.json file/);
    assert.throws(() => readDataset('data.txt'), /Unsupported dataset/);
  });

  test("a prompt's dataset: wins over its testData", async () => {
    const file = path.join(PROMPTS, 'ticket-triage.prompt.yml');
    const prompt = parsePromptFile(file, fs.readFileSync(file, 'utf8')).prompt;
    assert.ok(prompt);
    const rows = await collect(loadTestCases(prompt));
    assert.deepEqual(rows, [
      { row: 2, values: { product: 'Blendr 3000', ticket: 'The blender stopped working after a week.', expected: 'hardware' } },
      { row: 3, values: { product: 'Toastr', ticket: 'I was charged twice, please refund one.', expected: 'billing' } },
    ]);
  });

  test('without a dataset, inline testData rows are numbered from 1', async () => {
    const file = path.join(PROMPTS, 'text-summarizer.prompt.yml');
    const prompt = parsePromptFile(file, fs.readFileSync(file, 'utf8')).prompt;
    assert.ok(prompt);
    const rows = await collect(loadTestCases(prompt));
    assert.deepEqual(rows.map((r) => [r.row, 'values' in r ? r.values.subject : r.error]), [[1, 'fox'], [2, 'village']]);
  });
});
