import * as path from 'node:path';
import { renderMessages, variantModel, variantParameters } from '../prompt';
import type { DatasetRow, PromptFile } from '../prompt/types';
import { BUILTIN_PROFILES, cacheableByDefault } from '../providers';
import type { Provider, ProviderProfile } from '../providers/types';
import { assessQuality } from '../quality/assessQuality';
import { runAssertions } from '../quality/assertions';
import type { JudgeModel } from '../quality/llmJudge';
import { judgeEvaluators, needsJudge } from '../quality/llmJudge';
import { runEvaluators } from '../quality/stringEvaluators';
import { CircuitBreaker } from './circuitBreaker';
import type { Clock } from './clock';
import { ConcurrencyLimiter } from './limiter';
import { runPrompt } from './runPrompt';
import type { ResponseCache } from './runSupport';
import type { Tracker } from './track';
import type { RunCase, RunEvent, RunSummary } from './types';

/*
 * From a prompt file and its rows to what the runner executes, and which provider profile
 * and model serve it. The extension and the CLI both go through here, so a file runs the
 * same way in both.
 */

export interface CaseSource {
  prompt: PromptFile;
  rows: AsyncIterable<DatasetRow>;
  variant?: string | null;
  /** Model id chosen by the user (flag, picker); wins over the file. */
  model: string;
  repeat?: number;
  /** "▶ Run" runs the first case only; "Run all" runs every row. */
  firstCaseOnly?: boolean;
  /** A row that cannot run (bad dataset row, missing variables): reported, skipped. */
  onSkippedRow?: (row: number, reason: string) => void;
}

function labelOf(row: number, values: Record<string, unknown>): string {
  const first = Object.entries(values).find(([k, v]) => k !== 'expected' && (typeof v === 'string' || typeof v === 'number'));
  const text = first ? String(first[1]).replace(/\s+/g, ' ') : '';
  return `#${row}${text ? ` ${text.length > 48 ? text.slice(0, 47) + '…' : text}` : ''}`;
}

function expectedOf(values: Record<string, unknown>): string | null {
  const e = values.expected;
  if (e === undefined || e === null) return null;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

/** Streams RunCases; a file with no test data runs once with its inputs' defaults. */
export async function* casesFromRows(src: CaseSource): AsyncGenerator<RunCase> {
  const variant = src.variant ?? undefined;
  const parameters = variantParameters(src.prompt, variant);
  let any = false;
  for await (const r of src.rows) {
    if ('error' in r) { src.onSkippedRow?.(r.row, r.error); continue; }
    const rendered = renderMessages(src.prompt, r.values, variant);
    if (rendered.errors.length || rendered.missing.length) {
      src.onSkippedRow?.(r.row, rendered.errors.length ? rendered.errors.join('; ') : `missing variable(s): ${rendered.missing.join(', ')}`);
      continue;
    }
    any = true;
    yield {
      caseId: `${variant ? variant + ':' : ''}${r.row}`, label: labelOf(r.row, r.values), testCaseId: `row-${r.row}`, variant: variant ?? null,
      messages: rendered.messages, model: src.model, parameters, variables: r.values, expected: expectedOf(r.values), repeat: src.repeat ?? 1,
    };
    if (src.firstCaseOnly) return;
  }
  if (!any) {
    const rendered = renderMessages(src.prompt, {}, variant);
    if (rendered.errors.length || rendered.missing.length) {
      src.onSkippedRow?.(0, rendered.errors.length ? rendered.errors.join('; ') : `no test data, and no value for: ${rendered.missing.join(', ')}`);
      return;
    }
    yield { caseId: `${variant ? variant + ':' : ''}defaults`, label: 'inputs (defaults)', testCaseId: null, variant: variant ?? null,
      messages: rendered.messages, model: src.model, parameters, variables: {}, expected: null, repeat: src.repeat ?? 1 };
  }
}

/** A single user message with the default model: "Run Selection as Prompt". */
export function selectionCase(text: string, model: string): RunCase {
  return { caseId: 'selection', label: 'selection', testCaseId: null, variant: null, messages: [{ role: 'user', content: text }], model, parameters: {}, variables: {}, expected: null, repeat: 1 };
}

export interface ProfileChoice { profile: ProviderProfile; model: string }

/**
 * Which profile and model run a prompt: an explicit choice (flag, model picker), else the
 * file's `provider:` key, else a Prompty connection type, else the user's default provider,
 * else GitHub Models for a `publisher/model` id in a .prompt.yml, else the fallback
 * (the extension's vscode.lm). A configured default beats the GitHub inference: a user who
 * points Prompt Lab at Ollama expects .prompt.yml files to run there.
 */
export function chooseProfile(prompt: PromptFile | null, profiles: readonly ProviderProfile[], opts: { providerId?: string; model?: string; defaultProviderId?: string; fallbackProviderId?: string; variant?: string | null }): ProfileChoice | { error: string } {
  const all = [...profiles, ...BUILTIN_PROFILES.filter((b) => !profiles.some((p) => p.id === b.id))];
  const spec = prompt ? variantModel(prompt, opts.variant ?? undefined) : null;
  const connType = spec?.connection?.type?.toLowerCase() ?? '';
  const fromConnection = connType.includes('azure') ? 'azure' : connType.includes('anthropic') ? 'anthropic' : connType.includes('openai') ? 'openai' : undefined;
  const githubStyle = prompt?.format === 'prompt.yml' && spec?.id?.includes('/') ? 'github' : undefined;
  const id = opts.providerId || spec?.provider || fromConnection || opts.defaultProviderId || githubStyle || opts.fallbackProviderId;
  if (!id) return { error: 'no provider chosen: set promptLab.defaultProvider, add `provider:` to the prompt file, or pass --provider' };
  const profile = all.find((p) => p.id === id) ?? all.find((p) => p.kind === id);
  if (!profile) return { error: `unknown provider profile "${id}" (known: ${all.map((p) => p.id).join(', ')})` };
  let model = opts.model || spec?.id || profile.defaultModel || '';
  // "openai/gpt-4o-mini" is GitHub Models' naming; other OpenAI-compatible servers want the bare id.
  if (model.includes('/') && prompt?.format === 'prompt.yml' && !['github', 'openrouter'].includes(profile.kind) && !opts.model) model = model.slice(model.indexOf('/') + 1);
  if (!model) return { error: `no model: the prompt file names none and profile "${profile.id}" has no defaultModel` };
  return { profile, model };
}

/** Limiter and breaker per provider profile, kept for the life of the process (extension host or CLI). */
export class ProviderGuards {
  private readonly byProfile = new Map<string, { limiter: ConcurrencyLimiter; breaker: CircuitBreaker }>();
  constructor(private readonly settings: { concurrency: number; failureThreshold: number; recoveryTimeoutMs: number; clock?: Clock }) {}

  for(profileId: string): { limiter: ConcurrencyLimiter; breaker: CircuitBreaker } {
    let g = this.byProfile.get(profileId);
    if (!g) {
      g = {
        limiter: new ConcurrencyLimiter({ maxConcurrency: this.settings.concurrency }),
        breaker: new CircuitBreaker({ providerId: profileId, failureThreshold: this.settings.failureThreshold, recoveryTimeoutMs: this.settings.recoveryTimeoutMs, ...(this.settings.clock ? { clock: this.settings.clock } : {}) }),
      };
      this.byProfile.set(profileId, g);
    }
    return g;
  }

  snapshot(): Array<{ profileId: string; breaker: ReturnType<CircuitBreaker['snapshot']>; limiter: ReturnType<ConcurrencyLimiter['snapshot']> }> {
    return [...this.byProfile].map(([profileId, g]) => ({ profileId, breaker: g.breaker.snapshot(), limiter: g.limiter.snapshot() }));
  }
}

export type CacheMode = 'temperature0' | 'always' | 'off';

export interface RunPromptFileOptions {
  prompt: PromptFile | null;
  cases: AsyncIterable<RunCase> | Iterable<RunCase>;
  choice: ProfileChoice;
  provider: Provider;
  tracker: Tracker;
  guards: ProviderGuards;
  cache: ResponseCache | null;
  cacheMode: CacheMode;
  maxAttempts?: number;
  timeoutMs?: number;
  tags?: string[];
  runId?: string;
  /** Experiment the executions belong to (`promptlab compare`). */
  experimentId?: string;
  signal?: AbortSignal;
  /** Default on: score every response. */
  assessQuality?: boolean;
  qualityWeights?: Record<string, number>;
  /** Judge model for `uses:` (github/*) and `llm:` evaluators; none = they are not evaluated. */
  judge?: JudgeModel | null;
  judgeRepeats?: number;
  onEvent: (e: RunEvent) => void;
}

/** Stable id of a prompt in history: its `name`, else the file name without extension. */
export function promptIdOf(prompt: PromptFile | null): string {
  if (!prompt) return 'selection';
  return prompt.name || path.basename(prompt.path).replace(/\.(prompt\.ya?ml|prompty)$/i, '');
}

/** Runs cases of a prompt file (or a selection) through the runner with the file's evaluators. */
export function runPromptFile(o: RunPromptFileOptions): Promise<RunSummary> {
  const { limiter, breaker } = o.guards.for(o.choice.profile.id);
  const evaluators = o.prompt?.evaluators ?? [];
  const assertions = (o.prompt?.assertions ?? []) as Array<Parameters<typeof runAssertions>[0][number]>;
  return runPrompt({
    ...(o.runId ? { runId: o.runId } : {}),
    ...(o.experimentId ? { experimentId: o.experimentId } : {}),
    promptId: promptIdOf(o.prompt),
    ...(o.prompt ? { promptPath: o.prompt.path } : {}),
    promptVersion: o.prompt?.contentHash ?? 'selection',
    cases: o.cases,
    provider: o.provider,
    profile: o.choice.profile,
    tracker: o.tracker,
    limiter,
    breaker,
    ...(o.maxAttempts ? { retry: { maxAttempts: o.maxAttempts } } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.cache && o.cacheMode !== 'off' ? { cache: o.cache, useCache: o.cacheMode === 'always' ? () => true : (c: RunCase) => cacheableByDefault(c.parameters) } : {}),
    evaluate: async (c, text, facts) => {
      // String checks locally; `uses:`/`llm:` evaluators through the judge when one is set
      // (without one they stay "not evaluated", never passed).
      const local = runEvaluators(evaluators.filter((e) => !needsJudge(e)), text, c.variables);
      const judged = evaluators.some(needsJudge)
        ? await judgeEvaluators(evaluators, o.judge ?? null, { prompt: c.messages, response: text, expected: c.expected, context: typeof c.variables.context === 'string' ? c.variables.context : null }, { k: o.judgeRepeats ?? 1, ...(o.signal ? { signal: o.signal } : {}) })
        : null;
      if (judged && judged.results.length) judged.results[0]!.judgeCostUsd = judged.judgeCostUsd;
      return [...local, ...(judged?.results ?? []),
        ...runAssertions(assertions, { response: text, latencyMs: facts.latencyMs, costUsd: facts.costUsd, variables: c.variables })];
    },
    // Every response is scored (relevance, completeness, accuracy, clarity, safety); weights
    // from the file's `quality:` key, else the caller's (settings), else the defaults.
    ...(o.assessQuality === false ? {} : {
      assess: (c: RunCase, text: string, finishReason: string | null) => {
        const weights = o.prompt?.quality ?? o.qualityWeights;
        const a = assessQuality({ prompt: c.messages, response: text, expected: c.expected, finishReason }, weights ? { weights } : {});
        return { overall: a.overall, dimensions: a.dimensions, weights: a.weights };
      },
    }),
    ...(o.tags ? { tags: o.tags } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onEvent: o.onEvent,
  });
}
