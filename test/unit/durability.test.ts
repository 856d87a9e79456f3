import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { tempDir } from './helpers/fixtures';

const CHILD = path.join(__dirname, 'helpers', 'storeWriterChild.ts');

interface Child { acked: Set<string>; done: Promise<void>; kill(): void; ready: Promise<void> }

function startWriter(dir: string, prefix: string, every: number, env: Record<string, string> = {}): Child {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, prefix, String(every)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const acked = new Set<string>();
  let buf = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (l === 'ready') onReady();
      else if (l.startsWith('ack ')) acked.add(l.slice(4));
    }
  });
  const done = new Promise<void>((resolve) => p.on('close', () => { onReady(); resolve(); }));
  return { acked, done, ready, kill: () => p.kill('SIGKILL') };
}

async function allIds(dir: string): Promise<Set<string>> {
  const s = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  const ids = new Set<string>();
  let page = await s.history({ limit: 5000 });
  for (;;) {
    for (const r of page.rows) ids.add(r.id);
    if (!page.next) break;
    page = await s.history({ limit: 5000, after: page.next });
  }
  await s.close();
  return ids;
}

describe('durability', () => {
  it('loses no acknowledged execution when the writer is killed with SIGKILL at random points (15 rounds)', async () => {
    const dir = tempDir('pl-kill-');
    const acked = new Set<string>();
    for (let round = 0; round < 15; round++) {
      // Small compaction threshold so kills also land inside compactions and snapshot writes.
      const c = startWriter(dir, `r${round}`, 40 + round * 7);
      await c.ready;
      // Kill after a random number of acknowledgements plus a random delay, so the kill lands
      // at a random point whatever the machine's speed (inside appends, compactions, renames).
      const target = 10 + Math.floor(Math.random() * 60);
      for (let i = 0; i < 400 && c.acked.size < target; i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      c.kill();
      await c.done;
      for (const id of c.acked) acked.add(id);
    }
    assert.ok(acked.size >= 150, `writers acknowledged only ${acked.size} executions`);
    const stored = await allIds(dir);
    const lost = [...acked].filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged executions lost`);
  });

  it('two processes writing at once lose nothing and see each other within seconds', async () => {
    const dir = tempDir('pl-two-');
    const a = startWriter(dir, 'A', 300, { STOP_AFTER: '1500' });
    const b = startWriter(dir, 'B', 300, { STOP_AFTER: '1500' });
    // A third process (like a second window) must see both writers' rows while they write.
    const watcher = await LocalStore.open({ dir, sanitizer: new Sanitizer(), pollMs: 100 });
    await Promise.all([a.ready, b.ready]);
    let sawBoth = false;
    for (let i = 0; i < 100 && !sawBoth; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const rows = (await watcher.history({ limit: 5000 })).rows;
      sawBoth = rows.some((r) => r.id.startsWith('A-')) && rows.some((r) => r.id.startsWith('B-'));
    }
    assert.ok(sawBoth, 'a third process saw executions of both writers while they ran');
    await Promise.all([a.done, b.done]);
    await watcher.close();
    assert.equal(a.acked.size, 1500);
    assert.equal(b.acked.size, 1500);
    const stored = await allIds(dir);
    const lost = [...a.acked, ...b.acked].filter((id) => !stored.has(id));
    assert.deepEqual(lost, []);
    assert.equal(stored.size, 3000, 'no duplicates either');
  });
});
