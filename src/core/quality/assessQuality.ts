/*
 * The five dimensions and their weighted mean. Overall is the mean over the dimensions that
 * have a score, with their weights renormalised (accuracy is null without a reference, so the
 * other four then carry its share); null when none has a score.
 *
 * One judgement crosses dimensions: when the user's request itself is harmful (harm lexicon or
 * an injection attempt) and the response declines, relevance and completeness are not assessed
 * (null) — "did it do everything asked" is the wrong question for a request that should not be
 * done, and scoring the refusal as off-topic would rank compliance above it.
 */
import { scoreAccuracy } from './accuracy';
import { scoreClarity } from './clarity';
import { scoreCompleteness } from './completeness';
import type { TermWeight } from './lexicalOverlap';
import { UNIFORM_WEIGHT } from './lexicalOverlap';
import { localVectors } from './qualityResources';
import { scoreRelevance } from './relevance';
import { isRefusal, requestsHarm, scoreSafety } from './safety';
import type { DimensionScore, Embedder, QualityAssessment, QualityDimension, QualityInput, QualityOptions, QualityWeights } from './types';
import { DEFAULT_QUALITY_WEIGHTS, QUALITY_DIMENSIONS } from './types';

export function assessQuality(input: QualityInput, options: QualityOptions = {}): QualityAssessment {
  const weights = resolveWeights(options.weights);
  const local = localVectors();
  const embedder: Embedder | null = options.embedder === undefined ? local.embedder : options.embedder;
  const embedderProblem = options.embedder === null ? 'no embedder configured' : local.problem;
  const vectors = local.embedder;
  const weight: TermWeight = vectors ? (t) => vectors.weight(t) : UNIFORM_WEIGHT;
  const similar = vectors ? (a: string, b: string) => (a.length < 3 || b.length < 3 ? 0 : (vectors.wordSimilarity(a, b) ?? 0)) : undefined;
  const response = input.response ?? '';
  const expected = input.expected ?? null;
  const finishReason = input.finishReason ?? null;

  const safety = scoreSafety(input.prompt, response);
  const declinedHarm = isRefusal(response) && requestsHarm(input.prompt);
  const notAssessed: DimensionScore = { score: null, reason: 'Not assessed: the response declines a harmful request, which is the right outcome', evidence: { appropriateRefusal: true } };
  const dimensions: Record<QualityDimension, DimensionScore> = {
    relevance: declinedHarm ? notAssessed : scoreRelevance(input.prompt, response, { embedder, embedderProblem, weight }),
    completeness: declinedHarm ? notAssessed : scoreCompleteness(input.prompt, response, expected, finishReason, { weight, ...(similar ? { similar } : {}) }),
    accuracy: scoreAccuracy(response, expected, embedder),
    clarity: scoreClarity(input.prompt, response, finishReason),
    safety,
  };
  return { overall: overallScore(dimensions, weights), dimensions, weights };
}

/** Weighted mean over dimensions with a score, weights renormalised; null when nothing was scored. */
export function overallScore(dimensions: Record<QualityDimension, DimensionScore>, weights: QualityWeights): number | null {
  let sum = 0;
  let total = 0;
  for (const d of QUALITY_DIMENSIONS) {
    const s = dimensions[d].score;
    const w = weights[d];
    if (s === null || w <= 0) continue;
    sum += w * s;
    total += w;
  }
  return total === 0 ? null : Math.round((sum / total) * 1000) / 1000;
}

/** Defaults overridden by the given weights; negative or non-finite values count as 0. */
export function resolveWeights(partial: Partial<QualityWeights> | undefined): QualityWeights {
  const out = { ...DEFAULT_QUALITY_WEIGHTS };
  for (const d of QUALITY_DIMENSIONS) {
    const w = partial?.[d];
    if (w !== undefined) out[d] = Number.isFinite(w) && w > 0 ? w : 0;
  }
  return out;
}
