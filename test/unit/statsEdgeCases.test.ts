import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stat } from '../../src/core/stats';
import {
  Xoshiro128, bootstrapDifferenceCi, cohensD, compareMetrics, fisherExact, hedgesG, mannWhitneyU, mcnemarExact, mcnemarPower, meanDifference,
  pairedCounts, pairedEffectSize, pairedPower, pairedProportionDifference, pairedTTest, proportionDifference, proportionsPower, proportionsSampleSize,
  twoProportionZTest, twoSamplePower, twoSampleSampleSize, welchTTest, wilcoxonSignedRank, wilsonInterval,
} from '../../src/core/stats';

function reasonOf(s: Stat<object>): string {
  assert.equal(s.available, false, `expected "not available", got ${JSON.stringify(s)}`);
  return (s as { reason: string }).reason;
}

/** Every number anywhere inside is finite: no NaN or Infinity ever leaks out. */
function assertFinite(value: unknown, where = 'result'): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFinite(v, `${where}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertFinite(v, `${where}.${k}`);
}

describe('stats: what cannot be computed says why', () => {
  it('t-tests, differences and effect sizes', () => {
    assert.match(reasonOf(welchTTest([1], [2, 3])), /at least 2 values per group \(have 1 and 2\)/);
    assert.match(reasonOf(welchTTest([0.1, 0.1, 0.1], [0.3, 0.3])), /both groups have zero variance/);
    assert.ok(welchTTest([0.1, 0.1, 0.1], [0.3, 0.35]).available, 'one constant group is fine');
    assert.match(reasonOf(pairedTTest([1, 2, 3], [1, 2])), /same length/);
    assert.match(reasonOf(pairedTTest([1], [2])), /at least 2 pairs/);
    assert.match(reasonOf(pairedTTest([1, 2, 3], [2, 3, 4])), /zero variance of the differences/);
    assert.match(reasonOf(meanDifference([1, 1], [2, 2])), /zero variance/);
    assert.match(reasonOf(cohensD([5, 5], [7, 7, 7])), /zero variance/);
    assert.match(reasonOf(hedgesG([1], [2])), /at least 3 values/);
    assert.match(reasonOf(pairedEffectSize([1, 2], [2, 3])), /zero variance/);
  });

  it('rank tests', () => {
    assert.match(reasonOf(mannWhitneyU([], [1, 2])), /at least 1 value per group/);
    assert.match(reasonOf(mannWhitneyU([3, 3, 3, 3, 3, 3, 3, 3, 3], [3, 3, 3, 3, 3, 3, 3, 3, 3])), /every value is tied/);
    assert.match(reasonOf(wilcoxonSignedRank([1, 2, 3], [1, 2, 3])), /all differences are zero/);
    assert.match(reasonOf(wilcoxonSignedRank([1, 2], [1])), /same length/);
    assert.match(reasonOf(wilcoxonSignedRank([], [])), /no pairs/);
  });

  it('proportions', () => {
    assert.match(reasonOf(twoProportionZTest({ successes: 0, total: 10 }, { successes: 0, total: 12 })), /every case failed in both groups/);
    assert.match(reasonOf(twoProportionZTest({ successes: 4, total: 4 }, { successes: 9, total: 9 })), /every case passed/);
    assert.match(reasonOf(twoProportionZTest({ successes: 0, total: 0 }, { successes: 1, total: 2 })), /group a has no cases/);
    assert.match(reasonOf(fisherExact({ successes: 5, total: 4 }, { successes: 1, total: 2 })), /successes must be an integer from 0 to total/);
    assert.match(reasonOf(wilsonInterval({ successes: 0, total: 0 })), /no cases/);
    // SciPy's semantics: a zero margin means only one table is possible, p = 1.
    assert.deepEqual(fisherExact({ successes: 0, total: 10 }, { successes: 0, total: 3 }), { available: true, p: 1 });
    const w0 = wilsonInterval({ successes: 0, total: 7 }), w7 = wilsonInterval({ successes: 7, total: 7 });
    assert.ok(w0.available && w0.ci95[0] === 0 && w7.available && w7.ci95[1] === 1, 'Wilson bounds are exact at the edges');
    assert.match(reasonOf(proportionDifference({ successes: 1, total: 0 }, { successes: 1, total: 2 })), /group a/);
  });

  it('paired pass/fail', () => {
    assert.match(reasonOf(pairedCounts([1, 0, 2], [1, 1, 0])), /must be 0 or 1 \(case 3 has 2 and 0\)/);
    assert.match(reasonOf(pairedCounts([1, 0], [1])), /same length/);
    const same = pairedCounts([1, 0, 1], [1, 0, 1]);
    assert.ok(same.available);
    assert.match(reasonOf(mcnemarExact(same)), /no discordant pairs/);
    // φ̂ = 0 (uncorrelated outcomes) reduces Newcombe's paired interval to the independent one.
    const c = { both: 4, aOnly: 3, bOnly: 6, neither: 7 }; // r·u − s·t = 10 = n/2: φ̂ = 0 after Newcombe's adjustment
    const paired = pairedProportionDifference(c), indep = proportionDifference({ successes: 7, total: 20 }, { successes: 10, total: 20 });
    assert.ok(paired.available && indep.available);
    assert.equal(paired.value, indep.value);
    paired.ci95.forEach((x, i) => assert.ok(Math.abs(x - indep.ci95[i]!) < 1e-15));
    // Positive correlation narrows it, and the estimate stays inside.
    const corr = pairedProportionDifference({ both: 30, aOnly: 2, bOnly: 9, neither: 40 });
    assert.ok(corr.available && corr.ci95[0] < corr.value && corr.value < corr.ci95[1] && corr.ci95[0] > 0);
    assert.match(reasonOf(mcnemarPower(50, 0.1, 0)), /equal/);
  });

  it('power and sample size', () => {
    assert.match(reasonOf(twoSampleSampleSize(0)), /effect size is zero/);
    assert.match(reasonOf(twoSampleSampleSize(Number.NaN)), /finite number/);
    assert.match(reasonOf(twoSampleSampleSize(0.5, { alpha: 1.5 })), /alpha must be between 0 and 1/);
    assert.match(reasonOf(twoSampleSampleSize(0.5, { power: 1 })), /power must be between/);
    assert.match(reasonOf(twoSampleSampleSize(0.0005)), /more than 10,000,000 cases per group/);
    assert.match(reasonOf(twoSamplePower(1, 10, 0.5)), /at least 2 cases per group/);
    assert.match(reasonOf(pairedPower(1, 0.5)), /at least 2 pairs/);
    assert.match(reasonOf(proportionsSampleSize(0.3, 0.3)), /rates are equal/);
    assert.match(reasonOf(proportionsPower(0, 1, 10, 10)), /variance is zero/);
    // A huge effect needs the minimum: two cases per group, not fewer.
    const big = twoSampleSampleSize(25);
    assert.ok(big.available && big.nPerGroup === 2);
    // Negative effects are sized by their magnitude.
    const neg = twoSampleSampleSize(-0.5), pos = twoSampleSampleSize(0.5);
    assert.ok(neg.available && pos.available && neg.nExact === pos.nExact);
  });

  it('bootstrap', () => {
    assert.match(reasonOf(bootstrapDifferenceCi([1], [1, 2])), /at least 2 values per group/);
    assert.match(reasonOf(bootstrapDifferenceCi([2, 2], [3, 3])), /zero variance/);
    assert.match(reasonOf(bootstrapDifferenceCi([1, 2], [2, 3], { paired: true })), /same amount/);
    assert.match(reasonOf(bootstrapDifferenceCi([1, 2], [2, 4], { seed: -1 })), /seed must be an integer/);
    assert.match(reasonOf(bootstrapDifferenceCi([1, 2], [2, 4], { resamples: 10 })), /resamples must be an integer ≥ 100/);
  });

  it('never returns NaN or Infinity, whatever the (small, odd) input', () => {
    const rng = new Xoshiro128(99);
    const pick = (k: number) => rng.nextUint32() % k;
    const sample = () => Array.from({ length: pick(5) }, () => (pick(3) === 0 ? 1 : pick(4) / 2));
    for (let i = 0; i < 400; i++) {
      const a = sample(), b = pick(2) ? sample() : a.map((x) => x + pick(3) - 1);
      for (const s of [welchTTest(a, b), pairedTTest(a, b), meanDifference(a, b), meanDifference(a, b, true), cohensD(a, b), hedgesG(a, b),
        mannWhitneyU(a, b), wilcoxonSignedRank(a, b), bootstrapDifferenceCi(a, b, { resamples: 200 }), bootstrapDifferenceCi(a, b, { resamples: 200, paired: true })]) {
        if (s.available) assertFinite(s);
        else assert.ok(s.reason.length > 10);
      }
      const ca = { successes: pick(4), total: 3 + pick(3) }, cb = { successes: pick(4), total: 3 + pick(3) };
      for (const s of [twoProportionZTest(ca, cb), fisherExact(ca, cb), wilsonInterval(ca), proportionDifference(ca, cb)]) if (s.available) assertFinite(s);
    }
  });

  it('compareMetrics: missing or malformed data makes that comparison "not-available", with the reason, in plain JSON', () => {
    const r = compareMetrics(
      [{ name: 'quality', better: 'higher', kind: 'continuous' }, { name: 'pass', better: 'higher', kind: 'binary' }, { name: 'one', better: 'lower', kind: 'continuous' }],
      [
        { name: 'A', values: { quality: [0.5, 0.6, 0.7], pass: [1, 0, 1], one: [3] } },
        { name: 'B', values: { quality: [0.6, 0.7, 0.8], pass: [1, 0.5, 1], one: [4] } },
        { name: 'C', values: { pass: [0, 0, 1], one: [2] } },
      ],
      { resamples: 200 },
    );
    assertFinite(r);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    const [quality, pass, one] = r.metrics;
    assert.equal(quality!.comparisons[1]!.verdict, 'not-available');
    assert.match(quality!.comparisons[1]!.summary, /C vs A on quality: not available \(variant "C" has no values for "quality"\)/);
    assert.equal(pass!.comparisons[0]!.verdict, 'not-available');
    assert.match(pass!.comparisons[0]!.summary, /pass\/fail values must be 0 or 1 \(case 2 is 0.5\)/);
    assert.equal(one!.comparisons[0]!.test.available, false);
    assert.match(one!.comparisons[0]!.summary, /at least 2 values per group/);
    assert.throws(() => compareMetrics([], [{ name: 'A', values: {} }]), /at least two variants/);
    assert.throws(() => compareMetrics([], [{ name: 'A', values: {} }, { name: 'A', values: {} }]), /unique/);
    assert.throws(() => compareMetrics([], [{ name: 'A', values: {} }, { name: 'B', values: {} }], { control: 'Z' }), /control "Z"/);
  });
});
