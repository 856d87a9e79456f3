import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { statsCommand } from '../../src/cli/statsCommand';
import { bootstrapDifferenceCi, welchTTest } from '../../src/core/stats';

async function stats(args: string[], json = false): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await statsCommand(args, json, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promptlab-stats-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}
const A = [0.71, 0.65, 0.80, 0.77, 0.69, 0.73, 0.70, 0.74];
const B = [0.78, 0.74, 0.85, 0.81, 0.79, 0.76, 0.72, 0.83];
const aFile = file('a.txt', A.join('\n') + '\n\n');
const bFile = file('b.txt', `${B.slice(0, 3).join('\n')}\n\n  ${B.slice(3).join('\n  ')}\n`);

describe('promptlab stats', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ab --json: exactly the documented keys, Welch and Mann-Whitney when unpaired', async () => {
    const r = await stats(['ab', '--a', aFile, '--b', bFile, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['a', 'b', 'difference', 'welch', 'mannWhitney', 'cohensD', 'hedgesG', 'bootstrap', 'recommendation']);
    assert.deepEqual(Object.keys(j.a), ['n', 'mean', 'sd', 'median']);
    assert.equal(j.a.n, 8);
    assert.equal(j.b.n, 8, 'blank lines and surrounding spaces are ignored');
    assert.deepEqual(Object.keys(j.difference), ['mean', 'ci95']);
    assert.deepEqual(Object.keys(j.welch), ['t', 'df', 'p']);
    assert.deepEqual(Object.keys(j.mannWhitney), ['u', 'p']);
    assert.deepEqual(Object.keys(j.bootstrap), ['ci95', 'resamples', 'seed']);
    const w = welchTTest(A, B);
    assert.ok(w.available);
    assert.deepEqual(j.welch, { t: w.t, df: w.df, p: w.p });
    assert.equal(typeof j.cohensD, 'number');
    assert.equal(typeof j.recommendation, 'string');
    const boot = bootstrapDifferenceCi(A, B, { seed: 1 });
    assert.ok(boot.available);
    assert.deepEqual(j.bootstrap, { ci95: boot.ci95, resamples: 10_000, seed: 1 });
  });

  it('ab --paired: paired t and Wilcoxon instead; --json may come first; --seed and --alpha are honoured', async () => {
    const r = await stats(['--json', 'ab', '--paired', '--a', aFile, '--b', bFile, '--seed', '7', '--alpha', '0.01']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['a', 'b', 'difference', 'pairedT', 'wilcoxon', 'cohensD', 'hedgesG', 'bootstrap', 'recommendation']);
    assert.deepEqual(Object.keys(j.pairedT), ['t', 'df', 'p']);
    assert.deepEqual(Object.keys(j.wilcoxon), ['statistic', 'p']);
    assert.equal(j.pairedT.df, 7);
    assert.equal(j.bootstrap.seed, 7);
    assert.match(j.recommendation, /α = 0\.01|significantly/);
    const viaFlag = await stats(['ab', '--paired', '--a', aFile, '--b', bFile, '--seed', '7', '--alpha', '0.01'], true);
    assert.equal(viaFlag.out, r.out, 'the caller-provided json flag is the same as --json');
  });

  it('ab: what cannot be computed is null with a sibling notAvailable map', async () => {
    const one = file('one.txt', '5\n');
    const r = await stats(['ab', '--a', one, '--b', bFile, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.a.sd, null);
    assert.match(j.a.notAvailable.sd, /at least 2 values/);
    assert.equal(j.welch, null);
    assert.equal(j.difference, null);
    assert.equal(j.bootstrap, null);
    assert.match(j.notAvailable.welch, /at least 2 values per group \(have 1 and 8\)/);
    assert.deepEqual(Object.keys(j.notAvailable).sort(), ['bootstrap', 'difference', 'welch']);
    assert.equal(typeof j.mannWhitney.p, 'number', 'Mann-Whitney still works with one value');
    const flat = file('flat.txt', '2\n2\n2\n');
    const both = JSON.parse((await stats(['ab', '--a', flat, '--b', flat, '--json'])).out);
    assert.match(both.notAvailable.cohensD, /zero variance/);
    assert.equal(both.cohensD, null);
    assert.equal(both.hedgesG, null);
  });

  it('ab without --json prints a compact table and the recommendation', async () => {
    const r = await stats(['ab', '--a', aFile, '--b', bFile]);
    assert.equal(r.code, 0);
    for (const w of ['mean', 'sd', 'median', 'difference (b - a)', 'Welch t', 'Mann-Whitney U', "Cohen's d", "Hedges' g", 'bootstrap 95% CI', '95% CI']) assert.ok(r.out.includes(w), w);
    assert.match(r.out.trim().split('\n').at(-1)!, /^(b's mean is significantly|Inconclusive)/);
  });

  it('rates --json: z-test, Fisher, Wilson per variant, Newcombe difference', async () => {
    const r = await stats(['rates', '--a-success', '45', '--a-total', '100', '--b-success', '60', '--b-total', '100', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['twoProportion', 'fisher', 'wilson', 'difference', 'recommendation']);
    assert.deepEqual(Object.keys(j.twoProportion), ['z', 'p']);
    assert.deepEqual(Object.keys(j.fisher), ['p']);
    assert.deepEqual(Object.keys(j.wilson), ['a', 'b']);
    assert.equal(j.wilson.a.length, 2);
    assert.deepEqual(Object.keys(j.difference), ['value', 'ci95']);
    assert.ok(Math.abs(j.difference.value - 0.15) < 1e-12);
    const none = JSON.parse((await stats(['rates', '--a-success', '0', '--a-total', '10', '--b-success', '0', '--b-total', '10', '--json'])).out);
    assert.equal(none.twoProportion, null);
    assert.match(none.notAvailable.twoProportion, /every case failed/);
    assert.equal(none.fisher.p, 1);
    const human = await stats(['rates', '--a-success', '45', '--a-total', '100', '--b-success', '60', '--b-total', '100']);
    for (const w of ['Wilson 95% CI', 'Newcombe', 'two-proportion z', 'Fisher exact']) assert.ok(human.out.includes(w), w);
  });

  it('power --json: noncentral t (rounded up), normal approximation, and the exact n', async () => {
    const r = await stats(['power', '--effect-size', '0.5', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['nPerGroup', 'nPerGroupNormal', 'nExact']);
    assert.equal(j.nPerGroup, 64);
    assert.equal(j.nPerGroupNormal, 63);
    assert.ok(Math.abs(j.nExact - 63.7656) < 1e-3);
    const strict = JSON.parse((await stats(['power', '--effect-size', '0.8', '--alpha', '0.05', '--power', '0.9', '--json'])).out);
    assert.equal(strict.nPerGroup, 34);
    const tiny = JSON.parse((await stats(['power', '--effect-size', '0.0005', '--json'])).out);
    assert.equal(tiny.nPerGroup, null);
    assert.match(tiny.notAvailable.nPerGroup, /more than 10,000,000/);
    assert.match((await stats(['power', '--effect-size', '0.5'])).out, /cases per group\s+64/);
  });

  for (const [args, reason] of [
    [[], /stats needs a subcommand/],
    [['frob'], /unknown stats subcommand "frob"/],
    [['ab', '--a', 'x'], /--b FILE is required/],
    [['ab', '--a', '/nonexistent/a.txt', '--b', '/nonexistent/b.txt'], /cannot read \/nonexistent\/a\.txt/],
    [['ab', '--a', 'BAD', '--b', 'B'], /bad\.txt:3: not a number$/],
    [['ab', '--a', 'A', '--b', 'SHORT', '--paired'], /--paired needs the same number of values/],
    [['ab', '--a', 'A', '--b', 'B', '--alpha', '2'], /--alpha must be a number between 0 and 1/],
    [['ab', '--a', 'A', '--b', 'B', '--seed', '1.5'], /--seed must be an integer from 0 to 4294967295/],
    [['ab', '--a', 'A', '--b', 'EMPTY'], /empty\.txt: no numbers/],
    [['ab', '--bogus'], /Unknown option '--bogus'/],
    [['rates', '--a-success', '5', '--a-total', '4', '--b-success', '1', '--b-total', '2'], /--a-success must be an integer from 0 to 4/],
    [['rates', '--a-success', '1', '--a-total', '4', '--b-success', '1'], /--b-total is required/],
    [['rates', '--paired'], /--paired does not apply to stats rates/],
    [['power'], /--effect-size is required/],
    [['power', '--effect-size', '0'], /--effect-size must be a nonzero number/],
    [['power', '--effect-size', '0.5', '--power', '1.2'], /--power must be a number between 0 and 1/],
    [['power', '--effect-size', '0.5', 'extra'], /unexpected argument "extra"/],
  ] as Array<[string[], RegExp]>) {
    it(`exits 2 with a one-line "promptlab: reason" for: stats ${args.join(' ')}`, async () => {
      const files: Record<string, string> = { A: aFile, B: bFile, BAD: file('bad.txt', '1\n2\nthree\n4\n'), SHORT: file('short.txt', '1\n2\n'), EMPTY: file('empty.txt', '\n \n') };
      const r = await stats(args.map((a) => files[a] ?? a));
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err.trimEnd(), /^promptlab: /);
      assert.match(r.err.trimEnd(), reason);
      assert.equal(r.err.trim().split('\n').length, 1);
    });
  }

  it('--help prints the usage', async () => {
    const r = await stats(['--help']);
    assert.equal(r.code, 0);
    for (const w of ['ab --a FILE --b FILE', '--paired', 'rates', 'power --effect-size D']) assert.ok(r.out.includes(w), w);
  });
});
