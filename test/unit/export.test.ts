import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import {
  ReportAggregator, csvField, csvWriter, escapeHtml, escapeMarkdown, getPath, jsonWriter, neutraliseFormula, renderHtmlReport,
  renderMarkdownReport,
} from '../../src/core/export';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionRecord } from '../../src/core/store';
import { LocalStore, WorkerStore, executionRecordSchema, importJsonl } from '../../src/core/store';
import { sampleExecution, tempDir } from './helpers/fixtures';

const sanitizer = new Sanitizer();
const open = (dir: string) => LocalStore.open({ dir, sanitizer });
const rec = (i: number, over: Partial<ExecutionRecord> = {}): ExecutionRecord => ({ ...executionRecordSchema.parse(sampleExecution(i)), ...over });

/** A minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF or LF inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    field += c; i++;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function runWriter(w: ReturnType<typeof csvWriter> | ReturnType<typeof jsonWriter>, recs: ExecutionRecord[]): string {
  let s = w.begin?.() ?? '';
  for (const r of recs) s += w.row(r);
  return s + (w.end?.(recs.length) ?? '');
}

const XSS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "javascript:alert('x')",
  '<a href="javascript:alert(1)">x</a>', '</style><script>x</script>', '<iframe src="https://evil.example"></iframe>',
  "'; DROP TABLE x; --", '{{constructor.constructor("alert(1)")()}}', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', '| pipe | `tick` *bold* [l](javascript:x)'];

describe('export: CSV', () => {
  it('quotes per RFC 4180: commas, quotes, CR/LF inside fields; CRLF line ends', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('line1\nline2'), '"line1\nline2"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    const text = runWriter(csvWriter({ columns: ['id', 'responseText'] }), [rec(1, { responseText: 'a "quoted", multi\r\nline\nanswer' })]);
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual(parseCsv(text), [['id', 'responseText'], ['exec-1', 'a "quoted", multi\r\nline\nanswer']]);
  });

  it('neutralises every formula trigger (=, +, -, @, tab, CR) but leaves numbers and other text alone', () => {
    for (const t of ['=', '+', '-', '@', '\t', '\r']) {
      const v = `${t}HYPERLINK("http://evil.example")`;
      assert.equal(neutraliseFormula(v), `'${v}`, JSON.stringify(t));
      const rows = parseCsv(runWriter(csvWriter({ columns: ['responseText'] }), [rec(1, { responseText: v })]));
      assert.equal(rows[1]![0], `'${v}`);
    }
    assert.equal(neutraliseFormula('hello = world'), 'hello = world');
    const rows = parseCsv(runWriter(csvWriter({ columns: ['metadata.delta', 'latencyMs'] }), [rec(1, { metadata: { delta: -3 }, latencyMs: 12.5 })]));
    assert.deepEqual(rows[1], ['-3', '12.5'], 'numbers are numbers, not formulas');
  });

  it('writes a UTF-8 BOM only when asked', () => {
    assert.ok(runWriter(csvWriter({ columns: ['id'], bom: true }), [rec(1)]).startsWith('\uFEFFid\r\n'));
    assert.ok(runWriter(csvWriter({ columns: ['id'] }), [rec(1)]).startsWith('id\r\n'));
  });

  it('selects columns and flattens nested fields with dotted names (wildcards expand)', () => {
    const quality = { overall: 0.5, dimensions: { relevance: { score: 0.9, reason: 'on topic' }, completeness: { score: 0.2, reason: 'misses a point' }, accuracy: { score: null, reason: 'no reference' }, clarity: { score: 0.7, reason: 'ok' }, safety: { score: 1, reason: 'ok' } } };
    const r1 = rec(1, { modelConfig: { temperature: 0.2, top_p: 1 }, metadata: { team: 'a', 'dotted.key': 'x', nested: { deep: 1 } }, quality, qualityScore: 0.5, tags: ['t1', 't2'] });
    const r2 = rec(2, { modelConfig: { temperature: 0.7, seed: 4 }, metadata: {} });
    const w = csvWriter({ columns: ['id', 'modelConfig.*', 'metadata.dotted.key', 'metadata.nested', 'quality.dimensions.*.score', 'tags', 'nope'] });
    const rows = parseCsv(runWriter(w, [r1, r2]));
    assert.deepEqual(rows[0], ['id', 'modelConfig.seed', 'modelConfig.temperature', 'modelConfig.top_p', 'metadata.dotted.key', 'metadata.nested',
      'quality.dimensions.relevance.score', 'quality.dimensions.completeness.score', 'quality.dimensions.accuracy.score', 'quality.dimensions.clarity.score', 'quality.dimensions.safety.score', 'tags', 'nope']);
    assert.deepEqual(rows[1], ['exec-1', '', '0.2', '1', 'x', '{"deep":1}', '0.9', '0.2', '', '0.7', '1', 't1; t2', '']);
    assert.deepEqual(rows[2]!.slice(0, 4), ['exec-2', '4', '0.7', '']);
    assert.equal(getPath(r1, 'quality.dimensions.completeness.reason'), 'misses a point');
  });

  it('writes a header even with no rows; default columns include the main fields', () => {
    const text = runWriter(csvWriter(), []);
    const header = parseCsv(text)[0]!;
    for (const c of ['id', 'createdAt', 'promptId', 'variant', 'success', 'latencyMs', 'costUsd', 'qualityScore', 'promptText', 'responseText']) assert.ok(header.includes(c), c);
  });
});

describe('export: JSON', () => {
  it('is a valid JSON array when empty, with one row and with many; fields as in JSONL', () => {
    assert.deepEqual(JSON.parse(runWriter(jsonWriter(), [])), []);
    const one = JSON.parse(runWriter(jsonWriter(), [rec(1)])) as ExecutionRecord[];
    assert.equal(one.length, 1);
    assert.equal(one[0]!.id, 'exec-1');
    const many = JSON.parse(runWriter(jsonWriter(), Array.from({ length: 50 }, (_, i) => rec(i)))) as ExecutionRecord[];
    assert.deepEqual(many.map((r) => r.id), Array.from({ length: 50 }, (_, i) => `exec-${i}`));
    assert.deepEqual(Object.keys(many[0]!).slice(0, 3), ['id', 'promptId', 'promptVersion']);
  });
});

function xssRecords(): ExecutionRecord[] {
  return XSS.map((s, i) => rec(i, { promptId: s, variant: s, model: s, id: `x-${i}-${s}`, qualityScore: 0.1 + i * 0.01, success: i % 2 === 0,
    quality: { overall: 0.1, dimensions: { relevance: { score: 0.05, reason: s }, clarity: { score: 0.5, reason: 'fine' } } } }));
}

describe('export: reports', () => {
  it('Markdown: summary, per-variant means pointing at `promptlab compare`, worst cases with the weakest dimension', () => {
    const a = new ReportAggregator();
    for (let i = 0; i < 30; i++) {
      a.add(rec(i, { variant: i % 2 ? 'B' : 'A', latencyMs: 100 + i, costUsd: 0.001, qualityScore: i / 30,
        quality: { overall: i / 30, dimensions: { relevance: { score: i / 30, reason: `rel ${i}` }, clarity: { score: 0.9, reason: 'clear' } } } }));
    }
    const md = renderMarkdownReport(a, { title: 'Weekly', generatedAt: new Date('2026-11-27T00:00:00Z') });
    assert.match(md, /^# Weekly/);
    assert.match(md, /\| Executions \| 30 \|/);
    assert.match(md, /\| Success rate \| 80\.0% \(24 of 30\) \|/);
    assert.match(md, /\| p95 latency \| 128 ms \|/);
    assert.match(md, /\| Total cost \| \$0\.0300 \|/);
    assert.match(md, /\| A \| 15 \|/);
    assert.match(md, /`promptlab compare`/);
    assert.match(md, /\| 1 \| 0\.000 \| relevance \(0\.00\) \| rel 0 \|/);
    assert.equal(a.worst.length, 10);
    assert.deepEqual(a.worst.map((w) => w.id), Array.from({ length: 10 }, (_, i) => `exec-${i}`));
  });

  it('Markdown: no variant table without variants; every user string inert (pipes, backticks, HTML)', () => {
    const a = new ReportAggregator();
    for (const r of xssRecords()) a.add(r);
    const md = renderMarkdownReport(a);
    assert.ok(!/<[a-zA-Z/!]/.test(md), 'no HTML-looking tag survives');
    for (const line of md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length;
      const header = md.split('\n').find((l) => l.startsWith('| ') && md.indexOf(l) <= md.indexOf(line) && l.split('|').length === cells);
      assert.ok(header, `row keeps its cell count: ${line}`);
    }
    assert.ok(!/(?<!\\)\]\(javascript/.test(md) && md.includes('\\](javascript'), 'the link is escaped, so none can form');
    assert.equal(escapeMarkdown('a|b`c`*d*<e>\nf'), 'a\\|b\\`c\\`\\*d\\*&lt;e&gt; f');
    const plain = new ReportAggregator();
    plain.add(rec(1, { variant: null }));
    assert.ok(!renderMarkdownReport(plain).includes('## Variants'));
  });

  it('HTML: self-contained (strict CSP, no scripts, nothing from the network) and every string escaped (XSS corpus)', () => {
    const a = new ReportAggregator();
    for (const r of xssRecords()) a.add(r);
    const html = renderHtmlReport(a, { title: '<script>alert("title")</script>' });
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
    assert.ok(!/<script/i.test(html), 'no script tag');
    assert.ok(html.includes('<svg'), 'charts are inline SVG');
    const allowed = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div',
      'figure', 'figcaption', 'svg', 'line', 'text', 'rect', 'polyline', 'circle']);
    for (const tag of html.match(/<[^>]*>/g) ?? []) {
      const name = /^<\/?\s*([!a-zA-Z0-9]+)/.exec(tag)?.[1]?.toLowerCase();
      assert.ok(name && allowed.has(name), `unexpected tag ${tag}`);
      assert.ok(!/\bon[a-z]+\s*=/i.test(tag), `event handler in ${tag}`);
      assert.ok(!/javascript:/i.test(tag), `javascript: URL in ${tag}`);
      assert.ok(!/\b(src|href)\s*=/i.test(tag.replace(/^<meta[^>]*>$/, '')), `external reference in ${tag}`);
    }
    for (const s of XSS) assert.ok(html.includes(escapeHtml(s)), `${s} appears escaped`);
    assert.equal(escapeHtml(`<a href="x" onerror='y'>&`), '&lt;a href=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;');
  });
});

describe('export: store and files', () => {
  it('exportTo writes each format; JSONL still round-trips through import', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 30; i++) s.record(sampleExecution(i, { variant: i % 2 ? 'A' : 'B', qualityScore: (i % 10) / 10 }));
    for (const format of ['csv', 'json', 'jsonl', 'md', 'html'] as const) {
      const f = path.join(dir, `out.${format}`);
      assert.equal((await s.exportTo(f, { format })).rows, 30, format);
      assert.ok(fs.statSync(f).size > 0);
      assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.partial-')), 'no temp file left');
    }
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as unknown[]).length, 30);
    assert.equal(parseCsv(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).length, 31);
    const jsonlOld = path.join(dir, 'old.jsonl');
    await s.exportJsonl(jsonlOld);
    assert.equal(fs.readFileSync(jsonlOld, 'utf8'), fs.readFileSync(path.join(dir, 'out.jsonl'), 'utf8'), 'exportJsonl is exportTo jsonl');
    const other = await open(tempDir());
    assert.equal((await importJsonl(jsonlOld, other, sanitizer)).imported, 30);
    const again = path.join(dir, 'again.jsonl');
    await other.exportTo(again, { format: 'jsonl' });
    assert.equal(fs.readFileSync(again, 'utf8'), fs.readFileSync(jsonlOld, 'utf8'));
    // a selection by ids, in the order given
    const sel = path.join(dir, 'sel.json');
    await s.exportTo(sel, { format: 'json', ids: ['exec-3', 'exec-1', 'missing'] });
    assert.deepEqual((JSON.parse(fs.readFileSync(sel, 'utf8')) as ExecutionRecord[]).map((r) => r.id), ['exec-3', 'exec-1']);
    await other.close();
    await s.close();
  });

  it('a cancelled export leaves no file under the final name (nor a temp file); an old file there survives', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 1500; i++) s.record(sampleExecution(i));
    for (const format of ['csv', 'json', 'jsonl', 'md', 'html'] as const) {
      const f = path.join(dir, `cancel.${format}`);
      const ac = new AbortController();
      const progress: number[] = [];
      await assert.rejects(s.exportTo(f, { format, signal: ac.signal, onProgress: (n) => { progress.push(n); ac.abort(); } }), /export cancelled/);
      assert.deepEqual(progress, [500]);
      assert.ok(!fs.existsSync(f), `${format}: no file`);
      const pre = new AbortController();
      pre.abort();
      fs.writeFileSync(f, 'previous');
      await assert.rejects(s.exportTo(f, { format, signal: pre.signal }), /export cancelled/);
      assert.equal(fs.readFileSync(f, 'utf8'), 'previous');
    }
    assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.partial-')));
    await s.close();
  });

  it('exports only sanitized data: a key in a prompt appears as the redaction marker', async () => {
    const dir = tempDir();
    const s = await open(dir);
    const key = 'sk-' + 'proj-' + 'Z9y8X7w6'.repeat(5);
    s.record(sampleExecution(1, { promptText: `use key ${key} please`, metadata: { apiKey: 'hunter2' }, modelConfig: { api_key: 'abc123secret' } }));
    for (const format of ['csv', 'json', 'jsonl', 'md', 'html'] as const) {
      const f = path.join(dir, `s.${format}`);
      await s.exportTo(f, { format, ...(format === 'csv' ? { columns: ['promptText', 'metadata.*', 'modelConfig.*'] } : {}) });
      const text = fs.readFileSync(f, 'utf8');
      assert.ok(!text.includes(key) && !text.includes('hunter2') && !text.includes('abc123secret'), format);
      if (format !== 'md' && format !== 'html') assert.match(text, /\[SECRET_REDACTED\]/, format);
    }
    await s.close();
  });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

describe('export: worker store', () => {
  it('exportTo in the worker thread reports progress and cancels across the thread boundary', async () => {
    const dir = tempDir();
    const s = await WorkerStore.open({ dir, sanitizer, workerScript: path.join(__dirname, 'helpers/storeWorkerBoot.cjs'), pollMs: 50 });
    try {
      for (let i = 0; i < 2600; i++) s.record(sampleExecution(i));
      const f = path.join(dir, 'w.csv');
      const seen: number[] = [];
      assert.equal((await s.exportTo(f, { format: 'csv', columns: ['id'], onProgress: (n) => seen.push(n) })).rows, 2600);
      assert.deepEqual(seen, [500, 1000, 1500, 2000, 2500, 2600]);
      assert.equal(parseCsv(fs.readFileSync(f, 'utf8')).length, 2601);
      const g = path.join(dir, 'w.html');
      const ac = new AbortController();
      await assert.rejects(s.exportTo(g, { format: 'html', signal: ac.signal, onProgress: () => ac.abort() }), /export cancelled/);
      assert.ok(!fs.existsSync(g));
      assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.partial-')));
    } finally { await s.close(); }
  });
});

describe('export: CLI', () => {
  it('export --format csv --out F --prompt X --columns --bom, end to end with a LocalStore', async () => {
    const db = tempDir();
    const s = await open(db);
    for (let i = 0; i < 30; i++) s.record(sampleExecution(i, { experimentId: i < 10 ? 'exp-1' : null }));
    await s.close();
    const out = path.join(db, 'p1.csv');
    const r = await cli('export', '--format', 'csv', '--out', out, '--prompt', 'prompt-1', '--db', db);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /exported 10 execution\(s\)/);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'));
    const header = rows[0]!;
    assert.equal(rows.length, 11);
    assert.ok(rows.slice(1).every((row) => row[header.indexOf('promptId')] === 'prompt-1'));

    const cols = await cli('export', '--format', 'csv', '--out', out, '--experiment', 'exp-1', '--columns', 'id,latencyMs', '--bom', '--db', db, '--json');
    assert.equal(cols.code, 0, cols.err);
    assert.deepEqual(JSON.parse(cols.out), { rows: 10, out, format: 'csv' });
    const text = fs.readFileSync(out, 'utf8');
    assert.ok(text.startsWith('\uFEFFid,latencyMs\r\n'));

    const since = new Date(Date.UTC(2026, 10, 1) + 20_000).toISOString();
    const until = new Date(Date.UTC(2026, 10, 1) + 25_000).toISOString();
    const win = await cli('export', '--format', 'json', '--since', since, '--until', until, '--db', db);
    assert.equal(win.code, 0, win.err);
    assert.deepEqual((JSON.parse(win.out) as ExecutionRecord[]).map((x) => x.id), ['exec-24', 'exec-23', 'exec-22', 'exec-21', 'exec-20']);

    for (const format of ['md', 'html']) {
      const rep = await cli('export', '--format', format, '--db', db);
      assert.equal(rep.code, 0, rep.err);
      assert.match(rep.out, /Executions/);
    }
    const bad = await cli('export', '--format', 'json', '--columns', 'id', '--db', db);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--columns and --bom apply to --format csv only/);
    const badFmt = await cli('export', '--format', 'xlsx', '--db', db);
    assert.equal(badFmt.code, 2);
    assert.match(badFmt.err, /--format xlsx is not supported \(supported: csv, json, jsonl, md, html\)/);
  });
});
