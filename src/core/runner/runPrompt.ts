import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Provider, ProviderProfile, Usage } from '../providers/types';
import type { RetryPolicy } from './backoff';
import { resolveRetryPolicy } from './backoff';
import type { CircuitBreaker } from './circuitBreaker';
import type { Clock } from './clock';
import { systemClock } from './clock';
import type { ConcurrencyLimiter } from './limiter';
import type { RunContext, RunCounters, RunUnit } from './runCase';
import { executeUnit } from './runCase';
import type { ResponseCache } from './runSupport';
import { costFromProfile, defaultCacheKey, defaultUseCache, renderPromptText, safeBaseUrl } from './runSupport';
import type { TrackContext, Tracker } from './track';
import type { EvaluatorResult, QualitySummary, ResponseFacts, RunCase, RunEvent, RunSummary } from './types';

/*
 * Runs every case of a prompt against one provider and reports as it goes.
 *
 * Streaming: cases are pulled from the (possibly async, 10k-row) source only when there is
 * room — at most `maxPending` (default 2 × the limiter's max) units are queued or in flight —
 * so memory stays flat and `queued` events arrive as rows are read, not all up front.
 *
 * Units: a case with `repeat: n` (n > 1) becomes n executions with caseIds `<caseId>#1…#n`
 * (labels `<label> #i`), so each is its own row in the results and in history.
 *
 * Summary counting: total = succeeded + failed + cancelled, in units. In-flight requests
 * aborted by cancellation are recorded (kind 'cancelled') and counted as cancelled, not
 * failed; units taken but never started are counted as cancelled and not recorded; when
 * `cases` is an array, the units never taken are counted as cancelled too (an async source
 * is not drained just to count it). Cache hits count as succeeded and cached.
 *
 * Nothing acknowledged is lost: runPrompt settles only after every unit's tracker.track()
 * has returned, i.e. after every record has gone to the sink.
 *
 * Errors: provider failures are data (events and records). If the tracker throws (the store
 * refused a record) the run stops taking cases and cancels in-flight work; if the case source
 * throws, it stops taking cases and lets in-flight work finish. Either way it emits
 * `finished` once everything has settled and then rejects with that error. A throwing `onEvent` is ignored:
 * the display must not be able to lose records.
 */

export interface RunPromptOptions {
  runId?: string;
  promptId: string;
  promptPath?: string;
  /** Content hash of the prompt file. */
  promptVersion: string;
  experimentId?: string;
  cases: Iterable<RunCase> | AsyncIterable<RunCase>;
  provider: Provider;
  /** For cost prices, the profile id and the (secret-free) model config in history. */
  profile: ProviderProfile;
  tracker: Tracker;
  limiter: ConcurrencyLimiter;
  breaker: CircuitBreaker;
  retry?: Partial<RetryPolicy>;
  /** Per request, default 120 s. */
  timeoutMs?: number;
  cache?: ResponseCache;
  /** Default: sha256 of endpoint, model, messages and parameters. */
  cacheKey?: (c: RunCase) => string;
  /** Default: only cases with temperature 0. */
  useCache?: (c: RunCase) => boolean;
  /** Evaluators/assertions of a response; `facts` are what assertions such as max-latency-ms check. */
  evaluate?: (c: RunCase, text: string, facts: ResponseFacts) => EvaluatorResult[] | Promise<EvaluatorResult[]>;
  /** Quality scores of a response; stored with its execution (quality_score + quality JSON). */
  assess?: (c: RunCase, text: string, finishReason: string | null) => QualitySummary | null;
  /** Default: the profile's per-1M prices (null when unpriced). */
  costUsd?: (usage: Usage, c: RunCase) => number | null;
  tags?: string[];
  /** Units queued or in flight at most (bounds memory on big datasets). */
  maxPending?: number;
  clock?: Clock;
  random?: () => number;
  signal?: AbortSignal;
  onEvent: (e: RunEvent) => void;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

export async function runPrompt(options: RunPromptOptions): Promise<RunSummary> {
  const clock = options.clock ?? systemClock;
  const runId = options.runId ?? randomUUID();
  const startedAt = clock.now();
  const emit = (e: RunEvent) => {
    try { options.onEvent(e); } catch { /* see header: the display cannot stop the run */ }
  };

  // Our own controller: cancelled by the caller's signal, or by us on a fatal error.
  const ctl = new AbortController();
  // Every request in flight listens on the run's signal: 16 at concurrency 16 is not a leak.
  setMaxListeners(0, ctl.signal);
  const external = options.signal;
  const onExternalAbort = () => ctl.abort(external?.reason);
  if (external?.aborted) ctl.abort(external.reason);
  else external?.addEventListener('abort', onExternalAbort, { once: true });

  const unsubscribe = options.breaker.onStateChange((ch) => emit({ type: 'breaker', providerId: ch.providerId, state: ch.state, reason: ch.reason }));
  const counters: RunCounters = { succeeded: 0, failed: 0, cancelled: 0, cached: 0, evaluatorsPassed: 0, evaluatorsFailed: 0, evaluatorsNotEvaluated: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, costUnknown: false };
  const profile = options.profile;
  const rc: RunContext = {
    runId,
    promptId: options.promptId,
    promptPath: options.promptPath ?? null,
    promptVersion: options.promptVersion,
    experimentId: options.experimentId,
    provider: options.provider,
    profile,
    tracker: options.tracker,
    limiter: options.limiter,
    breaker: options.breaker,
    policy: resolveRetryPolicy(options.retry),
    timeoutMs: options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_TIMEOUT_MS,
    cache: options.cache ?? null,
    cacheKey: options.cacheKey ?? ((c) => defaultCacheKey(profile, c)),
    useCache: options.useCache ?? defaultUseCache,
    evaluate: options.evaluate ?? null,
    assess: options.assess ?? null,
    costUsd: options.costUsd ?? costFromProfile(profile),
    tags: options.tags ?? [],
    clock,
    random: options.random ?? Math.random,
    signal: ctl.signal,
    emit,
    counters,
  };

  const maxPending = Math.max(1, Math.floor(options.maxPending ?? 2 * options.limiter.maxConcurrency));
  const active = new Set<Promise<void>>();
  const source = openSource(options.cases);
  let total = 0;
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown) => {
    if (!failure) failure = { error };
    ctl.abort(error);
  };

  try {
    while (!ctl.signal.aborted) {
      while (active.size >= maxPending) await Promise.race(active);
      if (ctl.signal.aborted) break;
      const next = await source.next(ctl.signal);
      if (next === ABORTED || next.done) break;
      for (const unit of expand(rc, next.value)) {
        total++;
        emit({ type: 'queued', caseId: unit.caseId, label: unit.label });
        // Only the store can throw here; the unit's outcome is then unknown, so it counts as failed.
        const p: Promise<void> = executeUnit(rc, unit).catch((error: unknown) => { counters.failed++; fail(error); }).finally(() => { active.delete(p); });
        active.add(p);
      }
    }
  } catch (error) {
    // The source broke (unreadable dataset row): stop taking cases but let the requests
    // already paid for finish and be recorded.
    if (!failure) failure = { error };
  }
  await Promise.all(active);
  await source.close();
  if (ctl.signal.aborted) {
    const never = source.untakenUnits();
    total += never;
    counters.cancelled += never;
  }
  unsubscribe();
  external?.removeEventListener('abort', onExternalAbort);

  const summary: RunSummary = {
    runId,
    total,
    succeeded: counters.succeeded,
    failed: counters.failed,
    cancelled: counters.cancelled,
    cached: counters.cached,
    evaluatorsPassed: counters.evaluatorsPassed,
    evaluatorsFailed: counters.evaluatorsFailed,
    evaluatorsNotEvaluated: counters.evaluatorsNotEvaluated,
    tokensIn: counters.tokensIn,
    tokensOut: counters.tokensOut,
    costUsd: counters.costUnknown ? null : counters.costUsd,
    durationMs: Math.max(0, clock.now() - startedAt),
  };
  emit({ type: 'finished', summary });
  if (failure) throw (failure as { error: unknown }).error;
  return summary;
}

function expand(rc: RunContext, c: RunCase): RunUnit[] {
  const repeats = Number.isFinite(c.repeat) && c.repeat > 1 ? Math.floor(c.repeat) : 1;
  const promptText = renderPromptText(c.messages);
  const units: RunUnit[] = [];
  for (let i = 1; i <= repeats; i++) {
    const caseId = repeats > 1 ? `${c.caseId}#${i}` : c.caseId;
    const label = repeats > 1 ? `${c.label} #${i}` : c.label;
    units.push({ case: c, caseId, label, repeat: i, repeats, context: trackContext(rc, c, caseId, label, promptText, i, repeats) });
  }
  return units;
}

function trackContext(rc: RunContext, c: RunCase, caseId: string, label: string, promptText: string, repeat: number, repeats: number): TrackContext {
  const src = c.source ?? { promptId: rc.promptId, promptVersion: rc.promptVersion, promptPath: rc.promptPath };
  return {
    promptId: src.promptId,
    promptText,
    // Never the key: kind, a stripped base URL, model and parameters only.
    modelConfig: { provider: rc.profile.kind, baseUrl: safeBaseUrl(rc.profile.baseUrl), model: c.model, parameters: c.parameters },
    provider: rc.profile.id,
    model: c.model,
    promptVersion: src.promptVersion,
    runId: rc.runId,
    ...(rc.experimentId ? { experimentId: rc.experimentId } : {}),
    ...(c.testCaseId !== null ? { testCaseId: c.testCaseId } : {}),
    ...(c.variant !== null ? { variant: c.variant } : {}),
    metadata: {
      promptPath: src.promptPath,
      caseId,
      caseLabel: label,
      expected: c.expected,
      ...(repeats > 1 ? { repeat, repeats } : {}),
    },
    tags: rc.tags,
  };
}

const ABORTED = Symbol('aborted');

interface CaseSource {
  /** The next case, or ABORTED if the signal fired while waiting for the source. */
  next(signal: AbortSignal): Promise<IteratorResult<RunCase> | typeof ABORTED>;
  /** Lets the source release what it holds (file handles of a dataset reader). */
  close(): Promise<void>;
  /** Units of an array source that were never taken (0 for other sources: not drained to count). */
  untakenUnits(): number;
}

function openSource(cases: Iterable<RunCase> | AsyncIterable<RunCase>): CaseSource {
  const array = Array.isArray(cases) ? (cases as RunCase[]) : null;
  let taken = 0;
  let waiting: Promise<unknown> | null = null;
  let finished = false;
  const asyncIt = Symbol.asyncIterator in Object(cases) ? (cases as AsyncIterable<RunCase>)[Symbol.asyncIterator]() : null;
  const syncIt = asyncIt ? null : (cases as Iterable<RunCase>)[Symbol.iterator]();
  return {
    async next(signal) {
      if (signal.aborted) return ABORTED;
      let r: IteratorResult<RunCase>;
      if (syncIt) {
        r = syncIt.next();
      } else {
        const pending = asyncIt!.next();
        waiting = pending;
        let onAbort = () => {};
        const aborted = new Promise<typeof ABORTED>((resolve) => { onAbort = () => resolve(ABORTED); signal.addEventListener('abort', onAbort, { once: true }); });
        // A slow source must not delay cancellation; its late answer is simply dropped.
        const first = await Promise.race([pending, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
        if (first === ABORTED) return ABORTED;
        waiting = null;
        r = first;
      }
      if (r.done) finished = true; else taken++;
      return r;
    },
    async close() {
      if (finished) return;
      const it = asyncIt ?? syncIt;
      if (!it?.return) return;
      try {
        // return() on an async generator waits for a pending next(); never block on a stuck source.
        if (waiting) void Promise.resolve(it.return()).catch(() => {});
        else await it.return();
      } catch {
        // Closing is best effort.
      }
    },
    untakenUnits() {
      if (!array) return 0;
      let n = 0;
      for (let i = taken; i < array.length; i++) {
        const rep = array[i]?.repeat ?? 1;
        n += Number.isFinite(rep) && rep > 1 ? Math.floor(rep) : 1;
      }
      return n;
    },
  };
}
