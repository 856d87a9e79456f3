import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BreakerStateChange } from '../../src/core/runner/circuitBreaker';
import { CircuitBreaker } from '../../src/core/runner/circuitBreaker';
import { FakeClock } from '../../src/core/runner/clock';
import type { ProviderError } from '../../src/core/providers/types';

const err = (kind: ProviderError['kind']): { ok: false; error: ProviderError } => ({ ok: false, error: { kind, message: `${kind} happened` } });
const OK = { ok: true } as const;

function setup(over: { failureThreshold?: number; recoveryTimeoutMs?: number } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const breaker = new CircuitBreaker({ providerId: 'openai-main', clock, ...over });
  const changes: BreakerStateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  /** One request through the breaker with the given outcome. */
  const call = (outcome: typeof OK | ReturnType<typeof err>) => {
    const a = breaker.tryAcquire();
    assert.ok(a.ok, 'expected admission');
    breaker.record(a.permit, outcome);
  };
  return { clock, breaker, changes, call };
}

describe('CircuitBreaker', () => {
  it('opens after 5 consecutive server/network/timeout failures and fails fast while open', async () => {
    const { clock, breaker, changes, call } = setup();
    for (let i = 0; i < 4; i++) call(err(i % 2 ? 'network' : 'server'));
    assert.equal(breaker.state, 'closed');
    call(err('timeout'));
    assert.equal(breaker.state, 'open');
    assert.equal(changes.length, 1);
    assert.deepEqual({ from: changes[0]!.from, state: changes[0]!.state }, { from: 'closed', state: 'open' });
    assert.match(changes[0]!.reason, /5 consecutive failures, last: timeout/);

    await clock.advance(10_000);
    const a = breaker.tryAcquire();
    assert.equal(a.ok, false);
    if (a.ok) return;
    assert.equal(a.error.kind, 'server');
    const until = new Date(Date.UTC(2026, 0, 1) + 60_000).toISOString();
    assert.ok(a.error.message.startsWith(`circuit open for openai-main until ${until}`), a.error.message);
    assert.equal(a.error.retryAfterMs, 50_000);
    const snap = breaker.snapshot();
    assert.equal(snap.state, 'open');
    assert.equal(snap.retryAt, Date.UTC(2026, 0, 1) + 60_000);
    assert.equal(snap.consecutiveFailures, 5);
  });

  it('a success resets the streak; rate_limit, auth, bad_request are neutral', () => {
    const { breaker, call } = setup({ failureThreshold: 3 });
    call(err('server'));
    call(err('server'));
    call(OK);
    call(err('server'));
    call(err('server'));
    for (let i = 0; i < 10; i++) { call(err('rate_limit')); call(err('auth')); call(err('bad_request')); call(err('content_filter')); call(err('cancelled')); }
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().consecutiveFailures, 2);
    call(err('server'));
    assert.equal(breaker.state, 'open');
  });

  it('closed → open → half_open (one trial) → closed', async () => {
    const { clock, breaker, changes, call } = setup({ failureThreshold: 2, recoveryTimeoutMs: 30_000 });
    call(err('server'));
    call(err('server'));
    await clock.advance(29_999);
    assert.equal(breaker.state, 'open');
    await clock.advance(1);
    assert.equal(breaker.state, 'half_open');
    const trial = breaker.tryAcquire();
    assert.ok(trial.ok && trial.permit.trial);
    const other = breaker.tryAcquire();
    assert.equal(other.ok, false, 'only one trial request in half_open');
    if (!other.ok) assert.match(other.error.message, /half-open/);
    breaker.record(trial.permit, OK);
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(changes.map((c) => c.state), ['open', 'half_open', 'closed']);
    assert.match(changes[1]!.reason, /recovery time of 30 s passed/);
    assert.match(changes[2]!.reason, /trial request succeeded/);
    assert.ok(breaker.tryAcquire().ok);
  });

  it('a failed trial opens it again for a fresh recovery period', async () => {
    const { clock, breaker, changes, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 1000 });
    call(err('network'));
    await clock.advance(1000);
    const trial = breaker.tryAcquire();
    assert.ok(trial.ok && trial.permit.trial);
    breaker.record(trial.permit, err('timeout'));
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.snapshot().openedAt, clock.now());
    assert.deepEqual(changes.map((c) => `${c.from}->${c.state}`), ['closed->open', 'open->half_open', 'half_open->open']);
    assert.match(changes[2]!.reason, /trial request failed: timeout/);
    await clock.advance(999);
    assert.equal(breaker.tryAcquire().ok, false);
    await clock.advance(1);
    assert.equal(breaker.state, 'half_open');
  });

  it('a neutral trial outcome frees the trial slot without a verdict', async () => {
    const { clock, breaker, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 10 });
    call(err('server'));
    await clock.advance(10);
    const trial = breaker.tryAcquire();
    assert.ok(trial.ok);
    breaker.record(trial.permit, err('rate_limit'));
    assert.equal(breaker.state, 'half_open');
    const next = breaker.tryAcquire();
    assert.ok(next.ok && next.permit.trial);
  });

  it('outcomes of requests admitted before the breaker opened are ignored', async () => {
    const { clock, breaker, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 100 });
    const early = breaker.tryAcquire();
    assert.ok(early.ok);
    call(err('server'));
    assert.equal(breaker.state, 'open');
    breaker.record(early.permit, OK);
    assert.equal(breaker.state, 'open', 'a late success from before the opening does not close it');
    await clock.advance(100);
    breaker.record(early.permit, OK);
    assert.equal(breaker.state, 'half_open');
    assert.equal(breaker.snapshot().trialInFlight, false);
  });

  it('a throwing listener does not stop others; unsubscribe works', () => {
    const { breaker, call } = setup({ failureThreshold: 1 });
    const seen: string[] = [];
    breaker.onStateChange(() => { throw new Error('display broke'); });
    const off = breaker.onStateChange((c) => seen.push(c.state));
    call(err('server'));
    off();
    breaker.reset('user reset');
    assert.deepEqual(seen, ['open']);
    assert.equal(breaker.state, 'closed');
  });
});
