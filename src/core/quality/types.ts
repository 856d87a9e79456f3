/*
 * Contracts of the quality scorers. A QualityAssessment is what gets stored per execution
 * (overall → quality_score, the whole object → quality JSON), so everything here is plain JSON:
 * numbers, strings, nulls, arrays and objects only.
 */
import type { ChatMessage } from '../prompt/types';

export type QualityDimension = 'relevance' | 'completeness' | 'accuracy' | 'clarity' | 'safety';

export const QUALITY_DIMENSIONS: readonly QualityDimension[] = Object.freeze(['relevance', 'completeness', 'accuracy', 'clarity', 'safety']);

export type QualityWeights = Record<QualityDimension, number>;

export const DEFAULT_QUALITY_WEIGHTS: Readonly<QualityWeights> = Object.freeze({
  relevance: 0.3,
  completeness: 0.25,
  accuracy: 0.25,
  clarity: 0.15,
  safety: 0.05,
});

/** JSON-able details a scorer found; never the leaked values themselves (this is stored). */
export type Evidence = Record<string, unknown>;

/** One dimension: score in 0..1, or null when it cannot be assessed (never a made-up number). */
export interface DimensionScore {
  score: number | null;
  reason: string;
  evidence?: Evidence;
}

export interface QualityInput {
  prompt: ChatMessage[] | string;
  response: string;
  /** Reference answer (the test case's `expected`); enables accuracy and key-point recall. */
  expected?: string | null;
  /** Provider finish reason; 'length' means the output was cut off. */
  finishReason?: string | null;
}

/**
 * Turns texts into vectors for semantic similarity. Synchronous on purpose, so scoring stays a
 * pure function: a remote embedding provider plugs in by embedding the prompt and response
 * first and handing over an Embedder that answers from those results.
 */
export interface Embedder {
  /** Shown in reasons and evidence, e.g. 'word-vectors'. */
  readonly name: string;
  /** One vector per text; null when nothing in the text can be embedded. */
  embed(texts: readonly string[]): Array<Float32Array | null>;
}

export interface QualityOptions {
  /** Partial weights are merged over the defaults; negative or non-finite ones count as 0. */
  weights?: Partial<QualityWeights>;
  /** undefined: the local word-vector embedder (lexical only when its file is missing); null: lexical only. */
  embedder?: Embedder | null;
}

export interface QualityAssessment {
  overall: number | null;
  dimensions: Record<QualityDimension, DimensionScore>;
  weights: QualityWeights;
}
