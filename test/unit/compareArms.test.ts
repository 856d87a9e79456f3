import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { armFileUnchanged, defaultPeriods, fileArmNames, fileArms, formatDayRange, parseDayRange, parseSweep, renderArms, sweepArms } from '../../src/core/compare';
import { parsePromptFile } from '../../src/core/prompt';
import { promptIdOf } from '../../src/core/runner/promptRun';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { startOpenAIServer } from './helpers/fakeServers';
import { tempDir } from './helpers/fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

const A = `name: capitals
model: gpt-test
modelParameters:
  temperature: 0.2
messages:
  - role: user
    content: "Capital of {{country}}? [file:A]"
testData:
  - country: France
  - country: Japan
  - country: Peru
`;
const B = `name: capitals-b
model: gpt-test
messages:
  - role: system
    content: "Answer with the city only. [file:B]"
  - role: user
    content: "Capital of {{country}}?"
`;

const parse = (file: string, text: string) => parsePromptFile(file, text, {}).prompt!;

describe('compare arms', () => {
  it('parses a sweep and refuses bad ones with a reason', () => {
    assert.deepEqual(parseSweep('temperature=0,0.7'), { parameter: 'temperature', values: [0, 0.7] });
    assert.deepEqual(parseSweep('max_tokens', '50, 200'), { parameter: 'max_tokens', values: [50, 200] });
    assert.deepEqual(parseSweep('response_mode=fast,slow'), { parameter: 'response_mode', values: ['fast', 'slow'] });
    assert.match((parseSweep('temperature=0') as { error: string }).error, /at least two/);
    assert.match((parseSweep('temperature=0,0.0') as { error: string }).error, /must differ/);
    assert.match((parseSweep('temperature=0,3') as { error: string }).error, /0 to 2/);
    assert.match((parseSweep('max_tokens=10,1.5') as { error: string }).error, /positive integer/);
    assert.match((parseSweep('temperature') as { error: string }).error, /NAME=V1,V2/);
    assert.match((parseSweep('bad name=1,2') as { error: string }).error, /not a model parameter/);
  });

  it('sweep arms override only the swept parameter when rendered', async () => {
    const p = parse('/w/a.prompt.yml', A);
    const arms = sweepArms(p, { parameter: 'temperature', values: [0, 0.7] }, 'gpt-test');
    assert.deepEqual(arms.map((a) => a.name), ['temperature=0', 'temperature=0.7']);
    assert.equal(arms[0]!.promptHash, p.contentHash);
    const rows = p.testData.map((values, i) => ({ row: i + 1, values }));
    const r = await renderArms(p, rows, arms);
    assert.deepEqual(r.caseIds, ['row-1', 'row-2', 'row-3']);
    assert.deepEqual(r.byArm.get('temperature=0.7')!.get('row-2')!.parameters, { temperature: 0.7 });
    assert.deepEqual(r.byArm.get('temperature=0')!.get('row-2')!.parameters, { temperature: 0 });
  });

  it('file arms render each file\'s messages with the first file\'s rows', async () => {
    const pa = parse('/w/a.prompt.yml', A), pb = parse('/x/b.prompt.yml', B);
    const arms = fileArms([pa, pb], ['m1', 'm2']);
    assert.deepEqual(arms.map((a) => [a.name, a.file, a.model]), [['a', '/w/a.prompt.yml', 'm1'], ['b', '/x/b.prompt.yml', 'm2']]);
    const rows = pa.testData.map((values, i) => ({ row: i + 1, values }));
    const r = await renderArms(pa, rows, arms, new Map([[pa.path, pa], [pb.path, pb]]));
    assert.equal(r.caseIds.length, 3);
    assert.match(r.byArm.get('a')!.get('row-3')!.messages[0]!.content, /Peru\? \[file:A\]/);
    assert.match(r.byArm.get('b')!.get('row-3')!.messages[0]!.content, /\[file:B\]/);
    assert.match(r.byArm.get('b')!.get('row-3')!.messages[1]!.content, /Capital of Peru\?/);
    // File b's cases are recorded under file b; the control's keep the run's own prompt.
    assert.deepEqual(r.byArm.get('b')!.get('row-3')!.source, { promptId: promptIdOf(pb), promptVersion: pb.contentHash, promptPath: '/x/b.prompt.yml' });
    assert.equal(r.byArm.get('a')!.get('row-3')!.source, undefined);
    assert.throws(() => fileArms([pa], ['m']), /at least two/);
    assert.throws(() => fileArms([pa, pa], ['m', 'm']), /named twice/);
    assert.ok(armFileUnchanged(arms[0]!, A));
    assert.ok(!armFileUnchanged(arms[0]!, A + '\n'));
  });

  it('file arm names are unique', () => {
    assert.deepEqual(fileArmNames(['/a/x.prompt.yml', '/b/y.prompty']), ['x', 'y']);
    assert.deepEqual(fileArmNames(['/a/x.prompt.yml', '/b/x.prompt.yml']), ['a/x', 'b/x']);
    assert.deepEqual(fileArmNames(['/a/x.prompt.yml', '/a/x.prompty']), ['x#1', 'x#2']);
  });
});

describe('promptlab compare: --sweep and several files', () => {
  it('runs a temperature sweep and two files as arms against an OpenAI-compatible server', async () => {
    const seen: Array<{ temperature: unknown; system: boolean }> = [];
    const srv = await startOpenAIServer((req) => {
      const body = req.body as { temperature?: number; messages: Array<{ role: string; content: string }> };
      seen.push({ temperature: body.temperature, system: body.messages.some((m) => m.role === 'system') });
      const country = /Capital of (\w+)/.exec(body.messages.at(-1)!.content)?.[1] ?? '?';
      return { kind: 'json', text: `The capital of ${country} is somewhere${body.temperature === 0.7 ? ', probably, I think, maybe' : ''}.` };
    });
    const dir = tempDir(), db = tempDir();
    const fa = path.join(dir, 'a.prompt.yml'), fb = path.join(dir, 'b.prompt.yml');
    fs.writeFileSync(fa, A);
    fs.writeFileSync(fb, B);
    try {
      const common = ['--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', db, '--seed', '3', '--json'];
      const s = await cli('compare', fa, '--sweep', 'temperature=0,0.7', ...common);
      assert.equal(s.code, 0, s.err);
      const j = JSON.parse(s.out) as { experiment: { variants: Array<{ name: string; parameters: Record<string, unknown>; promptHash: string }> }; run: { total: number }; samples: Record<string, { executions: number }>; distributions: Array<{ metric: string }> };
      assert.deepEqual(j.experiment.variants.map((v) => v.name), ['temperature=0', 'temperature=0.7']);
      assert.deepEqual(j.experiment.variants[1]!.parameters, { temperature: 0.7 });
      assert.equal(j.run.total, 6);
      assert.deepEqual(seen.map((x) => x.temperature).sort(), [0, 0, 0, 0.7, 0.7, 0.7]);
      assert.ok(j.distributions.some((d) => d.metric === 'quality'));

      seen.length = 0;
      const f = await cli('compare', fa, fb, ...common);
      assert.equal(f.code, 0, f.err);
      const k = JSON.parse(f.out) as { experiment: { variants: Array<{ name: string; file: string }> }; run: { total: number }; samples: Record<string, { executions: number; cases: number }> };
      assert.deepEqual(k.experiment.variants.map((v) => [v.name, v.file]), [['a', fa], ['b', fb]]);
      assert.equal(k.run.total, 6);
      assert.equal(seen.filter((x) => x.system).length, 3, 'file b (with a system message) ran once per case of file a');
      assert.deepEqual(k.samples.b, { executions: 3, failed: 0, cases: 3 });
      const store = await LocalStore.open({ dir: db, sanitizer: new Sanitizer() });
      try {
        const rowsB = (await store.history({ variant: 'b', limit: 10 })).rows;
        assert.equal(rowsB.length, 3);
        assert.ok(rowsB.every((r) => r.promptId === 'capitals-b' && r.metadata.promptPath === fb), `file b's executions: ${JSON.stringify(rowsB.map((r) => [r.promptId, r.metadata.promptPath]))}`);
        assert.ok((await store.history({ variant: 'a', limit: 10 })).rows.every((r) => r.promptId === 'capitals'));
      } finally { await store.close(); }

      const bad = await cli('compare', fa, fb, '--sweep', 'temperature=0,1', ...common);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /exclude each other/);
    } finally {
      await srv.close();
    }
  });
});

describe('time periods', () => {
  it('parses UTC day ranges (both days included) and refuses impossible dates', () => {
    assert.deepEqual(parseDayRange('2026-11-01..2026-11-07'), { start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-11-08T00:00:00Z') });
    assert.deepEqual(parseDayRange('2026-11-01'), { start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-11-02T00:00:00Z') });
    assert.ok('error' in parseDayRange('2026-02-30'));
    assert.ok('error' in parseDayRange('2026-11-07..2026-11-01'));
    assert.ok('error' in parseDayRange('last week'));
    const d = defaultPeriods(Date.parse('2026-11-27T09:15:00Z'));
    assert.equal(formatDayRange(d.b), '2026-11-21..2026-11-27');
    assert.equal(formatDayRange(d.a), '2026-11-14..2026-11-20');
  });
});
