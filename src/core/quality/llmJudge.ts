/*
 * LLM judge: a model from any configured provider grades one response, on one quality
 * dimension, one `uses: github/…` built-in, or a free-text rubric, with a fixed prompt (see
 * llmJudgePrompts.ts) that asks for a JSON verdict {score 1..5, reason}.
 *
 * - The verdict is validated with zod. A malformed reply gets exactly one retry that quotes
 *   the validation error; a second malformed reply makes the judgment unavailable, never a
 *   guessed score.
 * - `k` repeats (default 1) are averaged; their spread (sample sd) is kept as judge noise, so
 *   a difference between two prompts smaller than the judge's own wobble can be seen as such.
 *   k = 1 runs at temperature 0 (the most reproducible verdict); k > 1 runs at 0.7, because
 *   repeats at temperature 0 would return (nearly) the same verdict and measure nothing.
 * - The judge's cost is the sum over all its calls (retries included), priced with the judge's
 *   own profile and returned on its own. The caller stores it as judge cost: it is never added
 *   to the cost of the execution being judged, whose cost must not depend on how it was graded.
 * - Failures come back as data ({available: false}), like provider failures: a judge that is
 *   down must not sink a run.
 *
 * Scores: 1..5 maps to 0..1 as (s - 1) / 4, which is also how gh models scores its built-ins
 * (1 → 0, 2 → 0.25, … 5 → 1), so a k = 1 score here is on the same scale as there.
 */
import { z } from 'zod';
import type { ChatMessage, EvaluatorSpec } from '../prompt/types';
import type { LlmEvaluatorSpec } from '../prompt/evaluatorKeys';
import { costUsd } from '../providers/tokens';
import type { CompletionResult, Provider, ProviderErrorKind, ProviderProfile } from '../providers/types';
import type { EvaluatorResult } from '../runner/types';
import { buildJudgeMessages, DIMENSION_CRITERIA, GITHUB_CRITERIA, JUDGE_RETRY_PROMPT, promptText, rubricCriterion } from './llmJudgePrompts';
import type { JudgeCriterion } from './llmJudgePrompts';
import type { QualityDimension } from './types';

/** Shown when a file's judge evaluators cannot run; the setting names must match package.json once wired. */
export const NO_JUDGE_REASON = 'needs an LLM judge: set promptLab.judge.provider and promptLab.judge.model';

/**
 * Default pass mark on the 0..1 scale: a mean rating of 3 of 5 ("somewhat" / "partially")
 * or better. gh models passes any built-in rating above 1 (its `score > 0`), which lets
 * "mostly not similar" (2 stars) pass; we are stricter on purpose and the caller can set
 * passThreshold (0.75 = "mostly", 4 of 5) where that is too lenient.
 */
export const DEFAULT_PASS_THRESHOLD = 0.5;

/** Temperature of repeats when k > 1 (k = 1 uses 0); see the header comment. */
export const REPEAT_TEMPERATURE = 0.7;

/** Upper bound on k: each repeat is a paid call, and 10 already gives a usable sd. */
export const MAX_JUDGE_REPEATS = 10;

/** Per-call deadline when the caller gives none (the runner's default request timeout). */
export const DEFAULT_JUDGE_TIMEOUT_MS = 120_000;

/** Longest reason accepted from the judge (chars); longer means it ignored the format. */
export const MAX_REASON_CHARS = 1000;

/** A bad reply quoted back in the retry is cut to this, so a runaway reply does not double the cost. */
const QUOTED_REPLY_CHARS = 2000;

export const JudgeVerdictSchema = z.object({
  score: z.number().int().min(1).max(5),
  reason: z.string().max(MAX_REASON_CHARS),
});

export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

export interface JudgeModel {
  provider: Provider;
  model: string;
  /** Prices of the judge's own profile; without them the judge cost is null (unknown), never 0. */
  profile?: Pick<ProviderProfile, 'priceInPer1M' | 'priceOutPer1M'>;
}

export type JudgeTask =
  | { kind: 'rubric'; rubric: string }
  | { kind: 'dimension'; dimension: QualityDimension }
  | { kind: 'github'; evaluator: string };

export interface JudgeInput {
  prompt: ChatMessage[] | string;
  response: string;
  expected?: string | null;
  context?: string | null;
}

export interface JudgeOptions {
  /** Repeats (default 1, at most MAX_JUDGE_REPEATS). */
  k?: number;
  signal?: AbortSignal;
  /** Deadline of each judge call (default DEFAULT_JUDGE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Pass mark on the 0..1 score (default DEFAULT_PASS_THRESHOLD); pass = score >= it. */
  passThreshold?: number;
}

/** Why a judgment is unavailable: a missing input is "cannot assess", the others are failures. */
export type JudgeFailureCause = 'missing_input' | 'unknown_evaluator' | 'provider' | 'malformed';

export type JudgeResult =
  | {
    available: true;
    /** 0..1, mean of the k repeats. */
    score: number;
    pass: boolean;
    /** The judge's reason from the repeat closest to the mean. */
    reason: string;
    /** Scores (0..1) of each repeat and their sample sd (null for k = 1). */
    noise: { k: number; sd: number | null; scores: number[] };
    /** Tokens of all judge calls, retries included; estimated when any count was estimated or missing. */
    usage: { input: number; output: number; estimated: boolean };
    /** Judge cost in USD (null when unpriced); never part of the judged execution's cost. */
    costUsd: number | null;
    /** The judge model as configured (not the server's dated alias), so results group by setting. */
    model: string;
  }
  | {
    available: false;
    reason: string;
    /** What the calls made before the failure cost (0 when priced and none was made). */
    costUsd: number | null;
    cause: JudgeFailureCause;
    /** The provider's error kind when cause is 'provider'. */
    errorKind?: ProviderErrorKind;
  };

export async function judgeResponse(judge: JudgeModel, task: JudgeTask, input: JudgeInput, options: JudgeOptions = {}): Promise<JudgeResult> {
  const meter = new UsageMeter();
  const fail = (cause: JudgeFailureCause, reason: string, errorKind?: ProviderErrorKind): JudgeResult => ({
    available: false, reason, costUsd: meter.cost(judge.profile), cause, ...(errorKind ? { errorKind } : {}),
  });

  const criterion = criterionFor(task);
  if (!criterion) return fail('unknown_evaluator', unknownReason(task));
  const expected = present(input.expected);
  const context = present(input.context);
  const missing = [criterion.expected === 'required' && expected === null ? 'an expected answer' : null, criterion.context === 'required' && context === null ? 'a context' : null].filter((m) => m !== null);
  if (missing.length > 0) return fail('missing_input', `${criterion.name} needs ${missing.join(' and ')}, and this case has none`);

  const messages = buildJudgeMessages(criterion, {
    task: criterion.task ? promptText(input.prompt) : null,
    expected: criterion.expected === 'ignored' ? null : expected,
    context: criterion.context === 'ignored' ? null : context,
    response: input.response,
  });
  const k = repeats(options.k);
  const call = (msgs: ChatMessage[]): Promise<CompletionResult> =>
    judge.provider.complete(
      // Non-streaming: nobody watches judge tokens, and servers report usage reliably this way.
      // No max_tokens: reasoning models spend hidden tokens first and a tight cap would cut the
      // verdict off; the format asks for one or two sentences anyway. No response_format: not
      // every provider supports it, and the tolerant parser plus one retry covers its job.
      { model: judge.model, messages: msgs, parameters: { temperature: k === 1 ? 0 : REPEAT_TEMPERATURE }, stream: false },
      { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_JUDGE_TIMEOUT_MS },
    );

  const verdicts: JudgeVerdict[] = [];
  // One repeat at a time: judge calls bypass the runner's per-provider limiter, so they must
  // not fan out on their own; and a failure stops the rest instead of paying for them.
  for (let i = 0; i < k; i++) {
    const first = await call(messages);
    if (!first.ok) return fail('provider', providerReason(first.error), first.error.kind);
    meter.add(first);
    const parsed = parseVerdict(first.text);
    if (parsed.ok) {
      verdicts.push(parsed.verdict);
      continue;
    }
    const retry = await call([
      ...messages,
      { role: 'assistant', content: first.text.slice(0, QUOTED_REPLY_CHARS) },
      { role: 'user', content: JUDGE_RETRY_PROMPT.replace('{error}', parsed.error) },
    ]);
    if (!retry.ok) return fail('provider', providerReason(retry.error), retry.error.kind);
    meter.add(retry);
    const again = parseVerdict(retry.text);
    if (!again.ok) return fail('malformed', `judge gave malformed output twice: ${again.error}`);
    verdicts.push(again.verdict);
  }

  const scores = verdicts.map((v) => (v.score - 1) / 4);
  const score = mean(scores);
  const closest = verdicts[nearestIndex(scores, score)] as JudgeVerdict;
  return {
    available: true,
    score,
    pass: score >= passThreshold(options.passThreshold),
    reason: closest.reason.trim(),
    noise: { k, sd: sampleSd(scores), scores },
    usage: meter.usage(),
    costUsd: meter.cost(judge.profile),
    model: judge.model,
  };
}

/** True for the specs judgeEvaluators handles: the first check is `uses` or `llm` (as gh models picks the first). */
export function needsJudge(spec: EvaluatorSpec): boolean {
  const withLlm = spec as EvaluatorSpec & { llm?: LlmEvaluatorSpec };
  return !spec.string && (Boolean(spec.uses) || Boolean(withLlm.llm));
}

/**
 * Runs the judge evaluators of a file on one response: one result per spec that needsJudge,
 * in order; `string` specs are skipped (runEvaluators runs those, locally). Without a judge
 * they are all not_evaluated with NO_JUDGE_REASON. judgeCostUsd sums every judge call and is
 * null when there is no judge or it is unpriced.
 *
 * Custom `llm:` evaluators are judged as a rubric: their prompt becomes the criterion (its
 * {{completion}}, {{expected}} and {{input}} point at the fenced data instead), graded on our
 * 1..5 JSON scale by the configured judge; their own modelId, systemPrompt and choices are not
 * used, because the judge and the verdict format are fixed for comparability.
 */
export async function judgeEvaluators(specs: readonly EvaluatorSpec[], judge: JudgeModel | null, input: JudgeInput, options: JudgeOptions = {}): Promise<{ results: EvaluatorResult[]; judgeCostUsd: number | null }> {
  const results: EvaluatorResult[] = [];
  let total: number | null = judge?.profile && costUsd({ input: 0, output: 0 }, judge.profile) !== null ? 0 : null;
  for (const spec of specs) {
    if (!needsJudge(spec)) continue;
    const task = taskFor(spec);
    if (!task) {
      results.push({ name: spec.name, status: 'error', score: null, reason: unknownReason({ kind: 'github', evaluator: spec.uses ?? '' }) });
      continue;
    }
    if (!judge) {
      results.push({ name: spec.name, status: 'not_evaluated', score: null, reason: NO_JUDGE_REASON });
      continue;
    }
    const { input: judged, note } = inputFor(task, input);
    const verdict = await judgeResponse(judge, task, judged, options);
    total = total === null || verdict.costUsd === null ? null : total + verdict.costUsd;
    results.push(toEvaluatorResult(spec.name, verdict, judge.model, note));
  }
  return { results, judgeCostUsd: total };
}

function toEvaluatorResult(name: string, verdict: JudgeResult, model: string, note: string): EvaluatorResult {
  if (!verdict.available) {
    // A case that lacks the input a criterion needs cannot be assessed; anything else is a failure.
    const status = verdict.cause === 'missing_input' ? 'not_evaluated' : 'error';
    return { name, status, score: null, reason: `${verdict.reason} (judge ${model})` };
  }
  const sd = verdict.noise.sd === null ? 'n/a' : String(round(verdict.noise.sd, 3));
  return { name, status: verdict.pass ? 'pass' : 'fail', score: verdict.score, reason: `${verdict.reason} (judge ${verdict.model}, k=${verdict.noise.k}, sd=${sd}${note})` };
}

function taskFor(spec: EvaluatorSpec & { llm?: LlmEvaluatorSpec }): JudgeTask | null {
  if (spec.uses) return own(GITHUB_CRITERIA, spec.uses) ? { kind: 'github', evaluator: spec.uses } : null;
  if (spec.llm) return { kind: 'rubric', rubric: rubricFromLlmPrompt(spec.llm.prompt) };
  return null;
}

/**
 * gh models fills groundedness's CONTEXT from the test case's `expected`. A file written for
 * gh models therefore has no separate context: use `expected` then, so the file scores as it
 * does there, and say so in the reason.
 */
function inputFor(task: JudgeTask, input: JudgeInput): { input: JudgeInput; note: string } {
  if (task.kind === 'github' && task.evaluator === 'github/groundedness' && present(input.context) === null && present(input.expected) !== null) {
    return { input: { ...input, context: input.expected }, note: ', context from expected as in gh models' };
  }
  return { input, note: '' };
}

const LLM_PLACEHOLDERS: Record<string, string> = {
  completion: 'the response (in the <response> tags below)',
  expected: 'the expected answer (in the <expected> tags below)',
  input: 'the task (in the <task> tags below)',
};

function rubricFromLlmPrompt(prompt: string): string {
  return prompt.replace(/\{\{\s*(completion|expected|input)\s*\}\}/g, (_whole, name: string) => LLM_PLACEHOLDERS[name] ?? name);
}

function criterionFor(task: JudgeTask): JudgeCriterion | null {
  if (task.kind === 'rubric') return rubricCriterion(task.rubric);
  // Own-property lookups: names come from files, and 'toString' must not find a prototype member.
  if (task.kind === 'dimension') return own(DIMENSION_CRITERIA, task.dimension);
  return own(GITHUB_CRITERIA, task.evaluator);
}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | null {
  return Object.prototype.hasOwnProperty.call(table, key) ? (table[key] ?? null) : null;
}

function unknownReason(task: JudgeTask): string {
  if (task.kind === 'dimension') return `unknown quality dimension '${task.dimension}'`;
  return `unknown built-in evaluator '${task.kind === 'github' ? task.evaluator : task.kind}' (known: ${Object.keys(GITHUB_CRITERIA).join(', ')})`;
}

type ParsedVerdict = { ok: true; verdict: JudgeVerdict } | { ok: false; error: string };

/** Validates the first JSON object in a reply (code fences and chatter around it are tolerated). */
export function parseVerdict(reply: string): ParsedVerdict {
  const json = firstJsonObject(reply);
  if (json === undefined) return { ok: false, error: 'no JSON object found in the reply' };
  const result = JudgeVerdictSchema.safeParse(json);
  if (result.success) return { ok: true, verdict: result.data };
  const error = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'object'}: ${i.message}`).join('; ');
  return { ok: false, error };
}

/** Replies longer than this are not scanned further (a verdict is a few hundred chars). */
const MAX_SCAN_CHARS = 20_000;

/** The first `{…}` that parses as a JSON object, or undefined. */
export function firstJsonObject(text: string): Record<string, unknown> | undefined {
  const s = text.slice(0, MAX_SCAN_CHARS);
  for (let start = s.indexOf('{'); start !== -1; start = s.indexOf('{', start + 1)) {
    const end = matchingBrace(s, start);
    if (end === -1) continue;
    try {
      const value: unknown = JSON.parse(s.slice(start, end + 1));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Not JSON (e.g. "{like this}" in prose): try the next brace.
    }
  }
  return undefined;
}

/** Index of the brace closing the one at `start`, skipping braces inside JSON strings; -1 if none. */
function matchingBrace(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Sums usage over calls; a missing count makes the cost unknown rather than too low. */
class UsageMeter {
  private input = 0;
  private output = 0;
  private estimated = false;
  private unknown = false;

  add(result: Extract<CompletionResult, { ok: true }>): void {
    const { input, output, estimated } = result.usage;
    if (input === null || output === null) this.unknown = true;
    this.input += input ?? 0;
    this.output += output ?? 0;
    this.estimated ||= estimated || input === null || output === null;
  }

  usage(): { input: number; output: number; estimated: boolean } {
    return { input: this.input, output: this.output, estimated: this.estimated };
  }

  cost(profile: JudgeModel['profile']): number | null {
    if (!profile || this.unknown) return null;
    return costUsd({ input: this.input, output: this.output }, profile);
  }
}

function providerReason(error: { kind: ProviderErrorKind; message: string }): string {
  return `judge call failed (${error.kind}): ${error.message}`;
}

function present(text: string | null | undefined): string | null {
  return typeof text === 'string' && text.trim() !== '' ? text : null;
}

function repeats(k: number | undefined): number {
  if (k === undefined || !Number.isFinite(k)) return 1;
  return Math.min(MAX_JUDGE_REPEATS, Math.max(1, Math.floor(k)));
}

function passThreshold(t: number | undefined): number {
  return t !== undefined && Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : DEFAULT_PASS_THRESHOLD;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1): the repeats are a sample of the judge's possible verdicts. */
function sampleSd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function nearestIndex(xs: readonly number[], target: number): number {
  let best = 0;
  xs.forEach((x, i) => {
    if (Math.abs(x - target) < Math.abs((xs[best] as number) - target)) best = i;
  });
  return best;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
