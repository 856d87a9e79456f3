/*
 * The compact word-vector table written by scripts/buildWordVectors.mjs (format documented
 * there): ~30k lowercase English words in corpus-frequency order, 100-d GloVe vectors stored as
 * int8 with one float scale per vector.
 *
 * Loaded once per process per path (readFileSync of ~3.4 MB + a Map of the words; well under
 * the 300 ms budget). Vectors are dequantized lazily, one word at a time, so loading never
 * allocates the full float table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGIC = 'PLWV';
const FORMAT_VERSION = 1;
const HEADER_BYTES = 20;

export const WORD_VECTORS_FILE = 'word-vectors.bin';

export interface WordVectors {
  readonly dims: number;
  readonly count: number;
  /** Frequency rank (0 = most frequent), or -1 when the word is not in the table. */
  rankOf(word: string): number;
  /** Adds `weight ×` the word's vector (by rank) into `into`. */
  addInto(rank: number, weight: number, into: Float32Array): void;
  /** The word's vector as floats (by rank), unit length. */
  unitVector(rank: number): Float32Array;
}

export class WordVectorsError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`Word vectors ${file}: ${reason}`);
    this.name = 'WordVectorsError';
  }
}

class Int8WordVectors implements WordVectors {
  private readonly unitCache = new Map<number, Float32Array>();

  constructor(
    readonly dims: number,
    readonly count: number,
    private readonly index: Map<string, number>,
    private readonly scales: Float32Array,
    private readonly values: Int8Array,
  ) {}

  rankOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  addInto(rank: number, weight: number, into: Float32Array): void {
    const w = weight * (this.scales[rank] ?? 0);
    const base = rank * this.dims;
    for (let d = 0; d < this.dims; d++) into[d] = (into[d] ?? 0) + w * (this.values[base + d] ?? 0);
  }

  unitVector(rank: number): Float32Array {
    let v = this.unitCache.get(rank);
    if (v) return v;
    v = new Float32Array(this.dims);
    this.addInto(rank, 1, v);
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += (v[d] ?? 0) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < this.dims; d++) v[d] = (v[d] ?? 0) / norm;
    // Bounded: prompts use a few thousand distinct words at most, so this stays small.
    if (this.unitCache.size > 20000) this.unitCache.clear();
    this.unitCache.set(rank, v);
    return v;
  }
}

/** Parses the binary table; throws WordVectorsError when the bytes are not a valid table. */
export function decodeWordVectors(bytes: Uint8Array, file = '<buffer>'): WordVectors {
  if (bytes.length < HEADER_BYTES) throw new WordVectorsError(file, 'too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0);
  if (magic !== MAGIC) throw new WordVectorsError(file, 'not a word-vector table (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new WordVectorsError(file, `format version ${version}, expected ${FORMAT_VERSION}; rebuild it`);
  const dims = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const wordBytes = view.getUint32(16, true);
  const scalesAt = Math.ceil((HEADER_BYTES + wordBytes) / 4) * 4;
  const valuesAt = scalesAt + count * 4;
  if (dims === 0 || count === 0 || bytes.length !== valuesAt + count * dims) throw new WordVectorsError(file, 'truncated or inconsistent sizes');
  const words = new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + wordBytes)).split('\n');
  if (words.length !== count) throw new WordVectorsError(file, `${words.length} words for ${count} vectors`);
  const index = new Map<string, number>();
  words.forEach((w, i) => index.set(w, i));
  // Copy the scales: a Float32Array view needs 4-byte alignment of the absolute offset, which a
  // Node Buffer from the pool does not guarantee.
  const scales = new Float32Array(count);
  for (let i = 0; i < count; i++) scales[i] = view.getFloat32(scalesAt + i * 4, true);
  const values = new Int8Array(bytes.buffer, bytes.byteOffset + valuesAt, count * dims);
  return new Int8WordVectors(dims, count, index, scales, values);
}

const loaded = new Map<string, WordVectors>();

/** Loads (once per process per path) the table written by scripts/buildWordVectors.mjs. */
export function loadWordVectors(file: string): WordVectors {
  const key = path.resolve(file);
  const cached = loaded.get(key);
  if (cached) return cached;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(key);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new WordVectorsError(file, code === 'ENOENT' ? 'file not found' : `unreadable (${code ?? String(err)})`);
  }
  const vectors = decodeWordVectors(bytes, file);
  loaded.set(key, vectors);
  return vectors;
}

/**
 * Where the table is looked for when the caller names none: next to the running bundle
 * (the build copies it to dist/, like sql-wasm.wasm), then the build cache used when running
 * from source (tests, benches, tsx).
 */
export function defaultWordVectorsCandidates(): string[] {
  // Bundled: next to the bundle. From source (tests, benches): the build's dist/ copy, or the
  // tests' cache.
  return [path.join(__dirname, WORD_VECTORS_FILE), path.join(process.cwd(), 'dist', WORD_VECTORS_FILE), path.join(process.cwd(), 'node_modules', '.cache', 'prompt-lab', WORD_VECTORS_FILE)];
}
