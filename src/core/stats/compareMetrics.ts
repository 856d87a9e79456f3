import { DEFAULT_RESAMPLES, DEFAULT_SEED, Xoshiro128, bootstrapMeans, checkBootstrapOptions, differenceOf, percentileInterval } from './bootstrap';
import type { CompareOptions, CompareResult, GroupSummary, MetricResult, MetricSpec, TestName, VariantComparison, VariantSamples } from './compareTypes';
import type { Sample } from './descriptive';
import { isConstant, mean, pairedDifferences, summarize } from './descriptive';
import { holmAdjust } from './multipleComparisons';
import { mcnemarExact, pairedCounts, pairedProportionDifference } from './pairedProportions';
import { mcnemarPower, mcnemarSampleSize, pairedPower, pairedSampleSize, proportionsPower, proportionsSampleSize, twoSamplePower, twoSampleSampleSize } from './power';
import { cohensH, fisherExact, proportionDifference, twoProportionZTest } from './proportions';
import { mannWhitneyU, wilcoxonSignedRank } from './rankTests';
import { comparisonSummary, overallRecommendation, verdictOf } from './recommendation';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';
import { cohensD, effectSizeLabel, hedgesG, meanDifference, pairedEffectSize, pairedTTest, welchTTest } from './tTests';

/*
 * compareMetrics: every variant against the control on every metric, Holm-adjusted across the
 * variants of each metric, with effect sizes, CIs, achieved power, "how many more cases", a
 * verdict per comparison and an overall recommendation. The result shape is documented in
 * compareTypes.ts.
 */

/** A comparison before Holm adjustment: the primary test has its raw p only. */
type Draft = Omit<VariantComparison, 'test' | 'verdict' | 'summary'> & { test: Stat<{ name: TestName; statistic: number | null; df: number | null; p: number }> };

interface Context { alpha: number; power: number; adjusted: boolean }

/** Values of one metric for one variant, validated; or why they cannot be used. */
function column(spec: MetricSpec, v: VariantSamples): Stat<{ data: Float64Array }> {
  const raw = v.values[spec.name];
  if (!raw) return notAvailable(`variant "${v.name}" has no values for "${spec.name}"`);
  const data = Float64Array.from(raw);
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) return notAvailable(`variant "${v.name}", metric "${spec.name}": case ${i + 1} is not a finite number`);
    if (spec.kind === 'binary' && x !== 0 && x !== 1) return notAvailable(`variant "${v.name}", metric "${spec.name}": pass/fail values must be 0 or 1 (case ${i + 1} is ${x})`);
  }
  return available({ data });
}

function groupSummary(spec: MetricSpec, v: VariantSamples, col: Stat<{ data: Float64Array }>): GroupSummary {
  const name = v.name;
  if (!col.available) return { variant: name, n: v.values[spec.name]?.length ?? 0, mean: null, sd: null, median: null };
  if (spec.kind === 'binary') return { variant: name, n: col.data.length, mean: col.data.length ? mean(col.data) : null, sd: null, median: null };
  return { variant: name, ...summarize(col.data) };
}

function withRelative(d: Stat<{ value: number; ci95: [number, number] }>, controlMean: number | null): VariantComparison['difference'] {
  if (!d.available) return d;
  return available({ value: d.value, ci95: d.ci95, relative: controlMean ? d.value / Math.abs(controlMean) : null });
}

function sampleSizeFrom(s: Stat<{ nPerGroup: number }>, have: number): VariantComparison['sampleSize'] {
  if (!s.available) return s;
  return available({ nPerVariant: s.nPerGroup, additionalPerVariant: Math.max(0, s.nPerGroup - have) });
}

function continuous(spec: MetricSpec, a: Float64Array, b: Float64Array, ctx: Context): Omit<Draft, 'variant' | 'group' | 'bootstrap'> {
  const paired = spec.paired === true;
  const t = paired ? pairedTTest(a, b) : welchTTest(a, b);
  const test: Draft['test'] = t.available ? available({ name: paired ? 'paired-t' : 'welch-t', statistic: t.t, df: t.df, p: t.p }) : t;
  const rankTest = paired ? wilcoxonSignedRank(a, b) : mannWhitneyU(a, b);
  const alternativeTest: Draft['alternativeTest'] = !rankTest.available ? rankTest
    : available({ name: paired ? 'wilcoxon-signed-rank' as const : 'mann-whitney-u' as const, statistic: 'u' in rankTest ? rankTest.u : rankTest.statistic, p: rankTest.p });
  const d = cohensD(a, b), g = hedgesG(a, b);
  const effectSize: Draft['effectSize'] = d.available ? available({ name: 'cohens-d', value: d.value, label: d.label, hedgesG: g.available ? g.value : null }) : d;
  // Power follows the primary test: d for Welch, d_z (differences) for the paired t-test.
  const powerEffect = paired ? pairedEffectSize(a, b) : d;
  let power: Draft['power'], sampleSize: Draft['sampleSize'];
  if (!powerEffect.available) {
    power = sampleSize = powerEffect;
  } else {
    const achieved = paired ? pairedPower(a.length, powerEffect.value, ctx.alpha) : twoSamplePower(a.length, b.length, powerEffect.value, ctx.alpha);
    power = achieved.available ? available({ achieved: achieved.power, effectSize: powerEffect.value }) : achieved;
    const needed = (paired ? pairedSampleSize : twoSampleSampleSize)(powerEffect.value, { alpha: ctx.alpha, power: ctx.power });
    sampleSize = sampleSizeFrom(needed, Math.min(a.length, b.length));
  }
  return { difference: withRelative(meanDifference(a, b, paired), a.length ? mean(a) : null), test, alternativeTest, effectSize, power, sampleSize };
}

function binary(spec: MetricSpec, a: Float64Array, b: Float64Array, ctx: Context): Omit<Draft, 'variant' | 'group' | 'bootstrap'> {
  const ca = { successes: a.reduce((s, x) => s + x, 0), total: a.length };
  const cb = { successes: b.reduce((s, x) => s + x, 0), total: b.length };
  const controlRate = a.length ? ca.successes / ca.total : null;
  const h = a.length && b.length ? cohensH(ca, cb) : Number.NaN;
  const effectSize: Draft['effectSize'] = Number.isFinite(h) ? available({ name: 'cohens-h', value: h, label: effectSizeLabel(h), hedgesG: null })
    : notAvailable('a group has no cases');
  const opts = { alpha: ctx.alpha, power: ctx.power };
  if (spec.paired) {
    const pc = pairedCounts(a, b);
    if (!pc.available) return { difference: pc, test: pc, alternativeTest: null, effectSize, power: pc, sampleSize: pc };
    const n = a.length, psi = (pc.aOnly + pc.bOnly) / n, delta = (pc.bOnly - pc.aOnly) / n;
    const m = mcnemarExact(pc);
    const achieved = mcnemarPower(n, psi, delta, ctx.alpha);
    return {
      difference: withRelative(pairedProportionDifference(pc), controlRate),
      test: m.available ? available({ name: 'mcnemar-exact', statistic: null, df: null, p: m.p }) : m,
      alternativeTest: null,
      effectSize,
      power: achieved.available ? available({ achieved: achieved.power, effectSize: h }) : achieved,
      sampleSize: sampleSizeFrom(mcnemarSampleSize(psi, delta, opts), n),
    };
  }
  const f = fisherExact(ca, cb), z = twoProportionZTest(ca, cb);
  const pa = ca.successes / ca.total, pb = cb.successes / cb.total;
  const achieved = a.length && b.length ? proportionsPower(pa, pb, a.length, b.length, ctx.alpha) : notAvailable('a group has no cases');
  return {
    difference: withRelative(proportionDifference(ca, cb), controlRate),
    test: f.available ? available({ name: 'fisher-exact', statistic: null, df: null, p: f.p }) : f,
    alternativeTest: z.available ? available({ name: 'two-proportion-z' as const, statistic: z.z, p: z.p }) : z,
    effectSize,
    power: achieved.available ? available({ achieved: achieved.power, effectSize: h }) : achieved,
    sampleSize: a.length && b.length ? sampleSizeFrom(proportionsSampleSize(pa, pb, opts), Math.min(a.length, b.length)) : notAvailable('a group has no cases'),
  };
}

/**
 * Resample means for every continuous metric: stream 0 for the control's own values, stream k
 * for the k-th other variant's values (or, when paired, its differences from the control).
 * Columns of a stream that have equal length share one index sequence (see bootstrap.ts).
 */
function bootstrapAll(metrics: readonly MetricSpec[], cols: Array<Array<Stat<{ data: Float64Array }>>>, order: number[], resamples: number, seed: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  order.forEach((vi, stream) => {
    const byLength = new Map<number, Array<{ key: string; data: Sample }>>();
    metrics.forEach((spec, mi) => {
      if (spec.kind !== 'continuous') return;
      const own = cols[mi]![vi]!;
      if (!own.available || own.data.length < 2) return;
      let data: Sample = own.data;
      if (spec.paired) {
        const ctrl = cols[mi]![order[0]!]!;
        if (stream === 0 || !ctrl.available || ctrl.data.length !== own.data.length) return;
        data = pairedDifferences(ctrl.data, own.data);
      }
      const list = byLength.get(data.length) ?? [];
      list.push({ key: `${mi}:${vi}`, data });
      byLength.set(data.length, list);
    });
    for (const list of byLength.values()) {
      const means = bootstrapMeans(list.map((c) => c.data), resamples, new Xoshiro128(seed, stream));
      list.forEach((c, k) => out.set(c.key, means[k]!));
    }
  });
  return out;
}

function bootstrapCi(spec: MetricSpec, a: Float64Array, b: Float64Array, ma: Float64Array | undefined, mb: Float64Array | undefined): Stat<{ ci95: [number, number] }> {
  if (spec.paired) {
    if (a.length !== b.length) return notAvailable(`paired samples must have the same length (have ${a.length} and ${b.length})`);
    if (a.length < 2 || !mb) return notAvailable(`the bootstrap needs at least 2 pairs (have ${a.length})`);
    if (isConstant(pairedDifferences(a, b))) return notAvailable('every pair differs by the same amount, so resampling cannot vary the difference');
    return available({ ci95: percentileInterval(Float64Array.from(mb)) });
  }
  if (!ma || !mb) return notAvailable(`the bootstrap needs at least 2 values per group (have ${a.length} and ${b.length})`);
  if (isConstant(a) && isConstant(b)) return notAvailable('both groups have zero variance, so resampling cannot vary the difference');
  return available({ ci95: percentileInterval(differenceOf(mb, ma)) });
}

/** Compares every variant with the control on every metric. Throws on malformed input (not on thin data). */
export function compareMetrics(metrics: readonly MetricSpec[], variants: readonly VariantSamples[], options: CompareOptions = {}): CompareResult {
  if (variants.length < 2) throw new Error('compareMetrics needs at least two variants');
  const names = variants.map((v) => v.name);
  if (new Set(names).size !== names.length) throw new Error('variant names must be unique');
  if (new Set(metrics.map((m) => m.name)).size !== metrics.length) throw new Error('metric names must be unique');
  const control = options.control ?? names[0]!;
  const ci = names.indexOf(control);
  if (ci < 0) throw new Error(`control "${control}" is not one of the variants (${names.join(', ')})`);
  const alpha = options.alpha ?? 0.05, power = options.power ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be between 0 and 1 (got ${alpha})`);
  if (!(power > 0 && power < 1)) throw new Error(`power must be between 0 and 1 (got ${power})`);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES, seed = options.seed ?? DEFAULT_SEED;
  const bad = resamples === 0 ? null : checkBootstrapOptions(resamples, seed);
  if (bad) throw new Error(bad);

  const order = [ci, ...names.map((_, i) => i).filter((i) => i !== ci)]; // control first: stream 0
  const cols = metrics.map((spec) => variants.map((v) => column(spec, v)));
  const boot = resamples > 0 ? bootstrapAll(metrics, cols, order, resamples, seed) : null;
  const ctx: Context = { alpha, power, adjusted: names.length > 2 };

  const results: MetricResult[] = metrics.map((spec, mi) => {
    const ctrlCol = cols[mi]![ci]!;
    const drafts: Draft[] = order.slice(1).map((vi) => {
      const col = cols[mi]![vi]!;
      const group = groupSummary(spec, variants[vi]!, col);
      if (!ctrlCol.available || !col.available) {
        const why = notAvailable(reasonOf(ctrlCol.available ? col : ctrlCol));
        return { variant: names[vi]!, group, difference: why, test: why, alternativeTest: null, effectSize: why, bootstrap: null, power: why, sampleSize: why };
      }
      const a = ctrlCol.data, b = col.data;
      const body = spec.kind === 'binary' ? binary(spec, a, b, ctx) : continuous(spec, a, b, ctx);
      const bootstrap = spec.kind === 'continuous' && boot ? bootstrapCi(spec, a, b, boot.get(`${mi}:${ci}`), boot.get(`${mi}:${vi}`)) : null;
      return { variant: names[vi]!, group, ...body, bootstrap };
    });
    const adjusted = holmAdjust(drafts.map((d) => (d.test.available ? d.test.p : null)));
    const comparisons: VariantComparison[] = drafts.map((d, k) => {
      const test: VariantComparison['test'] = d.test.available ? available({ ...stripAvailable(d.test), pAdjusted: adjusted[k]! }) : d.test;
      const judged = { ...d, test, verdict: verdictOf(spec, { ...d, test }, alpha) };
      return { ...judged, summary: comparisonSummary(spec, control, judged, ctx) };
    });
    return {
      name: spec.name, better: spec.better, kind: spec.kind, paired: spec.paired === true,
      control: groupSummary(spec, variants[ci]!, ctrlCol), comparisons, summary: comparisons.map((c) => c.summary).join('\n'),
    };
  });
  const overall = overallRecommendation(results, control, names.filter((n) => n !== control), ctx);
  return {
    schema: 'promptlab.stats.compare/1', control, variants: names, alpha, targetPower: power,
    bootstrap: resamples > 0 ? { resamples, seed } : null, metrics: results, winner: overall.winner, recommendation: overall.text,
  };
}

function reasonOf(s: Stat<object>): string {
  return s.available ? '' : s.reason;
}

function stripAvailable<T extends { available: true }>(s: T): Omit<T, 'available'> {
  const { available: _available, ...rest } = s;
  return rest;
}
