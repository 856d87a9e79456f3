import { pairedPower, pairedSampleSize, twoSamplePower, twoSampleSampleSize } from '../stats/power';
import type { Stat } from '../stats/stat';
import { available, notAvailable } from '../stats/stat';
import { sampleVariance } from '../stats/descriptive';
import type { Design } from './design';

/*
 * The sample-size advisor shown before a comparison runs.
 *
 * Effect size: --effect-size d wins; else, when this prompt has ≥ 10 scored past executions,
 * d = minDifference / SD of their quality scores (the smallest quality difference worth
 * detecting, default 0.05 on the 0–1 scale); else the conventional medium effect d = 0.5.
 * Paired designs use the paired t-test's sample size with d_z = d, which is exact when the
 * two variants' scores of a case correlate at 0.5 (SD of differences = SD) and conservative
 * for stronger correlation. With more than two variants alpha is split (Bonferroni) across
 * the comparisons with the control, a safe bound for the Holm correction applied later.
 * Cases are the units of analysis (repeats are averaged per case), so repeats cost tokens but
 * do not count as extra cases.
 */

export interface PastExecutionFacts {
  executions: number;
  qualityScores: number[];
  meanTokensIn: number | null;
  meanTokensOut: number | null;
  meanCostUsd: number | null;
  meanLatencyMs: number | null;
}

export interface AdvisorInput {
  design: Design;
  variants: number;
  /** Test cases available in the dataset. */
  datasetCases: number;
  repeat: number;
  concurrency: number;
  effectSize?: number;
  minDifference?: number;
  past: PastExecutionFacts | null;
  alpha?: number;
  power?: number;
}

export interface Advice {
  design: Design;
  alpha: number;
  comparisonAlpha: number;
  targetPower: number;
  effectSize: { value: number; source: 'given' | 'past-variance' | 'assumed'; qualitySd: number | null; minDifference: number | null };
  /** Cases per variant the test needs (pairs for the paired design). */
  neededPerVariant: Stat<{ n: number }>;
  /** Cases per variant this dataset gives. */
  availablePerVariant: number;
  /** Power with the cases available, at the effect size above. */
  achievablePower: Stat<{ power: number }>;
  executions: number;
  estimate: {
    tokensIn: Stat<{ total: number; perExecution: number }>;
    tokensOut: Stat<{ total: number; perExecution: number }>;
    costUsd: Stat<{ total: number; perExecution: number }>;
    durationMs: Stat<{ total: number; perExecution: number }>;
  };
  warnings: string[];
}

export const DEFAULT_EFFECT_SIZE = 0.5;
export const DEFAULT_MIN_DIFFERENCE = 0.05;
const MIN_PAST_FOR_VARIANCE = 10;

export function adviseSampleSize(input: AdvisorInput): Advice {
  const alpha = input.alpha ?? 0.05, power = input.power ?? 0.8;
  const comparisonAlpha = alpha / Math.max(1, input.variants - 1);
  const warnings: string[] = [];
  let effect: Advice['effectSize'];
  const scores = input.past?.qualityScores ?? [];
  const sd = scores.length >= 2 ? Math.sqrt(sampleVariance(scores)) : null;
  if (input.effectSize !== undefined) effect = { value: Math.abs(input.effectSize), source: 'given', qualitySd: sd, minDifference: null };
  else if (scores.length >= MIN_PAST_FOR_VARIANCE && sd !== null && sd > 0) {
    const minDifference = input.minDifference ?? DEFAULT_MIN_DIFFERENCE;
    effect = { value: minDifference / sd, source: 'past-variance', qualitySd: sd, minDifference };
  } else effect = { value: DEFAULT_EFFECT_SIZE, source: 'assumed', qualitySd: sd, minDifference: null };

  const paired = input.design === 'paired';
  const ss = paired ? pairedSampleSize(effect.value, { alpha: comparisonAlpha, power }) : twoSampleSampleSize(effect.value, { alpha: comparisonAlpha, power });
  const neededPerVariant: Stat<{ n: number }> = ss.available ? available({ n: ss.nPerGroup }) : ss;
  const availablePerVariant = paired ? input.datasetCases : Math.floor(input.datasetCases / Math.max(1, input.variants));
  const achievablePower = paired ? pairedPower(availablePerVariant, effect.value, comparisonAlpha) : twoSamplePower(availablePerVariant, availablePerVariant, effect.value, comparisonAlpha);
  if (neededPerVariant.available && availablePerVariant < neededPerVariant.n) {
    warnings.push(`dataset too small: ${availablePerVariant} case(s) per variant, ${neededPerVariant.n} needed for power ${power} at d = ${effect.value.toFixed(2)}`
      + (achievablePower.available ? ` (power with these cases: ${achievablePower.power.toFixed(2)})` : ''));
  }
  if (availablePerVariant < 2) warnings.push('fewer than 2 cases per variant: no test can be computed');

  const executions = (paired ? input.datasetCases * input.variants : input.datasetCases) * input.repeat;
  const est = (mean: number | null | undefined, what: string, scale = 1): Stat<{ total: number; perExecution: number }> => {
    if (!input.past || input.past.executions === 0) return notAvailable('no past executions of this prompt');
    if (mean === null || mean === undefined) return notAvailable(`past executions of this prompt have no ${what}`);
    return available({ total: (mean * executions) / scale, perExecution: mean });
  };
  return {
    design: input.design, alpha, comparisonAlpha, targetPower: power, effectSize: effect, neededPerVariant, availablePerVariant, achievablePower, executions,
    estimate: {
      tokensIn: est(input.past?.meanTokensIn, 'token counts'),
      tokensOut: est(input.past?.meanTokensOut, 'token counts'),
      costUsd: est(input.past?.meanCostUsd, 'cost (unpriced provider)'),
      // Requests overlap up to the concurrency limit.
      durationMs: est(input.past?.meanLatencyMs, 'latency', Math.max(1, input.concurrency)),
    },
    warnings,
  };
}

/** Facts of past executions for the advisor (successful ones only). */
export function pastFacts(rows: ReadonlyArray<{ success: boolean; qualityScore: number | null; tokensIn: number | null; tokensOut: number | null; costUsd: number | null; latencyMs: number | null }>): PastExecutionFacts {
  const ok = rows.filter((r) => r.success);
  const meanOf = (xs: Array<number | null>) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return {
    executions: ok.length,
    qualityScores: ok.map((r) => r.qualityScore).filter((x): x is number => x !== null),
    meanTokensIn: meanOf(ok.map((r) => r.tokensIn)), meanTokensOut: meanOf(ok.map((r) => r.tokensOut)),
    meanCostUsd: meanOf(ok.map((r) => r.costUsd)), meanLatencyMs: meanOf(ok.map((r) => r.latencyMs)),
  };
}
