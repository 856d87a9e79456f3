import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RETRY_POLICY, RETRYABLE_KINDS, resolveRetryPolicy, retryDecision, retryDelayMs } from '../../src/core/runner/backoff';
import type { ProviderError, ProviderErrorKind } from '../../src/core/providers/types';
import { seededRng } from './helpers/randomExecutions';

// Deterministic [0, 1) source (mulberry32), so jitter is reproducible.
const seeded = seededRng;

const server: ProviderError = { kind: 'server', message: '503 Service Unavailable', status: 503 };

describe('retry policy', () => {
  it('defaults to 4 attempts, 500 ms base, factor 2, 30 s cap, 120 s Retry-After cap', () => {
    assert.deepEqual({ ...DEFAULT_RETRY_POLICY }, { maxAttempts: 4, baseMs: 500, factor: 2, maxMs: 30_000, maxRetryAfterMs: 120_000 });
    const p = resolveRetryPolicy({ maxAttempts: 2, baseMs: undefined });
    assert.equal(p.maxAttempts, 2);
    assert.equal(p.baseMs, 500);
    assert.equal(resolveRetryPolicy({ maxAttempts: 0 }).maxAttempts, 1);
  });

  it('exponential backoff with full jitter: delay = floor(random × min(max, base × 2^(n−1)))', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 20 });
    const draws = seeded(42);
    const replay = seeded(42);
    for (let attempt = 1; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** (attempt - 1));
      const d = retryDelayMs(attempt, server, policy, draws);
      assert.ok(d !== null && d >= 0 && d < ceiling, `attempt ${attempt}: ${d} within [0, ${ceiling})`);
      assert.equal(d, Math.floor(replay() * ceiling));
    }
  });

  it('jitter bounds: random 0 gives 0, random → 1 approaches the capped ceiling', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 20 });
    assert.equal(retryDelayMs(1, server, policy, () => 0), 0);
    assert.equal(retryDelayMs(1, server, policy, () => 0.999999), 499);
    assert.equal(retryDelayMs(3, server, policy, () => 0.999999), 1999);
    assert.equal(retryDelayMs(15, server, policy, () => 0.999999), 29_999);
  });

  it('honours Retry-After exactly when it is longer than the backoff', () => {
    const rl: ProviderError = { kind: 'rate_limit', message: '429', status: 429, retryAfterMs: 7000 };
    const d = retryDecision(1, rl, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.deepEqual(d.retry && d.delayMs, 7000);
    assert.match(d.reason, /server asked to wait 7 s/);
    // A backoff longer than Retry-After wins: Retry-After is a floor, not the answer.
    assert.equal(retryDelayMs(3, { ...rl, retryAfterMs: 100 }, DEFAULT_RETRY_POLICY, () => 0.5), 1000);
  });

  it('gives up (and says why) when Retry-After exceeds maxRetryAfterMs', () => {
    const d = retryDecision(1, { kind: 'rate_limit', message: '429', retryAfterMs: 300_000 }, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.equal(d.retry, false);
    assert.match(d.reason, /300 s, more than the 120 s limit/);
    assert.equal(retryDelayMs(1, { kind: 'rate_limit', message: '429', retryAfterMs: 120_000 }, DEFAULT_RETRY_POLICY, () => 0), 120_000);
  });

  it('gives up after maxAttempts total attempts', () => {
    assert.notEqual(retryDelayMs(3, server, DEFAULT_RETRY_POLICY, () => 0.5), null);
    const d = retryDecision(4, server, DEFAULT_RETRY_POLICY, () => 0.5);
    assert.equal(d.retry, false);
    assert.match(d.reason, /gave up after 4 attempts/);
  });

  it('retries only rate_limit, server, network and timeout', () => {
    const all: ProviderErrorKind[] = ['auth', 'rate_limit', 'timeout', 'server', 'bad_request', 'network', 'cancelled', 'content_filter'];
    const retried = all.filter((kind) => retryDelayMs(1, { kind, message: 'x' }, DEFAULT_RETRY_POLICY, () => 0.5) !== null);
    assert.deepEqual(retried.sort(), ['network', 'rate_limit', 'server', 'timeout']);
    assert.deepEqual([...RETRYABLE_KINDS].sort(), retried);
  });
});
