import type { CompletionResult, Provider, ProviderError, ProviderProfile, Usage } from '../providers/types';
import type { RetryDecision, RetryPolicy } from './backoff';
import { isRetryable, retryDecision } from './backoff';
import { callProvider } from './callProvider';
import type { CircuitBreaker } from './circuitBreaker';
import type { Clock } from './clock';
import { isAbortError } from './clock';
import type { ConcurrencyLimiter, Release } from './limiter';
import type { CachedResponse, ResponseCache } from './runSupport';
import type { TrackContext, TrackedExecution, Tracker } from './track';
import type { EvaluatorResult, QualitySummary, ResponseFacts, RunCase, RunEvent } from './types';

/*
 * One execution unit (a case, or one repeat of it) from cache lookup to its final event.
 * Provider failures are data here: they end as a `failed` event and a failed record, never
 * as a throw. The only throws are the tracker's (the store refused a record), which the run
 * treats as fatal.
 *
 * Every attempt is its own tracked execution, so history shows what really happened
 * (including the 429s a run paid for). Each carries metadata `attempt` (1-based) and
 * `willRetry`; attempts after the first are tagged `retry`, and failed attempts that were
 * followed by another are tagged `will-retry`, so history can hide superseded failures
 * with one tag filter.
 */

/** Everything a unit needs from its run (resolved options plus the run's counters). */
export interface RunContext {
  runId: string;
  promptId: string;
  promptPath: string | null;
  promptVersion: string;
  experimentId?: string;
  provider: Provider;
  profile: ProviderProfile;
  tracker: Tracker;
  limiter: ConcurrencyLimiter;
  breaker: CircuitBreaker;
  policy: RetryPolicy;
  timeoutMs: number;
  cache: ResponseCache | null;
  cacheKey: (c: RunCase) => string;
  useCache: (c: RunCase) => boolean;
  evaluate: ((c: RunCase, text: string, facts: ResponseFacts) => EvaluatorResult[] | Promise<EvaluatorResult[]>) | null;
  assess: ((c: RunCase, text: string, finishReason: string | null) => QualitySummary | null) | null;
  costUsd: (usage: Usage, c: RunCase) => number | null;
  tags: string[];
  clock: Clock;
  random: () => number;
  signal: AbortSignal;
  emit: (e: RunEvent) => void;
  counters: RunCounters;
}

export interface RunCounters {
  succeeded: number;
  failed: number;
  cancelled: number;
  cached: number;
  evaluatorsPassed: number;
  evaluatorsFailed: number;
  evaluatorsNotEvaluated: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** A successful, non-cached execution had no known cost: the run's total is unknown. */
  costUnknown: boolean;
}

export interface RunUnit {
  case: RunCase;
  caseId: string;
  label: string;
  /** 1-based repeat number and how many there are. */
  repeat: number;
  repeats: number;
  context: TrackContext;
}

type AttemptOutcome =
  | { ok: true; executionId: string; result: Extract<CompletionResult, { ok: true }>; costUsd: number | null; judged: Judgement }
  | { ok: false; executionId: string; error: ProviderError; decision: RetryDecision; giveUp: string | null };

export async function executeUnit(rc: RunContext, unit: RunUnit): Promise<void> {
  if (rc.signal.aborted) return cancelled(rc, unit, null);
  const c = unit.case;
  const cacheKey = rc.cache && rc.useCache(c) ? rc.cacheKey(c) : null;
  if (rc.cache && cacheKey !== null) {
    const hit = await safeCacheGet(rc.cache, cacheKey);
    if (hit) return cacheHit(rc, unit, hit);
  }
  let lastExecutionId: string | null = null;
  for (let attempt = 1; ; attempt++) {
    let release: Release;
    try {
      release = await rc.limiter.acquire(rc.signal);
    } catch (error) {
      if (isAbortError(error)) return cancelled(rc, unit, lastExecutionId);
      throw error;
    }
    let outcome: AttemptOutcome;
    try {
      if (rc.signal.aborted) return cancelled(rc, unit, lastExecutionId);
      outcome = await attemptOnce(rc, unit, attempt);
    } finally {
      // The slot is not held through the backoff: a sleeping case should not block others.
      release();
    }
    lastExecutionId = outcome.executionId;
    if (outcome.ok) return succeeded(rc, unit, outcome, cacheKey);
    if (outcome.decision.retry && !rc.signal.aborted) {
      rc.emit({ type: 'retrying', caseId: unit.caseId, attempt: attempt + 1, delayMs: outcome.decision.delayMs, reason: outcome.decision.reason });
      try {
        await rc.clock.sleep(outcome.decision.delayMs, rc.signal);
      } catch (error) {
        if (isAbortError(error)) return cancelled(rc, unit, lastExecutionId);
        throw error;
      }
      continue;
    }
    const error = outcome.error;
    if (error.kind === 'cancelled') { rc.counters.cancelled++; }
    else { rc.counters.failed++; }
    const shown = outcome.giveUp ? { ...error, message: `${error.message} (${outcome.giveUp})` } : error;
    rc.emit({ type: 'failed', caseId: unit.caseId, executionId: outcome.executionId, error: shown, evaluators: [] });
    return;
  }
}

async function attemptOnce(rc: RunContext, unit: RunUnit, attempt: number): Promise<AttemptOutcome> {
  const admission = rc.breaker.tryAcquire();
  if (!admission.ok) {
    // Fail fast, but still a row in history: the user sees the case failed and why.
    const error = admission.error;
    const executionId = await rc.tracker.track(unit.context, (ex) => {
      ex.failure = { type: error.kind, message: error.message };
      ex.extraTags.push('circuit-open');
      markAttempt(ex, attempt, false);
      ex.extraMetadata.circuitOpen = true;
      return ex.id;
    });
    return { ok: false, executionId, error, decision: { retry: false, reason: 'circuit open' }, giveUp: null };
  }
  rc.emit({ type: 'started', caseId: unit.caseId, attempt });
  let result: CompletionResult | null = null;
  try {
    return await rc.tracker.track(unit.context, async (ex): Promise<AttemptOutcome> => {
      const r = await callProvider(rc, unit);
      result = r;
      if (r.ok) {
        const costUsd = safeCost(rc, r.usage, unit.case);
        ex.responseText = r.text;
        ex.tokensIn = r.usage.input;
        ex.tokensOut = r.usage.output;
        ex.costUsd = costUsd;
        ex.timeToFirstTokenMs = r.ttftMs;
        if (r.usage.estimated) ex.extraMetadata.tokensEstimated = true;
        if (r.finishReason) ex.extraMetadata.finishReason = r.finishReason;
        if (r.model && r.model !== unit.case.model) ex.extraMetadata.responseModel = r.model;
        markAttempt(ex, attempt, false);
        // Judged before the record is written, so scores and evaluator results are stored with it.
        const judged = await judge(rc, unit, r.text, { latencyMs: r.latencyMs, costUsd, finishReason: r.finishReason }, ex);
        return { ok: true, executionId: ex.id, result: r, costUsd, judged };
      }
      const decision = rc.signal.aborted ? { retry: false as const, reason: 'run cancelled' } : retryDecision(attempt, r.error, rc.policy, rc.random);
      ex.responseText = r.partialText ?? '';
      ex.failure = { type: r.error.kind, message: r.error.message };
      if (r.error.status !== undefined) ex.extraMetadata.status = r.error.status;
      if (r.error.retryAfterMs !== undefined) ex.extraMetadata.retryAfterMs = r.error.retryAfterMs;
      markAttempt(ex, attempt, decision.retry);
      // A transient error we stopped retrying (attempts used up, Retry-After too long): say why.
      const giveUp = !decision.retry && isRetryable(r.error) && !rc.signal.aborted ? decision.reason : null;
      if (giveUp) ex.extraMetadata.giveUp = giveUp;
      return { ok: false, executionId: ex.id, error: r.error, decision, giveUp };
    });
  } finally {
    const r = result as CompletionResult | null;
    // Unknown outcome (the store threw before we saw a result) is reported as neutral so a
    // half-open trial slot is never leaked.
    rc.breaker.record(admission.permit, r === null ? neutral : r.ok ? { ok: true } : { ok: false, error: r.error });
    if (r?.ok) rc.limiter.onSuccess();
    else if (r && r.error.kind === 'rate_limit') rc.limiter.onRateLimited();
  }
}

function safeCost(rc: RunContext, usage: Usage, c: RunCase): number | null {
  try {
    const v = rc.costUsd(usage, c);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
  } catch {
    return null;
  }
}

const neutral: { ok: false; error: ProviderError } = { ok: false, error: { kind: 'cancelled', message: 'outcome unknown' } };

function markAttempt(ex: TrackedExecution, attempt: number, willRetry: boolean): void {
  ex.extraMetadata.attempt = attempt;
  ex.extraMetadata.willRetry = willRetry;
  if (attempt > 1) ex.extraTags.push('retry');
  if (willRetry) ex.extraTags.push('will-retry');
}

async function succeeded(rc: RunContext, unit: RunUnit, outcome: Extract<AttemptOutcome, { ok: true }>, cacheKey: string | null): Promise<void> {
  const r = outcome.result;
  if (rc.cache && cacheKey !== null) {
    await safeCacheSet(rc.cache, cacheKey, { text: r.text, usage: r.usage, model: r.model, finishReason: r.finishReason, createdAt: new Date(rc.clock.now()).toISOString() });
  }
  const { evaluators, quality } = outcome.judged;
  const k = rc.counters;
  k.succeeded++;
  k.tokensIn += r.usage.input ?? 0;
  k.tokensOut += r.usage.output ?? 0;
  if (outcome.costUsd === null) k.costUnknown = true; else k.costUsd += outcome.costUsd;
  rc.emit({ type: 'done', caseId: unit.caseId, executionId: outcome.executionId, text: r.text, latencyMs: r.latencyMs, ttftMs: r.ttftMs, usage: r.usage, costUsd: outcome.costUsd, cached: false, evaluators, quality });
}

/**
 * A cache hit is still an execution in history (tag `cache-hit`, metadata `cached: true`),
 * with the cached token counts (they describe the response) but cost 0 (nothing was paid);
 * the run's token totals only count tokens actually spent.
 */
async function cacheHit(rc: RunContext, unit: RunUnit, hit: CachedResponse): Promise<void> {
  const tracked = await rc.tracker.track(unit.context, (ex) => {
    ex.responseText = hit.text;
    ex.tokensIn = hit.usage.input;
    ex.tokensOut = hit.usage.output;
    ex.costUsd = 0;
    ex.extraTags.push('cache-hit');
    ex.extraMetadata.cached = true;
    if (hit.finishReason) ex.extraMetadata.finishReason = hit.finishReason;
    return judge(rc, unit, hit.text, { latencyMs: 0, costUsd: 0, finishReason: hit.finishReason }, ex).then((judged) => ({ id: ex.id, judged }));
  });
  const { evaluators, quality } = tracked.judged;
  const executionId = tracked.id;
  rc.counters.succeeded++;
  rc.counters.cached++;
  rc.emit({ type: 'done', caseId: unit.caseId, executionId, text: hit.text, latencyMs: 0, ttftMs: null, usage: hit.usage, costUsd: 0, cached: true, evaluators, quality });
}

function cancelled(rc: RunContext, unit: RunUnit, executionId: string | null): void {
  rc.counters.cancelled++;
  rc.emit({ type: 'failed', caseId: unit.caseId, executionId, error: { kind: 'cancelled', message: 'run cancelled' }, evaluators: [] });
}

interface Judgement { evaluators: EvaluatorResult[]; quality: QualitySummary | null }

/** Evaluators and quality of a response, written onto the execution being tracked. */
async function judge(rc: RunContext, unit: RunUnit, text: string, facts: ResponseFacts, ex: TrackedExecution): Promise<Judgement> {
  const evaluators = await runEvaluators(rc, unit, text, facts);
  let quality: QualitySummary | null = null;
  try {
    quality = rc.assess ? rc.assess(unit.case, text, facts.finishReason) : null;
  } catch (error) {
    ex.extraMetadata.qualityError = error instanceof Error ? error.message : String(error);
  }
  if (quality || evaluators.length) {
    ex.qualityScore = quality?.overall ?? null;
    ex.quality = { ...(quality ?? {}), evaluators };
  }
  return { evaluators, quality };
}

/** Evaluators are the caller's code; one that throws becomes an `error` result, not a lost case. */
async function runEvaluators(rc: RunContext, unit: RunUnit, text: string, facts: ResponseFacts): Promise<EvaluatorResult[]> {
  if (!rc.evaluate) return [];
  let results: EvaluatorResult[];
  try {
    results = await rc.evaluate(unit.case, text, facts);
  } catch (error) {
    results = [{ name: 'evaluate', status: 'error', score: null, reason: error instanceof Error ? error.message : String(error) }];
  }
  for (const v of results) {
    // Same buckets as the results table: only pass and fail are verdicts.
    if (v.status === 'pass') rc.counters.evaluatorsPassed++;
    else if (v.status === 'fail') rc.counters.evaluatorsFailed++;
    else rc.counters.evaluatorsNotEvaluated++;
  }
  return results;
}

async function safeCacheGet(cache: ResponseCache, key: string): Promise<CachedResponse | undefined> {
  try {
    const v = await cache.get(key);
    return v && typeof v.text === 'string' && v.usage ? v : undefined;
  } catch {
    return undefined;
  }
}

async function safeCacheSet(cache: ResponseCache, key: string, value: CachedResponse): Promise<void> {
  try {
    await cache.set(key, value);
  } catch {
    // The cache is an optimisation; a full disk there must not fail a paid-for answer.
  }
}
