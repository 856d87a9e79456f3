import type { ProviderError, ProviderErrorKind } from '../providers/types';
import type { Clock } from './clock';
import { systemClock } from './clock';
import type { BreakerState } from './types';

/*
 * One breaker per provider profile, shared by every run against it. When a provider is down,
 * a thousand-case run should fail in seconds instead of spending minutes on timeouts, and
 * should not keep hammering a struggling server.
 *
 * Decisions:
 * - Only failures that say the provider itself is unhealthy count: server, network, timeout.
 *   rate_limit does NOT count (the provider is healthy, we are too fast; the limiter lowers
 *   concurrency instead). auth, bad_request, content_filter and cancelled say nothing about
 *   health and are neutral: they neither count nor reset the streak.
 * - The fail-fast error is kind 'server' (the breaker stands in for the server errors it saw;
 *   ProviderErrorKind has no breaker kind), with retryAfterMs = time until the trial request.
 *   The runner does not retry it and tags the execution `circuit-open`.
 * - Outcomes are reported against the permit that admitted the request: a request admitted
 *   before the breaker opened (or before the half-open trial) cannot close or re-open it.
 * - open → half_open happens lazily when the recovery time has passed and someone asks
 *   (`state`, `snapshot()`, `tryAcquire()`): no timers, nothing to dispose.
 */

export const BREAKER_FAILURE_KINDS: ReadonlySet<ProviderErrorKind> = new Set<ProviderErrorKind>(['server', 'network', 'timeout']);

export interface CircuitBreakerOptions {
  providerId: string;
  /** Consecutive counted failures that open the breaker. */
  failureThreshold?: number;
  /** How long it stays open before one trial request is let through. */
  recoveryTimeoutMs?: number;
  clock?: Clock;
}

export interface BreakerPermit {
  readonly trial: boolean;
  /** Generation the permit was issued in; stale permits are ignored. */
  readonly generation: number;
}

export type BreakerAdmission = { ok: true; permit: BreakerPermit } | { ok: false; error: ProviderError };

export type BreakerOutcome = { ok: true } | { ok: false; error: ProviderError };

export interface BreakerStateChange { providerId: string; from: BreakerState; state: BreakerState; reason: string; at: number }

export interface BreakerSnapshot {
  providerId: string;
  state: BreakerState;
  consecutiveFailures: number;
  failureThreshold: number;
  /** When it last opened (ms), or null when closed. */
  openedAt: number | null;
  /** When the next trial request is allowed (ms), or null when not open. */
  retryAt: number | null;
  trialInFlight: boolean;
  lastFailure: string | null;
}

export class CircuitBreaker {
  readonly providerId: string;
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
  private readonly clock: Clock;
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;
  private generation = 0;
  private lastFailure: string | null = null;
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();

  constructor(options: CircuitBreakerOptions) {
    this.providerId = options.providerId;
    this.failureThreshold = Math.max(1, Math.floor(options.failureThreshold ?? 5));
    this.recoveryTimeoutMs = Math.max(0, options.recoveryTimeoutMs ?? 60_000);
    this.clock = options.clock ?? systemClock;
  }

  get state(): BreakerState {
    this.refresh();
    return this.current;
  }

  snapshot(): BreakerSnapshot {
    this.refresh();
    return {
      providerId: this.providerId,
      state: this.current,
      consecutiveFailures: this.failures,
      failureThreshold: this.failureThreshold,
      openedAt: this.openedAt,
      retryAt: this.current === 'open' && this.openedAt !== null ? this.openedAt + this.recoveryTimeoutMs : null,
      trialInFlight: this.trialInFlight,
      lastFailure: this.lastFailure,
    };
  }

  /** Returns an unsubscribe function. Listeners must not throw; if one does, the others still run. */
  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Asks to send one request. Fails fast while open, and while a half-open trial is out. */
  tryAcquire(): BreakerAdmission {
    this.refresh();
    if (this.current === 'closed') return { ok: true, permit: { trial: false, generation: this.generation } };
    if (this.current === 'half_open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return { ok: true, permit: { trial: true, generation: this.generation } };
    }
    const retryAt = this.current === 'open' && this.openedAt !== null ? this.openedAt + this.recoveryTimeoutMs : this.clock.now();
    const message = this.current === 'open'
      ? `circuit open for ${this.providerId} until ${new Date(retryAt).toISOString()} (${this.lastFailure ?? 'repeated failures'})`
      : `circuit half-open for ${this.providerId}: waiting for the trial request`;
    return { ok: false, error: { kind: 'server', message, retryAfterMs: Math.max(0, retryAt - this.clock.now()) } };
  }

  /** Reports how the request admitted by `permit` ended. */
  record(permit: BreakerPermit, outcome: BreakerOutcome): void {
    this.refresh();
    const counts = !outcome.ok && BREAKER_FAILURE_KINDS.has(outcome.error.kind);
    if (permit.generation !== this.generation) return;
    if (permit.trial) {
      this.trialInFlight = false;
      if (this.current !== 'half_open') return;
      if (outcome.ok) this.close('trial request succeeded');
      else if (counts) this.open(`trial request failed: ${describe(outcome.error)}`, outcome.error);
      // Neutral outcome (e.g. 429, 401): no verdict; the next request becomes the trial.
      return;
    }
    if (this.current !== 'closed') return;
    if (outcome.ok) { this.failures = 0; return; }
    if (!counts) return;
    this.failures++;
    this.lastFailure = describe(outcome.error);
    if (this.failures >= this.failureThreshold) this.open(`${this.failures} consecutive failures, last: ${this.lastFailure}`, outcome.error);
  }

  /** Back to closed (e.g. the user fixed the endpoint and wants to try now). */
  reset(reason = 'reset'): void {
    this.refresh();
    if (this.current !== 'closed') this.close(reason);
    else this.failures = 0;
  }

  private refresh(): void {
    if (this.current === 'open' && this.openedAt !== null && this.clock.now() >= this.openedAt + this.recoveryTimeoutMs) {
      this.transition('half_open', `recovery time of ${Math.round(this.recoveryTimeoutMs / 1000)} s passed; next request is a trial`);
    }
  }

  private open(reason: string, error: ProviderError): void {
    this.lastFailure = describe(error);
    this.openedAt = this.clock.now();
    this.transition('open', reason);
  }

  private close(reason: string): void {
    this.failures = 0;
    this.openedAt = null;
    this.transition('closed', reason);
  }

  private transition(state: BreakerState, reason: string): void {
    const from = this.current;
    this.current = state;
    this.generation++;
    this.trialInFlight = false;
    const change: BreakerStateChange = { providerId: this.providerId, from, state, reason, at: this.clock.now() };
    for (const l of [...this.listeners]) {
      try { l(change); } catch { /* a broken display must not break the breaker */ }
    }
  }
}

function describe(error: ProviderError): string {
  const head = error.status !== undefined ? `${error.kind} ${error.status}` : error.kind;
  const msg = error.message.length > 120 ? `${error.message.slice(0, 117)}…` : error.message;
  return msg ? `${head}: ${msg}` : head;
}
