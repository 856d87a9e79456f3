/*
 * GitHub `evaluators:` entries: `string` checks (run locally), `uses: github/…` built-ins and
 * custom `llm` judges (both need an LLM judge, which arrives with the quality work).
 */
import { z } from 'zod';
import type { EvaluatorSpec, StringEvaluator } from './types';
import type { YamlSource } from './yamlSource';

/** A custom LLM-as-judge evaluator as gh-models defines it. */
export interface LlmEvaluatorSpec {
  modelId: string;
  prompt: string;
  choices: Array<{ choice: string; score: number }>;
  systemPrompt?: string;
}

/** EvaluatorSpec carrying a custom judge; `llm` is not in the shared contract yet. */
export type EvaluatorSpecWithLlm = EvaluatorSpec & { llm?: LlmEvaluatorSpec };

const EVALUATOR_KEYS = new Set(['name', 'description', 'string', 'uses', 'llm']);
/** gh-models applies the first non-empty check in this order and ignores the others. */
export const STRING_CHECK_ORDER = ['equals', 'contains', 'startsWith', 'endsWith'] as const;

const llmSchema = z.object({
  modelId: z.string(),
  prompt: z.string(),
  choices: z.array(z.object({ choice: z.union([z.string(), z.number(), z.boolean()]).transform(String), score: z.number() })).min(1),
  systemPrompt: z.string().optional(),
});

export function readEvaluators(src: YamlSource): EvaluatorSpecWithLlm[] {
  const items = src.check(z.array(z.unknown()).optional(), ['evaluators']) ?? [];
  const specs: EvaluatorSpecWithLlm[] = [];
  items.forEach((_item, i) => {
    const at = ['evaluators', i];
    if (!src.check(z.record(z.string(), z.unknown()), at)) return;
    src.warnUnknownKeys(at, EVALUATOR_KEYS, 'an evaluator');
    const range = src.rangeAt(at);
    const name = src.check(z.union([z.string(), z.number()]).transform(String).optional(), [...at, 'name']);
    if (name === undefined) {
      src.report('error', 'missing-key', 'An evaluator needs a name', range);
      return;
    }
    const spec: EvaluatorSpecWithLlm = { name, range };
    if (src.valueAt([...at, 'string']) !== undefined) {
      const check = readStringCheck(src, [...at, 'string']);
      if (check) spec.string = check;
    }
    const uses = src.check(z.string().min(1).optional(), [...at, 'uses']);
    if (uses !== undefined) spec.uses = uses;
    if (src.valueAt([...at, 'llm']) !== undefined) {
      const llm = src.check(llmSchema, [...at, 'llm']);
      if (llm) spec.llm = { modelId: llm.modelId, prompt: llm.prompt, choices: llm.choices, ...(llm.systemPrompt !== undefined ? { systemPrompt: llm.systemPrompt } : {}) };
    }
    const written = ['string', 'uses', 'llm'].filter((k) => src.valueAt([...at, k]) !== undefined).length;
    if (written === 0) src.report('error', 'missing-key', `Evaluator '${name}' needs one of 'string', 'uses' or 'llm'`, range);
    // A check that is written but invalid has been reported where it is wrong.
    const kinds = [spec.string, spec.uses, spec.llm].filter((k) => k !== undefined).length;
    if (kinds === 0) return;
    if (kinds > 1) src.report('warning', 'ignored-key', `Evaluator '${name}' has more than one of 'string', 'uses', 'llm'; like gh models, only the first is used`, range);
    specs.push(spec);
  });
  return specs;
}

function readStringCheck(src: YamlSource, at: Array<string | number>): StringEvaluator | undefined {
  const map = src.check(z.record(z.string(), z.unknown()), at);
  if (!map) return undefined;
  src.warnUnknownKeys(at, new Set(STRING_CHECK_ORDER), "a 'string' evaluator");
  const check: StringEvaluator = {};
  for (const key of STRING_CHECK_ORDER) {
    const v = src.check(z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(), [...at, key]);
    if (v !== undefined && v !== '') check[key] = v;
  }
  const given = STRING_CHECK_ORDER.filter((k) => check[k] !== undefined);
  if (given.length === 0) {
    src.report('error', 'missing-key', `A 'string' evaluator needs one of ${STRING_CHECK_ORDER.join(', ')}`, src.rangeAt(at));
    return undefined;
  }
  if (given.length > 1) {
    src.report('warning', 'ignored-key', `Only '${given[0]}' is checked (gh models uses the first of ${STRING_CHECK_ORDER.join(', ')}); ${given.slice(1).map((k) => `'${k}'`).join(', ')} ignored`, src.rangeAt(at));
  }
  return check;
}
