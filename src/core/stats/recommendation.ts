import type { MetricResult, MetricSpec, TestName, VariantComparison, Verdict } from './compareTypes';
import { formatCount, formatNumber, formatP, formatPercent, formatSigned } from './format';

/*
 * Plain-language verdicts. The rule is deliberately strict: "better"/"worse" needs the
 * Holm-adjusted p below alpha AND a 95% CI of the difference that excludes zero; anything else
 * is "inconclusive", said together with the power reached and how many more cases per variant
 * would give the target power at the observed effect. Effect size and CI always sit next to p.
 */

export interface WordingContext {
  alpha: number;
  power: number;
  /** More than one variant against the control, so p-values are Holm-adjusted. */
  adjusted: boolean;
}

const TEST_LABEL: Record<TestName, string> = {
  'welch-t': 'Welch t', 'paired-t': 'paired t', 'fisher-exact': 'Fisher exact', 'mcnemar-exact': 'McNemar exact',
  'mann-whitney-u': 'Mann-Whitney U', 'wilcoxon-signed-rank': 'Wilcoxon signed-rank', 'two-proportion-z': 'two-proportion z',
};

/** The parts of a comparison that the wording uses. */
export type ComparisonEvidence = Pick<VariantComparison, 'test' | 'difference' | 'effectSize' | 'power' | 'sampleSize'>;
type Judged = ComparisonEvidence;

export function verdictOf(spec: Pick<MetricSpec, 'better'>, c: Judged, alpha: number): Verdict {
  if (!c.test.available || !c.difference.available) return 'not-available';
  const [lo, hi] = c.difference.ci95;
  if (!(c.test.pAdjusted < alpha) || (lo <= 0 && hi >= 0)) return 'inconclusive';
  return (lo > 0) === (spec.better === 'higher') ? 'better' : 'worse';
}

/** Differences of pass rates read best as percentage points. */
function amount(spec: MetricSpec, x: number): string {
  if (spec.kind !== 'binary') return formatSigned(x);
  const pp = x * 100;
  return `${pp > 0 ? '+' : pp < 0 ? '-' : ''}${Math.abs(pp).toFixed(1)} pp`;
}

function interval(spec: MetricSpec, ci: readonly [number, number]): string {
  return `95% CI ${amount(spec, ci[0])} to ${amount(spec, ci[1])}`;
}

function reasonOf(c: Judged): string {
  for (const s of [c.test, c.difference]) if (!s.available) return s.reason;
  return 'not computable';
}

/** "+0.0800 [+9.6%], 95% CI +0.0300 to +0.130, Welch t adjusted p = 0.00210, d = 0.450 small" */
function evidence(spec: MetricSpec, c: Judged, ctx: WordingContext): string {
  if (!c.difference.available || !c.test.available) return reasonOf(c);
  const d = c.difference;
  const rel = d.relative !== null && d.relative !== 0 ? ` [${d.relative > 0 ? '+' : '-'}${formatPercent(d.relative)}]` : '';
  const p = `${TEST_LABEL[c.test.name]} ${ctx.adjusted ? 'adjusted p' : 'p'} = ${formatP(c.test.pAdjusted)}`;
  const eff = c.effectSize.available ? `, ${c.effectSize.name === 'cohens-h' ? 'h' : 'd'} = ${formatNumber(c.effectSize.value)} ${c.effectSize.label}` : '';
  return `${amount(spec, d.value)}${rel}, ${interval(spec, d.ci95)}, ${p}${eff}`;
}

/** "~340 more cases per variant for 80% power at this effect", or why not. */
function moreCases(c: Judged, ctx: WordingContext): string {
  const target = `${Math.round(ctx.power * 100)}% power`;
  if (!c.sampleSize.available) return c.sampleSize.reason;
  if (c.sampleSize.additionalPerVariant === 0) return `already enough cases for ${target} at this effect`;
  return `~${formatCount(c.sampleSize.additionalPerVariant)} more cases per variant for ${target} at this effect`;
}

export function comparisonSummary(spec: MetricSpec, control: string, c: Judged & Pick<VariantComparison, 'variant' | 'verdict'>, ctx: WordingContext): string {
  const head = `${c.variant} vs ${control} on ${spec.name}`;
  if (c.verdict === 'not-available') return `${head}: not available (${reasonOf(c)})`;
  const tail = c.verdict === 'inconclusive'
    ? `; power ${c.power.available ? formatPercent(c.power.achieved) : 'n/a'}, ${moreCases(c, ctx)}` : '';
  return `${head}: ${c.verdict}, ${evidence(spec, c, ctx)}${tail}`;
}

/**
 * Direction-free wording for one A/B comparison, for callers that do not know which way is
 * better (the CLI): "b is higher than a: …" or "Inconclusive: …". The verdict must come from
 * verdictOf with better = 'higher'.
 */
export function abSummary(spec: MetricSpec, c: Judged, verdict: Verdict, ctx: WordingContext): string {
  if (verdict === 'not-available') return `Not available: ${reasonOf(c)}.`;
  const unit = spec.kind === 'binary' ? 'pass rate' : 'mean';
  if (verdict === 'inconclusive') {
    return `Inconclusive: no significant difference in ${unit} at α = ${ctx.alpha} (${evidence(spec, c, ctx)}); power ${c.power.available ? formatPercent(c.power.achieved) : 'n/a'}, ${moreCases(c, ctx)}.`;
  }
  return `b's ${unit} is significantly ${verdict === 'better' ? 'higher' : 'lower'} than a's: ${evidence(spec, c, ctx)}.`;
}

function metricSpec(m: MetricResult): MetricSpec {
  return { name: m.name, better: m.better, kind: m.kind, paired: m.paired };
}

function winPhrase(m: MetricResult, c: VariantComparison, ctx: WordingContext): string {
  return `better ${m.name} (${evidence(metricSpec(m), c, ctx)})`;
}

/** Costs read naturally as "12% more cost"; without a usable relative change, "worse X (…)". */
function lossPhrase(m: MetricResult, c: VariantComparison, ctx: WordingContext): string {
  const spec = metricSpec(m);
  if (c.difference.available && c.difference.relative !== null && m.kind === 'continuous') {
    return `${formatPercent(c.difference.relative)} ${c.difference.value > 0 ? 'more' : 'less'} ${m.name} (${interval(spec, c.difference.ci95)})`;
  }
  return `worse ${m.name} (${evidence(spec, c, ctx)})`;
}

interface Tally { variant: string; wins: Array<[MetricResult, VariantComparison]>; losses: Array<[MetricResult, VariantComparison]>; open: MetricResult[]; untestable: MetricResult[] }

function tally(results: MetricResult[], variant: string): Tally {
  const t: Tally = { variant, wins: [], losses: [], open: [], untestable: [] };
  for (const m of results) {
    const c = m.comparisons.find((x) => x.variant === variant);
    if (!c) continue;
    if (c.verdict === 'better') t.wins.push([m, c]);
    else if (c.verdict === 'worse') t.losses.push([m, c]);
    else if (c.verdict === 'inconclusive') t.open.push(m);
    else t.untestable.push(m);
  }
  return t;
}

function rankKey(t: Tally, results: MetricResult[]): [number, number, number] {
  const first = t.wins[0]!;
  const eff = first[1].effectSize.available ? Math.abs(first[1].effectSize.value) : 0;
  return [-t.wins.length, results.indexOf(first[0]), -eff];
}

/** Overall wording and winner. Metric order is priority order when several variants qualify. */
export function overallRecommendation(results: MetricResult[], control: string, others: string[], ctx: WordingContext): { winner: string | null; text: string } {
  const tallies = others.map((v) => tally(results, v));
  const clean = tallies.filter((t) => t.wins.length > 0 && t.losses.length === 0);
  const mixed = tallies.filter((t) => t.wins.length > 0 && t.losses.length > 0);
  const adj = others.length > 1 ? `Holm-adjusted across ${others.length} variants, ` : '';
  if (clean.length > 0) {
    clean.sort((x, y) => {
      const kx = rankKey(x, results), ky = rankKey(y, results);
      return kx[0] - ky[0] || kx[1] - ky[1] || kx[2] - ky[2];
    });
    const best = clean[0]!;
    const parts = [`Recommend ${best.variant} over ${control}: ${best.wins.map(([m, c]) => winPhrase(m, c, ctx)).join('; ')}.`];
    if (best.open.length) parts.push(`No significant difference in ${best.open.map((m) => m.name).join(', ')}.`);
    if (best.untestable.length) parts.push(`Not testable: ${best.untestable.map((m) => m.name).join(', ')}.`);
    for (const t of clean.slice(1)) parts.push(`${t.variant} also improves ${t.wins.map(([m]) => m.name).join(', ')} with no significant loss.`);
    for (const t of mixed) parts.push(`${t.variant} trades ${t.wins.map(([m, c]) => winPhrase(m, c, ctx)).join('; ')} for ${t.losses.map(([m, c]) => lossPhrase(m, c, ctx)).join('; ')}.`);
    return { winner: best.variant, text: parts.join(' ') };
  }
  if (mixed.length > 0) {
    const parts = ['No clear winner: every improvement comes with a significant trade-off.'];
    for (const t of mixed) parts.push(`${t.variant} vs ${control}: ${t.wins.map(([m, c]) => winPhrase(m, c, ctx)).join('; ')}, but ${t.losses.map(([m, c]) => lossPhrase(m, c, ctx)).join('; ')}.`);
    parts.push('Pick the variant whose gains matter more to you.');
    return { winner: null, text: parts.join(' ') };
  }
  const losers = tallies.filter((t) => t.losses.length > 0);
  if (losers.length > 0) {
    const allLose = losers.length === tallies.length;
    const parts = [allLose ? `Keep ${control}: every variant is significantly worse on at least one metric and better on none.` : `No variant beats ${control}.`];
    for (const t of losers) parts.push(`${t.variant}: ${t.losses.map(([m, c]) => lossPhrase(m, c, ctx)).join('; ')}.`);
    return { winner: allLose ? control : null, text: parts.join(' ') };
  }
  const notes: string[] = [];
  for (const m of results) {
    const candidates = m.comparisons.filter((c) => c.sampleSize.available);
    candidates.sort((x, y) => (x.sampleSize.available && y.sampleSize.available ? x.sampleSize.additionalPerVariant - y.sampleSize.additionalPerVariant : 0));
    const c = candidates[0];
    if (c && c.sampleSize.available) {
      const eff = c.effectSize.available ? `, ${c.effectSize.name === 'cohens-h' ? 'h' : 'd'} = ${formatNumber(c.effectSize.value)}` : '';
      notes.push(`${m.name}: ${moreCases(c, ctx).replace(' at this effect', '')} (${c.variant} vs ${control}${eff})`);
    }
  }
  const head = `Inconclusive: no variant differs significantly from ${control} (${adj}α = ${ctx.alpha}).`;
  const tail = notes.length ? ` At the observed effects: ${notes.join('; ')}.` : ' The observed effects are zero or could not be estimated, so more cases alone will not settle it.';
  return { winner: null, text: head + tail };
}
