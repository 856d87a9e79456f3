/*
 * Runs `assert:` lists (assertionSchema.ts) on one response. Every assertion yields an
 * EvaluatorResult: pass/fail with score 1/0 (`similar` scores its similarity), `not_evaluated`
 * with score null when the input it needs is missing (latency or cost unknown) or it needs an
 * LLM judge (`llm-rubric`), `error` when the assertion itself is unusable. Never a pass by default.
 *
 * json-schema uses zod 4's z.fromJSONSchema (drafts 4, 7 and 2020-12: type, required,
 * properties, items, enum, const, bounds, formats, combinators, local $ref); a schema it
 * cannot convert is reported as an error, not as a failed response.
 */
import { z } from 'zod';
import type { EvaluatorResult } from '../runner/types';
import type { Assertion, AssertionInput } from './assertionSchema';
import { AssertionSchema } from './assertionSchema';
import { textSimilarity } from './relevance';
import { localVectors } from './qualityResources';
import { extractJson } from './responseShape';
import { wordCount } from './textTokens';
import type { Embedder } from './types';

export interface AssertionContext {
  response: string;
  latencyMs?: number | null;
  costUsd?: number | null;
  variables?: Record<string, unknown>;
  /** For `similar`; default: the local word-vector embedder (lexical only when missing). */
  embedder?: Embedder | null;
}

const QUOTE = 50;

/** Accepts parsed assertions or raw ones (validated here; an invalid one becomes an `error` result). */
export function runAssertions(list: ReadonlyArray<Assertion | AssertionInput>, ctx: AssertionContext): EvaluatorResult[] {
  return list.map((raw, i) => {
    const parsed = AssertionSchema.safeParse(raw);
    if (!parsed.success) {
      const type = typeof (raw as { type?: unknown }).type === 'string' ? String((raw as { type: string }).type) : `#${i + 1}`;
      return { name: type, status: 'error', score: null, reason: `Invalid assertion: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'assertion'}: ${x.message}`).join('; ')}` };
    }
    try {
      return runOne(parsed.data, ctx);
    } catch (err) {
      return { name: nameOf(parsed.data), status: 'error', score: null, reason: `Assertion failed to run: ${err instanceof Error ? err.message : String(err)}` };
    }
  });
}

function runOne(a: Assertion, ctx: AssertionContext): EvaluatorResult {
  const name = nameOf(a);
  const response = ctx.response;
  const vars = ctx.variables ?? {};
  const verdict = (passed: boolean, reason: string): EvaluatorResult => ({ name, status: passed ? 'pass' : 'fail', score: passed ? 1 : 0, reason });
  switch (a.type) {
    case 'contains':
    case 'not-contains':
    case 'icontains':
    case 'not-icontains':
    case 'equals':
    case 'not-equals':
    case 'starts-with':
    case 'not-starts-with': {
      const negated = a.type.startsWith('not-');
      const kind = negated ? a.type.slice(4) : a.type;
      const value = substitute(a.value, vars);
      const caseless = kind === 'icontains';
      const r = caseless ? response.toLowerCase() : response;
      const v = caseless ? value.toLowerCase() : value;
      const hit = kind === 'equals' ? r === v : kind === 'starts-with' ? r.startsWith(v) : r.includes(v);
      const verb = { contains: 'contain', icontains: 'contain (case-insensitive)', equals: 'equal', 'starts-with': 'start with' }[kind] ?? kind;
      return verdict(hit !== negated, `The response ${hit ? 'does' : 'does not'} ${verb} ${JSON.stringify(value)}${negated ? ' (negated assertion)' : ''}`);
    }
    case 'regex':
    case 'not-regex': {
      const re = new RegExp(substitute(a.value, vars), a.flags);
      const m = re.exec(response);
      const negated = a.type === 'not-regex';
      return verdict((m !== null) !== negated, m ? `Matches /${re.source}/ at ${JSON.stringify(m[0].slice(0, QUOTE))}${negated ? ' (negated assertion)' : ''}` : `No match for /${re.source}/${negated ? ' (negated assertion)' : ''}`);
    }
    case 'is-json': {
      const parsed = parseWholeJson(response);
      return verdict(parsed.ok, parsed.ok ? 'The response is valid JSON' : `The response is not valid JSON: ${parsed.error}`);
    }
    case 'json-schema':
      return runJsonSchema(name, a.value, response);
    case 'max-length': {
      const n = a.unit === 'words' ? wordCount(response) : [...response].length;
      return verdict(n <= a.value, `${n} ${a.unit} (limit ${a.value})`);
    }
    case 'max-latency-ms':
      if (typeof ctx.latencyMs !== 'number') return { name, status: 'not_evaluated', score: null, reason: 'Latency is unknown' };
      return verdict(ctx.latencyMs <= a.value, `Latency ${Math.round(ctx.latencyMs)} ms (limit ${a.value} ms)`);
    case 'max-cost':
      if (typeof ctx.costUsd !== 'number') return { name, status: 'not_evaluated', score: null, reason: 'Cost is unknown (no price configured for this model)' };
      return verdict(ctx.costUsd <= a.value, `Cost $${ctx.costUsd.toFixed(6)} (limit $${a.value})`);
    case 'similar': {
      const local = localVectors().embedder;
      const embedder = ctx.embedder === undefined ? local : ctx.embedder;
      const sim = textSimilarity(response, substitute(a.value, vars), embedder, local ? (t) => local.weight(t) : undefined);
      const passed = sim.score >= a.threshold;
      return { name, status: passed ? 'pass' : 'fail', score: round(sim.score), reason: `Similarity ${sim.score.toFixed(2)} (threshold ${a.threshold})${sim.semantic ? '' : '; lexical only, no word vectors'}` };
    }
    case 'llm-rubric':
      return { name, status: 'not_evaluated', score: null, reason: 'needs an LLM judge' };
  }
}

function runJsonSchema(name: string, schema: Record<string, unknown> | boolean, response: string): EvaluatorResult {
  let validator: z.ZodType;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    return { name, status: 'error', score: null, reason: `Unsupported JSON schema: ${err instanceof Error ? err.message : String(err)}` };
  }
  const whole = parseWholeJson(response);
  const value = whole.ok ? whole.value : extractJson(response);
  if (value === undefined) return { name, status: 'fail', score: 0, reason: 'The response contains no JSON to validate' };
  const result = validator.safeParse(value);
  if (result.success) return { name, status: 'pass', score: 1, reason: 'The JSON matches the schema' };
  const issues = result.error.issues.slice(0, 3).map((x) => `${x.path.length > 0 ? x.path.join('.') : '(root)'}: ${x.message}`);
  return { name, status: 'fail', score: 0, reason: `The JSON does not match the schema: ${issues.join('; ')}${result.error.issues.length > 3 ? ' …' : ''}` };
}

function parseWholeJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const t = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/i, '$1');
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function nameOf(a: Assertion): string {
  if (a.name) return a.name;
  if (!('value' in a)) return a.type;
  const v = typeof a.value === 'string' ? a.value : typeof a.value === 'number' ? String(a.value) : 'schema';
  return `${a.type}: ${v.length > QUOTE ? `${v.slice(0, QUOTE)}…` : v}`;
}

/** {{var}} from the test case; unknown names stay as written (as the string evaluators do). */
function substitute(text: string, variables: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g, (whole, key: string) => {
    if (!Object.prototype.hasOwnProperty.call(variables, key)) return whole;
    const v = variables[key];
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
