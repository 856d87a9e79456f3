import { AbortError } from './clock';

/*
 * Per-provider concurrency with a fair FIFO queue and AIMD (additive increase,
 * multiplicative decrease) — TCP's answer to "how fast may I go" when the only signal is
 * being told off. A 429 halves the limit at once; ten clean successes in a row earn one more
 * slot, up to the configured maximum. Shared by every run against the same provider, so two
 * runs together still respect the provider's limits.
 *
 * Decisions:
 * - Lowering the limit never pre-empts requests already in flight; new ones just wait until
 *   in-flight drops below the new limit.
 * - Each 429 halves (4 → 2 → 1 for three simultaneous 429s). Conservative on purpose: the
 *   server has told us more than once.
 * - Only successes and 429s move the limit; other errors are neutral.
 */

export interface ConcurrencyLimiterOptions {
  /** Configured ceiling (the limit starts here). */
  maxConcurrency?: number;
  /** Consecutive successes that raise the limit by one. */
  increaseAfter?: number;
}

export type Release = () => void;

export interface LimiterSnapshot { limit: number; maxConcurrency: number; inFlight: number; queued: number; successStreak: number }

interface Waiter { grant: (release: Release) => void; cleanup: () => void }

export class ConcurrencyLimiter {
  readonly maxConcurrency: number;
  readonly increaseAfter: number;
  private currentLimit: number;
  private active = 0;
  private streak = 0;
  private readonly queue: Waiter[] = [];

  constructor(options: ConcurrencyLimiterOptions = {}) {
    this.maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency ?? 4));
    this.increaseAfter = Math.max(1, Math.floor(options.increaseAfter ?? 10));
    this.currentLimit = this.maxConcurrency;
  }

  get limit(): number { return this.currentLimit; }
  get inFlight(): number { return this.active; }
  get queued(): number { return this.queue.length; }

  snapshot(): LimiterSnapshot {
    return { limit: this.currentLimit, maxConcurrency: this.maxConcurrency, inFlight: this.active, queued: this.queue.length, successStreak: this.streak };
  }

  /**
   * Waits for a slot in arrival order. Resolves with a release function (calling it more than
   * once is harmless). Rejects with an AbortError if `signal` aborts first; the waiter is
   * removed from the queue so it never takes a slot.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new AbortError('acquire aborted', { cause: signal.reason }));
    // Never jump the queue: a newcomer only goes straight in when nobody is waiting.
    if (this.queue.length === 0 && this.active < this.currentLimit) return Promise.resolve(this.take());
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new AbortError('acquire aborted', { cause: signal?.reason }));
      };
      const waiter: Waiter = { grant: resolve, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** A request was rate limited (HTTP 429): halve the limit, never below 1. */
  onRateLimited(): void {
    this.streak = 0;
    this.currentLimit = Math.max(1, Math.floor(this.currentLimit / 2));
  }

  /** A request succeeded: after `increaseAfter` in a row, one more slot (up to the maximum). */
  onSuccess(): void {
    if (this.currentLimit >= this.maxConcurrency) { this.streak = 0; return; }
    if (++this.streak >= this.increaseAfter) {
      this.streak = 0;
      this.currentLimit++;
      this.dispatch();
    }
  }

  private take(): Release {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.dispatch();
    };
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.active < this.currentLimit) {
      const w = this.queue.shift()!;
      w.cleanup();
      w.grant(this.take());
    }
  }
}
