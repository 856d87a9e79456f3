/*
 * The file's evaluators on one response: string checks as gh models runs them, LLM-judged
 * ones reported as not evaluated (never as a pass).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePromptFile } from '../../src/core/prompt';
import type { EvaluatorSpec, EvaluatorSpecWithLlm } from '../../src/core/prompt';
import { runEvaluators } from '../../src/core/quality/stringEvaluators';

const RANGE = { line: 1, col: 1, endLine: 1, endCol: 1 };
const check = (string: EvaluatorSpec['string'], response: string, variables?: Record<string, unknown>) =>
  runEvaluators([{ name: 'check', string, range: RANGE }], response, variables)[0];

describe('string evaluators', () => {
  test('pass → score 1, fail → score 0 with the expected text and an excerpt', () => {
    assert.deepEqual(check({ startsWith: 'Summary -' }, 'Summary - a fox.'), { name: 'check', status: 'pass', score: 1, reason: 'The response does start with "Summary -"' });
    assert.deepEqual(check({ startsWith: 'Summary -' }, 'A fox jumped.'), {
      name: 'check', status: 'fail', score: 0,
      reason: 'Expected the response to start with "Summary -" (case-insensitive); it is "A fox jumped."',
    });
  });

  test('each check kind', () => {
    assert.equal(check({ contains: 'refund' }, 'We will refund you.')?.status, 'pass');
    assert.equal(check({ contains: 'refund' }, 'No money back.')?.status, 'fail');
    assert.equal(check({ endsWith: 'Thanks!' }, 'Done. Thanks!')?.status, 'pass');
    assert.equal(check({ endsWith: 'Thanks!' }, 'Thanks! Done.')?.status, 'fail');
    assert.equal(check({ equals: 'yes' }, 'yes')?.status, 'pass');
    assert.equal(check({ equals: 'yes' }, 'yes ')?.status, 'fail');
  });

  test('case: equals is exact; contains/startsWith/endsWith ignore case, as gh models does', () => {
    assert.equal(check({ equals: 'Yes' }, 'yes')?.status, 'fail');
    assert.equal(check({ contains: 'REFUND' }, 'a refund')?.status, 'pass');
    assert.equal(check({ startsWith: 'summary' }, 'Summary: ok')?.status, 'pass');
    assert.equal(check({ endsWith: 'END' }, 'the end')?.status, 'pass');
  });

  test('only the first of equals, contains, startsWith, endsWith is applied', () => {
    assert.equal(check({ contains: 'fox', startsWith: 'nope' }, 'a fox')?.status, 'pass');
    assert.equal(check({ equals: 'exact', contains: 'x' }, 'x')?.status, 'fail');
  });

  test('{{var}} in the expected text comes from the test case; unknown names stay literal', () => {
    assert.equal(check({ contains: '{{subject}}' }, 'A fox ran.', { subject: 'fox' })?.status, 'pass');
    assert.equal(check({ contains: '{{ subject }}' }, 'A fox ran.', { subject: 'dog' })?.reason, 'Expected the response to contain "dog" (case-insensitive); it is "A fox ran."');
    assert.equal(check({ contains: '{{other}}' }, 'has {{other}} in it', {})?.status, 'pass');
    assert.equal(check({ equals: '{{n}}' }, '42', { n: 42 })?.status, 'pass');
  });

  test('long and empty responses are quoted briefly on one line', () => {
    const long = `Line one\n${'word '.repeat(40)}`;
    assert.match(check({ startsWith: 'Summary' }, long)?.reason ?? '', /it starts with "Line one word word .{30,}…"$/);
    assert.match(check({ endsWith: 'Bye' }, long)?.reason ?? '', /it ends with "….*word "$/);
    assert.match(check({ contains: 'x' }, '')?.reason ?? '', /it is empty$/);
    assert.ok((check({ contains: 'zzz' }, long)?.reason.length ?? 0) < 150);
  });
});

describe('evaluators that need an LLM judge', () => {
  test('uses: → not_evaluated, score null, never a pass', () => {
    const [r] = runEvaluators([{ name: 'similar', uses: 'github/similarity', range: RANGE }], 'anything');
    assert.deepEqual(r, { name: 'similar', status: 'not_evaluated', score: null, reason: 'github/similarity needs an LLM judge (arrives with the quality issue)' });
  });

  test('custom llm: → not_evaluated', () => {
    const spec: EvaluatorSpecWithLlm = { name: 'polite', range: RANGE, llm: { modelId: 'openai/gpt-4o', prompt: 'Polite? {{completion}}', choices: [{ choice: 'yes', score: 1 }] } };
    assert.deepEqual(runEvaluators([spec], 'hi')[0]?.status, 'not_evaluated');
  });

  test('an evaluator with no check is an error result', () => {
    assert.deepEqual(runEvaluators([{ name: 'empty', range: RANGE }], 'x')[0], { name: 'empty', status: 'error', score: null, reason: 'The evaluator has no check (string, uses or llm)' });
  });

  test('a whole file: the GitHub-style fixture on one good answer', () => {
    const file = path.resolve(__dirname, '../fixtures/prompts/text-summarizer.prompt.yml');
    const prompt = parsePromptFile(file, fs.readFileSync(file, 'utf8')).prompt;
    assert.ok(prompt);
    const results = runEvaluators(prompt.evaluators, 'Summary - A fox jumped over a lazy dog.', prompt.testData[0]);
    assert.deepEqual(results.map((r) => [r.status, r.score]), [['pass', 1], ['pass', 1], ['not_evaluated', null], ['not_evaluated', null], ['not_evaluated', null]]);
  });
});
