import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { sampleExecution, tempDir } from './helpers/fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

describe('promptlab CLI', () => {
  it('prints help with every command and exits 0', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    for (const w of ['import FILE.jsonl', 'history', '--search', '--since', '--tag', 'export --format jsonl', '--db PATH', '--json', 'PROMPTLAB_DB']) assert.ok(r.out.includes(w), w);
  });

  for (const [args, reason] of [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['history', '--limit', 'ten'], /--limit must be an integer/],
    [['history', '--since', 'last tuesday'], /--since "last tuesday" is not an ISO date/],
    [['history', '--success', 'maybe'], /--success must be true or false/],
    [['history', '--bogus'], /Unknown option '--bogus'/],
    [['import'], /import needs exactly one FILE.jsonl/],
    [['export', '--format', 'xml'], /--format xml is not supported/],
  ] as Array<[string[], RegExp]>) {
    it(`exits 2 with a one-line reason for: ${args.join(' ')}`, async () => {
      const r = await cli(...args, '--db', tempDir());
      assert.equal(r.code, 2);
      assert.match(r.err, reason);
      assert.equal(r.err.trim().split('\n').length, 1);
    });
  }

  it('imports (bad lines by FILE:LINE, exit 1), lists with filters, exports, and --json everywhere', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'db');
    const file = path.join(dir, 'in.jsonl');
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify(sampleExecution(i)));
    lines.splice(4, 0, 'oops');
    fs.writeFileSync(file, lines.join('\n'));
    const imp = await cli('import', file, '--db', db, '--json');
    assert.equal(imp.code, 1);
    assert.match(imp.err, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: not JSON`));
    assert.equal(JSON.parse(imp.out).imported, 12);

    const h = await cli('history', '--db', db, '--limit', '3', '--json');
    assert.equal(h.code, 0);
    assert.deepEqual((JSON.parse(h.out) as Array<{ id: string }>).map((r) => r.id), ['exec-11', 'exec-10', 'exec-9']);
    const failed = JSON.parse((await cli('history', '--db', db, '--success', 'false', '--json')).out) as Array<{ id: string }>;
    assert.deepEqual(failed.map((r) => r.id), ['exec-10', 'exec-5', 'exec-0']);
    const ranged = JSON.parse((await cli('history', '--db', db, '--since', new Date(Date.UTC(2026, 10, 1) + 3000).toISOString(), '--until', new Date(Date.UTC(2026, 10, 1) + 5000).toISOString(), '--json')).out) as Array<{ id: string }>;
    assert.deepEqual(ranged.map((r) => r.id), ['exec-4', 'exec-3']);
    const tagged = JSON.parse((await cli('history', '--db', db, '--tag', 'model-llama3', '--prompt', 'prompt-0', '--json')).out) as Array<{ id: string }>;
    assert.deepEqual(tagged.map((r) => r.id), ['exec-6', 'exec-0']);
    const found = JSON.parse((await cli('history', '--db', db, '--search', 'Task 7', '--json')).out) as Array<{ id: string }>;
    assert.ok(found.some((r) => r.id === 'exec-7'));
    const human = await cli('history', '--db', db, '--limit', '1');
    assert.match(human.out, /exec-11/);

    const out = path.join(dir, 'out.jsonl');
    const ex = await cli('export', '--format', 'jsonl', '--out', out, '--db', db);
    assert.equal(ex.code, 0);
    assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 12);
    const stdoutExport = await cli('export', '--db', db);
    assert.equal(stdoutExport.out, fs.readFileSync(out, 'utf8'));

    const info = JSON.parse((await cli('info', '--db', db, '--json')).out) as { executions: number; schemaVersion: number };
    assert.equal(info.executions, 12);
  });

  it('honours PROMPTLAB_DB when --db is absent', async () => {
    const db = tempDir();
    process.env.PROMPTLAB_DB = db;
    try {
      const r = await cli('info', '--json');
      assert.equal(JSON.parse(r.out).dir, db);
    } finally {
      delete process.env.PROMPTLAB_DB;
    }
  });

  it('routes stats and score (no database needed), with --json anywhere', async () => {
    const power = await cli('--json', 'stats', 'power', '--effect-size', '0.5');
    assert.equal(power.code, 0, power.err);
    assert.equal(JSON.parse(power.out).nPerGroup, 64);
    const score = await cli('score', '--prompt', 'What is the capital of France?', '--response', 'Paris is the capital of France.', '--expected', 'Paris', '--json');
    assert.equal(score.code, 0, score.err);
    const a = JSON.parse(score.out) as { overall: number; dimensions: Record<string, { score: number | null; reason: string }> };
    assert.equal(a.dimensions.accuracy!.score, 1);
    assert.ok(a.overall > 0.5);
    const noRef = JSON.parse((await cli('score', '--prompt', 'Hi', '--response', 'Hello', '--json')).out) as typeof a;
    assert.equal(noRef.dimensions.accuracy!.score, null);
    assert.match(noRef.dimensions.accuracy!.reason, /no reference/);
    const bad = await cli('score', '--prompt', '@/nonexistent/file.txt', '--response', 'x');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /cannot read/);
  });
});
