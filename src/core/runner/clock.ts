/*
 * Time as a dependency. The runner never calls Date.now or setTimeout directly, so backoff,
 * Retry-After, timeouts and the circuit breaker's recovery window are tested on a fake
 * timeline in microseconds of wall time, and asserted exactly.
 */

export interface Clock {
  /** Milliseconds since the epoch (or since the fake clock's start). */
  now(): number;
  /**
   * Resolves after `ms`. On abort (before or during the wait) it REJECTS with an AbortError:
   * a caller that was waiting to retry must not go on as if the wait had completed.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Rejection value of a cancelled wait; `name` is what callers test (DOMException's AbortError matches too). */
export class AbortError extends Error {
  override name = 'AbortError';
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

const TIMER_CANCELLED = new AbortError('sleep cancelled');

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) { reject(new AbortError('sleep aborted', { cause: signal.reason })); return; }
      // The runner cancels a timeout timer after every request: when the reason says so, skip
      // building an Error (a stack trace per request) and reject with a shared one.
      const onAbort = () => { clearTimeout(timer); reject(typeof signal?.reason === 'symbol' ? TIMER_CANCELLED : new AbortError('sleep aborted', { cause: signal?.reason })); };
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface FakeTimer { due: number; seq: number; resolve: () => void }

/**
 * A clock that only moves when told. `advance(ms)` fires due sleeps in (due time, creation)
 * order, letting promise continuations run between them, so a continuation that sleeps
 * again within the window also fires in the same advance — as real time would.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];
  /** Every sleep requested, for asserting on the timeline (`at` = when it was requested). */
  readonly sleeps: Array<{ at: number; ms: number }> = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Number of sleeps still waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Due time of the earliest waiting sleep, or null. */
  get nextDue(): number | null {
    return this.timers[0]?.due ?? null;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push({ at: this.t, ms });
    if (signal?.aborted) return Promise.reject(new AbortError('sleep aborted', { cause: signal.reason }));
    // A zero wait resolves at once rather than waiting for the next advance: full jitter
    // legitimately yields 0 ms, and a test should not need an advance(0) for it.
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer: FakeTimer = { due: this.t + ms, seq: this.seq++, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(new AbortError('sleep aborted', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.insert(timer);
    });
  }

  /** Moves time forward by `ms`, firing every sleep that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    await flush();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.due > target) break;
      this.timers.shift();
      this.t = next.due;
      next.resolve();
      await flush();
    }
    this.t = target;
    await flush();
  }

  /** Jumps to the next due sleep and fires it (and any due at the same time). False if none. */
  async advanceToNext(): Promise<boolean> {
    const due = this.nextDue;
    if (due === null) return false;
    await this.advance(due - this.t);
    return true;
  }

  /**
   * Drives the timeline until `promise` settles: flush, and whenever nothing else can
   * happen, jump to the next sleep. Throws if the work waits on something other than this
   * clock for too long (a deadlock in a test rather than a hang).
   */
  async runUntilSettled<T>(promise: Promise<T>, maxIdleFlushes = 50): Promise<T> {
    let settled = false;
    promise.then(() => { settled = true; }, () => { settled = true; });
    let idle = 0;
    while (!settled) {
      await flush();
      if (settled) break;
      if (this.timers.length > 0) { idle = 0; await this.advanceToNext(); continue; }
      if (++idle > maxIdleFlushes) throw new Error(`FakeClock: work is waiting on something other than the clock (t=${this.t})`);
    }
    return promise;
  }

  private insert(timer: FakeTimer): void {
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.due > timer.due) i--;
    this.timers.splice(i, 0, timer);
  }
}

/** Lets every queued promise continuation run (one macrotask turn drains the microtask queue). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
