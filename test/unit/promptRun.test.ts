import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { loadTestCases, parsePromptFile } from '../../src/core/prompt';
import type { DatasetRow, PromptFile } from '../../src/core/prompt/types';
import { casesFromRows, chooseProfile } from '../../src/core/runner/promptRun';
import type { RunCase } from '../../src/core/runner/types';
import { startOpenAIServer } from './helpers/fakeServers';
import { tempDir } from './helpers/fixtures';

const EXAMPLE = path.join(__dirname, '../../examples/prompts/summarise.prompt.yml');
const example = (): PromptFile => parsePromptFile(EXAMPLE, fs.readFileSync(EXAMPLE, 'utf8')).prompt!;
async function collect(it: AsyncIterable<RunCase>): Promise<RunCase[]> { const out: RunCase[] = []; for await (const c of it) out.push(c); return out; }
async function* rows(...r: DatasetRow[]): AsyncGenerator<DatasetRow> { yield* r; }

describe('from a prompt file to runner cases', () => {
  it('renders one case per test-data row with expected values, variables and labels', async () => {
    const cases = await collect(casesFromRows({ prompt: example(), rows: loadTestCases(example()), model: 'm' }));
    assert.equal(cases.length, 2);
    assert.equal(cases[0]!.testCaseId, 'row-1');
    assert.match(cases[0]!.messages[1]!.content, /My order #48213 arrived two weeks late/);
    assert.match(cases[0]!.expected!, /Order arrived two weeks late/);
    assert.equal(cases[0]!.parameters.temperature, 0.2);
    assert.match(cases[1]!.label, /^#2 I was charged twice/);
  });

  it('skips bad rows and rows missing variables, reporting each by row number', async () => {
    const skipped: string[] = [];
    const cases = await collect(casesFromRows({ prompt: example(), model: 'm', onSkippedRow: (r, why) => skipped.push(`${r}:${why}`),
      rows: rows({ row: 2, values: { ticket: 'ok' } }, { row: 3, error: 'wrong column count' }, { row: 4, values: { other: 1 } }) }));
    assert.equal(cases.length, 1);
    assert.deepEqual(skipped, ['3:wrong column count', '4:missing variable(s): ticket']);
  });

  it('runs only the first case for "▶ Run"', async () => {
    assert.equal((await collect(casesFromRows({ prompt: example(), rows: loadTestCases(example()), model: 'm', firstCaseOnly: true }))).length, 1);
  });

  it('chooses the profile: flag > file > default setting > GitHub inference > fallback', () => {
    const custom = [{ id: 'local', kind: 'ollama' as const, baseUrl: 'http://127.0.0.1:11434' }];
    const pick = (o: Parameters<typeof chooseProfile>[2]) => { const c = chooseProfile(example(), custom, o); return 'error' in c ? c.error : `${c.profile.id}:${c.model}`; };
    assert.equal(pick({}), 'github:openai/gpt-4o-mini');
    assert.equal(pick({ defaultProviderId: 'local' }), 'local:gpt-4o-mini', 'bare model id for non-GitHub servers');
    assert.equal(pick({ providerId: 'anthropic', model: 'claude-3-5-haiku-latest', defaultProviderId: 'local' }), 'anthropic:claude-3-5-haiku-latest');
    assert.match(pick({ providerId: 'nope' }), /unknown provider profile "nope"/);
    const sel = chooseProfile(null, [], { fallbackProviderId: 'ollama' });
    assert.ok('error' in sel && /no model/.test(sel.error), 'a profile without a default model needs one');
  });
});

const sink = () => { let s = ''; return { w: new Writable({ write(c, _e, cb) { s += String(c); cb(); } }), get: () => s }; };

describe('promptlab run (against a local OpenAI-compatible server)', () => {

  it('runs every case, logs each execution, prints the table, exits 0 when evaluators pass', async () => {
    const srv = await startOpenAIServer(() => ({ kind: 'stream', deltas: ['- Late delivery\n', '- Damaged box\n', '- Wants a refund'], usage: { input: 30, output: 12 } }));
    const db = tempDir();
    const out = sink(), err = sink();
    try {
      const code = await main(['run', EXAMPLE, '--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', db, '--tag', 'ci', '--json'], out.w, err.w);
      assert.equal(code, 0, err.get());
      const res = JSON.parse(out.get()) as { summary: { succeeded: number; evaluatorsPassed: number }; cases: Array<{ status: string; tokensIn: number }> };
      assert.equal(res.summary.succeeded, 2);
      assert.equal(res.summary.evaluatorsPassed, 4);
      assert.equal(res.cases[0]!.tokensIn, 30);
      assert.equal(srv.requests.length, 2);
      assert.equal((srv.requests[0]!.body as { model: string }).model, 'gpt-4o-mini');
      const hist = sink();
      await main(['history', '--db', db, '--tag', 'ci', '--json'], hist.w, sink().w);
      assert.equal((JSON.parse(hist.get()) as unknown[]).length, 2, 'both executions are in the database');
    } finally { await srv.close(); }
  });

  it('exits 1 when an evaluator fails, and 2 on a usage error', async () => {
    const srv = await startOpenAIServer(() => ({ kind: 'json', text: 'No bullets here.' }));
    try {
      assert.equal(await main(['run', EXAMPLE, '--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', tempDir()], sink().w, sink().w), 1);
    } finally { await srv.close(); }
    const err = sink();
    assert.equal(await main(['run', EXAMPLE, '--variant', 'nope', '--db', tempDir()], sink().w, err.w), 2);
    assert.match(err.get(), /unknown variant "nope"/);
  });

  it('prints diagnostics as file:line:col and exits 2 for a broken prompt file', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'bad.prompt.yml');
    fs.writeFileSync(f, 'name: x\nmodelParameters:\n  temperature: hot\nmessages:\n  - role: user\n    content: hi\n');
    const err = sink();
    assert.equal(await main(['run', f, '--db', path.join(dir, 'db')], sink().w, err.w), 2);
    assert.match(err.get(), /bad\.prompt\.yml:3:16: error: .*temperature/);
  });

  it('runs the file\'s assert: checks with the response\'s latency and cost, and reports a bad assertion at its line', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'checked.prompt.yml');
    fs.writeFileSync(f, ['name: checked', 'messages:', '  - role: user', '    content: Say something about refunds', 'assert:', '  - type: icontains', '    value: REFUND',
      '  - type: max-latency-ms', '    value: 60000', '  - type: regex', '    value: "^nope"', ''].join('\n'));
    const srv = await startOpenAIServer(() => ({ kind: 'json', text: 'Refunds take 5 days.', usage: { input: 5, output: 5 } }));
    const out = sink();
    try {
      const code = await main(['run', f, '--provider', 'openai-compatible', '--model', 'm', '--base-url', srv.baseUrl, '--db', path.join(dir, 'db'), '--json'], out.w, sink().w);
      assert.equal(code, 1, 'the regex assertion fails the run');
      const res = JSON.parse(out.get()) as { cases: Array<{ evaluators: Array<{ name: string; status: string }>; quality: { overall: number | null } }> };
      assert.deepEqual(res.cases[0]!.evaluators.map((e) => e.status), ['pass', 'pass', 'fail']);
      assert.ok(res.cases[0]!.quality && res.cases[0]!.quality.overall !== null, 'every response gets a quality score');
    } finally { await srv.close(); }
    fs.writeFileSync(f, ['name: checked', 'messages:', '  - role: user', '    content: hi', 'assert:', '  - type: containz', '    value: x', ''].join('\n'));
    const err = sink();
    assert.equal(await main(['run', f, '--db', path.join(dir, 'db')], sink().w, err.w), 2);
    assert.match(err.get(), /checked\.prompt\.yml:6:\d+: error: assertion 1/);
  });

  it('judges uses: evaluators with --judge-model (cost kept apart) and leaves them not evaluated without a judge', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'judged.prompt.yml');
    fs.writeFileSync(f, ['name: judged', 'messages:', '  - role: user', '    content: Capital of {{country}}?', 'testData:', '  - country: France', '    expected: Paris',
      'evaluators:', '  - name: similar to expected', '    uses: github/similarity', ''].join('\n'));
    const srv = await startOpenAIServer((req) => {
      const body = req.body as { messages: Array<{ content: string }> };
      const isJudge = body.messages.some((m) => m.content.includes('<response>'));
      return isJudge ? { kind: 'json', text: '{"score": 5, "reason": "Same answer."}', usage: { input: 100, output: 10 } } : { kind: 'json', text: 'Paris.', usage: { input: 5, output: 2 } };
    });
    try {
      const out = sink();
      const code = await main(['run', f, '--provider', 'openai-compatible', '--model', 'm', '--base-url', srv.baseUrl, '--judge-model', 'judge-m', '--db', path.join(dir, 'db'), '--json', '--no-cache'], out.w, sink().w);
      assert.equal(code, 0);
      const ev = (JSON.parse(out.get()) as { cases: Array<{ evaluators: Array<{ status: string; reason: string }> }> }).cases[0]!.evaluators[0]!;
      assert.equal(ev.status, 'pass');
      assert.match(ev.reason, /judge judge-m/);
      assert.equal(srv.requests.length, 2, 'one run request, one judge request');
      const plain = sink();
      await main(['run', f, '--provider', 'openai-compatible', '--model', 'm', '--base-url', srv.baseUrl, '--db', path.join(dir, 'db'), '--json', '--no-cache'], plain.w, sink().w);
      const ev2 = (JSON.parse(plain.get()) as { cases: Array<{ evaluators: Array<{ status: string; reason: string }> }> }).cases[0]!.evaluators[0]!;
      assert.equal(ev2.status, 'not_evaluated');
      assert.match(ev2.reason, /needs an LLM judge/);
    } finally { await srv.close(); }
  });
});
