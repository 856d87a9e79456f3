/*
 * compareMetrics over 4 variants × 5 metrics × 1,000 cases including the 10,000-resample
 * bootstrap (issue 5's bench; target < 200 ms). Figures only. Wall time and CPU time (user +
 * system) are both printed: on a shared, loaded machine the wall time includes waiting for a
 * core, the CPU time does not. The JavaScript resampling kernel (the fallback where
 * WebAssembly is unavailable) is measured too, for the ratio; both give identical results.
 */
import { createHash } from 'node:crypto';
import type { MetricSpec } from '../src/core/stats';
import { compareMetrics, Xoshiro128 } from '../src/core/stats';
import { setBootstrapKernel } from '../src/core/stats/bootstrap';

const rng = new Xoshiro128(9);
const normal = (mean: number, sd: number) => {
  const u = () => (rng.nextUint32() + 0.5) / 4294967296;
  return mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
};
const specs: MetricSpec[] = [
  { name: 'quality', better: 'higher', kind: 'continuous' }, { name: 'cost', better: 'lower', kind: 'continuous' },
  { name: 'latency', better: 'lower', kind: 'continuous' }, { name: 'judge', better: 'higher', kind: 'continuous', paired: true },
  { name: 'tokens', better: 'lower', kind: 'continuous' },
];
const variants = ['A', 'B', 'C', 'D'].map((name, k) => ({
  name, values: Object.fromEntries(specs.map((s, i) => [s.name, Array.from({ length: 1000 }, () => normal(1 + 0.01 * k * (i + 1), 0.3))])),
}));

function measure(kernel: 'wasm' | 'js', calls: number): { first: number; wall: number; cpu: number; cpuMin: number; hash: string } {
  setBootstrapKernel(kernel);
  const wall: number[] = [], cpu: number[] = [];
  let hash = '';
  for (let i = 0; i < calls; i++) {
    const t = performance.now(), c = process.cpuUsage();
    const r = compareMetrics(specs, variants);
    const used = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
    if (i === 0) hash = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 16);
  }
  const med = (xs: number[]) => { const s = [...xs.slice(1)].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
  return { first: wall[0]!, wall: med(wall), cpu: med(cpu), cpuMin: Math.min(...cpu.slice(1)), hash };
}

const wasm = measure('wasm', 9);
const js = measure('js', 9);
setBootstrapKernel('wasm');
const verdict = (x: number) => (x < 200 ? 'meets' : 'misses');
console.log(`\n## Comparison statistics\n\n| metric | value | target | verdict |\n| --- | ---: | --- | --- |`);
console.log(`| compareMetrics 4 variants × 5 metrics × 1,000 cases, 10,000 bootstrap resamples: first call | ${wasm.first.toFixed(0)} ms | < 200 ms | ${verdict(wasm.first)} |`);
console.log(`| same, median of 8 warm calls (wall) | ${wasm.wall.toFixed(0)} ms | < 200 ms | ${verdict(wasm.wall)} |`);
console.log(`| same, CPU time (user + system), median / best | ${wasm.cpu.toFixed(0)} / ${wasm.cpuMin.toFixed(0)} ms | < 200 ms | ${verdict(wasm.cpu)} |`);
console.log(`| JavaScript kernel (fallback), median wall / CPU median / CPU best | ${js.wall.toFixed(0)} / ${js.cpu.toFixed(0)} / ${js.cpuMin.toFixed(0)} ms | — | WebAssembly ${(js.cpuMin / wasm.cpuMin).toFixed(2)}× faster (best CPU) |`);
console.log(`| results identical across kernels (sha256 of the JSON) | ${wasm.hash === js.hash ? 'yes' : 'NO'} (${wasm.hash}) | identical | ${wasm.hash === js.hash ? 'meets' : 'misses'} |`);
