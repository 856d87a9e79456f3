import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Stat } from '../../src/core/stats';
import {
  cohensD, fisherExact, hedgesG, holmAdjust, mannWhitneyU, mcnemarExact, meanDifference, noncentralTCdf, normalCdf, normalQuantile, pairedSampleSize,
  pairedTTest, proportionDifference, studentTCdf, studentTQuantile, studentTTwoSidedP, twoProportionZTest, twoSamplePower, twoSampleSampleSize,
  welchTTest, wilcoxonSignedRank, wilsonInterval,
} from '../../src/core/stats';

/*
 * Every number here is checked against SciPy (test/fixtures/stats/make_reference.py, which
 * also documents how each reference was computed). Tolerance: 1e-9 relative; statistics that
 * can be exactly 0 (t, z, differences, CI bounds) also pass within 1e-12 absolute.
 */

interface Counts { successes: number; total: number }
interface ContinuousCase {
  name: string; paired: boolean; a: number[]; b: number[];
  welch?: { t: number; df: number; p: number }; pairedT?: { t: number; df: number; p: number };
  difference?: { mean: number; ci95: [number, number] }; mannWhitney?: { u: number; p: number };
  wilcoxon?: { statistic: number; p: number }; cohensD?: number; hedgesG?: number;
}
interface Reference {
  scipy: string;
  continuous: ContinuousCase[];
  rates: Array<{ a: Counts; b: Counts; twoProportion?: { z: number; p: number }; fisher: { p: number }; wilson: { a: [number, number]; b: [number, number] }; difference: { value: number; ci95: [number, number] } }>;
  mcnemar: Array<{ aOnly: number; bOnly: number; p: number }>;
  power: {
    sampleSize: Array<{ effectSize: number; alpha: number; power: number; nExact: number; nPerGroup: number; nPerGroupNormal: number }>;
    pairedSampleSize: Array<{ effectSize: number; alpha: number; power: number; nExact: number; nPerGroup: number }>;
    achieved: Array<{ na: number; nb: number; effectSize: number; alpha: number; power: number }>;
  };
  distributions: { tCdfAndTwoSidedP: number[][]; tQuantile: number[][]; normalCdf: number[][]; normalQuantile: number[][]; noncentralTCdf: number[][] };
  holm: Array<{ p: number[]; adjusted: number[] }>;
}

const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/stats/reference.json'), 'utf8')) as Reference;
const RTOL = 1e-9;
let worst = { rel: 0, label: '' };
let compared = 0;

function close(label: string, got: number, want: number, atol = 0): void {
  compared++;
  const abs = Math.abs(got - want);
  const rel = want === 0 ? abs : abs / Math.abs(want);
  if (Math.abs(want) > 1e-12 && rel > worst.rel) worst = { rel, label };
  assert.ok(abs <= atol || rel <= RTOL, `${label}: got ${got}, SciPy ${want} (relative error ${rel.toExponential(2)})`);
}

function get<T extends object>(label: string, s: Stat<T>): T {
  assert.ok(s.available, `${label}: not available (${s.available ? '' : s.reason})`);
  return s;
}

describe(`stats vs SciPy ${ref.scipy} reference values`, () => {
  after(() => console.log(`  [info] ${compared} values compared; max relative error ${worst.rel.toExponential(2)} (${worst.label})`));

  it('has at least 30 independent reference cases, including the edge cases the spec lists', () => {
    const cases = ref.continuous.length + ref.rates.length + ref.mcnemar.length + ref.power.sampleSize.length + ref.power.pairedSampleSize.length
      + ref.power.achieved.length + ref.holm.length;
    assert.ok(cases >= 30, `${cases} cases`);
    const names = ref.continuous.map((c) => c.name).join(' | ');
    for (const w of ['ties', 'n = 2', 'identical', 'zero variance', '1e-12', 'very unequal']) assert.ok(names.includes(w), w);
  });

  for (const c of ref.continuous) {
    it(`continuous: ${c.name}`, () => {
      if (c.welch) {
        const w = get('welch', welchTTest(c.a, c.b));
        close('welch t', w.t, c.welch.t, 1e-12); close('welch df', w.df, c.welch.df); close('welch p', w.p, c.welch.p);
      }
      if (c.pairedT) {
        const t = get('paired t', pairedTTest(c.a, c.b));
        close('paired t', t.t, c.pairedT.t, 1e-12); close('paired df', t.df, c.pairedT.df); close('paired p', t.p, c.pairedT.p);
      }
      if (c.difference) {
        const d = get('difference', meanDifference(c.a, c.b, c.paired));
        close('difference', d.value, c.difference.mean, 1e-12);
        close('ci low', d.ci95[0], c.difference.ci95[0], 1e-12); close('ci high', d.ci95[1], c.difference.ci95[1], 1e-12);
      }
      if (c.mannWhitney) {
        const m = get('mann-whitney', mannWhitneyU(c.a, c.b));
        close('U', m.u, c.mannWhitney.u, 1e-12); close('mann-whitney p', m.p, c.mannWhitney.p);
      }
      if (c.wilcoxon) {
        const w = get('wilcoxon', wilcoxonSignedRank(c.a, c.b));
        close('W', w.statistic, c.wilcoxon.statistic, 1e-12); close('wilcoxon p', w.p, c.wilcoxon.p);
      }
      if (c.cohensD !== undefined) {
        close("Cohen's d", get('d', cohensD(c.a, c.b)).value, c.cohensD, 1e-12);
        close("Hedges' g", get('g', hedgesG(c.a, c.b)).value, c.hedgesG!, 1e-12);
      }
    });
  }

  it('pass/fail: z-test, Fisher, Wilson, Newcombe', () => {
    for (const r of ref.rates) {
      const label = `${r.a.successes}/${r.a.total} vs ${r.b.successes}/${r.b.total}`;
      const z = twoProportionZTest(r.a, r.b);
      if (r.twoProportion) {
        const v = get(label, z);
        close(`${label} z`, v.z, r.twoProportion.z, 1e-12); close(`${label} z p`, v.p, r.twoProportion.p);
      } else assert.equal(z.available, false, `${label}: SciPy has no z here`);
      close(`${label} fisher`, get(label, fisherExact(r.a, r.b)).p, r.fisher.p);
      const wa = get(label, wilsonInterval(r.a)), wb = get(label, wilsonInterval(r.b));
      [wa.ci95[0], wa.ci95[1], wb.ci95[0], wb.ci95[1]].forEach((x, i) => close(`${label} wilson ${i}`, x, [...r.wilson.a, ...r.wilson.b][i]!, 1e-15));
      const d = get(label, proportionDifference(r.a, r.b));
      close(`${label} difference`, d.value, r.difference.value, 1e-15);
      close(`${label} newcombe low`, d.ci95[0], r.difference.ci95[0], 1e-15); close(`${label} newcombe high`, d.ci95[1], r.difference.ci95[1], 1e-15);
    }
  });

  it("McNemar's exact test = binomtest on the discordant pairs", () => {
    for (const m of ref.mcnemar) close(`mcnemar ${m.aOnly}/${m.bOnly}`, get('mcnemar', mcnemarExact({ both: 3, neither: 4, aOnly: m.aOnly, bOnly: m.bOnly })).p, m.p);
  });

  it('sample size from the noncentral t (R power.t.test: d = .5, power .8, alpha .05 → 63.77 → 64) and the normal approximation', () => {
    const headline = get('n', twoSampleSampleSize(0.5));
    assert.equal(headline.nExact.toFixed(2), '63.77');
    assert.equal(headline.nPerGroup, 64);
    for (const s of ref.power.sampleSize) {
      const n = get('n', twoSampleSampleSize(s.effectSize, { alpha: s.alpha, power: s.power }));
      close(`nExact d=${s.effectSize}`, n.nExact, s.nExact);
      assert.equal(n.nPerGroup, s.nPerGroup);
      assert.equal(n.nPerGroupNormal, s.nPerGroupNormal);
    }
    for (const s of ref.power.pairedSampleSize) {
      const n = get('paired n', pairedSampleSize(s.effectSize, { alpha: s.alpha, power: s.power }));
      close(`paired nExact dz=${s.effectSize}`, n.nExact, s.nExact);
      assert.equal(n.nPerGroup, s.nPerGroup);
    }
    for (const s of ref.power.achieved) close(`power ${s.na}/${s.nb} d=${s.effectSize}`, get('power', twoSamplePower(s.na, s.nb, s.effectSize, s.alpha)).power, s.power);
  });

  it('t, normal and noncentral t distributions (CDF, two-sided p, quantiles)', () => {
    const d = ref.distributions;
    for (const [x, df, cdf, p2] of d.tCdfAndTwoSidedP) {
      close(`t cdf(${x}, ${df})`, studentTCdf(x!, df!), cdf!);
      close(`t two-sided p(${x}, ${df})`, studentTTwoSidedP(x!, df!), p2!);
    }
    for (const [p, df, q] of d.tQuantile) close(`t quantile(${p}, ${df})`, studentTQuantile(p!, df!), q!);
    for (const [x, c] of d.normalCdf) close(`normal cdf(${x})`, normalCdf(x!), c!);
    for (const [p, q] of d.normalQuantile) close(`normal quantile(${p})`, normalQuantile(p!), q!, 1e-15);
    for (const [x, df, ncp, c] of d.noncentralTCdf) close(`nct cdf(${x}, ${df}, ${ncp})`, noncentralTCdf(x!, df!, ncp!), c!);
  });

  it("Holm's adjustment (by hand in the reference script, as statsmodels' multipletests 'holm')", () => {
    for (const h of ref.holm) holmAdjust(h.p).forEach((x, i) => close(`holm ${h.p.join(',')}[${i}]`, x!, h.adjusted[i]!, 1e-15));
    assert.deepEqual(holmAdjust([0.01, null, 0.04]), [0.02, null, 0.04]);
  });
});
