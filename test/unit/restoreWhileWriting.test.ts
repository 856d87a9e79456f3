/*
 * Restore over a live database while another process keeps recording executions: a real
 * child process writes (and compacts) throughout three restores, then is killed with SIGKILL.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import type { Child } from './helpers/childProcess';
import { startChild, until } from './helpers/childProcess';
import { sampleExecution, tempDir } from './helpers/fixtures';
import { range, storedIds } from './helpers/storeContents';

const sanitizer = new Sanitizer();
const open = (dir: string, pollMs = 0) => LocalStore.open({ dir, sanitizer, pollMs });
const WRITER = path.join(__dirname, 'helpers', 'storeWriterChild.ts');

describe('restore over a live database while another process records', () => {
  it('every acknowledged execution of the writer survives, every backup row comes back, nothing twice', async () => {
    // Two backups from another database: bk-* (50 of them also live already) and bk2-*.
    const srcDir = tempDir('pl-rs-src-');
    const src = await open(srcDir);
    for (let i = 0; i < 300; i++) src.record(sampleExecution(i, { id: `bk-${i}`, variant: 'backup' }));
    const b1 = path.join(tempDir('pl-rs-b-'), 'one.sqlite.gz');
    await src.backup(b1);
    for (let i = 0; i < 100; i++) src.record(sampleExecution(i, { id: `bk2-${i}` }));
    const b2 = path.join(tempDir('pl-rs-b-'), 'two.sqlite');
    await src.backup(b2);
    await src.close();

    const dir = tempDir('pl-rs-live-');
    const live = await open(dir);
    for (let i = 0; i < 100; i++) live.record(sampleExecution(i, { id: `live-${i}` }));
    for (let i = 0; i < 50; i++) live.record(sampleExecution(i, { id: `bk-${i}`, variant: 'live' }));
    await live.close();

    // The writer compacts every 40 rows, so its compactions race the restores for the lock
    // and its snapshots are written on top of theirs.
    const w: Child = startWriter(dir);
    await w.ready;
    const acks = async (n: number) => assert.ok(await until(() => w.acked.size >= n || w.exited, 60_000, 5), `writer reached ${n} acks`);
    let runningAtKill = false;
    try {
      await acks(40);
      const s = await open(dir, 100);
      const r1 = await s.restoreBackup(b1);
      assert.equal(r1.restored, 250, 'the 250 backup rows not live yet');
      assert.equal(r1.alreadyPresent, 50);
      await acks(w.acked.size + 60);
      const r2 = await s.restoreBackup(b2);
      assert.equal(r2.restored, 100, 'bk2-* only: bk-* are present since the first restore');
      await acks(w.acked.size + 60);
      const r3 = await s.restoreBackup(b1);
      assert.equal(r3.restored, 0, 'restoring the same backup again adds nothing');
      await acks(w.acked.size + 60);
      await s.close();
      runningAtKill = !w.exited;
    } finally {
      w.kill(); // a hard stop: what it acknowledged must be on disk already
      await w.done;
    }
    assert.ok(runningAtKill, `the writer kept running through three restores (it stopped: ${w.lines.slice(-3).join(' | ')})`);
    assert.ok(w.acked.size >= 220, `${w.acked.size} acks`);

    const { ids, rows, problems } = await storedIds(dir);
    assert.deepEqual(problems, [], 'the database opens cleanly');
    const have = new Set(ids);
    assert.equal(have.size, ids.length, 'no id twice');
    assert.equal(rows, ids.length);
    const lost = [...w.acked].filter((id) => !have.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${w.acked.size} acknowledged executions lost`);
    const want = [...range(300, 'bk-'), ...range(100, 'bk2-'), ...range(100, 'live-')];
    assert.deepEqual(want.filter((id) => !have.has(id)), [], 'every backup and live row is there');
    // Only rows the writer started: at most one written but killed before its ack.
    const extra = ids.filter((id) => id.startsWith('W-') && !w.acked.has(id));
    assert.ok(extra.length <= 1, `unacknowledged writer rows: ${extra.join(', ')}`);
    assert.equal(ids.length, want.length + w.acked.size + extra.length);

    const s = await open(dir);
    assert.equal((await s.getExecution('bk-7'))!.variant, 'live', 'the live copy wins over the backup copy');
    const d = await s.getExecution('bk-123');
    assert.equal(d!.responseText, sampleExecution(123).responseText, 'restored texts intact');
    const wid = [...w.acked][w.acked.size - 1]!;
    assert.equal((await s.getExecution(wid))!.promptText, sampleExecution(Number(wid.slice(2))).promptText);
    await s.close();
    for (const d of [dir, srcDir, path.dirname(b1), path.dirname(b2)]) fs.rmSync(d, { recursive: true, force: true });
  });
});

function startWriter(dir: string): Child {
  return startChild(WRITER, [dir, 'W', '40']);
}
