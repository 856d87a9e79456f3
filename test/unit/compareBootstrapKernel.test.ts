import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricSpec } from '../../src/core/stats';
import { Xoshiro128, bootstrapMeans, compareMetrics } from '../../src/core/stats';
import { setBootstrapKernel } from '../../src/core/stats/bootstrap';
import { wasmKernel } from '../../src/core/stats/bootstrapKernel';

/** Runs `f` with the given resampling kernel, restoring the previous one. */
function withKernel<T>(k: 'wasm' | 'js', f: () => T): T {
  const prev = setBootstrapKernel(k);
  try { return f(); } finally { setBootstrapKernel(prev); }
}

describe('bootstrap kernel (WebAssembly) against the JavaScript kernels', () => {
  it('compiles here', () => assert.ok(wasmKernel(), 'WebAssembly kernel unavailable: the bench figures would be the JS ones'));

  it('gives bit-identical resample means and leaves the generator in the same state, for 1–11 columns and odd sizes', () => {
    for (const n of [1, 2, 3, 17, 250]) {
      for (let k = 1; k <= 11; k++) {
        const cols = Array.from({ length: k }, (_, c) => Array.from({ length: n }, (_, i) => Math.sin(i * 7.1 + c * 3.3) * 1e3 + c / 7 + (i % 3 === 0 ? 1e-9 : 0)));
        const rj = new Xoshiro128(11, k), rw = new Xoshiro128(11, k);
        const js = withKernel('js', () => bootstrapMeans(cols, 300, rj));
        const wasm = withKernel('wasm', () => bootstrapMeans(cols, 300, rw));
        for (let c = 0; c < k; c++) {
          const a = Buffer.from(js[c]!.buffer), b = Buffer.from(wasm[c]!.buffer);
          assert.ok(a.equals(b), `n ${n}, ${k} column(s): column ${c} differs`);
        }
        assert.deepEqual([...rw.state], [...rj.state], `n ${n}, ${k} column(s): generator state`);
        // The generator continues identically afterwards.
        assert.equal(rw.nextUint32(), rj.nextUint32());
      }
    }
  });

  it('declines samples too large for its integer index (2^21 cases), leaving the generator untouched', () => {
    const state = new Xoshiro128(1).state;
    const before = [...state];
    assert.equal(wasmKernel()!.means([{ length: 2 ** 21 }], 10, state), null);
    assert.deepEqual([...state], before);
  });

  it('compareMetrics returns the same JSON with either kernel (4 variants, paired and unpaired, 9 metrics)', () => {
    const rng = new Xoshiro128(5);
    const specs: MetricSpec[] = ['q', 'd1', 'd2', 'd3', 'lat', 'cost', 'tok'].map((name) => ({ name, better: 'higher' as const, kind: 'continuous' as const }));
    specs.push({ name: 'judge', better: 'higher', kind: 'continuous', paired: true }, { name: 'ok', better: 'higher', kind: 'binary' });
    const variants = ['A', 'B', 'C', 'D'].map((name) => ({
      name, values: Object.fromEntries(specs.map((s) => [s.name, Array.from({ length: 120 }, () => (s.kind === 'binary' ? (rng.nextUint32() & 1) : rng.nextUint32() / 4294967296))])),
    }));
    const js = withKernel('js', () => JSON.stringify(compareMetrics(specs, variants, { seed: 42, resamples: 2000 })));
    const wasm = withKernel('wasm', () => JSON.stringify(compareMetrics(specs, variants, { seed: 42, resamples: 2000 })));
    assert.equal(wasm, js);
  });
});

describe('Mann-Whitney rank sum (merge walk) against naive average ranks', () => {
  it('gives the same U and p, bit for bit, with many ties, signed zeros and unequal n', async () => {
    const { mannWhitneyU } = await import('../../src/core/stats');
    const { normalSf } = await import('../../src/core/stats/distributions');
    const rng = new Xoshiro128(77);
    for (let trial = 0; trial < 40; trial++) {
      const n1 = 9 + (rng.nextUint32() % 60), n2 = 9 + (rng.nextUint32() % 200);
      const draw = () => { const u = rng.nextUint32() % 12; return u === 0 ? -0 : u === 1 ? 0 : (u % 5) * 0.25 - 0.5; };
      const a = Array.from({ length: n1 }, draw), b = Array.from({ length: n2 }, draw);
      // Naive: average rank of each value = (count below) + (count equal + 1) / 2.
      const all = [...a, ...b];
      const rankOf = (x: number) => all.filter((y) => y < x).length + (all.filter((y) => y === x).length + 1) / 2;
      const r1 = a.reduce((s, x) => s + rankOf(x), 0);
      const u1 = r1 - (n1 * (n1 + 1)) / 2;
      const counts = new Map<number, number>();
      for (const x of all) counts.set(x === 0 ? 0 : x, (counts.get(x === 0 ? 0 : x) ?? 0) + 1);
      let tie = 0;
      for (const t of counts.values()) tie += t * t * t - t;
      const n = n1 + n2, big = Math.max(u1, n1 * n2 - u1);
      const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1))));
      const p = Math.min(1, 2 * normalSf((big - (n1 * n2) / 2 - 0.5) / sd));
      const r = mannWhitneyU(a, b);
      assert.ok(r.available);
      if (r.available) { assert.equal(r.u, u1); assert.equal(r.p, p); }
    }
  });
});
