import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { adviseSampleSize, pairedPlan, unpairedPlan } from '../../src/core/compare';
import { LocalStore } from '../../src/core/store';
import { Sanitizer } from '../../src/core/sanitize';
import { startOpenAIServer } from './helpers/fakeServers';
import { sampleExecution, tempDir } from './helpers/fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

describe('compare designs', () => {
  const variants = ['A', 'B', 'C'];
  it('paired: every case × variant × repeat once, reproducible per seed, interleaved', () => {
    const p1 = pairedPlan(20, variants, 2, 42), p2 = pairedPlan(20, variants, 2, 42), p3 = pairedPlan(20, variants, 2, 43);
    assert.deepEqual(p1, p2);
    assert.notDeepEqual(p1, p3);
    assert.equal(p1.length, 20 * 3 * 2);
    assert.equal(new Set(p1.map((u) => `${u.caseIndex}/${u.variant}/${u.repeat}`)).size, p1.length);
    // Interleaved: each block of 3 holds all variants, and A is not all first.
    for (let i = 0; i < p1.length; i += 3) assert.deepEqual(p1.slice(i, i + 3).map((u) => u.variant).sort(), variants);
    const firstHalf = p1.slice(0, p1.length / 2).filter((u) => u.variant === 'A').length;
    assert.ok(firstHalf > 0 && firstHalf < 40);
    assert.ok(p1.some((u, i) => i % 3 === 0 && u.variant !== 'A'));
  });

  it('unpaired: every case in exactly one variant, balanced, reproducible', () => {
    const u = unpairedPlan(31, variants, 3, 7);
    assert.deepEqual(u, unpairedPlan(31, variants, 3, 7));
    const variantOf = new Map<number, string>();
    for (const x of u) {
      const v = variantOf.get(x.caseIndex);
      assert.ok(v === undefined || v === x.variant);
      variantOf.set(x.caseIndex, x.variant);
    }
    assert.equal(variantOf.size, 31);
    assert.equal(u.length, 31 * 3);
    const sizes = variants.map((v) => [...variantOf.values()].filter((x) => x === v).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  });
});

describe('sample-size advisor', () => {
  it('d = 0.5 needs 64 per group unpaired, 34 pairs paired; warns on a small dataset', () => {
    const a = adviseSampleSize({ design: 'unpaired', variants: 2, datasetCases: 20, repeat: 1, concurrency: 4, past: null });
    assert.equal(a.effectSize.source, 'assumed');
    assert.ok(a.neededPerVariant.available && a.neededPerVariant.n === 64);
    assert.equal(a.availablePerVariant, 10);
    assert.match(a.warnings.join(), /dataset too small/);
    assert.equal(a.estimate.costUsd.available, false);
    const p = adviseSampleSize({ design: 'paired', variants: 2, datasetCases: 100, repeat: 2, concurrency: 4, past: null });
    assert.ok(p.neededPerVariant.available && p.neededPerVariant.n === 34);
    assert.equal(p.warnings.length, 0);
    assert.equal(p.executions, 400);
  });

  it('uses the variance of past quality scores and past means for estimates', () => {
    const scores = Array.from({ length: 40 }, (_, i) => 0.5 + (i % 2 ? 0.1 : -0.1));
    const a = adviseSampleSize({ design: 'unpaired', variants: 2, datasetCases: 200, repeat: 1, concurrency: 2, minDifference: 0.1,
      past: { executions: 40, qualityScores: scores, meanTokensIn: 100, meanTokensOut: 50, meanCostUsd: 0.001, meanLatencyMs: 1000 } });
    assert.equal(a.effectSize.source, 'past-variance');
    assert.ok(Math.abs(a.effectSize.value - 0.1 / a.effectSize.qualitySd!) < 1e-12);
    assert.ok(a.estimate.tokensIn.available && a.estimate.tokensIn.total === 200 * 100);
    assert.ok(a.estimate.durationMs.available && a.estimate.durationMs.total === 200 * 1000 / 2);
  });
});

const PROMPT = `name: capitals
model: gpt-test
messages:
  - role: user
    content: "What is the capital of {{country}}? Answer in one sentence."
testData:
${['France:Paris', 'Japan:Tokyo', 'Italy:Rome', 'Spain:Madrid', 'Egypt:Cairo', 'Peru:Lima', 'Kenya:Nairobi', 'Chile:Santiago', 'Norway:Oslo', 'Cuba:Havana', 'Greece:Athens', 'Poland:Warsaw']
  .map((x) => { const [c, k] = x.split(':'); return `  - country: ${c}\n    expected: "The capital of ${c} is ${k}."`; }).join('\n')}
`;

describe('promptlab compare', () => {
  it('runs a paired experiment across models, stores it, finds the better model, and adds samples with --experiment', async () => {
    const srv = await startOpenAIServer((req) => {
      const body = req.body as { model: string; messages: Array<{ content: string }> };
      const country = /capital of (\w+)/.exec(body.messages.at(-1)!.content)?.[1] ?? '?';
      const capitals: Record<string, string> = { France: 'Paris', Japan: 'Tokyo', Italy: 'Rome', Spain: 'Madrid', Egypt: 'Cairo', Peru: 'Lima', Kenya: 'Nairobi', Chile: 'Santiago', Norway: 'Oslo', Cuba: 'Havana', Greece: 'Athens', Poland: 'Warsaw' };
      return body.model === 'good'
        ? { kind: 'json', text: `The capital of ${country} is ${capitals[country]}.` }
        : { kind: 'json', text: 'I like turtles and bananas, sometimes.' };
    });
    const dir = tempDir(), db = tempDir();
    const file = path.join(dir, 'capitals.prompt.yml');
    fs.writeFileSync(file, PROMPT);
    try {
      const r = await cli('compare', file, '--models', 'bad,good', '--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', db, '--seed', '5', '--json');
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out) as { schema: string; experiment: { id: string; design: string; seed: number; status: string }; run: { total: number }; samples: Record<string, { executions: number; cases: number }>; comparison: { winner: string; metrics: Array<{ name: string; paired: boolean; comparisons: Array<{ verdict: string; effectSize: { value: number } }> }> } };
      assert.equal(j.schema, 'promptlab.compare/1');
      assert.equal(j.experiment.design, 'paired');
      assert.equal(j.experiment.seed, 5);
      assert.equal(j.experiment.status, 'finished');
      assert.equal(j.run.total, 24);
      assert.deepEqual(j.samples.good, { executions: 12, failed: 0, cases: 12 });
      const q = j.comparison.metrics.find((m) => m.name === 'quality')!;
      assert.equal(q.paired, true);
      assert.equal(q.comparisons[0]!.verdict, 'better');
      assert.ok(q.comparisons[0]!.effectSize.value > 0.8);
      assert.equal(j.comparison.winner, 'good');

      const store = await LocalStore.open({ dir: db, sanitizer: new Sanitizer() });
      try {
        const [exp] = await store.experiments(j.experiment.id);
        assert.equal(exp!.status, 'finished');
        assert.equal(exp!.name, 'capitals');
        const page = await store.history({ experimentId: j.experiment.id, limit: 100 });
        assert.equal(page.rows.length, 24);
        assert.ok(page.rows.every((x) => (x.variant === 'good' || x.variant === 'bad') && x.experimentId === j.experiment.id));
      } finally { await store.close(); }

      const again = await cli('compare', file, '--models', 'bad,good', '--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', db, '--experiment', j.experiment.id, '--repeat', '2', '--json');
      assert.equal(again.code, 0, again.err);
      const j2 = JSON.parse(again.out) as typeof j;
      assert.equal(j2.experiment.id, j.experiment.id);
      assert.equal(j2.run.total, 48);
      assert.deepEqual(j2.samples.good, { executions: 36, failed: 0, cases: 12 });

      const wrong = await cli('compare', file, '--models', 'bad,other', '--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', db, '--experiment', j.experiment.id);
      assert.equal(wrong.code, 2);
      assert.match(wrong.err, /compares bad, good/);

      const dry = await cli('compare', file, '--models', 'bad,good', '--provider', 'openai-compatible', '--base-url', srv.baseUrl, '--db', db, '--dry-run');
      assert.equal(dry.code, 0, dry.err);
      assert.match(dry.err, /cases per variant needed/);
      assert.match(dry.err, /estimate: tokens in \d+/);
    } finally { await srv.close(); }
  });

  for (const [args, reason] of [
    [['compare'], /needs a prompt FILE/],
    [['compare', 'x.prompt.yml', '--paired', '--unpaired'], /exclude each other/],
    [['compare', 'x.prompt.yml', '--repeat', '0'], /--repeat must be an integer/],
    [['compare', 'x.prompt.yml', '--bogus'], /Unknown option/],
    [['compare-periods', '--prompt', 'p', '--a', '2026-01-01', '--b', '2026-01-01,2026-02-01'], /--a must be START,END/],
    [['compare-periods', '--a', '2026-01-01,2026-02-01', '--b', '2026-02-01,2026-03-01'], /needs --prompt/],
    [['compare-periods', '--prompt', 'p', '--a', '2026-01-01,2026-02-01', '--b', '2026-02-01,2026-03-01', '--metric', 'vibes'], /--metric must be/],
  ] as Array<[string[], RegExp]>) {
    it(`usage error exits 2: ${args.join(' ')}`, async () => {
      const r = await cli(...args, '--db', tempDir());
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, reason);
    });
  }

  it('compare-periods compares imported executions of two date ranges', async () => {
    const db = tempDir(), dir = tempDir();
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      const inB = i >= 30;
      lines.push(JSON.stringify({ ...sampleExecution(i, { promptId: 'p1', success: true, qualityScore: (inB ? 0.8 : 0.5) + ((i * 7) % 10) / 100, latencyMs: 100 + i,
        createdAt: new Date(Date.UTC(2026, inB ? 1 : 0, 1 + (i % 20))).toISOString() }), promptText: 'q', responseText: 'a' }));
    }
    const jsonl = path.join(dir, 'x.jsonl');
    fs.writeFileSync(jsonl, lines.join('\n') + '\n');
    assert.equal((await cli('import', jsonl, '--db', db)).code, 0);
    const r = await cli('compare-periods', '--prompt', 'p1', '--a', '2026-01-01,2026-02-01', '--b', '2026-02-01,2026-03-01', '--db', db, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { schema: string; periods: Array<{ executions: number }>; comparison: { winner: string; metrics: Array<{ name: string; comparisons: Array<{ verdict: string }> }> } };
    assert.equal(j.schema, 'promptlab.compare-periods/1');
    assert.deepEqual(j.periods.map((p) => p.executions), [30, 30]);
    assert.equal(j.comparison.metrics.find((m) => m.name === 'quality')!.comparisons[0]!.verdict, 'better');
    const only = await cli('compare-periods', '--prompt', 'p1', '--a', '2026-01-01,2026-02-01', '--b', '2026-02-01,2026-03-01', '--db', db, '--metric', 'latency');
    assert.equal(only.code, 0, only.err);
    assert.match(only.out, /latency_ms/);
    assert.doesNotMatch(only.out, /^quality /m);
  });
});
