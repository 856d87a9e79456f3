import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, FakeClock, isAbortError, systemClock } from '../../src/core/runner/clock';

describe('FakeClock', () => {
  it('advance() fires due sleeps in due order, and sleeps scheduled on the way', async () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    void clock.sleep(300).then(() => fired.push(`b@${clock.now()}`));
    void clock.sleep(100).then(async () => {
      fired.push(`a@${clock.now()}`);
      await clock.sleep(50);
      fired.push(`a2@${clock.now()}`);
    });
    void clock.sleep(500).then(() => fired.push(`c@${clock.now()}`));
    await clock.advance(300);
    assert.deepEqual(fired, ['a@1100', 'a2@1150', 'b@1300']);
    assert.equal(clock.now(), 1300);
    assert.equal(clock.pending, 1);
    await clock.advanceToNext();
    assert.deepEqual(fired.at(-1), 'c@1500');
    assert.deepEqual(clock.sleeps.map((s) => s.ms), [300, 100, 500, 50]);
  });

  it('on abort, sleep rejects with an AbortError and the timer is gone', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const p = clock.sleep(1000, ctl.signal);
    ctl.abort();
    await assert.rejects(p, (e: unknown) => isAbortError(e) && e instanceof AbortError);
    assert.equal(clock.pending, 0);
    await assert.rejects(clock.sleep(10, ctl.signal), { name: 'AbortError' });
  });

  it('runUntilSettled drives the timeline and reports a wait on something else', async () => {
    const clock = new FakeClock();
    const work = (async () => { await clock.sleep(60_000); await clock.sleep(1); return clock.now(); })();
    assert.equal(await clock.runUntilSettled(work), 60_001);
    await assert.rejects(clock.runUntilSettled(new Promise(() => {}), 3), /waiting on something other than the clock/);
  });
});

describe('systemClock', () => {
  it('sleeps, and rejects with AbortError when aborted', async () => {
    const t0 = Date.now();
    await systemClock.sleep(5);
    assert.ok(Date.now() - t0 >= 4);
    const ctl = new AbortController();
    const p = systemClock.sleep(10_000, ctl.signal);
    ctl.abort();
    await assert.rejects(p, { name: 'AbortError' });
  });
});
