import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore, SCHEMA_VERSION, WorkerStore, loadSqlJs } from '../../src/core/store';
import type { BackupSidecar } from '../../src/core/store/backup';
import { verifyBackup } from '../../src/core/store/backup';
import { sha256 } from '../../src/core/store/snapshot';
import { sampleExecution, tempDir } from './helpers/fixtures';

const sanitizer = new Sanitizer();
const open = (dir: string) => LocalStore.open({ dir, sanitizer });

async function allIds(s: LocalStore): Promise<string[]> {
  return (await s.history({ limit: 5000 })).rows.map((r) => r.id).sort();
}

describe('backup', () => {
  it('creates a backup that verifies, with texts inlined and counts in the sidecar', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 30; i++) s.record(sampleExecution(i));
    await s.compact();
    for (let i = 30; i < 40; i++) s.record(sampleExecution(i)); // still only journalled
    const file = path.join(tempDir(), 'b.sqlite');
    const r = await s.backup(file);
    assert.equal(r.rows, 40, 'journalled rows are folded in by the compaction first');
    assert.equal(r.texts, 40);
    assert.equal(r.textErrors, 0);
    assert.equal(r.compressed, false);
    const sc = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as BackupSidecar;
    assert.equal(sc.format, 'promptlab-backup/1');
    assert.equal(sc.sha256, sha256(fs.readFileSync(file)));
    assert.equal(sc.schemaVersion, SCHEMA_VERSION);
    const v = await verifyBackup(file);
    assert.deepEqual(v.problems, []);
    assert.ok(v.ok);
    assert.equal(v.rows, 40);
    await s.close();
  });

  it('fails verification on one corrupted byte, with the reason', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 20; i++) s.record(sampleExecution(i));
    const file = path.join(tempDir(), 'b.sqlite');
    await s.backup(file);
    await s.close();
    const buf = fs.readFileSync(file);
    buf[Math.floor(buf.length / 2)]! ^= 0x55;
    fs.writeFileSync(file, buf);
    const v = await verifyBackup(file);
    assert.equal(v.ok, false);
    assert.match(v.problems.join(' '), /checksum mismatch/);
    // A truncated copy: the size check names it.
    const t = path.join(tempDir(), 'cut.sqlite');
    fs.writeFileSync(t, buf.subarray(0, buf.length - 5000));
    fs.writeFileSync(`${t}.json`, fs.readFileSync(`${file}.json`));
    const v2 = await verifyBackup(t);
    assert.equal(v2.ok, false);
    assert.match(v2.problems.join(' '), /size is \d+ bytes, the sidecar says/);
    const s2 = await open(dir);
    await assert.rejects(s2.restoreBackup(file), /failed verification, nothing was restored: checksum mismatch/);
    await s2.close();
  });

  it('gzip variant: compressed backup verifies and restores', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 25; i++) s.record(sampleExecution(i));
    const file = path.join(tempDir(), 'b.sqlite.gz');
    const r = await s.backup(file);
    assert.equal(r.compressed, true);
    const raw = fs.readFileSync(file);
    assert.equal(raw[0], 0x1f);
    assert.ok(gunzipSync(raw).subarray(0, 15).toString() === 'SQLite format 3');
    assert.ok((await verifyBackup(file)).ok);
    await s.close();
    const fresh = await open(tempDir());
    const rr = await fresh.restoreBackup(file);
    assert.equal(rr.restored, 25);
    const d = await fresh.getExecution('exec-7');
    assert.match(d!.responseText, /^Summary 7: - The customer reports/);
    assert.equal(d!.responseText.length, sampleExecution(7).responseText!.length);
    await fresh.close();
  });

  it('restore into a store with rows written after the backup: nothing lost, nothing doubled, texts intact', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 50; i++) s.record(sampleExecution(i));
    const file = path.join(tempDir(), 'b.sqlite');
    await s.backup(file);
    // After the backup: new rows, some compacted into a snapshot, some only journalled.
    for (let i = 50; i < 70; i++) s.record(sampleExecution(i));
    await s.compact();
    for (let i = 70; i < 80; i++) s.record(sampleExecution(i));
    s.patch({ id: 'exec-3', qualityScore: 0.9 });
    // A second writer (another window) journals while the restore runs.
    const other = await open(dir);
    other.record(sampleExecution(500));
    await s.compact();
    const r = await s.restoreBackup(file);
    other.record(sampleExecution(501));
    assert.equal(r.alreadyPresent, 50);
    assert.equal(r.restored, 0);
    assert.ok(fs.existsSync(path.join(r.safetyCopy, 'snapshot.json')), 'safety copy of the manifest');
    await other.close();
    await s.close();
    const s2 = await open(dir);
    const ids = await allIds(s2);
    const want = [...Array.from({ length: 80 }, (_, i) => `exec-${i}`), 'exec-500', 'exec-501'].sort();
    assert.deepEqual(ids, want);
    assert.equal((await s2.getExecution('exec-3'))?.qualityScore, 0.9, 'the live row (later patch) wins over the backup copy');
    await s2.close();
  });

  it('restore brings back rows that are gone from the live database', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 40; i++) s.record(sampleExecution(i));
    const file = path.join(tempDir(), 'b.sqlite');
    await s.backup(file);
    await s.close();
    // Lose the database: a new empty folder stands in for the damaged one; rows come after.
    const dir2 = tempDir();
    const t = await open(dir2);
    t.record(sampleExecution(100));
    const r = await t.restoreBackup(file);
    assert.equal(r.restored, 40);
    assert.equal(r.alreadyPresent, 0);
    t.record(sampleExecution(101));
    await t.close();
    const t2 = await open(dir2);
    assert.equal((await allIds(t2)).length, 42);
    const d = await t2.getExecution('exec-11');
    assert.equal(d?.promptText, sampleExecution(11).promptText);
    assert.deepEqual(d?.tags, ['task-summary', 'model-gpt-4o-mini']);
    assert.equal((await t2.history({ tag: 'model-llama3', limit: 1000 })).rows.length, 20 + 1, 'tags re-linked');
    t2.engine.catchUpIndex();
    assert.equal((await t2.history({ search: 'Summary 11', limit: 10 })).rows.some((x) => x.id === 'exec-11'), true, 'restored rows are searchable');
    await t2.close();
  });

  it('refuses a backup with a newer schema version, with a clear message', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 5; i++) s.record(sampleExecution(i));
    const file = path.join(tempDir(), 'b.sqlite');
    await s.backup(file);
    // Make it look written by a later Prompt Lab: bump the schema, re-sign the sidecar.
    const SQL = await loadSqlJs();
    const db = new SQL.Database(fs.readFileSync(file));
    db.run('INSERT INTO schema_version(version, applied_at, description) VALUES (?, ?, ?)', [SCHEMA_VERSION + 1, Date.now(), 'future']);
    const bytes = db.export();
    db.close();
    fs.writeFileSync(file, bytes);
    const sc = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as BackupSidecar;
    Object.assign(sc, { sha256: sha256(bytes), bytes: bytes.length, schemaVersion: SCHEMA_VERSION + 1 });
    fs.writeFileSync(`${file}.json`, JSON.stringify(sc));
    const v = await verifyBackup(file);
    assert.equal(v.ok, false);
    assert.match(v.problems[0]!, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this Prompt Lab understands \\(${SCHEMA_VERSION}\\)`));
    await assert.rejects(s.restoreBackup(file), /newer than this Prompt Lab understands/);
    assert.equal((await allIds(s)).length, 5, 'nothing changed');
    await s.close();
  });

  it('works the same through the worker-thread store (extension host)', async () => {
    const dir = tempDir();
    const s = await WorkerStore.open({ dir, sanitizer, workerScript: path.join(__dirname, 'helpers/storeWorkerBoot.cjs'), pollMs: 50 });
    for (let i = 0; i < 30; i++) s.record(sampleExecution(i, { createdAt: new Date(Date.now() - i * 86_400_000).toISOString() }));
    const file = path.join(tempDir(), 'w.sqlite.gz');
    const b = await s.backup(file);
    assert.equal(b.rows, 30);
    const a = await s.archive(10);
    assert.equal(a.deleted, 20);
    const o = await s.optimize();
    assert.equal(o.rows, 10);
    const r = await s.restoreBackup(file);
    assert.equal(r.restored, 20, 'archived rows come back from an older backup');
    assert.equal((await s.history({ limit: 1000 })).rows.length, 30);
    await s.close();
  });

  it('restores an older-schema backup (migrated on open)', async () => {
    const SQL = await loadSqlJs();
    const { ExecutionDb, migrate } = await import('../../src/core/store');
    // A version-1 image with one row and its texts inlined.
    const raw = new SQL.Database();
    migrate(raw, 1);
    raw.run(`INSERT INTO executions (id, prompt_id, success, created_at, tags, text_ref, prompt_snippet, response_snippet) VALUES ('old-1', 'p', 1, ?, '["legacy"]', 'inline', 'hi', 'yo')`, [Date.UTC(2025, 0, 1)]);
    raw.run('CREATE TABLE inline_texts (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    const { encodeTexts } = await import('../../src/core/store/backup');
    raw.run('INSERT INTO inline_texts VALUES (1, ?)', [encodeTexts('hi there', 'yo back')]);
    const bytes = raw.export();
    raw.close();
    const file = path.join(tempDir(), 'old.sqlite');
    fs.writeFileSync(file, bytes);
    assert.ok((await verifyBackup(file)).ok, 'no sidecar: a warning, integrity checked');
    const s = await open(tempDir());
    const r = await s.restoreBackup(file);
    assert.equal(r.restored, 1);
    const d = await s.getExecution('old-1');
    assert.equal(d?.promptText, 'hi there');
    assert.equal((await s.history({ tag: 'legacy' })).rows.length, 1);
    await s.close();
    void ExecutionDb;
  });
});
