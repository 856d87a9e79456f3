import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyLimiter } from '../../src/core/runner/limiter';
import type { Release } from '../../src/core/runner/limiter';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('ConcurrencyLimiter', () => {
  it('never exceeds the limit and grants slots in FIFO order', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrency: 3 });
    let inFlight = 0;
    let maxInFlight = 0;
    const order: number[] = [];
    const work = Array.from({ length: 20 }, async (_, i) => {
      const release = await limiter.acquire();
      order.push(i);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      for (let k = 0; k < (i * 7) % 5; k++) await tick();
      inFlight--;
      release();
    });
    await Promise.all(work);
    assert.equal(maxInFlight, 3);
    assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual(limiter.snapshot(), { limit: 3, maxConcurrency: 3, inFlight: 0, queued: 0, successStreak: 0 });
  });

  it('defaults to 4; release is idempotent', async () => {
    const limiter = new ConcurrencyLimiter();
    assert.equal(limiter.limit, 4);
    const r = await limiter.acquire();
    r();
    r();
    assert.equal(limiter.inFlight, 0);
  });

  it('a cancelled waiter leaves the queue and never takes a slot', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrency: 1 });
    const first = await limiter.acquire();
    const ctl = new AbortController();
    const cancelled = limiter.acquire(ctl.signal);
    const granted: string[] = [];
    const third = limiter.acquire().then((r) => { granted.push('third'); return r; });
    assert.equal(limiter.queued, 2);
    ctl.abort();
    await assert.rejects(cancelled, { name: 'AbortError' });
    assert.equal(limiter.queued, 1);
    first();
    (await third)();
    assert.deepEqual(granted, ['third']);
    await assert.rejects(limiter.acquire(ctl.signal), { name: 'AbortError' });
    assert.equal(limiter.inFlight, 0);
  });

  it('AIMD: a 429 halves the limit (min 1); 10 successes in a row add one, up to the max', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrency: 8 });
    limiter.onRateLimited();
    assert.equal(limiter.limit, 4);
    limiter.onRateLimited();
    limiter.onRateLimited();
    limiter.onRateLimited();
    assert.equal(limiter.limit, 1);
    for (let i = 0; i < 9; i++) limiter.onSuccess();
    assert.equal(limiter.limit, 1);
    limiter.onSuccess();
    assert.equal(limiter.limit, 2);
    for (let i = 0; i < 5; i++) limiter.onSuccess();
    limiter.onRateLimited();
    assert.equal(limiter.limit, 1, 'a 429 also resets the success streak');
    for (let i = 0; i < 9; i++) limiter.onSuccess();
    assert.equal(limiter.limit, 1);
    for (let i = 0; i < 200; i++) limiter.onSuccess();
    assert.equal(limiter.limit, 8);
  });

  it('lowering the limit does not pre-empt in-flight work; raising it admits waiters', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrency: 4, increaseAfter: 2 });
    const held: Release[] = [];
    for (let i = 0; i < 4; i++) held.push(await limiter.acquire());
    limiter.onRateLimited();
    assert.equal(limiter.limit, 2);
    assert.equal(limiter.inFlight, 4);
    let admitted = 0;
    const waiting = [limiter.acquire(), limiter.acquire()].map((p) => p.then((r) => { admitted++; return r; }));
    held.pop()!();
    held.pop()!();
    await tick();
    assert.equal(admitted, 0, 'still at the lowered limit (2 in flight)');
    held.pop()!();
    await tick();
    assert.equal(admitted, 1);
    limiter.onSuccess();
    limiter.onSuccess();
    assert.equal(limiter.limit, 3);
    await tick();
    assert.equal(admitted, 2);
    for (const p of waiting) (await p)();
    held.pop()!();
    assert.equal(limiter.inFlight, 0);
  });
});
