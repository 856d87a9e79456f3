/*
 * The local Embedder: a smooth-inverse-frequency (SIF) weighted mean of word vectors with the
 * common component removed (Arora, Liang & Ma 2017, "A simple but tough-to-beat baseline for
 * sentence embeddings"). Raw GloVe means of any two English texts have cosine ~0.85; after
 * removing the frequency-weighted mean direction, unrelated random word bags land near 0.1 and
 * direct answers to a question around 0.4–0.8 (measured on the 30k table).
 *
 * The table is sorted by corpus frequency, so a word's rank gives its probability by Zipf's
 * law, p(r) ≈ 1 / ((r + 1) · H) with H ≈ ln(400k) + γ for GloVe's vocabulary. That drives both
 * the SIF weights here and the IDF-like term weights used by the lexical scorer.
 */
import { lemma, tokenize } from './textTokens';
import { STOP_WORDS } from './stopWords';
import type { Embedder } from './types';
import type { WordVectors } from './wordVectors';

const HARMONIC = Math.log(400000) + 0.5772;
const SIF_A = 1e-3;

export interface TermWeights {
  /** Information content of a word, −log p(w); unknown (rarer than the table) words weigh most. */
  weight(word: string): number;
}

export class WordVectorEmbedder implements Embedder, TermWeights {
  readonly name = 'word-vectors';
  private readonly common: Float32Array;

  constructor(private readonly vectors: WordVectors) {
    this.common = commonDirection(vectors);
  }

  embed(texts: readonly string[]): Array<Float32Array | null> {
    return texts.map((t) => this.embedOne(t));
  }

  weight(word: string): number {
    const r = this.rank(word);
    return Math.log(((r < 0 ? this.vectors.count * 2 : r) + 1) * HARMONIC);
  }

  /** Cosine of two single words (lemmas are tried when a form is missing); null when either is unknown. */
  wordSimilarity(a: string, b: string): number | null {
    const ra = this.rank(a);
    const rb = this.rank(b);
    if (ra < 0 || rb < 0) return null;
    return cosine(this.vectors.unitVector(ra), this.vectors.unitVector(rb));
  }

  private rank(word: string): number {
    const r = this.vectors.rankOf(word);
    return r >= 0 ? r : this.vectors.rankOf(lemma(word));
  }

  private embedOne(text: string): Float32Array | null {
    const v = new Float32Array(this.vectors.dims);
    let used = 0;
    for (const t of tokenize(text)) {
      if (STOP_WORDS.has(t) || /^\d/.test(t)) continue;
      const r = this.rank(t);
      if (r < 0) continue;
      const p = 1 / ((r + 1) * HARMONIC);
      const u = this.vectors.unitVector(r);
      const w = SIF_A / (SIF_A + p);
      for (let d = 0; d < v.length; d++) v[d] = (v[d] ?? 0) + w * (u[d] ?? 0);
      used++;
    }
    if (used === 0) return null;
    removeComponent(v, this.common);
    return v;
  }
}

/** Frequency-weighted mean of the unit vectors: the direction every text mean leans towards. */
function commonDirection(vectors: WordVectors): Float32Array {
  const sum = new Float32Array(vectors.dims);
  const tmp = new Float32Array(vectors.dims);
  for (let r = 0; r < vectors.count; r++) {
    tmp.fill(0);
    vectors.addInto(r, 1, tmp);
    let norm = 0;
    for (let d = 0; d < tmp.length; d++) norm += (tmp[d] ?? 0) ** 2;
    const w = 1 / ((r + 1) * Math.sqrt(norm || 1));
    for (let d = 0; d < sum.length; d++) sum[d] = (sum[d] ?? 0) + w * (tmp[d] ?? 0);
  }
  let norm = 0;
  for (let d = 0; d < sum.length; d++) norm += (sum[d] ?? 0) ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < sum.length; d++) sum[d] = (sum[d] ?? 0) / norm;
  return sum;
}

function removeComponent(v: Float32Array, unit: Float32Array): void {
  let dot = 0;
  for (let d = 0; d < v.length; d++) dot += (v[d] ?? 0) * (unit[d] ?? 0);
  for (let d = 0; d < v.length; d++) v[d] = (v[d] ?? 0) - dot * (unit[d] ?? 0);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let d = 0; d < n; d++) {
    const x = a[d] ?? 0;
    const y = b[d] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
