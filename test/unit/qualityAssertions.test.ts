import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import type { AssertionInput } from '../../src/core/quality';
import { AssertionListSchema, configureWordVectors, runAssertions } from '../../src/core/quality';
import { ensureWordVectors } from '../fixtures/quality/qualityPairs';

const RESPONSE = 'We refund orders within 30 days. Contact support@example.com for help.';

function run(a: AssertionInput, extra: Partial<Parameters<typeof runAssertions>[1]> = {}): ReturnType<typeof runAssertions>[number] {
  const [r] = runAssertions([a], { response: RESPONSE, ...extra });
  assert.ok(r);
  return r;
}

before(() => configureWordVectors(ensureWordVectors()));

describe('assertion schema', () => {
  test('parses an `assert:` list written like promptfoo, applying defaults', () => {
    const doc = parseYaml('assert:\n  - type: contains\n    value: refund\n  - type: similar\n    value: We give refunds for a month\n  - type: max-length\n    value: 200\n') as { assert: unknown };
    const list = AssertionListSchema.parse(doc.assert);
    assert.equal(list.length, 3);
    assert.deepEqual(list[1], { type: 'similar', value: 'We give refunds for a month', threshold: 0.75 });
    assert.deepEqual(list[2], { type: 'max-length', value: 200, unit: 'characters' });
  });

  test('rejects unknown types, missing values and invalid regexes', () => {
    assert.equal(AssertionListSchema.safeParse([{ type: 'contains-all', value: 'x' }]).success, false);
    assert.equal(AssertionListSchema.safeParse([{ type: 'contains' }]).success, false);
    assert.equal(AssertionListSchema.safeParse([{ type: 'regex', value: '(' }]).success, false);
    const [r] = runAssertions([{ type: 'regex', value: '(' } as AssertionInput], { response: 'x' });
    assert.equal(r?.status, 'error');
    assert.match(r?.reason ?? '', /not a valid regular expression/);
  });
});

describe('text assertions', () => {
  test('contains is case-sensitive, icontains is not, not- inverts', () => {
    assert.equal(run({ type: 'contains', value: 'refund' }).status, 'pass');
    assert.equal(run({ type: 'contains', value: 'Refund' }).status, 'fail');
    assert.equal(run({ type: 'icontains', value: 'REFUND' }).status, 'pass');
    assert.equal(run({ type: 'not-contains', value: 'guarantee' }).status, 'pass');
    assert.equal(run({ type: 'not-icontains', value: 'REFUND' }).status, 'fail');
  });

  test('equals, starts-with and regex; {{var}} comes from the test case', () => {
    assert.equal(run({ type: 'equals', value: RESPONSE }).status, 'pass');
    assert.equal(run({ type: 'starts-with', value: 'We refund' }).status, 'pass');
    assert.equal(run({ type: 'regex', value: 'within \\d+ days' }).status, 'pass');
    assert.equal(run({ type: 'not-regex', value: '\\$\\d+' }).status, 'pass');
    assert.equal(run({ type: 'contains', value: 'within {{days}} days' }, { variables: { days: 30 } }).status, 'pass');
    const fail = run({ type: 'regex', value: '^refund', flags: 'i' });
    assert.equal(fail.status, 'fail');
    assert.equal(fail.score, 0);
  });

  test('max-length counts characters by default, or words', () => {
    assert.equal(run({ type: 'max-length', value: 100 }).status, 'pass');
    assert.equal(run({ type: 'max-length', value: 10 }).status, 'fail');
    assert.equal(run({ type: 'max-length', value: 15, unit: 'words' }).status, 'pass');
    assert.equal(run({ type: 'max-length', value: 5, unit: 'words' }).status, 'fail');
  });
});

describe('JSON assertions', () => {
  const schema = { type: 'object', required: ['name', 'age'], properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } }, kind: { enum: ['a', 'b'] } } };

  test('is-json accepts a bare or fenced JSON answer only', () => {
    assert.equal(runAssertions([{ type: 'is-json' }], { response: '{"a": 1}' })[0]?.status, 'pass');
    assert.equal(runAssertions([{ type: 'is-json' }], { response: '```json\n[1, 2]\n```' })[0]?.status, 'pass');
    assert.equal(runAssertions([{ type: 'is-json' }], { response: 'Here: {"a": 1}' })[0]?.status, 'fail');
  });

  test('json-schema validates type, required, properties, items and enum via z.fromJSONSchema', () => {
    const check = (response: string) => runAssertions([{ type: 'json-schema', value: schema }], { response })[0];
    assert.equal(check('{"name": "Ana", "age": 3, "tags": ["x"], "kind": "a"}')?.status, 'pass');
    const bad = check('{"name": 1, "age": -1, "tags": [2], "kind": "c"}');
    assert.equal(bad?.status, 'fail');
    assert.match(bad?.reason ?? '', /name: .*expected string/);
    assert.equal(check('{"name": "Ana"}')?.status, 'fail');
    assert.equal(check('no json here')?.status, 'fail');
    assert.equal(runAssertions([{ type: 'json-schema', value: { type: 'strange' } }], { response: '{}' })[0]?.status, 'error');
  });
});

describe('run-metadata and judged assertions', () => {
  test('max-latency-ms and max-cost compare against the run, and are not_evaluated when unknown', () => {
    assert.equal(run({ type: 'max-latency-ms', value: 2000 }, { latencyMs: 850 }).status, 'pass');
    assert.equal(run({ type: 'max-latency-ms', value: 500 }, { latencyMs: 850 }).status, 'fail');
    assert.equal(run({ type: 'max-latency-ms', value: 500 }).status, 'not_evaluated');
    assert.equal(run({ type: 'max-cost', value: 0.01 }, { costUsd: 0.002 }).status, 'pass');
    assert.equal(run({ type: 'max-cost', value: 0.001 }, { costUsd: 0.002 }).status, 'fail');
    const unknown = run({ type: 'max-cost', value: 0.01 }, { costUsd: null });
    assert.equal(unknown.status, 'not_evaluated');
    assert.equal(unknown.score, null);
  });

  test('similar scores the relevance similarity against a threshold', () => {
    const near = run({ type: 'similar', value: 'Refunds are available for thirty days after purchase.', threshold: 0.4 });
    const far = run({ type: 'similar', value: 'The volcano erupted, covering the island in ash.', threshold: 0.4 });
    assert.equal(near.status, 'pass');
    assert.equal(far.status, 'fail');
    assert.ok((near.score ?? 0) > (far.score ?? 1));
    const lexical = run({ type: 'similar', value: 'We refund orders within 30 days.' }, { embedder: null });
    assert.match(lexical.reason, /lexical only/);
  });

  test('llm-rubric is not_evaluated (needs an LLM judge), never a pass', () => {
    const r = run({ type: 'llm-rubric', value: 'Is polite and mentions the refund window' });
    assert.deepEqual({ status: r.status, score: r.score, reason: r.reason }, { status: 'not_evaluated', score: null, reason: 'needs an LLM judge' });
  });

  test('results are named by `name`, or by type and value', () => {
    const [a, b] = runAssertions([{ type: 'contains', value: 'refund', name: 'mentions refunds' }, { type: 'icontains', value: 'support' }], { response: RESPONSE });
    assert.equal(a?.name, 'mentions refunds');
    assert.equal(b?.name, 'icontains: support');
  });
});
