/*
 * Accuracy against a reference answer (`expected`). Without one the score is null ("no
 * reference"): correctness cannot be judged from the response alone, and a guess would be a
 * made-up number. The comparison is picked by the shape of the reference:
 * - JSON → share of agreeing leaves (1 = deep-equal, key order ignored);
 * - a number (with at most a unit or a variable name: "391", "$30", "37.8 °C", "x = 5") →
 *   right when the response states it, within the reference's precision;
 * - a short answer (≤ 5 tokens: "Canberra", "O(log n)") → share of its tokens the response
 *   contains (SQuAD-style containment, so "The capital is Canberra." is right);
 * - longer text → token F1 and ROUGE-L on lemmas, plus semantic similarity when an embedder
 *   is available.
 * Numbers in a reference are usually the fact being asked for, so a response that misses them
 * loses in proportion (short answers fully, long ones by half).
 */
import type { FoundNumber } from './answerMetrics';
import { answerTokens, extractNumbers, jsonAgreement, normalizeAnswer, numbersMatch, rougeL, tokenF1 } from './answerMetrics';
import { semanticSimilarity } from './relevance';
import { extractJson } from './responseShape';
import { STOP_WORDS } from './stopWords';
import type { DimensionScore, Embedder } from './types';

const SHORT_ANSWER_TOKENS = 5;
const SEMANTIC_SHARE = 0.3;
// Leftovers of a numeric reference that do not change what the answer is: units, currency, "x =".
const UNIT_WORDS = new Set('c f k x y n km kg g mb gb kb kib h ms s usd eur gbp percent degrees degree celsius fahrenheit'.split(' '));

export function scoreAccuracy(response: string, expected: string | null | undefined, embedder: Embedder | null): DimensionScore {
  if (expected === null || expected === undefined || expected.trim() === '') return { score: null, reason: 'no reference' };
  if (response.trim() === '') return { score: 0, reason: 'The response is empty', evidence: { method: 'empty' } };
  if (normalizeAnswer(response) === normalizeAnswer(expected)) return { score: 1, reason: 'Exact match with the reference (normalised)', evidence: { method: 'exact' } };

  const expectedJson = parseJsonReference(expected);
  if (expectedJson !== undefined) {
    const actual = extractJson(response);
    if (actual === undefined) return { score: 0, reason: 'The reference is JSON; the response contains none', evidence: { method: 'json' } };
    const agreement = jsonAgreement(actual, expectedJson);
    return {
      score: round(agreement),
      reason: agreement === 1 ? 'JSON deep-equal to the reference' : `JSON differs from the reference: ${Math.round(agreement * 100)}% of its values agree`,
      evidence: { method: 'json', agreement: round(agreement) },
    };
  }

  const refNumbers = extractNumbers(expected);
  const gotNumbers = extractNumbers(response);
  const matched = refNumbers.filter((r) => gotNumbers.some((g) => numbersMatch(r, g)));
  const numberShare = refNumbers.length === 0 ? 1 : matched.length / refNumbers.length;
  const refTokens = answerTokens(expected).filter((t) => !STOP_WORDS.has(t));
  const words = refTokens.filter((t) => !/^\d/.test(t));

  if (refNumbers.length > 0 && words.every((w) => UNIT_WORDS.has(w))) {
    const ok = numberShare === 1;
    return {
      score: ok ? 1 : 0,
      reason: ok ? `States the reference value ${describe(refNumbers)}` : `Expected ${describe(refNumbers)}; the response ${gotNumbers.length > 0 ? `gives ${describe(gotNumbers.slice(0, 3))}` : 'gives no number'}`,
      evidence: { method: 'numeric', matched: matched.length, expected: refNumbers.length },
    };
  }

  const gotTokens = answerTokens(response);
  if (refTokens.length <= SHORT_ANSWER_TOKENS) {
    const have = new Set(gotTokens);
    const found = refTokens.filter((t) => have.has(t)).length;
    const recall = refTokens.length === 0 ? 0 : found / refTokens.length;
    const score = recall * numberShare;
    return {
      score: round(score),
      reason: recall === 1 && numberShare === 1 ? `Contains the reference answer "${expected.trim()}"` : `Contains ${found} of ${refTokens.length} tokens of the reference answer "${expected.trim()}"${numberNote(refNumbers, matched)}`,
      evidence: { method: 'short-answer', recall: round(recall), numbers: round(numberShare) },
    };
  }

  const f1 = tokenF1(gotTokens.filter((t) => !STOP_WORDS.has(t)), refTokens);
  const rl = rougeL(gotTokens, answerTokens(expected));
  const lexical = (f1 + rl) / 2;
  const semantic = embedder ? semanticSimilarity(embedder, response, expected) : null;
  const blended = semantic === null ? lexical : (1 - SEMANTIC_SHARE) * lexical + SEMANTIC_SHARE * semantic.score;
  const score = refNumbers.length === 0 ? blended : blended * (0.5 + 0.5 * numberShare);
  return {
    score: round(score),
    reason: `Against the reference: token F1 ${f1.toFixed(2)}, ROUGE-L ${rl.toFixed(2)}${semantic ? `, semantic similarity ${semantic.score.toFixed(2)}` : ''}${numberNote(refNumbers, matched)}`,
    evidence: { method: 'overlap', tokenF1: round(f1), rougeL: round(rl), semantic: semantic ? round(semantic.score) : null, numbers: round(numberShare) },
  };
}

function parseJsonReference(expected: string): unknown {
  const t = expected.trim();
  if (!/^[[{]/.test(t)) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

function describe(numbers: readonly FoundNumber[]): string {
  return numbers.map((n) => String(n.value)).join(', ');
}

function numberNote(ref: readonly FoundNumber[], matched: readonly FoundNumber[]): string {
  return ref.length === 0 ? '' : `; ${matched.length} of ${ref.length} reference numbers stated`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
