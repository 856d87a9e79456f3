import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { archiveExecution, archiveHistory, archiveOlderThan, deleteArchived, openArchive, writeArchives } from '../../src/core/store/archive';
import { sampleExecution, tempDir } from './helpers/fixtures';

const sanitizer = new Sanitizer();
const open = (dir: string) => LocalStore.open({ dir, sanitizer });
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 15);

/** 60 executions, one a day back from NOW: exec-0 is today, exec-59 is 59 days old. */
function seed(s: LocalStore): void {
  for (let i = 0; i < 60; i++) s.record(sampleExecution(i, { createdAt: new Date(NOW - i * DAY - 3600_000).toISOString() }));
}

async function archivedIds(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of fs.readdirSync(path.join(dir, 'archive'))) {
    const db = await openArchive(path.join(dir, 'archive', f));
    out.push(...(db.db.exec('SELECT id FROM executions')[0]?.values ?? []).map((v) => String(v[0])));
    db.close();
  }
  return out.sort();
}

describe('archive', () => {
  it('moves executions older than N days into monthly archive files, texts included', async () => {
    const dir = tempDir();
    const s = await open(dir);
    seed(s);
    await s.compact();
    const r = await archiveOlderThan(s.engine, 30, NOW);
    assert.equal(r.deleted, 30);
    assert.equal(r.added, 30);
    assert.deepEqual(r.files.map((f) => path.basename(f)), ['2026-10.sqlite', '2026-11.sqlite']);
    const live = (await s.history({ limit: 1000 })).rows.map((x) => x.id);
    assert.equal(live.length, 30);
    assert.ok(live.every((id) => Number(id.slice(5)) < 30));
    const ids = await archivedIds(dir);
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30);
    const d = await archiveExecution(path.join(dir, 'archive', '2026-11.sqlite'), 'exec-35');
    assert.equal(d?.responseText, sampleExecution(35).responseText);
    const h = await archiveHistory(path.join(dir, 'archive', '2026-10.sqlite'), { limit: 100 });
    assert.ok(h.rows.length > 0 && h.rows.every((x) => Date.parse(x.createdAt) < Date.UTC(2026, 10, 1)));
    await s.close();
    const s2 = await open(dir);
    assert.equal((await s2.history({ limit: 1000 })).rows.length, 30, 'deletion is in the snapshot');
    // Search works and finds no archived row, even though seqs may be handed out again.
    s2.engine.catchUpIndex();
    assert.deepEqual((await s2.history({ search: 'Task 45', limit: 10 })).rows, []);
    assert.deepEqual((await s2.history({ search: 'Task 5', limit: 10 })).rows.map((x) => x.id), ['exec-5']);
    // The archived rows held the top seqs: a new row gets one of them again.
    s2.record(sampleExecution(1000));
    await s2.compact();
    s2.engine.catchUpIndex();
    assert.deepEqual((await s2.history({ search: 'Task 30', limit: 10 })).rows, [], 'no stale FTS entry matches the reused seq');
    assert.deepEqual((await s2.history({ search: 'Task 1000', limit: 10 })).rows.map((x) => x.id), ['exec-1000']);
    await s2.close();
  });

  it('a crash between writing the archive and deleting: rerun loses nothing and duplicates nothing', async () => {
    const dir = tempDir();
    const s = await open(dir);
    seed(s);
    const cutoff = NOW - 30 * DAY;
    const w = await writeArchives(s.engine, cutoff); // step 1 only, then the "crash"
    assert.equal(w.archivedIds.length, 30);
    await s.close();
    const s2 = await open(dir);
    assert.equal((await s2.history({ limit: 1000 })).rows.length, 60, 'live rows untouched by step 1');
    s2.record(sampleExecution(99, { createdAt: new Date(NOW - 40 * DAY).toISOString() })); // old row written meanwhile
    const r = await archiveOlderThan(s2.engine, 30, NOW);
    assert.equal(r.alreadyArchived, 30);
    assert.equal(r.added, 1);
    assert.equal(r.deleted, 31);
    await s2.close();
    const ids = await archivedIds(dir);
    assert.equal(ids.length, 31);
    assert.equal(new Set(ids).size, 31, 'no duplicates');
    const s3 = await open(dir);
    const live = (await s3.history({ limit: 1000 })).rows.map((x) => x.id);
    assert.equal(live.length, 30);
    assert.deepEqual([...live, ...ids].sort(), [...Array.from({ length: 60 }, (_, i) => `exec-${i}`), 'exec-99'].sort(), 'every execution is in exactly one place');
    await s3.close();
  });

  it('deletion keeps rows newer than the cutoff and ignores unknown ids', async () => {
    const dir = tempDir();
    const s = await open(dir);
    seed(s);
    const r = await deleteArchived(s.engine, ['exec-40', 'exec-1', 'nope'], NOW - 30 * DAY);
    assert.equal(r.deleted, 1, 'exec-1 is newer than the cutoff; nope does not exist');
    await s.close();
  });

  it('optimize shrinks a database after deletes and keeps search working', async () => {
    const dir = tempDir();
    const s = await open(dir);
    for (let i = 0; i < 400; i++) s.record(sampleExecution(i, { createdAt: new Date(NOW - (i < 300 ? 100 : 1) * DAY + i * 1000).toISOString() }));
    await s.compact();
    s.engine.catchUpIndex();
    await s.compact();
    const a = await archiveOlderThan(s.engine, 30, NOW);
    assert.equal(a.deleted, 300);
    const before = fs.statSync(path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8')).file as string)).size;
    const o = await s.optimize();
    assert.equal(o.rows, 100);
    assert.equal(o.bytesBefore, before);
    assert.ok(o.bytesAfter < o.bytesBefore * 0.6, `shrinks: ${o.bytesBefore} → ${o.bytesAfter}`);
    const hits = await s.history({ search: 'Task 350', limit: 10 });
    assert.deepEqual(hits.rows.map((x) => x.id), ['exec-350']);
    assert.deepEqual((await s.history({ search: 'Task 12', limit: 10 })).rows, [], 'archived rows are gone from the index');
    await s.close();
    const s2 = await open(dir);
    assert.deepEqual((await s2.history({ search: 'customer Task 399', limit: 10 })).rows.map((x) => x.id), ['exec-399']);
    await s2.close();
  });
});
