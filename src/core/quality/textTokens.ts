/*
 * Tokens, lemmas and sentences shared by every scorer. Tokenizing is deliberately simple and
 * fast (regexes, no NLP pipeline): scoring runs on every execution.
 */
import type * as WinkLemmatizer from 'wink-lemmatizer';
import { INSTRUCTION_WORDS, STOP_WORDS } from './stopWords';

type Lemmatizer = typeof WinkLemmatizer;

let lemmatizer: Lemmatizer | undefined;
const lemmaCache = new Map<string, string>();
const LEMMA_CACHE_LIMIT = 50000;

/**
 * wink-lemmatizer loads WordNet tables (~300 ms), so it is required on first use rather than
 * at import time — importing the quality module must not slow down extension activation. A
 * literal require() is still bundled by esbuild (as a lazily initialised module).
 */
function loadLemmatizer(): Lemmatizer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lemmatizer ??= require('wink-lemmatizer') as Lemmatizer;
  return lemmatizer;
}

/** Dictionary form of a lowercase word: nouns first (reasons → reason), then verbs (running → run), then adjectives. */
export function lemma(word: string): string {
  const cached = lemmaCache.get(word);
  if (cached !== undefined) return cached;
  let out = word;
  if (/^[a-z]{3,}$/.test(word)) {
    const l = loadLemmatizer();
    const n = l.noun(word);
    if (n !== word) out = n;
    else {
      const v = l.verb(word);
      out = v !== word ? v : l.adjective(word);
    }
  }
  if (lemmaCache.size >= LEMMA_CACHE_LIMIT) lemmaCache.clear();
  lemmaCache.set(word, out);
  return out;
}

const TOKEN = /[\p{L}\p{N}]+(?:[.,]\d+)*/gu;
const MIXED = /\p{L}.*\d|\d.*\p{L}/u;
/** Longer letter–digit mixtures are ids, hashes and keys ("eyJhbGciOi…"), not words. */
const MAX_MIXED_LENGTH = 12;

/** Lowercase word and number tokens ("1,024", "37.8" and "x200" stay one token; long ids are dropped). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const t of text.toLowerCase().match(TOKEN) ?? []) if (t.length <= MAX_MIXED_LENGTH || !MIXED.test(t)) out.push(t);
  return out;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Words that say something about the topic: not function words, not instruction verbs, not numbers. */
export function isContentWord(word: string): boolean {
  return word.length > 1 && !STOP_WORDS.has(word) && !INSTRUCTION_WORDS.has(word) && !/^\d/.test(word);
}

/** Lemmas of the content words, in order (duplicates kept: counts matter for BM25). */
export function contentLemmas(text: string): string[] {
  const out: string[] = [];
  for (const t of tokenize(text)) {
    if (!isContentWord(t)) continue;
    const l = lemma(t);
    if (isContentWord(l)) out.push(l);
  }
  return out;
}

/** Two lemmas match when equal or when they share a 5-letter stem (imagery/image, tiredness/tired). */
export function lemmasMatch(a: string, b: string): boolean {
  if (a === b) return true;
  return a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5) && Math.abs(a.length - b.length) <= 4;
}

const FENCE = /```[\s\S]*?(?:```|$)/g;

/** Prose only: fenced code blocks removed, inline code replaced by a placeholder word. */
export function proseOf(text: string): string {
  return text.replace(FENCE, '\n').replace(/`[^`\n]+`/g, 'code');
}

export function wordCount(text: string): number {
  return (text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []).length;
}

// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS = /\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|prof|inc|ltd|approx|fig)\.$/i;
const INITIAL = /(?:^|\s)[A-Z]\.$/;

/**
 * Sentences of prose. Each list item, heading and line break starts a new unit; inside a line,
 * a sentence ends at . ! ? followed by a space (not after an abbreviation or inside a number).
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\n+/)) {
    const line = rawLine.replace(/^\s*(?:[-*•+]|\d+[.)]|#+)\s+/, '').trim();
    if (line === '') continue;
    let start = 0;
    const re = /[.!?]+["')\]]*(?=\s+\S)/g;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) {
      const end = m.index + m[0].length;
      const candidate = line.slice(start, end).trim();
      const upTo = line.slice(0, m.index + 1);
      if (ABBREVIATIONS.test(upTo) || INITIAL.test(upTo)) continue;
      if (candidate !== '') out.push(candidate);
      start = end;
    }
    const rest = line.slice(start).trim();
    if (rest !== '') out.push(rest);
  }
  return out;
}
