import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { sampleExecution, tempDir } from './helpers/fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

async function seeded(n: number, days = 0): Promise<string> {
  const dir = tempDir();
  const s = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  for (let i = 0; i < n; i++) s.record(sampleExecution(i, days ? { createdAt: new Date(Date.now() - i * days * 86_400_000).toISOString() } : {}));
  await s.close();
  return dir;
}

describe('promptlab backup / cleanup', () => {
  it('backup create, verify, corrupt → verify exits 1 with the reason, restore', async () => {
    const dir = await seeded(15);
    const file = path.join(tempDir(), 'pl.sqlite.gz');
    let r = await cli('backup', 'create', file, '--db', dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /backup written: .*\(15 execution\(s\), .* gzip/);
    assert.ok(fs.existsSync(`${file}.json`));
    r = await cli('backup', 'verify', file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ok \(15 execution\(s\), schema version \d+, gzip\)/);
    r = await cli('backup', 'restore', file, '--db', dir, '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { alreadyPresent: number }).alreadyPresent, 15);
    const buf = fs.readFileSync(file);
    buf[100]! ^= 1;
    fs.writeFileSync(file, buf);
    r = await cli('backup', 'verify', file);
    assert.equal(r.code, 1);
    assert.match(r.err, /FAILED: checksum mismatch/);
    r = await cli('backup', 'restore', file, '--db', dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /failed verification, nothing was restored/);
  });

  it('cleanup --archive --days N then history --archive FILE; cleanup --optimize reports sizes', async () => {
    const dir = await seeded(10, 20);
    let r = await cli('cleanup', '--archive', '--days', '30', '--db', dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /archived 8 execution\(s\)/);
    r = await cli('history', '--db', dir, '--json');
    assert.equal((JSON.parse(r.out) as unknown[]).length, 2);
    const files = fs.readdirSync(path.join(dir, 'archive'));
    assert.ok(files.length >= 1 && files.every((f) => /^\d{4}-\d{2}\.sqlite$/.test(f)));
    let n = 0;
    for (const f of files) {
      r = await cli('history', '--archive', path.join(dir, 'archive', f), '--json');
      assert.equal(r.code, 0, r.err);
      n += (JSON.parse(r.out) as unknown[]).length;
    }
    assert.equal(n, 8);
    r = await cli('cleanup', '--optimize', '--db', dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /optimized: [\d.]+ MB → [\d.]+ MB \(2 execution\(s\)/);
  });

  for (const [args, reason] of [
    [['backup'], /backup needs create, verify or restore/],
    [['backup', 'create'], /backup create needs exactly one FILE/],
    [['backup', 'verify', 'a', '--compress'], /--compress applies to backup create only/],
    [['cleanup'], /cleanup needs --optimize and\/or --archive/],
    [['cleanup', '--archive'], /--archive needs --days N/],
    [['cleanup', '--optimize', '--days', '3'], /--days applies to --archive/],
    [['cleanup', '--bogus'], /Unknown option '--bogus'/],
  ] as Array<[string[], RegExp]>) {
    it(`exits 2 for: ${args.join(' ')}`, async () => {
      const r = await cli(...args, '--db', tempDir());
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, reason);
    });
  }

  it('help lists the maintenance commands', async () => {
    const r = await cli('--help');
    for (const w of ['backup create FILE', 'backup verify FILE', 'backup restore FILE', 'cleanup --optimize', 'cleanup --archive --days N', '--archive FILE']) assert.ok(r.out.includes(w), w);
  });
});
