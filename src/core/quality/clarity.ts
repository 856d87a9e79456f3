/*
 * Clarity of the prose, from plain-language principles (short sentences, common words, no
 * padding, no repetition, structure where it was asked for):
 * - readability: Flesch reading ease and grade level, lowered by dense unexplained acronyms;
 * - sentences: share of words in over-long sentences (> 30 words) and an uneven spread;
 * - repetition: repeated sentences, repeated word trigrams, one word dominating the text;
 * - filler: hedges and padding phrases per 100 words;
 * - structure: only when the prompt asked for a list, steps, a table or headings.
 * Code blocks are not prose and are left out. Output cut off at the token limit (finish reason
 * 'length') is penalised: a half sentence or half a function is hard to use however clear the
 * rest is.
 */
import type { ChatMessage } from '../prompt/types';
import type { FormatRequest } from './formatRequests';
import { formatCredit, formatRequests } from './formatRequests';
import { instructionText } from './promptTask';
import { readabilityOf } from './readability';
import { nonEmptyLines, shapeOf } from './responseShape';
import { contentLemmas, proseOf, sentences, wordCount } from './textTokens';
import type { DimensionScore } from './types';

const LONG_SENTENCE_WORDS = 30;
const TRUNCATED_FACTOR = 0.6;
const LOOKS_CUT_FACTOR = 0.85;
const WEIGHTS = { readability: 0.3, sentences: 0.25, repetition: 0.25, filler: 0.1, structure: 0.3 };

// Hedges and padding that plain-language guides tell writers to cut.
const FILLER = /\b(?:basically|essentially|actually|literally|kind of|sort of|you know|i mean|in a sense|so to speak|more or less|at the end of the day|it is important to note that|it is worth (?:noting|mentioning) that|it should be noted that|needless to say|if that makes sense|when you think about it|in order to|for all intents and purposes|as a matter of fact|to be honest|maybe|perhaps|possibly|i think|i guess|well,|so,|really|very)\b/gi;
const PASSIVE = /\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?\w+(?:ed|en)\b/gi;

export function scoreClarity(prompt: ChatMessage[] | string, response: string, finishReason: string | null): DimensionScore {
  if (response.trim() === '') return { score: 0, reason: 'The response is empty' };
  const prose = proseOf(response);
  const sents = sentences(prose.split('\n').filter((l) => !/^\s*\|/.test(l)).join('\n'));
  const words = wordCount(prose);
  const parts: Array<[keyof typeof WEIGHTS, number]> = [];
  const issues: string[] = [];
  const evidence: Record<string, unknown> = {};

  if (words >= 8 && sents.length > 0) {
    const stats = readabilityOf(sents);
    const ease = clamp01((stats.readingEase - 10) / 50);
    const grade = clamp01(1 - (stats.gradeLevel - 8) / 10);
    const tokens = prose.match(/\b[\p{L}\d]+\b/gu) ?? [];
    const acronyms = tokens.filter((t) => /^[A-Z][A-Z0-9]{1,}$/.test(t) && /[A-Z]{2}/.test(t)).length / Math.max(1, tokens.length);
    const passive = (prose.match(PASSIVE) ?? []).length / Math.max(1, sents.length);
    const readability = ((ease + grade) / 2) * clamp01(1 - Math.max(0, acronyms - 0.04) * 5) * (1 - 0.3 * clamp01(passive - 0.3));
    parts.push(['readability', readability]);
    Object.assign(evidence, { readingEase: round(stats.readingEase), gradeLevel: round(stats.gradeLevel), wordsPerSentence: round(stats.wordsPerSentence) });
    if (readability < 0.5) issues.push(`hard to read (Flesch reading ease ${stats.readingEase.toFixed(0)}, grade ${stats.gradeLevel.toFixed(1)}${acronyms > 0.04 ? ', dense acronyms' : ''}${passive > 0.6 ? ', mostly passive voice' : ''})`);

    const lengths = sents.map((s) => wordCount(s));
    const longWords = lengths.filter((n) => n > LONG_SENTENCE_WORDS).reduce((a, b) => a + b, 0);
    const longShare = longWords / Math.max(1, lengths.reduce((a, b) => a + b, 0));
    const spread = coefficientOfVariation(lengths);
    const sentenceScore = 0.75 * (1 - longShare) + 0.25 * (lengths.length >= 3 ? clamp01(1 - Math.max(0, spread - 0.75)) : 1);
    parts.push(['sentences', sentenceScore]);
    evidence['longSentences'] = lengths.filter((n) => n > LONG_SENTENCE_WORDS).length;
    if (longShare > 0.3) issues.push(`${lengths.filter((n) => n > LONG_SENTENCE_WORDS).length} sentence(s) over ${LONG_SENTENCE_WORDS} words`);

    const repetition = repetitionOf(sents, prose);
    parts.push(['repetition', 1 - repetition]);
    evidence['repetition'] = round(repetition);
    if (repetition > 0.25) issues.push('repetitive');

    const fillers = (prose.match(FILLER) ?? []).length;
    const fillerRate = (fillers * 100) / words;
    parts.push(['filler', clamp01(1 - fillerRate / 6)]);
    evidence['fillerPer100Words'] = round(fillerRate);
    if (fillerRate > 2) issues.push(`${fillers} filler/hedging phrase(s)`);
  }

  const requested = formatRequests(instructionText(prompt));
  if (requested.length > 0) {
    const shape = shapeOf(response);
    const credits = requested.map((r): [FormatRequest, number] => [r, formatCredit(r, shape)]);
    parts.push(['structure', Math.min(...credits.map(([, c]) => c))]);
    evidence['requestedStructure'] = requested;
    for (const [r, c] of credits) if (c < 1) issues.push(`asked for ${r === 'list' ? 'a list' : r === 'numbered' ? 'numbered steps' : r === 'table' ? 'a table' : 'headings'}${c > 0 ? ', only partly there' : ', none found'}`);
  }

  const total = parts.reduce((s, [k]) => s + WEIGHTS[k], 0);
  let score = total === 0 ? 1 : parts.reduce((s, [k, v]) => s + WEIGHTS[k] * v, 0) / total;
  const truncated = finishReason === 'length';
  const looksCut = !truncated && (finishReason === null || finishReason === undefined) && endsMidSentence(response);
  if (truncated) {
    score *= TRUNCATED_FACTOR;
    issues.push("cut off at the token limit (finish reason 'length')");
  } else if (looksCut) {
    score *= LOOKS_CUT_FACTOR;
    issues.push('appears to end mid-sentence');
  }
  evidence['truncated'] = truncated;
  const base = words < 8 && requested.length === 0 ? 'Too short to judge readability' : 'Clear';
  const reason = issues.length === 0 ? (base === 'Clear' ? 'Clear: readable sentences, no repetition or padding' : `${base}; no problems found`) : `Clarity issues: ${issues.join('; ')}`;
  return { score: round(score), reason, evidence };
}

/** 0..1: how much of the text repeats itself. */
function repetitionOf(sents: readonly string[], prose: string): number {
  const norm = sents.map((s) => s.toLowerCase().replace(/[^\p{L}\d ]/gu, '').trim()).filter((s) => s !== '');
  const duplicateSentences = norm.length === 0 ? 0 : 1 - new Set(norm).size / norm.length;
  const lemmas = contentLemmas(prose);
  const trigrams: string[] = [];
  for (let i = 0; i + 2 < lemmas.length; i++) trigrams.push(`${lemmas[i]} ${lemmas[i + 1]} ${lemmas[i + 2]}`);
  const repeatedTrigrams = trigrams.length < 3 ? 0 : 1 - new Set(trigrams).size / trigrams.length;
  let dominance = 0;
  if (lemmas.length >= 12) {
    const counts = new Map<string, number>();
    for (const l of lemmas) counts.set(l, (counts.get(l) ?? 0) + 1);
    const top = Math.max(...counts.values()) / lemmas.length;
    dominance = clamp01((top - 0.12) / 0.25);
  }
  return clamp01(Math.max(duplicateSentences * 1.2, repeatedTrigrams * 1.5, dominance));
}

/** Prose whose last line stops without closing punctuation after a long run of words. */
function endsMidSentence(response: string): boolean {
  const trimmed = response.trimEnd();
  if (/```\s*$/.test(trimmed)) return false;
  const last = nonEmptyLines(trimmed).pop() ?? '';
  if (/^\s*(?:[-*•+]|\d+[.)]|#|\|)/.test(last)) return false;
  return wordCount(last) > 8 && /[\p{L},]$/u.test(last);
}

function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (mean === 0) return 0;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return Math.sqrt(variance) / mean;
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
