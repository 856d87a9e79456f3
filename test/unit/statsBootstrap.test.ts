import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Xoshiro128, bootstrapDifferenceCi, bootstrapMeans, meanDifference, percentileInterval } from '../../src/core/stats';

function normals(rng: Xoshiro128, n: number, mean: number, sd: number): number[] {
  const u = () => (rng.nextUint32() + 0.5) / 4294967296;
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('seeded bootstrap', () => {
  it('xoshiro128** matches the reference algorithm (state 1, 2, 3, 4)', () => {
    const rng = new Xoshiro128(0);
    rng.state.set([1, 2, 3, 4]);
    // Outputs of Blackman & Vigna's C reference for that state (recomputed independently in Python).
    assert.deepEqual(Array.from({ length: 6 }, () => rng.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('seeds and streams give fixed, distinct sequences', () => {
    const first = (seed: number, stream: number) => { const r = new Xoshiro128(seed, stream); return Array.from({ length: 4 }, () => r.nextUint32()); };
    assert.deepEqual(first(1, 0), first(1, 0));
    assert.notDeepEqual(first(1, 0), first(1, 1));
    assert.notDeepEqual(first(1, 0), first(2, 0));
    // Pinned so that a refactor cannot silently change every published bootstrap interval.
    assert.deepEqual(first(1, 0), PINNED_SEED1_STREAM0);
  });

  it('is reproducible: same seed, same interval; another seed, another interval', () => {
    const rng = new Xoshiro128(5);
    const a = normals(rng, 40, 0.6, 0.2), b = normals(rng, 45, 0.7, 0.25);
    const x = bootstrapDifferenceCi(a, b, { seed: 42 }), y = bootstrapDifferenceCi(a, b, { seed: 42 }), z = bootstrapDifferenceCi(a, b, { seed: 43 });
    assert.ok(x.available && y.available && z.available);
    assert.deepEqual(x, y);
    assert.notDeepEqual(x.ci95, z.ci95);
    assert.equal(x.resamples, 10_000);
    assert.equal(x.seed, 42);
    assert.deepEqual(bootstrapDifferenceCi(a, b, { seed: 42, paired: false }), x);
  });

  it('agrees with the t interval on large normal samples (unpaired and paired)', () => {
    const rng = new Xoshiro128(11);
    const a = normals(rng, 800, 10, 2), b = normals(rng, 900, 10.3, 2.5);
    const boot = bootstrapDifferenceCi(a, b), t = meanDifference(a, b);
    assert.ok(boot.available && t.available);
    const width = t.ci95[1] - t.ci95[0];
    for (const i of [0, 1]) assert.ok(Math.abs(boot.ci95[i]! - t.ci95[i]!) < 0.05 * width, `bound ${i}: ${boot.ci95[i]} vs ${t.ci95[i]}`);
    const after = a.map((x, i) => x + 0.2 + (normals(rng, 1, 0, 0.5)[0]! * (i % 2 ? 1 : -1)));
    const pb = bootstrapDifferenceCi(a, after, { paired: true }), pt = meanDifference(a, after, true);
    assert.ok(pb.available && pt.available);
    for (const i of [0, 1]) assert.ok(Math.abs(pb.ci95[i]! - pt.ci95[i]!) < 0.05 * (pt.ci95[1] - pt.ci95[0]));
  });

  it('resamples cases: a column gets the same resample means alone or alongside other metrics', () => {
    const rng = new Xoshiro128(3);
    const cols = Array.from({ length: 9 }, (_, k) => normals(rng, 57, k, 1));
    const alone = bootstrapMeans([cols[4]!], 500, new Xoshiro128(8, 2))[0]!;
    for (const take of [5, 6, 9]) {
      const together = bootstrapMeans(cols.slice(0, take), 500, new Xoshiro128(8, 2))[4]!;
      assert.deepEqual(together, alone, `${take} columns`);
    }
    const first = bootstrapMeans(cols.slice(0, 3), 500, new Xoshiro128(8, 2));
    assert.deepEqual(first[0], bootstrapMeans([cols[0]!], 500, new Xoshiro128(8, 2))[0]);
    assert.throws(() => bootstrapMeans([[1, 2], [1]], 10, new Xoshiro128(1)), /equal length/);
  });

  it('percentile interval = numpy-style linear interpolation of the sorted values', () => {
    const rng = new Xoshiro128(17);
    for (let t = 0; t < 300; t++) {
      const n = 1 + (rng.nextUint32() % 120), levels = 1 + (rng.nextUint32() % 6);
      const v = Float64Array.from({ length: n }, () => rng.nextUint32() % levels / levels);
      const sorted = Float64Array.from(v).sort();
      const q = (p: number) => { const h = (n - 1) * p, k = Math.floor(h); return sorted[k]! + (h - k) * (sorted[Math.min(k + 1, n - 1)]! - sorted[k]!); };
      assert.deepEqual(percentileInterval(v, 0.95), [q(0.025), q(0.975)]);
    }
  });
});

const PINNED_SEED1_STREAM0 = [2049801877, 2839965546, 823784599, 1687487412];
