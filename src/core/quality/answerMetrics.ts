/*
 * Reference-based metrics: SQuAD-style answer normalisation and token F1, ROUGE-L (longest
 * common subsequence F1, Lin 2004), number extraction with precision-aware tolerance, and
 * JSON comparison by leaves.
 */
import { lemma } from './textTokens';

const ARTICLES = new Set(['a', 'an', 'the']);
const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30,
  forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, thousand: 1000, million: 1000000,
};

/** Lowercase, accents folded, punctuation and articles dropped, whitespace collapsed. */
export function normalizeAnswer(text: string): string {
  return answerTokens(text, false).join(' ');
}

/** Normalised tokens; with `lemmas`, words are lemmatised (slept ≈ sleeping) and numbers canonical (1,024 → 1024). */
export function answerTokens(text: string, lemmas = true): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const raw = folded.match(/\p{L}+|\d+(?:[.,]\d+)*/gu) ?? [];
  const out: string[] = [];
  for (const t of raw) {
    if (ARTICLES.has(t)) continue;
    if (/^\d/.test(t)) out.push(lemmas ? canonicalNumber(t) : t);
    else out.push(lemmas ? lemma(t) : t);
  }
  return out;
}

function canonicalNumber(t: string): string {
  const n = parseNumber(t);
  return n === null ? t : String(n.value);
}

export function tokenF1(prediction: readonly string[], reference: readonly string[]): number {
  if (prediction.length === 0 || reference.length === 0) return prediction.length === reference.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of reference) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of prediction) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const p = common / prediction.length;
  const r = common / reference.length;
  return (2 * p * r) / (p + r);
}

export function rougeL(prediction: readonly string[], reference: readonly string[]): number {
  if (prediction.length === 0 || reference.length === 0) return 0;
  // One row of the LCS table at a time: O(n·m) time, O(m) memory.
  let prev = new Array<number>(reference.length + 1).fill(0);
  for (const p of prediction) {
    const row = new Array<number>(reference.length + 1).fill(0);
    for (let j = 1; j <= reference.length; j++) {
      row[j] = p === reference[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, row[j - 1] ?? 0);
    }
    prev = row;
  }
  const lcs = prev[reference.length] ?? 0;
  if (lcs === 0) return 0;
  const p = lcs / prediction.length;
  const r = lcs / reference.length;
  return (2 * p * r) / (p + r);
}

export interface FoundNumber {
  value: number;
  /** Digits after the decimal point as written: 37.8 → 1. Sets the tolerance. */
  decimals: number;
}

function parseNumber(token: string): FoundNumber | null {
  const t = token.replace(/^\+/, '');
  // "1,024" and "12,400" are thousands; "3,5" (decimal comma) is left alone.
  const plain = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(t) ? t.replace(/,/g, '') : t;
  if (!/^-?\d+(?:\.\d+)?$/.test(plain)) return null;
  const value = Number(plain);
  if (!Number.isFinite(value)) return null;
  return { value, decimals: (plain.split('.')[1] ?? '').length };
}

/** Numbers written with digits (a '-' counts as a sign only after a space or bracket) or as words up to "ninety". */
export function extractNumbers(text: string): FoundNumber[] {
  const out: FoundNumber[] = [];
  for (const m of text.matchAll(/(?<![\p{L}\d.,])(?:(?<=^|[\s(=:[])-)?\d+(?:,\d{3})*(?:\.\d+)?(?![\d])/gu)) {
    const n = parseNumber(m[0]);
    if (n) out.push(n);
  }
  for (const m of text.toLowerCase().matchAll(/\b[a-z]+\b/g)) {
    const v = NUMBER_WORDS[m[0]];
    if (v !== undefined && v <= 90) out.push({ value: v, decimals: 0 });
  }
  return out;
}

/** Integers must be equal; with decimals, equal within half a unit of the coarser precision (37.8 ≈ 37.78, 8.05 ≈ 8.047; 391 ≠ 401). */
export function numbersMatch(a: FoundNumber, b: FoundNumber): boolean {
  const slack = 1e-9 * Math.max(1, Math.abs(a.value), Math.abs(b.value));
  if (a.decimals === 0 && b.decimals === 0) return Math.abs(a.value - b.value) <= slack;
  return Math.abs(a.value - b.value) <= 0.5 * 10 ** -Math.min(a.decimals, b.decimals) + slack;
}

/** Share of JSON leaves that agree (1 = deep-equal). Object keys unordered; strings compared normalised. */
export function jsonAgreement(actual: unknown, expected: unknown): number {
  const a = leaves(actual, '$');
  const e = leaves(expected, '$');
  const keys = new Set([...a.keys(), ...e.keys()]);
  if (keys.size === 0) return 1;
  let same = 0;
  for (const k of keys) if (a.has(k) && e.has(k) && leafEqual(a.get(k), e.get(k))) same++;
  return same / keys.size;
}

function leaves(value: unknown, path: string, into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(path, '[]');
    value.forEach((v, i) => leaves(v, `${path}[${i}]`, into));
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(path, '{}');
    for (const [k, v] of entries) leaves(v, `${path}.${k}`, into);
  } else into.set(path, value);
  return into;
}

function leafEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (typeof a === 'string' && typeof b === 'string') return normalizeAnswer(a) === normalizeAnswer(b);
  // "34" vs 34: the value is right even if its JSON type is not.
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return String(a).trim() === String(b).trim();
  return a === b;
}
