/*
 * compareMetrics over 4 variants × 5 metrics × 1,000 cases including the 10,000-resample
 * bootstrap (issue 5's bench; target < 200 ms). Figures only.
 */
import type { MetricSpec } from '../src/core/stats';
import { compareMetrics, Xoshiro128 } from '../src/core/stats';

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
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  compareMetrics(specs, variants);
  times.push(performance.now() - t);
}
const sorted = [...times.slice(1)].sort((a, b) => a - b);
console.log(`\n## Comparison statistics\n\n| metric | value | target | verdict |\n| --- | ---: | --- | --- |`);
console.log(`| compareMetrics 4 variants × 5 metrics × 1,000 cases, 10,000 bootstrap resamples: first call | ${times[0]!.toFixed(0)} ms | < 200 ms | ${times[0]! < 200 ? 'meets' : 'misses'} |`);
console.log(`| same, median of 4 warm calls | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms | < 200 ms | ${sorted[Math.floor(sorted.length / 2)]! < 200 ? 'meets' : 'misses'} |`);
