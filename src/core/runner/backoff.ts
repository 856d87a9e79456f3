import type { ProviderError, ProviderErrorKind } from '../providers/types';

/*
 * When to try again and how long to wait. Pure: the attempt number, the error, the policy
 * and a random source in, a decision out — so the sequence is testable with a seeded random.
 */

export interface RetryPolicy {
  /** Total attempts including the first (4 = one try and three retries). */
  maxAttempts: number;
  /** Backoff before the first retry is drawn from [0, baseMs). */
  baseMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Ceiling of the exponential part (a server's Retry-After may exceed it, up to maxRetryAfterMs). */
  maxMs: number;
  /** A Retry-After longer than this is not waited out: the case fails and says why. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseMs: 500,
  factor: 2,
  maxMs: 30_000,
  maxRetryAfterMs: 120_000,
});

export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY };
  for (const [k, v] of Object.entries(partial) as Array<[keyof RetryPolicy, number | undefined]>) {
    if (v !== undefined && Number.isFinite(v) && v >= 0) p[k] = v;
  }
  p.maxAttempts = Math.max(1, Math.floor(p.maxAttempts));
  return p;
}

/**
 * Transient failures only. auth, bad_request and content_filter fail the same way every time
 * (retrying costs money and time for nothing); cancelled means the user asked us to stop.
 */
export const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set<ProviderErrorKind>(['rate_limit', 'server', 'network', 'timeout']);

export function isRetryable(error: ProviderError): boolean {
  return RETRYABLE_KINDS.has(error.kind);
}

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; reason: string };

/**
 * `attempt` is the 1-based number of the attempt that just failed. Full jitter
 * (random × min(maxMs, baseMs × factor^(attempt−1))) spreads a burst of failed requests
 * instead of retrying them in lock-step; a server's Retry-After is a floor on top of that.
 */
export function retryDecision(attempt: number, error: ProviderError, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  if (!isRetryable(error)) return { retry: false, reason: `${error.kind} is not retried` };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}` };
  const ceiling = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, Math.max(0, attempt - 1)));
  const r = Math.min(Math.max(random(), 0), 1);
  const jitter = Math.floor(r * ceiling);
  const retryAfter = error.retryAfterMs;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter > 0) {
    if (retryAfter > policy.maxRetryAfterMs) {
      return { retry: false, reason: `server asked to wait ${formatMs(retryAfter)}, more than the ${formatMs(policy.maxRetryAfterMs)} limit` };
    }
    const delayMs = Math.max(Math.ceil(retryAfter), jitter);
    return { retry: true, delayMs, reason: `${describe(error)} (server asked to wait ${formatMs(retryAfter)})` };
  }
  return { retry: true, delayMs: jitter, reason: describe(error) };
}

/** The delay before the next attempt, or null when the error should not (or no longer) be retried. */
export function retryDelayMs(attempt: number, error: ProviderError, policy: RetryPolicy, random: () => number = Math.random): number | null {
  const d = retryDecision(attempt, error, policy, random);
  return d.retry ? d.delayMs : null;
}

function describe(error: ProviderError): string {
  // Provider messages of HTTP errors already start with "HTTP <status>".
  const head = error.status !== undefined && !error.message.startsWith(`HTTP ${error.status}`) ? `${error.kind} ${error.status}` : error.kind;
  const msg = error.message.length > 160 ? `${error.message.slice(0, 157)}…` : error.message;
  return msg ? `${head}: ${msg}` : head;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
