/*
 * `archive` killed with SIGKILL at chosen and random points (a real child process), then
 * rerun to completion: every old execution ends up in exactly one archive file, readable
 * through the read-only archive path, and nowhere else.
 *
 * Sizes for CI; locally: PROMPTLAB_ARCHIVE_CRASH_ROWS (old rows, default 800),
 * PROMPTLAB_ARCHIVE_CRASH_CHAINS (kill chains, default 3).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { archiveExecution, archiveHistory, openArchive } from '../../src/core/store/archive';
import { sleep, startChild, until } from './helpers/childProcess';
import { sampleExecution, tempDir } from './helpers/fixtures';
import { envInt } from './helpers/randomExecutions';
import { range, storedIds } from './helpers/storeContents';

const sanitizer = new Sanitizer();
const open = (dir: string) => LocalStore.open({ dir, sanitizer });
const ARCHIVER = path.join(__dirname, 'helpers', 'archiveChild.ts');
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 15);

const OLD = envInt('PROMPTLAB_ARCHIVE_CRASH_ROWS', 800);
const RECENT = 100;
const CHAINS = envInt('PROMPTLAB_ARCHIVE_CRASH_CHAINS', 3);

/** Old rows spread over four months before the 30-day cutoff; recent ones after it. */
function oldCreatedAt(i: number): string {
  return new Date(NOW - (35 + (i % 120)) * DAY - (i % 1000) * 1000).toISOString();
}

async function seedArchiveStore(): Promise<string> {
  const dir = tempDir('pl-ac-seed-');
  const s = await open(dir);
  for (let i = 0; i < OLD; i++) s.record(sampleExecution(i, { id: `old-${i}`, createdAt: oldCreatedAt(i) }));
  for (let i = 0; i < RECENT; i++) s.record(sampleExecution(i, { id: `new-${i}`, createdAt: new Date(NOW - (i % 25) * DAY).toISOString() }));
  await s.close();
  return dir;
}

const archiveFiles = (dir: string) => { try { return fs.readdirSync(path.join(dir, 'archive')); } catch { return []; } };
const monthFiles = (dir: string) => archiveFiles(dir).filter((f) => /^\d{4}-\d{2}\.sqlite$/.test(f));
const lockedBy = (dir: string, pid: number) => {
  try { return (JSON.parse(fs.readFileSync(path.join(dir, 'compact.lock'), 'utf8')) as { pid: number }).pid === pid; } catch { return false; }
};

type KillPoint = 'random' | 'archive temp file' | 'next month file' | 'deletion compaction';
const MONTHS = 5; // July to November 2026, see oldCreatedAt

/**
 * Runs the archiver and SIGKILLs it at `point`, plus a random 0–20 ms. "random" waits for a
 * random number of month files (0…all) and then 0–300 ms, so random kills spread over the
 * whole run whatever the machine's speed. Returns where the kill landed.
 */
async function archiveAndKill(dir: string, point: KillPoint): Promise<string> {
  const before = monthFiles(dir).length;
  const c = startChild(ARCHIVER, [dir, '30', String(NOW)]);
  await c.ready;
  let hit: boolean;
  switch (point) {
    case 'random': {
      const files = Math.floor(Math.random() * (MONTHS + 1));
      hit = await until(() => monthFiles(dir).length >= files || c.exited, 60_000, 1);
      await sleep(Math.random() * 300);
      break;
    }
    case 'archive temp file': hit = await until(() => archiveFiles(dir).some((f) => f.includes('.tmp-')) || c.exited, 60_000, 1); break;
    case 'next month file': hit = await until(() => monthFiles(dir).length > before || c.exited, 60_000, 1); break;
    case 'deletion compaction': hit = await until(() => lockedBy(dir, c.pid) || c.exited, 60_000, 1); break;
  }
  if (point !== 'random') await sleep(Math.random() * 20);
  c.kill();
  await c.done;
  const finished = c.result !== undefined;
  return `${point}${hit ? '' : ' (not seen)'}: ${finished ? 'finished before the kill' : 'killed'}; ${monthFiles(dir).length} month files`
    + `${archiveFiles(dir).some((f) => f.includes('.tmp-')) ? ', a temp file left' : ''}`;
}

describe('archive killed with SIGKILL at random points, then rerun', () => {
  it(`loses nothing and duplicates nothing (${CHAINS} kill chains on ${OLD} old rows)`, async (t) => {
    const seed = await seedArchiveStore();
    const chains: KillPoint[][] = [
      ['archive temp file', 'next month file'],
      ['deletion compaction', 'random'],
      ['random', 'random'],
      ['next month file', 'deletion compaction', 'random'],
    ];
    let killedMidway = 0;
    for (let k = 0; k < CHAINS; k++) {
      const dir = tempDir('pl-ac-');
      fs.cpSync(seed, dir, { recursive: true });
      const notes: string[] = [];
      for (const point of chains[k % chains.length]!) {
        const note = await archiveAndKill(dir, point);
        if (note.includes(': killed')) killedMidway++;
        notes.push(note);
      }
      // The rerun to completion.
      const last = startChild(ARCHIVER, [dir, '30', String(NOW)]);
      const exit = await last.done;
      assert.equal(exit.code, 0, `chain ${k}: the rerun completes (${last.lines.join(' | ')})`);
      const r = last.result as { added: number; alreadyArchived: number; deleted: number };
      const leftovers = fs.readdirSync(dir).filter((f) => f.includes('.tmp-'));
      t.diagnostic(`chain ${k}: ${notes.join(' → ')} → rerun added ${r.added}, already archived ${r.alreadyArchived}, deleted ${r.deleted}`
        + (leftovers.length ? `; temp files in the database folder: ${leftovers.join(', ')}` : ''));
      await assertArchivedExactlyOnce(dir, `chain ${k} (${notes.join(' → ')})`);
      fs.rmSync(dir, { recursive: true, force: true }); // only after success: a failing chain keeps its folder
    }
    fs.rmSync(seed, { recursive: true, force: true });
    assert.ok(killedMidway >= CHAINS, `at least one kill per chain landed before the archive finished (${killedMidway})`);
  });
});

async function assertArchivedExactlyOnce(dir: string, label: string): Promise<void> {
  const { ids: live, problems } = await storedIds(dir);
  assert.deepEqual(problems, [], `${label}: the live database opens cleanly`);
  assert.deepEqual(live.slice().sort(), range(RECENT, 'new-').sort(), `${label}: live = the recent rows`);
  const archived: string[] = [];
  for (const f of monthFiles(dir)) {
    const file = path.join(dir, 'archive', f);
    const db = await openArchive(file);
    const ids = (db.db.exec('SELECT id FROM executions')[0]?.values ?? []).map((v) => String(v[0]));
    const texts = Number(db.db.exec('SELECT COUNT(*) FROM inline_texts')[0]!.values[0]![0]);
    db.close();
    assert.equal(texts, ids.length, `${label}: ${f} holds the texts of every row`);
    // Readable through the read-only archive path.
    const h = await archiveHistory(file, { limit: 100_000 });
    assert.deepEqual(h.rows.map((r) => r.id).sort(), ids.slice().sort(), `${label}: ${f} through archiveHistory`);
    const month = f.slice(0, 7);
    assert.ok(h.rows.every((r) => r.createdAt.startsWith(month)), `${label}: ${f} holds only its month`);
    archived.push(...ids);
  }
  assert.equal(new Set(archived).size, archived.length, `${label}: no id in two archive files or twice in one`);
  assert.deepEqual(archived.slice().sort(), range(OLD, 'old-').sort(), `${label}: archived = the old rows, all of them`);
  assert.deepEqual(archiveFiles(dir).filter((f) => !/^\d{4}-\d{2}\.sqlite$/.test(f)), [], `${label}: no temp file left in the archive folder`);
  for (const i of [0, 7, Math.floor(OLD / 2), OLD - 1]) {
    const file = path.join(dir, 'archive', `${oldCreatedAt(i).slice(0, 7)}.sqlite`);
    const d = await archiveExecution(file, `old-${i}`);
    assert.equal(d?.promptText, sampleExecution(i).promptText, `${label}: old-${i} texts`);
    assert.equal(d?.responseText, sampleExecution(i).responseText);
  }
}
