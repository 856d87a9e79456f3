import type { Stat } from './stat';
import type { EffectLabel } from './tTests';

/*
 * Input and result shapes of compareMetrics. The result is plain JSON (no NaN, no undefined,
 * no typed arrays) and versioned by `schema`; fields are only ever added within a version.
 *
 * CompareResult (schema "promptlab.stats.compare/1")
 * {
 *   schema, control: "A", variants: ["A", "B", …], alpha: 0.05, targetPower: 0.8,
 *   bootstrap: { resamples, seed } | null,        // null when disabled (resamples: 0)
 *   metrics: [{
 *     name, better: "higher" | "lower", kind: "continuous" | "binary", paired,
 *     control: { variant, n, mean, sd, median },    // binary: mean = pass rate, sd/median null
 *     comparisons: [{                               // one per non-control variant, input order
 *       variant, group: { variant, n, mean, sd, median },
 *       difference:  Stat<{ value, ci95: [lo, hi], relative }>,   // variant − control; relative = value / |control mean| or null
 *       test:        Stat<{ name, statistic, df, p, pAdjusted }>, // primary test, pAdjusted = Holm across variants
 *       alternativeTest: Stat<{ name, statistic, p }> | null,      // rank test / z-test; null if none applies
 *       effectSize:  Stat<{ name, value, label, hedgesG }>,      // Cohen's d (continuous) or h (binary), signed like difference
 *       bootstrap:   Stat<{ ci95: [lo, hi] }> | null,            // continuous only, null when disabled
 *       power:       Stat<{ achieved, effectSize }>,              // at the observed effect, for the primary test
 *       sampleSize:  Stat<{ nPerVariant, additionalPerVariant }>, // for targetPower at the observed effect
 *       verdict: "better" | "worse" | "inconclusive" | "not-available",
 *       summary: "B vs A on quality: better, +0.0800 [+9.6%], 95% CI …, Welch t p = …, d = …"
 *     }],
 *     summary                                       // the comparisons' summaries, one per line
 *   }],
 *   winner: "B" | null,                             // recommended variant (the control when every variant is worse)
 *   recommendation: "Recommend B over A: …"
 * }
 * A Stat is { available: true, …fields } or { available: false, reason }.
 *
 * Primary tests: Welch t (continuous), paired t (continuous, paired), Fisher's exact test
 * (binary), McNemar's exact test (binary, paired). A verdict other than "inconclusive" needs
 * the Holm-adjusted p below alpha AND a 95% CI of the difference that excludes zero.
 */

export type Better = 'higher' | 'lower';
export type MetricKind = 'continuous' | 'binary';

export interface MetricSpec {
  /** Key into each variant's `values`, also used in the wording ("better quality"). */
  name: string;
  better: Better;
  kind: MetricKind;
  /** Same cases, in the same order, for every variant (then tests are paired). */
  paired?: boolean;
}

export interface VariantSamples {
  name: string;
  /** Per-case values by metric name; binary metrics hold 0 (fail) or 1 (pass). */
  values: Readonly<Record<string, ArrayLike<number>>>;
}

export interface CompareOptions {
  /** Variant name of the control; default the first variant. */
  control?: string;
  /** Significance level for verdicts, default 0.05. */
  alpha?: number;
  /** Power used for "how many more cases", default 0.8. */
  power?: number;
  /** Bootstrap resamples for continuous metrics, default 10,000; 0 turns the bootstrap off. */
  resamples?: number;
  /** Bootstrap seed (unsigned 32-bit), default 1. */
  seed?: number;
}

export type TestName = 'welch-t' | 'paired-t' | 'fisher-exact' | 'mcnemar-exact' | 'mann-whitney-u' | 'wilcoxon-signed-rank' | 'two-proportion-z';
export type Verdict = 'better' | 'worse' | 'inconclusive' | 'not-available';

export interface GroupSummary {
  variant: string;
  n: number;
  mean: number | null;
  sd: number | null;
  median: number | null;
}

export interface VariantComparison {
  variant: string;
  group: GroupSummary;
  difference: Stat<{ value: number; ci95: [number, number]; relative: number | null }>;
  test: Stat<{ name: TestName; statistic: number | null; df: number | null; p: number; pAdjusted: number }>;
  alternativeTest: Stat<{ name: TestName; statistic: number | null; p: number }> | null;
  effectSize: Stat<{ name: 'cohens-d' | 'cohens-h'; value: number; label: EffectLabel; hedgesG: number | null }>;
  bootstrap: Stat<{ ci95: [number, number] }> | null;
  power: Stat<{ achieved: number; effectSize: number }>;
  sampleSize: Stat<{ nPerVariant: number; additionalPerVariant: number }>;
  verdict: Verdict;
  summary: string;
}

export interface MetricResult {
  name: string;
  better: Better;
  kind: MetricKind;
  paired: boolean;
  control: GroupSummary;
  comparisons: VariantComparison[];
  summary: string;
}

export interface CompareResult {
  schema: 'promptlab.stats.compare/1';
  control: string;
  variants: string[];
  alpha: number;
  targetPower: number;
  bootstrap: { resamples: number; seed: number } | null;
  metrics: MetricResult[];
  winner: string | null;
  recommendation: string;
}
