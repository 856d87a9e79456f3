/*
 * Lexical relevance: BM25 (Robertson & Zaragoza 2009) of the response as a document for the
 * task's lemmas as the query, normalised to 0..1 by the score of an ideal document that holds
 * every query term once at average length. Each term's contribution is capped at 1, so
 * repeating a keyword does not buy relevance, while a very long response that mentions a term
 * once is diluted (length normalisation) — verbosity around the topic is not addressing it.
 */
import { lemmasMatch } from './textTokens';

const K1 = 1.2;
const B = 0.75;
/** Content lemmas of a typical response (≈ 200 words); the length normalisation's pivot. */
const AVERAGE_LENGTH = 80;

export type TermWeight = (lemma: string) => number;

export const UNIFORM_WEIGHT: TermWeight = () => 1;

export function bm25Coverage(query: readonly string[], document: readonly string[], weight: TermWeight): number {
  const terms = [...new Set(query)];
  if (terms.length === 0 || document.length === 0) return 0;
  const norm = 1 - B + (B * document.length) / AVERAGE_LENGTH;
  let total = 0;
  let got = 0;
  for (const t of terms) {
    const w = weight(t);
    total += w;
    let tf = 0;
    for (const d of document) if (lemmasMatch(t, d)) tf++;
    if (tf > 0) got += w * Math.min(1, (tf * (K1 + 1)) / (tf + K1 * norm));
  }
  return total === 0 ? 0 : got / total;
}

/**
 * Weighted share of `terms` found in `document` (exact lemma, shared stem, or — with `similar`
 * — a near-synonym); a term found only by similarity counts by that similarity.
 */
export function termCoverage(terms: readonly string[], document: readonly string[], weight: TermWeight, similar?: (a: string, b: string) => number): number {
  const unique = [...new Set(terms)];
  if (unique.length === 0) return 0;
  const docSet = [...new Set(document)];
  let total = 0;
  let got = 0;
  for (const t of unique) {
    const w = weight(t);
    total += w;
    if (docSet.some((d) => lemmasMatch(t, d))) got += w;
    else if (similar) {
      let best = 0;
      for (const d of docSet) best = Math.max(best, similar(t, d));
      if (best >= SYNONYM_SIMILARITY) got += w * best;
    }
  }
  return total === 0 ? 0 : got / total;
}

/** Word-vector cosine above which two different words are taken as near-synonyms (thirsty/thirst, tired/fatigue). */
export const SYNONYM_SIMILARITY = 0.6;
