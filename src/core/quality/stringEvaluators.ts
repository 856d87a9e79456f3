/*
 * The file's own evaluators, run on one response.
 *
 * `string` checks behave exactly as `gh models eval` does, so a file scores the same in both
 * tools: the first non-empty of equals, contains, startsWith, endsWith is applied (the parser
 * warns about the others); `equals` is case-sensitive, the other three compare lower-cased
 * text; `{{var}}` in the expected text is replaced from the test case (plain substitution,
 * unknown names left as written, like gh-models' TemplateString).
 *
 * `uses:` built-ins and custom `llm:` judges need an LLM judge, which is not wired yet: they
 * come back `not_evaluated` with score null, never as a pass.
 */
import type { EvaluatorSpec, StringEvaluator } from '../prompt/types';
import type { EvaluatorResult } from '../runner/types';

const ORDER = ['equals', 'contains', 'startsWith', 'endsWith'] as const;
type CheckKind = (typeof ORDER)[number];

const VERBS: Record<CheckKind, string> = { equals: 'equal', contains: 'contain', startsWith: 'start with', endsWith: 'end with' };
const EXCERPT = 60;

export function runEvaluators(specs: readonly EvaluatorSpec[], response: string, variables: Record<string, unknown> = {}): EvaluatorResult[] {
  return specs.map((spec) => runOne(spec, response, variables));
}

function runOne(spec: EvaluatorSpec & { llm?: unknown }, response: string, variables: Record<string, unknown>): EvaluatorResult {
  if (spec.string) return runStringCheck(spec.name, spec.string, response, variables);
  if (spec.uses) return { name: spec.name, status: 'not_evaluated', score: null, reason: `${spec.uses} needs an LLM judge (arrives with the quality issue)` };
  if (spec.llm) return { name: spec.name, status: 'not_evaluated', score: null, reason: 'A custom LLM evaluator needs an LLM judge (arrives with the quality issue)' };
  return { name: spec.name, status: 'error', score: null, reason: 'The evaluator has no check (string, uses or llm)' };
}

function runStringCheck(name: string, check: StringEvaluator, response: string, variables: Record<string, unknown>): EvaluatorResult {
  const kind = ORDER.find((k) => check[k] !== undefined && check[k] !== '');
  if (!kind) return { name, status: 'error', score: null, reason: 'The string evaluator has no equals, contains, startsWith or endsWith' };
  const expected = substitute(check[kind] ?? '', variables);
  const passed = test(kind, response, expected);
  const quoted = JSON.stringify(expected);
  const reason = passed
    ? `The response does ${VERBS[kind]} ${quoted}`
    : `Expected the response to ${VERBS[kind]} ${quoted}${kind === 'equals' ? '' : ' (case-insensitive)'}; it ${excerpt(kind, response)}`;
  return { name, status: passed ? 'pass' : 'fail', score: passed ? 1 : 0, reason };
}

function test(kind: CheckKind, response: string, expected: string): boolean {
  if (kind === 'equals') return response === expected;
  const r = response.toLowerCase();
  const e = expected.toLowerCase();
  if (kind === 'contains') return r.includes(e);
  if (kind === 'startsWith') return r.startsWith(e);
  return r.endsWith(e);
}

/** A short, one-line quote of the part of the response the check looked at. */
function excerpt(kind: CheckKind, response: string): string {
  if (response === '') return 'is empty';
  const flat = response.replace(/\s+/g, ' ');
  if (flat.length <= EXCERPT) return `is ${JSON.stringify(flat)}`;
  if (kind === 'endsWith') return `ends with ${JSON.stringify(`…${flat.slice(-EXCERPT)}`)}`;
  return `starts with ${JSON.stringify(`${flat.slice(0, EXCERPT)}…`)}`;
}

function substitute(text: string, variables: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(variables, name)) return whole;
    const v = variables[name];
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}
