/*
 * Completeness: did the response do everything that was asked? Each explicit requirement
 * (requirements.ts) earns 0..1 credit; with a reference answer, so does each of its key points.
 * When the prompt states nothing checkable, the share of the request's topic words the response
 * takes up stands in ("addresses the request"). Every unmet requirement is named in the reason.
 */
import type { ChatMessage } from '../prompt/types';
import type { TermWeight } from './lexicalOverlap';
import { termCoverage } from './lexicalOverlap';
import { instructionText, taskText } from './promptTask';
import type { Requirement } from './requirements';
import { extractRequirements } from './requirements';
import { countItems, extractJson, hasTitle, measure, nonEmptyLines } from './responseShape';
import { contentLemmas, lemmasMatch, sentences } from './textTokens';
import type { DimensionScore } from './types';

export interface CompletenessContext {
  weight: TermWeight;
  /** Word similarity for near-synonyms (key points, topic coverage); absent without word vectors. */
  similar?: (a: string, b: string) => number;
}

interface Check {
  label: string;
  credit: number;
  detail: string;
}

/** A requirement counts as met at this credit; below it, the reason names it. */
const MET = 0.999;
/** Share of a clause's or item's own words that must appear for it to count as answered. */
const MENTION_SHARE = 0.5;
/** A response using this share of the request's topic words is taken to address all of it (answers rephrase). */
const TOPIC_SHARE = 0.5;
const TRUNCATED_FACTOR = 0.7;

export function scoreCompleteness(prompt: ChatMessage[] | string, response: string, expected: string | null, finishReason: string | null, ctx: CompletenessContext): DimensionScore {
  if (response.trim() === '') return { score: 0, reason: 'The response is empty', evidence: { requirements: 0 } };
  const lemmas = contentLemmas(response);
  const requirements = extractRequirements(prompt);
  const checks = requirements.map((r) => check(r, response, lemmas));
  const points = expected ? keyPoints(expected) : [];
  const pointChecks = points.map((p) => {
    const cov = termCoverage(p.terms, lemmas, ctx.weight, ctx.similar);
    return { label: `key point "${p.text}"`, credit: cov >= MENTION_SHARE ? 1 : cov, detail: `key point not covered: "${p.text}"` };
  });
  const all = [...checks, ...pointChecks];
  let score: number;
  let summary: string;
  if (all.length === 0) {
    const terms = contentLemmas(instructionText(prompt) || taskText(prompt));
    const cov = termCoverage(terms, lemmas, ctx.weight, ctx.similar);
    score = terms.length === 0 ? 1 : Math.min(1, cov / TOPIC_SHARE);
    summary = terms.length === 0 ? 'No explicit requirements found; the response is non-empty' : `No explicit requirements found; the response takes up ${pct(cov)} of the request's topic words`;
  } else {
    score = all.reduce((s, c) => s + c.credit, 0) / all.length;
    const unmet = all.filter((c) => c.credit < MET);
    const met = all.length - unmet.length;
    const parts = [`${met} of ${all.length} requirements met`];
    if (pointChecks.length > 0) parts.push(`${pointChecks.filter((c) => c.credit >= MET).length} of ${pointChecks.length} expected key points covered`);
    summary = parts.join('; ') + (unmet.length > 0 ? `. Unmet: ${unmet.map((c) => c.detail).join('; ')}` : '');
  }
  const truncated = finishReason === 'length';
  if (truncated) score *= TRUNCATED_FACTOR;
  const reason = truncated ? `${summary}. The output was cut off (finish reason 'length')` : summary;
  return {
    score: round(score),
    reason,
    evidence: {
      requirements: requirements.map((r, i) => ({ kind: r.kind, label: r.label, credit: round(checks[i]?.credit ?? 0) })),
      ...(points.length > 0 ? { keyPoints: points.length, keyPointsCovered: pointChecks.filter((c) => c.credit >= MET).length } : {}),
      truncated,
    },
  };
}

function check(r: Requirement, response: string, lemmas: readonly string[]): Check {
  switch (r.kind) {
    case 'count': {
      const found = countItems(response, r.unit);
      const credit = r.mode === 'exact' ? Math.min(found, r.n) / Math.max(found, r.n, 1) : Math.min(1, found / r.n);
      return { label: r.label, credit, detail: `asked for ${r.mode === 'exact' ? 'exactly ' : ''}${r.n} ${r.unit}, found ${found}` };
    }
    case 'length': {
      const got = measure(response, r.unit);
      const credit = r.mode === 'max' ? (got <= r.n ? 1 : r.n / got) : r.mode === 'min' ? Math.min(1, got / r.n) : Math.min(got, r.n) / Math.max(got, r.n, 1);
      const want = r.mode === 'max' ? `at most ${r.n}` : r.mode === 'min' ? `at least ${r.n}` : `${r.n}`;
      return { label: r.label, credit, detail: `length: asked for ${want} ${r.unit}, got ${got}` };
    }
    case 'json':
      return checkJson(r.keys, response, r.label);
    case 'work': {
      const steps = Math.max(sentences(response).length, nonEmptyLines(response).length);
      return { label: r.label, credit: steps >= 2 ? 1 : 0, detail: 'the working is not shown' };
    }
    case 'mention': {
      if (r.structural === 'title' && hasTitle(response)) return { label: r.label, credit: 1, detail: '' };
      const found = r.terms.filter((t) => lemmas.some((l) => lemmasMatch(t, l))).length;
      const share = found / r.terms.length;
      const what = r.label.replace(/^(?:mention|answer) /, '');
      return { label: r.label, credit: share >= MENTION_SHARE ? 1 : share, detail: r.label.startsWith('answer') ? `no answer to ${what}` : `no mention of ${what}` };
    }
  }
}

function checkJson(keys: readonly string[], response: string, label: string): Check {
  const value = extractJson(response);
  if (value === undefined) return { label, credit: 0, detail: 'no JSON found in the response' };
  if (keys.length === 0) return { label, credit: 1, detail: '' };
  const present = new Set<string>();
  collectKeys(value, present);
  const missing = keys.filter((k) => !present.has(normKey(k)));
  return { label, credit: (keys.length - missing.length) / keys.length, detail: `JSON lacks ${missing.map((k) => `"${k}"`).join(', ')}` };
}

function collectKeys(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => collectKeys(v, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      into.add(normKey(k));
      collectKeys(v, into);
    }
  }
}

/** "Total amount", "total_amount" and "totalAmount" are one key. */
function normKey(k: string): string {
  return k.toLowerCase().replace(/[^a-z0-9]/g, '');
}

interface KeyPoint {
  text: string;
  terms: string[];
}

/** Key points of a reference: its sentences, or the items of a one-sentence list ("thirst, dark urine and headache"). */
export function keyPoints(expected: string): KeyPoint[] {
  let parts = sentences(expected);
  if (parts.length === 1) {
    const items = (parts[0] ?? '').split(/\s*[,;]\s*(?:and\s+)?|\s+and\s+/);
    if (items.length >= 3) parts = items;
  }
  return parts
    .map((p) => ({ text: p.trim().replace(/[.;]+$/, ''), terms: [...new Set(contentLemmas(p))] }))
    .filter((p) => p.terms.length > 0);
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
