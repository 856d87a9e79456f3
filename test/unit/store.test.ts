import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import { ExecutionDb, LocalStore, MIGRATIONS, SCHEMA_VERSION, importJsonl, loadSqlJs, migrate, prepareRecord, readJournal } from '../../src/core/store';
import { sampleExecution, tempDir } from './helpers/fixtures';

const sanitizer = new Sanitizer();
const open = (dir: string, extra: Partial<Parameters<typeof LocalStore.open>[0]> = {}) => LocalStore.open({ dir, sanitizer, ...extra });

describe('execution store', () => {
  it('records, reopens and reads back full texts (from journal, then from segments)', async () => {
    const dir = tempDir();
    let s = await open(dir);
    const rec = s.record(sampleExecution(1));
    assert.equal((await s.getExecution(rec.id))?.responseText, rec.responseText);
    await s.close();
    s = await open(dir);
    const d = await s.getExecution('exec-1');
    assert.ok(d, 'row survives a reopen');
    assert.equal(d.promptText, rec.promptText);
    assert.equal(d.responseText, rec.responseText);
    assert.equal((await s.stats()).pendingTexts, 0, 'close moved the texts into a segment');
    await s.close();
  });

  it('sanitizes before anything reaches the journal', async () => {
    const dir = tempDir();
    const s = await open(dir);
    const key = 'sk-' + 'proj-' + 'A1b2C3d4'.repeat(5);
    s.record(sampleExecution(2, { promptText: `mail carol@example.org key ${key}`, metadata: { apiKey: 'hunter2', note: 'ok' }, modelConfig: { temperature: 0.2, api_key: 'abc' } }));
    await s.close();
    const raw = fs.readdirSync(path.join(dir, 'journal')).map((f) => fs.readFileSync(path.join(dir, 'journal', f), 'utf8')).join('');
    assert.ok(!raw.includes('carol@example.org') && !raw.includes(key) && !raw.includes('hunter2') && !raw.includes('"abc"'));
    const s2 = await open(dir);
    const d = await s2.getExecution('exec-2');
    assert.match(d!.promptText, /\[EMAIL_REDACTED\].*\[SECRET_REDACTED\]/);
    assert.equal(d!.metadata.apiKey, '[REDACTED]');
    assert.equal(d!.modelConfig.api_key, '[REDACTED]');
    assert.equal(d!.modelConfig.temperature, 0.2);
    await s2.close();
  });

  it('pages history newest first by keyset and applies every filter', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 250; i++) s.record(sampleExecution(i));
    const seen: string[] = [];
    let page = await s.history({ limit: 100 });
    seen.push(...page.rows.map((r) => r.id));
    while (page.next) { page = await s.history({ limit: 100, after: page.next }); seen.push(...page.rows.map((r) => r.id)); }
    assert.equal(seen.length, 250);
    assert.equal(new Set(seen).size, 250, 'no row twice across pages');
    assert.equal(seen[0], 'exec-249');
    assert.equal(seen[249], 'exec-0');
    const failed = await s.history({ limit: 1000, success: false });
    assert.equal(failed.rows.length, 50);
    assert.ok(failed.rows.every((r) => !r.success));
    assert.equal((await s.history({ limit: 1000, promptId: 'prompt-1' })).rows.length, 83);
    assert.equal((await s.history({ limit: 1000, tag: 'model-llama3' })).rows.length, 125);
    assert.equal((await s.history({ limit: 1000, model: 'gpt-4o-mini', success: true })).rows.length, 125 - 25);
    const since = Date.UTC(2026, 10, 1) + 100 * 1000, until = Date.UTC(2026, 10, 1) + 110 * 1000;
    assert.deepEqual((await s.history({ limit: 1000, since, until })).rows.map((r) => r.id).sort(), Array.from({ length: 10 }, (_, k) => `exec-${100 + k}`).sort());
    await s.close();
  });

  it('finds text through FTS4 and through the not-yet-indexed tail, with quotes and operators treated as words', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 30; i++) s.record(sampleExecution(i));
    s.record(sampleExecution(99, { responseText: 'A zebracorn appeared. "quoted" OR NOT' }));
    assert.deepEqual((await s.history({ search: 'zebracorn' })).rows.map((r) => r.id), ['exec-99'], 'unindexed tail by LIKE');
    await s.compact();
    assert.equal((await s.stats()).ftsIndexedSeq, 31);
    assert.deepEqual((await s.history({ search: 'zebracorn' })).rows.map((r) => r.id), ['exec-99'], 'indexed by FTS4');
    assert.deepEqual((await s.history({ search: '"quoted" OR NOT' })).rows.map((r) => r.id), ['exec-99']);
    assert.equal((await s.history({ search: 'no-such-word-anywhere' })).rows.length, 0);
    await s.close();
  });

  it('journals patches (scores added later) and replays them', async () => {
    const dir = tempDir();
    let s = await open(dir);
    s.record(sampleExecution(5));
    s.patch({ id: 'exec-5', qualityScore: 0.75, quality: { relevance: { score: 0.8, reason: 'ok' } }, tags: ['reviewed'] });
    await s.close();
    s = await open(dir);
    const d = await s.getExecution('exec-5');
    assert.equal(d!.qualityScore, 0.75);
    assert.deepEqual(d!.tags, ['reviewed']);
    assert.equal((await s.history({ tag: 'reviewed' })).rows.length, 1);
    assert.equal((await s.history({ tag: 'task-summary' })).rows.length, 0, 'tag index follows the patch');
    await s.close();
  });

  it('round-trips export → import → export byte for byte', async () => {
    const a = tempDir(), b = tempDir();
    const s = await open(a);
    for (let i = 0; i < 40; i++) s.record(sampleExecution(i, { quality: { clarity: { score: 0.5, reason: 'x' } }, qualityScore: i % 3 ? 0.5 : null }));
    const f1 = path.join(a, 'e1.jsonl');
    assert.equal((await s.exportJsonl(f1)).rows, 40);
    await s.close();
    const t = await open(b);
    const rep = await importJsonl(f1, t, sanitizer);
    assert.deepEqual(rep.bad, []);
    assert.equal(rep.imported, 40);
    const f2 = path.join(b, 'e2.jsonl');
    await t.exportJsonl(f2);
    await t.close();
    assert.equal(fs.readFileSync(f2, 'utf8'), fs.readFileSync(f1, 'utf8'));
  });

  it('imports around bad lines, reporting each by line number', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'in.jsonl');
    const good = (i: number) => JSON.stringify(sampleExecution(i));
    fs.writeFileSync(file, ['\uFEFF' + good(1), '{"id": ', good(2), '', JSON.stringify({ ...sampleExecution(3), success: 'yes' }), JSON.stringify({ ...sampleExecution(4), createdAt: 'yesterday' }), good(5)].join('\n'));
    const s = await open(path.join(dir, 'db'));
    const rep = await importJsonl(file, s, sanitizer);
    assert.equal(rep.imported, 3);
    assert.deepEqual(rep.bad.map((b) => b.line), [2, 5, 6]);
    assert.match(rep.bad[0]!.reason, /not JSON/);
    assert.match(rep.bad[1]!.reason, /success/);
    assert.match(rep.bad[2]!.reason, /createdAt/);
    await s.close();
  });

  it('quarantines a damaged snapshot and recovers everything from the previous one plus journals', async () => {
    const dir = tempDir();
    let s = await open(dir);
    for (let i = 0; i < 10; i++) s.record(sampleExecution(i));
    await s.compact();
    for (let i = 10; i < 20; i++) s.record(sampleExecution(i));
    await s.compact();
    for (let i = 20; i < 25; i++) s.record(sampleExecution(i));
    await s.close(); // third snapshot
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8')) as { file: string };
    const snap = path.join(dir, manifest.file);
    const bytes = fs.readFileSync(snap);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0xff, bytes.length - 100);
    fs.writeFileSync(snap, bytes);
    const problems: string[] = [];
    s = await open(dir, { onProblem: (p) => problems.push(`${p.kind}:${p.message}`) });
    assert.equal((await s.stats()).executions, 25, 'nothing lost');
    assert.ok(problems.some((p) => /checksum mismatch/.test(p)), problems.join('\n'));
    assert.ok(fs.readdirSync(path.join(dir, 'quarantine')).some((f) => f.endsWith(manifest.file)), 'damaged snapshot kept aside');
    await s.close();
  });

  it('skips a damaged journal line (reported, file copied to quarantine) and keeps the lines after it', async () => {
    const dir = tempDir();
    const s = await open(dir, { compactEveryRows: 1e9 });
    for (let i = 0; i < 5; i++) s.record(sampleExecution(i));
    // Simulate a crash: no close(), so nothing is compacted.
    const jdir = path.join(dir, 'journal');
    const file = path.join(jdir, fs.readdirSync(jdir)[0]!);
    const text = fs.readFileSync(file, 'utf8').split('\n');
    text[2] = text[2]!.replace('Task', 'Tusk'); // checksum no longer matches
    fs.writeFileSync(file, text.join('\n') + '{"torn":');  // plus a torn tail
    const r = readJournal(file, 0);
    assert.equal(r.ops.length, 4);
    assert.equal(r.corrupt.length, 1);
    assert.match(r.corrupt[0]!.reason, /checksum/);
    assert.ok(r.tailBytes > 0, 'torn tail detected, not parsed');
    const problems: string[] = [];
    const s2 = await open(dir, { onProblem: (p) => problems.push(p.message) });
    assert.deepEqual((await s2.history()).rows.map((x) => x.id).sort(), ['exec-0', 'exec-1', 'exec-3', 'exec-4']);
    assert.ok(problems.some((p) => /1 damaged record/.test(p)));
    assert.ok(fs.existsSync(path.join(dir, 'quarantine')));
    await s2.close();
  });

  it('refuses a database from a newer schema version with a clear message', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    migrate(db);
    db.run('INSERT INTO schema_version(version, applied_at) VALUES (?, ?)', [SCHEMA_VERSION + 1, Date.now()]);
    await assert.rejects(ExecutionDb.open(db.export()), /newer than this Prompt Lab understands/);
    db.close();
  });

  for (const m of MIGRATIONS.slice(0, -1)) {
    it(`migrates a version-${m.version} database to the current schema without losing rows`, async () => {
      const SQL = await loadSqlJs();
      const db = new SQL.Database();
      migrate(db, m.version);
      db.run(`INSERT INTO executions (id, prompt_id, success, created_at, tags, prompt_snippet, response_snippet) VALUES ('old-1', 'p', 1, 1700000000000, '["legacy","task-x"]', 'hello', 'world')`);
      if (m.version >= 2) { // a v2+ writer kept the tag index itself
        db.run(`INSERT INTO tags(name) VALUES ('legacy'), ('task-x')`);
        db.run(`INSERT INTO execution_tags(tag_id, seq) SELECT id, 1 FROM tags`);
      }
      const opened = await ExecutionDb.open(db.export());
      db.close();
      assert.equal(opened.count(), 1);
      assert.equal(opened.history({ tag: 'legacy' }).rows[0]?.id, 'old-1', 'tags normalised by the migration');
      assert.equal(Number(opened.db.exec('SELECT MAX(version) FROM schema_version')[0]!.values[0]![0]), SCHEMA_VERSION);
      opened.close();
    });
  }
});

describe('full-text window', () => {
  it('keeps the FTS index to the newest ftsWindow rows and rebuilds it when old entries pile up', async () => {
    const dir = tempDir();
    const s = await LocalStore.open({ dir, sanitizer, ftsWindow: 2000, compactEveryRows: 1e9 });
    s.recordMany(Array.from({ length: 1500 }, (_, i) => prepareRecord(sampleExecution(i, { responseText: i === 10 ? 'an oldzebra answer' : 'plain' }), sanitizer)));
    await s.compact();
    assert.equal((await s.history({ search: 'oldzebra' })).rows.length, 1, 'inside the window');
    s.recordMany(Array.from({ length: 2500 }, (_, i) => prepareRecord(sampleExecution(2000 + i, { responseText: i === 2499 ? 'a newzebra answer' : 'plain' }), sanitizer)));
    await s.compact();
    const st = await s.stats();
    assert.equal(st.ftsIndexedSeq, 4000);
    assert.equal((await s.history({ search: 'oldzebra' })).rows.length, 0, 'dropped with the old index: row 11 is outside the 2000-row window');
    assert.equal((await s.history({ search: 'newzebra' })).rows.length, 1);
    assert.equal((await s.history({ search: 'plain', limit: 5000 })).rows.length, 2000 - 1, 'the window re-indexed from text segments');
    await s.close();
  });
});
