import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CompletionOptions, CompletionRequest, CompletionResult, Provider, ProviderError, ProviderProfile, Usage } from '../../src/core/providers/types';
import type { CachedResponse, RunCase, RunEvent, RunPromptOptions } from '../../src/core/runner';
import { CircuitBreaker, ConcurrencyLimiter, FakeClock, Tracker, runPrompt } from '../../src/core/runner';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionInput, ExecutionRecord } from '../../src/core/store';
import { prepareRecord } from '../../src/core/store';

// Any unhandled rejection anywhere in this file is a bug in the runner (or its fakes).
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
process.on('unhandledRejection', onUnhandled);
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
});

/* ---------- fakes ---------- */

type Step =
  | { ok: string; tokens?: string[]; usage?: Usage; delayMs?: number }
  | { error: ProviderError; delayMs?: number; partialText?: string }
  /** Waits until the request is aborted (by cancellation or timeout). */
  | { hang: true }
  /** Never settles, even when aborted: a provider that ignores its signal. */
  | { deaf: true };

/** A Provider scripted per call, living on the fake clock. */
class FakeProvider implements Provider {
  readonly profileId = 'fake';
  readonly kind = 'openai' as const;
  readonly calls: Array<{ at: number; request: CompletionRequest; options: CompletionOptions | undefined; aborted: () => boolean }> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly clock: FakeClock, private readonly script: Step[] | ((n: number, request: CompletionRequest) => Step)) {}

  async complete(request: CompletionRequest, options?: CompletionOptions): Promise<CompletionResult> {
    const n = this.calls.length;
    const signal = options?.signal;
    this.calls.push({ at: this.clock.now(), request, options, aborted: () => signal?.aborted ?? false });
    const step = typeof this.script === 'function' ? this.script(n, request) : this.script[n] ?? { ok: `answer ${n}` };
    const start = this.clock.now();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if ('deaf' in step) return await new Promise<never>(() => {});
      if ('hang' in step) {
        await new Promise<void>((resolve) => { if (signal?.aborted) resolve(); else signal?.addEventListener('abort', () => resolve(), { once: true }); });
        return { ok: false, error: { kind: 'cancelled', message: 'request aborted' }, latencyMs: this.clock.now() - start };
      }
      if (step.delayMs) {
        try { await this.clock.sleep(step.delayMs, signal); } catch { return { ok: false, error: { kind: 'cancelled', message: 'request aborted' }, latencyMs: this.clock.now() - start }; }
      }
      if ('error' in step) return { ok: false, error: step.error, latencyMs: this.clock.now() - start, ...(step.partialText ? { partialText: step.partialText } : {}) };
      const tokens = step.tokens ?? [step.ok];
      for (const t of tokens) options?.onToken?.(t);
      return { ok: true, text: step.ok, usage: step.usage ?? { input: 10, output: 5, estimated: false }, latencyMs: this.clock.now() - start, ttftMs: 3, finishReason: 'stop', model: request.model };
    } finally {
      this.inFlight--;
    }
  }
}

const sanitizer = new Sanitizer();
function memoryTracker() {
  const rows: ExecutionRecord[] = [];
  const tracker = new Tracker({ record: (i: ExecutionInput) => { const r = prepareRecord(i, sanitizer); rows.push(r); return r; } }, { userId: 'u', sessionId: 's', environment: 'test' });
  return { rows, tracker };
}

const profile: ProviderProfile = { id: 'openai-main', kind: 'openai', baseUrl: 'https://user:pw@api.example.com/v1?api-key=SECRET123', priceInPer1M: 1, priceOutPer1M: 2 };

function mkCase(i: number, over: Partial<RunCase> = {}): RunCase {
  return {
    caseId: `c${i}`, label: `row ${i}`, testCaseId: `tc${i}`, variant: null,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Question ${i}?` }],
    model: 'gpt-test', parameters: { temperature: 0.7 }, variables: { q: i }, expected: `A${i}`, repeat: 1, ...over,
  };
}

const err = (kind: ProviderError['kind'], extra: Partial<ProviderError> = {}): { error: ProviderError } => ({ error: { kind, message: `${kind} from fake`, ...extra } });

interface Harness {
  clock: FakeClock;
  provider: FakeProvider;
  rows: ExecutionRecord[];
  events: Array<RunEvent & { at: number }>;
  limiter: ConcurrencyLimiter;
  breaker: CircuitBreaker;
  /** Runs with the fake clock driven until the run settles. */
  run(over?: Partial<RunPromptOptions>): Promise<Awaited<ReturnType<typeof runPrompt>>>;
  /** Starts without driving the clock (time stands still unless the test advances it). */
  start(over?: Partial<RunPromptOptions>): Promise<Awaited<ReturnType<typeof runPrompt>>>;
  of<T extends RunEvent['type']>(type: T): Array<Extract<RunEvent, { type: T }> & { at: number }>;
}

function harness(script: Step[] | ((n: number, r: CompletionRequest) => Step), opts: { maxConcurrency?: number; failureThreshold?: number; recoveryTimeoutMs?: number } = {}): Harness {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const provider = new FakeProvider(clock, script);
  const { rows, tracker } = memoryTracker();
  const limiter = new ConcurrencyLimiter({ maxConcurrency: opts.maxConcurrency ?? 4 });
  const breaker = new CircuitBreaker({ providerId: profile.id, clock, failureThreshold: opts.failureThreshold, recoveryTimeoutMs: opts.recoveryTimeoutMs });
  const events: Array<RunEvent & { at: number }> = [];
  const start = (over: Partial<RunPromptOptions> = {}) => runPrompt({
    runId: 'run-1', promptId: 'greet', promptPath: 'prompts/greet.prompt.yml', promptVersion: 'abc123',
    cases: [mkCase(1)], provider, profile, tracker, limiter, breaker, clock, random: () => 0.5,
    onEvent: (e) => events.push({ ...e, at: clock.now() }), ...over,
  });
  const h: Harness = {
    clock, provider, rows, events, limiter, breaker, start,
    run: (over = {}) => clock.runUntilSettled(start(over)),
    of: (type) => events.filter((e) => e.type === type) as never,
  };
  return h;
}

/* ---------- tests ---------- */

describe('runPrompt: success path', () => {
  it('streams tokens, records the execution with context, and summarises', async () => {
    const h = harness([{ ok: 'Hello there', tokens: ['Hel', 'lo', ' there'], usage: { input: 1000, output: 500, estimated: false } }]);
    const summary = await h.run({ tags: ['Nightly'], evaluate: (c, text) => [{ name: 'contains', status: text.includes('Hello') ? 'pass' : 'fail', score: 1, reason: '' }, { name: 'similarity', status: 'not_evaluated', score: null, reason: 'no model' }] });
    assert.deepEqual(h.events.map((e) => e.type), ['queued', 'started', 'token', 'token', 'token', 'done', 'finished']);
    assert.deepEqual(h.of('token').map((e) => e.delta), ['Hel', 'lo', ' there']);
    const done = h.of('done')[0]!;
    assert.equal(done.text, 'Hello there');
    assert.equal(done.cached, false);
    assert.equal(done.costUsd, (1000 * 1 + 500 * 2) / 1e6);
    assert.equal(done.ttftMs, 3);
    assert.equal(done.executionId, h.rows[0]!.id);

    assert.equal(h.rows.length, 1);
    const r = h.rows[0]!;
    assert.equal(r.success, true);
    assert.equal(r.promptId, 'greet');
    assert.equal(r.promptText, 'system: Be brief.\n\nuser: Question 1?');
    assert.equal(r.responseText, 'Hello there');
    assert.equal(r.provider, 'openai-main');
    assert.equal(r.model, 'gpt-test');
    assert.equal(r.promptVersion, 'abc123');
    assert.equal(r.runId, 'run-1');
    assert.equal(r.testCaseId, 'tc1');
    assert.equal(r.tokensIn, 1000);
    assert.equal(r.tokensOut, 500);
    assert.equal(r.costUsd, 0.002);
    assert.equal(r.timeToFirstTokenMs, 3);
    assert.deepEqual(r.modelConfig, { provider: 'openai', baseUrl: 'https://api.example.com/v1', model: 'gpt-test', parameters: { temperature: 0.7 } });
    assert.ok(!JSON.stringify(r).includes('SECRET123') && !JSON.stringify(r).includes(':pw@'));
    assert.equal(r.metadata.promptPath, 'prompts/greet.prompt.yml');
    assert.equal(r.metadata.caseLabel, 'row 1');
    assert.equal(r.metadata.expected, 'A1');
    assert.equal(r.metadata.attempt, 1);
    assert.equal(r.metadata.willRetry, false);
    assert.ok(r.tags.includes('nightly'));
    assert.ok(!r.tags.includes('retry'));

    assert.deepEqual(summary, {
      runId: 'run-1', total: 1, succeeded: 1, failed: 0, cancelled: 0, cached: 0, evaluatorsPassed: 1, evaluatorsFailed: 0, evaluatorsNotEvaluated: 1,
      tokensIn: 1000, tokensOut: 500, costUsd: 0.002, durationMs: 0,
    });
    assert.deepEqual(h.of('finished')[0]!.summary, summary);
    // The request got the case's model, messages and parameters, streaming and a timeout.
    assert.equal(h.provider.calls[0]!.request.model, 'gpt-test');
    assert.equal(h.provider.calls[0]!.options!.timeoutMs, 120_000);
  });

  it('expands repeats into separate executions; cost is null when unpriced', async () => {
    const h = harness([]);
    const summary = await h.run({ cases: [mkCase(1, { repeat: 3 })], profile: { ...profile, priceInPer1M: undefined } });
    assert.deepEqual(h.of('queued').map((e) => [e.caseId, e.label]), [['c1#1', 'row 1 #1'], ['c1#2', 'row 1 #2'], ['c1#3', 'row 1 #3']]);
    assert.equal(h.rows.length, 3);
    assert.deepEqual(h.rows.map((r) => r.metadata.repeat), [1, 2, 3]);
    assert.equal(summary.total, 3);
    assert.equal(summary.succeeded, 3);
    assert.equal(summary.costUsd, null);
  });

  it('an evaluator that throws is an error result, not a lost case', async () => {
    const h = harness([]);
    const summary = await h.run({ evaluate: () => { throw new Error('regex broke'); } });
    assert.deepEqual(h.of('done')[0]!.evaluators, [{ name: 'evaluate', status: 'error', score: null, reason: 'regex broke' }]);
    assert.equal(summary.succeeded, 1);
    assert.equal(summary.evaluatorsNotEvaluated, 1);
  });
});

describe('runPrompt: retries', () => {
  it('honours Retry-After exactly on the fake timeline and records every attempt', async () => {
    const h = harness([err('rate_limit', { status: 429, retryAfterMs: 7000 }), { ok: 'finally' }]);
    const t0 = h.clock.now();
    const summary = await h.run();
    assert.deepEqual(h.provider.calls.map((c) => c.at - t0), [0, 7000]);
    const retrying = h.of('retrying');
    assert.equal(retrying.length, 1);
    assert.equal(retrying[0]!.delayMs, 7000);
    assert.equal(retrying[0]!.attempt, 2);
    assert.match(retrying[0]!.reason, /rate_limit 429.*server asked to wait 7 s/);
    assert.deepEqual(h.of('started').map((e) => [e.attempt, e.at - t0]), [[1, 0], [2, 7000]]);

    assert.equal(h.rows.length, 2, 'one record per attempt');
    const [first, second] = h.rows;
    assert.equal(first!.success, false);
    assert.equal(first!.errorType, 'rate_limit');
    assert.deepEqual([first!.metadata.attempt, first!.metadata.willRetry, first!.metadata.retryAfterMs], [1, true, 7000]);
    assert.ok(first!.tags.includes('will-retry') && !first!.tags.includes('retry'));
    assert.equal(second!.success, true);
    assert.deepEqual([second!.metadata.attempt, second!.metadata.willRetry], [2, false]);
    assert.ok(second!.tags.includes('retry') && !second!.tags.includes('will-retry'));
    assert.equal(summary.succeeded, 1);
    assert.equal(h.limiter.limit, 2, 'the 429 halved the concurrency limit');
  });

  it('backs off with seeded full jitter and gives up after maxAttempts', async () => {
    const h = harness(() => err('server', { status: 503 }));
    const draws = [0.1, 0.6, 0.9];
    let i = 0;
    const t0 = h.clock.now();
    const summary = await h.run({ random: () => draws[i++ % draws.length]!, breaker: new CircuitBreaker({ providerId: 'x', clock: h.clock, failureThreshold: 100 }) });
    // 0.1 × 500, 0.6 × 1000, 0.9 × 2000
    assert.deepEqual(h.of('retrying').map((e) => e.delayMs), [50, 600, 1800]);
    assert.deepEqual(h.provider.calls.map((c) => c.at - t0), [0, 50, 650, 2450]);
    assert.equal(h.rows.length, 4);
    assert.deepEqual(h.rows.map((r) => r.metadata.willRetry), [true, true, true, false]);
    assert.match(String(h.rows[3]!.metadata.giveUp), /gave up after 4 attempts/);
    const failed = h.of('failed')[0]!;
    assert.equal(failed.error.kind, 'server');
    assert.match(failed.error.message, /gave up after 4 attempts/);
    assert.equal(failed.executionId, h.rows[3]!.id);
    assert.equal(summary.failed, 1);
    assert.equal(summary.succeeded, 0);
  });

  it('gives up at once when Retry-After exceeds the cap', async () => {
    const h = harness([err('rate_limit', { retryAfterMs: 600_000 })]);
    await h.run();
    assert.equal(h.provider.calls.length, 1);
    assert.match(h.of('failed')[0]!.error.message, /more than the 120 s limit/);
  });

  it('does not retry auth, bad_request or content_filter', async () => {
    for (const kind of ['auth', 'bad_request', 'content_filter'] as const) {
      const h = harness([err(kind, { status: 400 })]);
      const summary = await h.run();
      assert.equal(h.provider.calls.length, 1, kind);
      assert.equal(h.of('retrying').length, 0);
      assert.equal(h.rows.length, 1);
      assert.equal(h.rows[0]!.errorType, kind);
      assert.equal(h.of('failed')[0]!.error.message, `${kind} from fake`);
      assert.equal(summary.failed, 1);
    }
  });

  it('times out a hanging request per attempt (fake clock), then retries', async () => {
    const h = harness([{ hang: true }, { ok: 'late but fine' }]);
    const t0 = h.clock.now();
    await h.run({ timeoutMs: 5000, random: () => 0 });
    assert.deepEqual(h.provider.calls.map((c) => c.at - t0), [0, 5000]);
    assert.equal(h.provider.calls[0]!.aborted(), true);
    assert.equal(h.rows[0]!.errorType, 'timeout');
    assert.match(h.rows[0]!.errorMessage!, /no response within 5000 ms/);
    assert.equal(h.rows[1]!.success, true);
  });

  it('every attempt is recorded: tracked executions == attempts', async () => {
    const script: Step[] = [err('server'), { ok: 'a' }, err('network'), err('timeout'), { ok: 'b' }, err('auth'), { ok: 'c' }];
    const h = harness(script, { maxConcurrency: 1 });
    const summary = await h.run({ cases: [mkCase(1), mkCase(2), mkCase(3), mkCase(4)] });
    assert.equal(h.provider.calls.length, script.length);
    assert.equal(h.rows.length, script.length);
    assert.equal(h.of('started').length, script.length);
    assert.deepEqual([summary.succeeded, summary.failed], [3, 1]);
  });
});

describe('runPrompt: circuit breaker', () => {
  it('opens after consecutive failures, fails fast (tracked), emits breaker events, recovers', async () => {
    const h = harness((n) => (n < 2 ? err('server', { status: 500 }) : { ok: `ok ${n}` }), { maxConcurrency: 1, failureThreshold: 2, recoveryTimeoutMs: 60_000 });
    const cases = [mkCase(1), mkCase(2), mkCase(3), mkCase(4)];
    const summary = await h.run({ cases, retry: { maxAttempts: 1 } });
    assert.equal(h.provider.calls.length, 2, 'cases 3 and 4 never reach the provider');
    assert.equal(h.rows.length, 4);
    const fast = h.rows.slice(2);
    for (const r of fast) {
      assert.equal(r.success, false);
      assert.equal(r.errorType, 'server');
      assert.match(r.errorMessage!, /^circuit open for openai-main until 2026-01-01T00:01:00\.000Z/);
      assert.ok(r.tags.includes('circuit-open'));
      assert.equal(r.metadata.circuitOpen, true);
    }
    assert.equal(h.of('started').length, 2, 'no started event for a fail-fast case');
    assert.deepEqual(h.of('breaker').map((e) => [e.providerId, e.state]), [['openai-main', 'open']]);
    assert.equal(summary.failed, 4);

    // 60 s later the next run's first request is the half-open trial; it succeeds and closes.
    await h.clock.advance(60_000);
    h.events.length = 0;
    await h.run({ cases: [mkCase(5), mkCase(6)] });
    assert.deepEqual(h.of('breaker').map((e) => e.state), ['half_open', 'closed']);
    assert.equal(h.of('done').length, 2);
  });

  it('a breaker that opens mid-retry stops the retries', async () => {
    const h = harness(() => err('network'), { failureThreshold: 2 });
    await h.run();
    assert.equal(h.provider.calls.length, 2);
    assert.equal(h.rows.length, 3);
    assert.deepEqual(h.rows.map((r) => r.metadata.willRetry), [true, true, false]);
    assert.equal(h.rows[2]!.metadata.circuitOpen, true);
    assert.ok(h.rows[2]!.tags.includes('retry'));
    assert.equal(h.of('failed')[0]!.executionId, h.rows[2]!.id);
  });
});

describe('runPrompt: concurrency', () => {
  it('never exceeds the limiter and starts cases in order', async () => {
    const h = harness((n) => ({ ok: `r${n}`, delayMs: 100 + ((n * 37) % 5) * 50 }), { maxConcurrency: 3 });
    const cases = Array.from({ length: 12 }, (_, i) => mkCase(i));
    const summary = await h.run({ cases });
    assert.equal(h.provider.maxInFlight, 3);
    assert.deepEqual(h.of('started').map((e) => e.caseId), cases.map((c) => c.caseId));
    assert.equal(summary.succeeded, 12);
  });

  it('a 429 lowers concurrency for the rest of the run', async () => {
    const h = harness((n) => (n === 0 ? err('rate_limit', { retryAfterMs: 1000 }) : { ok: `r${n}`, delayMs: 100 }), { maxConcurrency: 4 });
    await h.run({ cases: Array.from({ length: 8 }, (_, i) => mkCase(i)) });
    assert.equal(h.limiter.limit, 2);
    assert.equal(h.of('done').length, 8);
  });
});

describe('runPrompt: cancellation', () => {
  it('aborts in-flight requests (recorded as cancelled) and counts unstarted cases', async () => {
    const h = harness(() => ({ hang: true }), { maxConcurrency: 2 });
    const ctl = new AbortController();
    const cases = Array.from({ length: 10 }, (_, i) => mkCase(i));
    const p = h.start({ cases, signal: ctl.signal, maxPending: 4 });
    // Let it start: two requests hang at the provider, two more wait for the limiter.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(h.provider.inFlight, 2);
    ctl.abort();
    const summary = await p;
    assert.ok(h.provider.calls.every((c) => c.aborted()), 'in-flight requests saw the abort');
    assert.equal(h.rows.length, 2);
    for (const r of h.rows) { assert.equal(r.success, false); assert.equal(r.errorType, 'cancelled'); }
    assert.deepEqual({ total: summary.total, cancelled: summary.cancelled, failed: summary.failed, succeeded: summary.succeeded }, { total: 10, cancelled: 10, failed: 0, succeeded: 0 });
    assert.equal(h.of('queued').length, 4, 'only taken cases are queued');
    const failed = h.of('failed');
    assert.equal(failed.length, 4);
    assert.ok(failed.every((e) => e.error.kind === 'cancelled'));
    // The two that were running point at their records; the two waiting for a slot have none.
    assert.deepEqual(failed.map((e) => e.executionId).sort(), [...h.rows.map((r) => r.id), null, null].sort());
    assert.equal(h.limiter.inFlight, 0);
    assert.equal(h.limiter.queued, 0);
    assert.equal(h.clock.pending, 0, 'no timers left behind');
  });

  it('mid-stream from an async generator: stops reading, closes the source, settles', async () => {
    const h = harness((n) => ({ ok: `r${n}`, delayMs: 1000 }), { maxConcurrency: 2 });
    const ctl = new AbortController();
    let read = 0;
    let closed = false;
    async function* rows() {
      try {
        for (let i = 0; i < 1000; i++) { read++; yield mkCase(i); }
      } finally {
        closed = true;
      }
    }
    const p = h.start({ cases: rows(), signal: ctl.signal });
    await h.clock.advance(2500); // cases 0–3 done, 4 and 5 half-way
    ctl.abort();
    const summary = await p;
    assert.ok(closed, 'the generator was closed (its finally ran)');
    assert.ok(read <= 4 + 4 + 1, `read ${read} rows`);
    assert.equal(summary.succeeded, 4);
    assert.equal(h.rows.length, 6, '4 done + 2 in-flight recorded as cancelled');
    assert.deepEqual(h.rows.slice(4).map((r) => r.errorType), ['cancelled', 'cancelled']);
    assert.equal(summary.total, summary.succeeded + summary.failed + summary.cancelled);
    assert.equal(summary.total, h.of('queued').length, 'an async source is not drained to count it');
  });

  it('does not hang on a provider that ignores its signal', async () => {
    const h = harness(() => ({ deaf: true }));
    const ctl = new AbortController();
    const p = h.start({ signal: ctl.signal });
    await new Promise((r) => setImmediate(r));
    ctl.abort();
    const summary = await p;
    assert.equal(summary.cancelled, 1);
    assert.equal(h.rows[0]!.errorType, 'cancelled');
  });

  it('cancels during a backoff sleep without another attempt', async () => {
    const h = harness([err('rate_limit', { retryAfterMs: 30_000 })]);
    const ctl = new AbortController();
    const p = h.start({ signal: ctl.signal });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(h.of('retrying').length, 1);
    await h.clock.advance(10_000);
    ctl.abort();
    const summary = await p;
    assert.equal(h.provider.calls.length, 1);
    assert.equal(summary.cancelled, 1);
    assert.notEqual(h.of('failed')[0]!.executionId, null);
  });

  it('an already-aborted signal runs nothing', async () => {
    const h = harness([]);
    const summary = await h.run({ cases: [mkCase(1), mkCase(2, { repeat: 2 })], signal: AbortSignal.abort() });
    assert.deepEqual([summary.total, summary.cancelled, h.provider.calls.length, h.rows.length], [3, 3, 0, 0]);
    assert.deepEqual(h.events.map((e) => e.type), ['finished']);
  });
});

describe('runPrompt: cache', () => {
  it('a hit skips the provider and is tracked as cache-hit; temperature 0 is cached by default', async () => {
    const store = new Map<string, CachedResponse>();
    const cache = { get: (k: string) => store.get(k), set: (k: string, v: CachedResponse) => { store.set(k, v); } };
    const h = harness((_n, req) => ({ ok: `answer to ${req.messages[1]!.content}`, usage: { input: 100, output: 50, estimated: false } }));
    const det = mkCase(1, { parameters: { temperature: 0 } });
    await h.run({ cases: [det, mkCase(2)], cache });
    assert.equal(store.size, 1, 'only the temperature-0 case is cached');
    assert.equal(h.provider.calls.length, 2);

    h.events.length = 0;
    const summary = await h.run({ cases: [{ ...det, caseId: 'other', label: 'same question' }], cache, evaluate: () => [{ name: 'x', status: 'pass', score: 1, reason: '' }] });
    assert.equal(h.provider.calls.length, 2, 'no provider call on a hit');
    const done = h.of('done')[0]!;
    assert.deepEqual([done.cached, done.text, done.latencyMs, done.costUsd], [true, 'answer to Question 1?', 0, 0]);
    assert.deepEqual(done.evaluators.map((e) => e.status), ['pass']);
    assert.equal(h.of('started').length, 0);
    const r = h.rows.at(-1)!;
    assert.ok(r.tags.includes('cache-hit'));
    assert.equal(r.metadata.cached, true);
    assert.equal(r.costUsd, 0);
    assert.equal(r.tokensIn, 100);
    assert.ok(r.latencyMs! < 50);
    assert.deepEqual([summary.cached, summary.succeeded, summary.tokensIn, summary.costUsd], [1, 1, 0, 0]);
  });

  it('a broken cache is a miss, not a failure', async () => {
    const h = harness([]);
    const summary = await h.run({ cache: { get: () => { throw new Error('disk'); }, set: () => { throw new Error('disk'); } }, useCache: () => true });
    assert.equal(summary.succeeded, 1);
  });
});

describe('runPrompt: failures outside the provider', () => {
  it('a store that refuses records stops the run and rejects after finished', async () => {
    const clock = new FakeClock();
    const provider = new FakeProvider(clock, () => ({ ok: 'x', delayMs: 10 }));
    let n = 0;
    const tracker = new Tracker({ record: (i) => { if (++n === 2) throw new Error('disk full'); return prepareRecord(i, sanitizer); } }, { userId: 'u', sessionId: 's', environment: 'test' });
    const events: RunEvent[] = [];
    const p = runPrompt({ promptId: 'p', promptVersion: 'v', cases: Array.from({ length: 6 }, (_, i) => mkCase(i)), provider, profile, tracker,
      limiter: new ConcurrencyLimiter({ maxConcurrency: 2 }), breaker: new CircuitBreaker({ providerId: 'x', clock }), clock, onEvent: (e) => events.push(e) });
    await assert.rejects(clock.runUntilSettled(p), /disk full/);
    assert.equal(events.at(-1)!.type, 'finished');
  });

  it('a source that throws stops taking cases, lets in-flight work finish, then rejects', async () => {
    const h = harness(() => ({ ok: 'x', delayMs: 100 }));
    async function* rows() { yield mkCase(1); yield mkCase(2); throw new Error('row 3 unreadable'); }
    await assert.rejects(h.run({ cases: rows() }), /row 3 unreadable/);
    assert.equal(h.of('done').length, 2);
    assert.equal(h.rows.length, 2);
    assert.equal(h.of('finished')[0]!.summary.succeeded, 2);
  });

  it('a throwing onEvent cannot lose records', async () => {
    const h = harness([]);
    const summary = await h.run({ cases: [mkCase(1), mkCase(2)], onEvent: () => { throw new Error('ui gone'); } });
    assert.equal(summary.succeeded, 2);
    assert.equal(h.rows.length, 2);
  });
});

describe('runPrompt: streaming a big dataset', () => {
  it('10k cases from an async generator complete with the generator never more than maxPending ahead', async () => {
    const h = harness((n) => ({ ok: `r${n}`, delayMs: n % 3 }), { maxConcurrency: 4 });
    let produced = 0;
    let finished = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < 10_000; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - finished);
        yield mkCase(i);
      }
    }
    const queuedBeforeEnd: number[] = [];
    const summary = await h.run({
      cases: source(),
      onEvent: (e) => {
        if (e.type === 'done' || e.type === 'failed') finished++;
        if (e.type === 'queued' && produced < 10_000 && queuedBeforeEnd.length < 1) queuedBeforeEnd.push(produced);
      },
    });
    assert.equal(summary.total, 10_000);
    assert.equal(summary.succeeded, 10_000);
    assert.equal(h.rows.length, 10_000);
    assert.ok(maxAhead <= 8, `generator was ${maxAhead} ahead (limit 2 × 4)`);
    assert.ok(queuedBeforeEnd.length === 1 && queuedBeforeEnd[0]! <= 8, 'queued events stream as rows are read');
    assert.ok(h.provider.maxInFlight <= 4);
  });
});
