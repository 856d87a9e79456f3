import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComparisonEvidence, MetricSpec, VariantSamples } from '../../src/core/stats';
import { Xoshiro128, bootstrapDifferenceCi, compareMetrics, holmAdjust, sampleVariance, verdictOf } from '../../src/core/stats';

function normals(rng: Xoshiro128, n: number, mean: number, sd: number): number[] {
  const u = () => (rng.nextUint32() + 0.5) / 4294967296;
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}
function passes(rng: Xoshiro128, n: number, rate: number): number[] {
  return Array.from({ length: n }, () => (rng.nextUint32() / 4294967296 < rate ? 1 : 0));
}

const quality: MetricSpec = { name: 'quality', better: 'higher', kind: 'continuous' };
const cost: MetricSpec = { name: 'cost', better: 'lower', kind: 'continuous' };

describe('compareMetrics', () => {
  it('names a winner only with a significant test and a CI excluding zero, with effect size and CI next to p', () => {
    const rng = new Xoshiro128(1);
    const r = compareMetrics([quality, cost], [
      { name: 'A', values: { quality: normals(rng, 200, 0.70, 0.1), cost: normals(rng, 200, 1.0, 0.2) } },
      { name: 'B', values: { quality: normals(rng, 200, 0.75, 0.1), cost: normals(rng, 200, 1.0, 0.2) } },
    ], { resamples: 1000 });
    assert.equal(r.schema, 'promptlab.stats.compare/1');
    assert.equal(r.winner, 'B');
    const q = r.metrics[0]!.comparisons[0]!;
    assert.equal(q.verdict, 'better');
    assert.ok(q.test.available && q.test.name === 'welch-t' && q.test.pAdjusted === q.test.p, 'one comparison: Holm leaves p alone');
    assert.ok(q.difference.available && q.difference.ci95[0] > 0);
    assert.ok(q.effectSize.available && q.effectSize.name === 'cohens-d' && q.effectSize.label === 'medium');
    assert.ok(q.alternativeTest?.available && q.alternativeTest.name === 'mann-whitney-u');
    assert.ok(q.power.available && q.power.achieved > 0.9);
    assert.equal(r.metrics[1]!.comparisons[0]!.verdict, 'inconclusive');
    assert.match(r.recommendation, /^Recommend B over A: better quality \(\+0\.0\d+ \[\+\d+\.\d%\], 95% CI \+0\.\d+ to \+0\.\d+, Welch t p = [\d.e-]+, d = 0\.\d+ medium\)\. No significant difference in cost\.$/);
  });

  it('names trade-offs ("… more cost") and then recommends no winner', () => {
    const rng = new Xoshiro128(2);
    const r = compareMetrics([quality, cost], [
      { name: 'A', values: { quality: normals(rng, 300, 0.70, 0.1), cost: normals(rng, 300, 1.00, 0.1) } },
      { name: 'B', values: { quality: normals(rng, 300, 0.76, 0.1), cost: normals(rng, 300, 1.12, 0.1) } },
    ], { resamples: 1000 });
    assert.equal(r.winner, null);
    assert.equal(r.metrics[1]!.comparisons[0]!.verdict, 'worse', 'higher cost is worse when lower is better');
    assert.match(r.recommendation, /^No clear winner: .* B vs A: better quality \(.*\), but 1\d% more cost \(95% CI \+0\.\d+ to \+0\.\d+\)\./);
  });

  it('keeps the control when every variant is only worse, and lower-is-better works both ways', () => {
    const rng = new Xoshiro128(3);
    const r = compareMetrics([cost], [
      { name: 'A', values: { cost: normals(rng, 100, 1.0, 0.1) } },
      { name: 'B', values: { cost: normals(rng, 100, 1.3, 0.1) } },
      { name: 'C', values: { cost: normals(rng, 100, 0.7, 0.1) } },
    ], { resamples: 0 });
    assert.deepEqual(r.metrics[0]!.comparisons.map((c) => c.verdict), ['worse', 'better']);
    assert.equal(r.winner, 'C');
    assert.equal(r.bootstrap, null);
    assert.equal(r.metrics[0]!.comparisons[0]!.bootstrap, null);
    const keep = compareMetrics([cost], [
      { name: 'A', values: { cost: normals(rng, 100, 1.0, 0.1) } },
      { name: 'B', values: { cost: normals(rng, 100, 1.3, 0.1) } },
    ], { resamples: 0 });
    assert.equal(keep.winner, 'A');
    assert.match(keep.recommendation, /^Keep A: .* B: 3\d% more cost/);
  });

  it('says "inconclusive" with power and how many more cases per variant would give 80% power', () => {
    const a = normals(new Xoshiro128(4), 30, 0.70, 0.1);
    const r = compareMetrics([quality], [
      { name: 'A', values: { quality: a } },
      { name: 'B', values: { quality: a.map((x) => x + 0.02).reverse() } }, // d ≈ 0.2: real but far too small for 30 cases
    ], { resamples: 1000 });
    const c = r.metrics[0]!.comparisons[0]!;
    assert.equal(c.verdict, 'inconclusive');
    assert.ok(c.sampleSize.available && c.effectSize.available && c.power.available);
    assert.equal(c.sampleSize.additionalPerVariant, c.sampleSize.nPerVariant - 30);
    assert.match(c.summary, new RegExp(`power \\d+(\\.\\d)?%, ~${c.sampleSize.additionalPerVariant.toLocaleString('en-US')} more cases per variant for 80% power at this effect`));
    assert.equal(r.winner, null);
    assert.match(r.recommendation, /^Inconclusive: no variant differs significantly from A \(α = 0\.05\)\. At the observed effects: quality: ~[\d,]+ more cases per variant for 80% power \(B vs A, d = /);
  });

  it('adjusts p with Holm across variants and uses the adjusted value for verdicts', () => {
    const rng = new Xoshiro128(5);
    const control = normals(rng, 30, 0, 1);
    // Shift so that Welch p ≈ 0.03 for each variant: significant alone, not after ×3.
    const shift = 2.2 * Math.sqrt((2 * sampleVariance(control)) / 30);
    const variant = control.map((x) => x + shift).reverse();
    const variants: VariantSamples[] = ['A', 'B', 'C', 'D'].map((name) => ({ name, values: { quality: name === 'A' ? control : variant } }));
    const r = compareMetrics([quality], variants, { resamples: 0 });
    const cs = r.metrics[0]!.comparisons;
    const raw = cs.map((c) => (c.test.available ? c.test.p : null));
    assert.ok(raw.every((p) => p !== null && p < 0.05 && p > 0.02));
    assert.deepEqual(cs.map((c) => (c.test.available ? c.test.pAdjusted : null)), holmAdjust(raw));
    assert.deepEqual(cs.map((c) => c.verdict), ['inconclusive', 'inconclusive', 'inconclusive']);
    assert.ok(cs.every((c) => c.difference.available && c.difference.ci95[0] > 0), 'the unadjusted 95% CI alone would have said "better"');
    assert.match(cs[0]!.summary, /Welch t adjusted p = 0\.0\d+/);
    assert.match(r.recommendation, /Holm-adjusted across 3 variants/);
    // Different p-values: Holm's step-down gives each its own multiplier.
    const mixed = compareMetrics([quality], [
      { name: 'A', values: { quality: control } }, { name: 'B', values: { quality: control.map((x) => x + 3 * shift) } }, { name: 'C', values: { quality: variant } },
    ], { resamples: 0 });
    const p = mixed.metrics[0]!.comparisons.map((c) => (c.test.available ? c.test.p : null));
    assert.deepEqual(mixed.metrics[0]!.comparisons.map((c) => (c.test.available ? c.test.pAdjusted : null)), holmAdjust(p));
  });

  it('verdict needs both: adjusted p < alpha AND a CI that excludes zero', () => {
    const evidence = (p: number, ci: [number, number]): ComparisonEvidence => ({
      test: { available: true, name: 'fisher-exact', statistic: null, df: null, p, pAdjusted: p },
      difference: { available: true, value: (ci[0] + ci[1]) / 2, ci95: ci, relative: null },
      effectSize: { available: true, name: 'cohens-h', value: 0.3, label: 'small', hedgesG: null },
      power: { available: true, achieved: 0.5, effectSize: 0.3 },
      sampleSize: { available: true, nPerVariant: 100, additionalPerVariant: 40 },
    });
    assert.equal(verdictOf({ better: 'higher' }, evidence(0.01, [-0.01, 0.2]), 0.05), 'inconclusive');
    assert.equal(verdictOf({ better: 'higher' }, evidence(0.08, [0.01, 0.2]), 0.05), 'inconclusive');
    assert.equal(verdictOf({ better: 'higher' }, evidence(0.01, [0.01, 0.2]), 0.05), 'better');
    assert.equal(verdictOf({ better: 'lower' }, evidence(0.01, [0.01, 0.2]), 0.05), 'worse');
    assert.equal(verdictOf({ better: 'lower' }, evidence(0.01, [-0.3, -0.1]), 0.05), 'better');
  });

  it('pass/fail metrics: Fisher + Newcombe unpaired, McNemar + Newcombe paired', () => {
    const rng = new Xoshiro128(6);
    const a = passes(rng, 400, 0.5);
    const b = a.map((x) => (x === 0 && rng.nextUint32() % 3 === 0 ? 1 : x)); // B fixes a third of A's failures
    const pass: MetricSpec = { name: 'pass rate', better: 'higher', kind: 'binary' };
    const r = compareMetrics([pass, { ...pass, name: 'pass rate (paired)', paired: true }], [
      { name: 'A', values: { 'pass rate': a, 'pass rate (paired)': a } }, { name: 'B', values: { 'pass rate': b, 'pass rate (paired)': b } },
    ]);
    const [u, p] = r.metrics.map((m) => m.comparisons[0]!);
    assert.ok(u!.test.available && u!.test.name === 'fisher-exact' && u!.alternativeTest?.available && u!.alternativeTest.name === 'two-proportion-z');
    assert.ok(p!.test.available && p!.test.name === 'mcnemar-exact' && p!.alternativeTest === null);
    assert.ok(p!.test.p < u!.test.p, 'pairing removes the shared noise');
    assert.equal(u!.bootstrap, null);
    assert.ok(u!.effectSize.available && u!.effectSize.name === 'cohens-h');
    assert.equal(p!.verdict, 'better');
    assert.match(p!.summary, /pass rate \(paired\): better, \+\d+\.\d pp \[\+\d+%\], 95% CI \+\d+\.\d pp to \+\d+\.\d pp, McNemar exact p = /);
    assert.equal(r.metrics[0]!.control.mean, a.reduce((s, x) => s + x, 0) / a.length);
  });

  it('bootstrap: reproducible with a seed and identical to a standalone A/B bootstrap of the same pair', () => {
    const rng = new Xoshiro128(7);
    const a = normals(rng, 120, 0.7, 0.1), b = normals(rng, 100, 0.73, 0.12), c = normals(rng, 120, 0.7, 0.1);
    const variants = [{ name: 'A', values: { quality: a, judge: a } }, { name: 'B', values: { quality: b, judge: c } }];
    const metrics: MetricSpec[] = [quality, { name: 'judge', better: 'higher', kind: 'continuous', paired: true }];
    const one = compareMetrics(metrics, variants, { seed: 9 }), two = compareMetrics(metrics, variants, { seed: 9 });
    assert.deepEqual(one, two);
    assert.deepEqual(one.bootstrap, { resamples: 10_000, seed: 9 });
    const [q, j] = one.metrics.map((m) => m.comparisons[0]!.bootstrap);
    const alone = bootstrapDifferenceCi(a, b, { seed: 9 }), pairedAlone = bootstrapDifferenceCi(a, c, { seed: 9, paired: true });
    assert.ok(q?.available && j?.available && alone.available && pairedAlone.available);
    assert.deepEqual(q.ci95, alone.ci95);
    assert.deepEqual(j.ci95, pairedAlone.ci95);
    const other = compareMetrics(metrics, variants, { seed: 10 }).metrics[0]!.comparisons[0]!.bootstrap;
    assert.ok(other?.available && other.ci95[0] !== q.ci95[0]);
  });

  it('control can be any variant; comparisons keep input order', () => {
    const rng = new Xoshiro128(8);
    const r = compareMetrics([quality], ['A', 'B', 'C'].map((name) => ({ name, values: { quality: normals(rng, 20, 0.7, 0.1) } })), { control: 'B', resamples: 0 });
    assert.equal(r.control, 'B');
    assert.deepEqual(r.metrics[0]!.comparisons.map((c) => c.variant), ['A', 'C']);
    assert.equal(r.metrics[0]!.control.variant, 'B');
  });

  it('4 variants × 5 metrics × 1,000 cases with a 10,000-resample bootstrap (timing printed, not asserted)', () => {
    const rng = new Xoshiro128(9);
    const specs: MetricSpec[] = [
      quality, cost, { name: 'p95 latency', better: 'lower', kind: 'continuous' }, { name: 'judge', better: 'higher', kind: 'continuous', paired: true },
      { name: 'tokens', better: 'lower', kind: 'continuous' },
    ];
    const variants = ['A', 'B', 'C', 'D'].map((name, k) => ({
      name,
      values: Object.fromEntries(specs.map((s, i) => [s.name, normals(rng, 1000, 1 + 0.01 * k * (i + 1), 0.3)])),
    }));
    const times: number[] = [];
    let result;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      result = compareMetrics(specs, variants);
      times.push(performance.now() - t);
    }
    console.log(`  [info] compareMetrics 4×5×1000 with bootstrap: first ${times[0]!.toFixed(0)} ms, then ${times.slice(1).map((t) => t.toFixed(0)).join(' / ')} ms`);
    assert.equal(result!.metrics.length, 5);
    assert.ok(result!.metrics.every((m) => m.comparisons.every((c) => c.bootstrap?.available)));
  });
});
