/*
 * Relevance: how well the response addresses the task (user content minus framing, see
 * promptTask.ts). Two signals:
 * - semantic: cosine of task and response embeddings, rescaled so that the cosine of unrelated
 *   texts (≈ 0.1 for the local word vectors: median over random word bags) maps to 0 and that of
 *   a direct answer (≈ 0.7) to 1;
 * - lexical: BM25 coverage of the task's lemmas by the response (lexicalOverlap.ts).
 * Semantic similarity carries more weight because answers rephrase; lexical overlap anchors the
 * names and terms an embedding blurs. Without an embedder the score is lexical only, and the
 * reason says so.
 */
import type { ChatMessage } from '../prompt/types';
import type { TermWeight } from './lexicalOverlap';
import { bm25Coverage } from './lexicalOverlap';
import { taskText } from './promptTask';
import { contentLemmas } from './textTokens';
import { cosine } from './wordVectorEmbedder';
import type { DimensionScore, Embedder } from './types';

const UNRELATED_COSINE = 0.1;
const ANSWER_COSINE = 0.7;
const SEMANTIC_SHARE = 0.6;

export interface RelevanceContext {
  embedder: Embedder | null;
  /** Why there is no embedder, for the reason. */
  embedderProblem: string | null;
  weight: TermWeight;
}

/** Cosine rescaled to 0..1 between "unrelated" and "direct answer" (see above); null when either text has no vector. */
export function semanticSimilarity(embedder: Embedder, a: string, b: string): { cosine: number; score: number } | null {
  const [va, vb] = embedder.embed([a, b]);
  if (!va || !vb) return null;
  const c = cosine(va, vb);
  return { cosine: c, score: clamp01((c - UNRELATED_COSINE) / (ANSWER_COSINE - UNRELATED_COSINE)) };
}

/** Similarity of two texts on the relevance scale (semantic + lexical, as below); lexical only without an embedder. */
export function textSimilarity(response: string, reference: string, embedder: Embedder | null, weight: TermWeight = () => 1): { score: number; semantic: boolean } {
  const lexical = bm25Coverage(contentLemmas(reference), contentLemmas(response), weight);
  const semantic = embedder ? semanticSimilarity(embedder, reference, response) : null;
  if (semantic === null) return { score: lexical, semantic: false };
  return { score: SEMANTIC_SHARE * semantic.score + (1 - SEMANTIC_SHARE) * lexical, semantic: true };
}

export function scoreRelevance(prompt: ChatMessage[] | string, response: string, ctx: RelevanceContext): DimensionScore {
  if (response.trim() === '') return { score: 0, reason: 'The response is empty' };
  const task = taskText(prompt);
  const taskTerms = contentLemmas(task);
  if (taskTerms.length === 0 && task.trim() === '') return { score: null, reason: 'The prompt has no task text to compare with' };
  const lexical = bm25Coverage(taskTerms, contentLemmas(response), ctx.weight);
  const semantic = ctx.embedder ? semanticSimilarity(ctx.embedder, task, response) : null;
  const evidence: Record<string, unknown> = { lexical: round(lexical), taskTerms: new Set(taskTerms).size };
  if (semantic === null) {
    const why = ctx.embedder ? 'no embeddable words in the task or response' : (ctx.embedderProblem ?? 'no embedder');
    return { score: round(lexical), reason: `Lexical overlap only (${why}): BM25 coverage of the task's terms ${lexical.toFixed(2)}`, evidence: { ...evidence, semantic: null } };
  }
  const score = SEMANTIC_SHARE * semantic.score + (1 - SEMANTIC_SHARE) * lexical;
  const name = ctx.embedder?.name ?? 'embedder';
  return {
    score: round(score),
    reason: `Semantic similarity to the task ${semantic.cosine.toFixed(2)} (${name}; ${semantic.score.toFixed(2)} on the 0–1 scale) and BM25 coverage of its terms ${lexical.toFixed(2)}`,
    evidence: { ...evidence, semantic: round(semantic.score), cosine: round(semantic.cosine), embedder: name },
  };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
