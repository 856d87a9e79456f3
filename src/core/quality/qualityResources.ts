/*
 * The process-wide word-vector table and the embedder built on it. Loaded lazily on first
 * use, once; a missing or corrupt file is remembered as a problem (scorers then fall back to
 * lexical overlap and say so) instead of being retried or thrown on every execution.
 */
import * as fs from 'node:fs';
import { WordVectorEmbedder } from './wordVectorEmbedder';
import { defaultWordVectorsCandidates, loadWordVectors, WordVectorsError } from './wordVectors';

export interface LocalVectors {
  embedder: WordVectorEmbedder | null;
  /** Why there is no embedder (shown in relevance reasons); null when it loaded. */
  problem: string | null;
}

let configuredFile: string | null = null;
let state: LocalVectors | undefined;

/** Points the default embedder at a specific file (the extension passes dist/word-vectors.bin). */
export function configureWordVectors(file: string | null): void {
  configuredFile = file;
  state = undefined;
}

export function localVectors(): LocalVectors {
  state ??= load();
  return state;
}

function load(): LocalVectors {
  const candidates = configuredFile !== null ? [configuredFile] : defaultWordVectorsCandidates();
  const file = candidates.find((f) => fs.existsSync(f));
  if (file === undefined) return { embedder: null, problem: `word vectors not found (${candidates.join(', ')})` };
  try {
    return { embedder: new WordVectorEmbedder(loadWordVectors(file)), problem: null };
  } catch (err) {
    return { embedder: null, problem: err instanceof WordVectorsError ? err.message : `word vectors unusable: ${String(err)}` };
  }
}
