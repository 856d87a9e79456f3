import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CACHE_FILE_NAME, cacheableByDefault, cacheKey, ResponseCache, type CacheKeyInput, type CachedResponse } from '../../src/core/providers/responseCache';
import { tempDir } from './helpers/fixtures';

const base: CacheKeyInput = {
  profile: { kind: 'openai', baseUrl: 'https://api.openai.com/v1' },
  model: 'gpt-4o-mini',
  parameters: { temperature: 0, max_tokens: 100, response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true } } },
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
};

function response(text: string): CachedResponse {
  return { text, usage: { input: 3, output: 1, estimated: false }, finishReason: 'stop', model: 'gpt-4o-mini', createdAt: '2026-01-01T00:00:00.000Z' };
}

describe('response cache: keys', () => {
  it('is a stable sha256 that ignores parameter key order (at every depth) and trailing slashes', () => {
    const k = cacheKey(base);
    assert.match(k, /^[0-9a-f]{64}$/);
    const reordered: CacheKeyInput = {
      ...base,
      profile: { kind: 'openai', baseUrl: 'https://api.openai.com/v1/' },
      parameters: { response_format: { json_schema: { strict: true, name: 'x' }, type: 'json_schema' }, max_tokens: 100, temperature: 0, seed: undefined },
    };
    assert.equal(cacheKey(reordered), k);
    assert.equal(cacheKey(base), k, 'same input, same key');
  });

  it('changes with the messages, model, parameters, endpoint or kind', () => {
    const k = cacheKey(base);
    const variants: CacheKeyInput[] = [
      { ...base, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello!' }] },
      { ...base, messages: [{ role: 'user', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] },
      { ...base, model: 'gpt-4o' },
      { ...base, parameters: { ...base.parameters, temperature: 0.1 } },
      { ...base, profile: { kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1' } },
      { ...base, profile: { kind: 'azure', baseUrl: 'https://api.openai.com/v1' } },
    ];
    const keys = new Set([k, ...variants.map(cacheKey)]);
    assert.equal(keys.size, variants.length + 1);
  });

  it('default policy: only temperature 0 is cacheable', () => {
    assert.equal(cacheableByDefault({ temperature: 0 }), true);
    assert.equal(cacheableByDefault({ temperature: 0.7 }), false);
    assert.equal(cacheableByDefault({}), false);
  });
});

describe('response cache: storage', () => {
  it('evicts the least recently used entry; get() refreshes recency', () => {
    const c = new ResponseCache({ maxEntries: 2 });
    c.set('a', response('A'));
    c.set('b', response('B'));
    assert.equal(c.get('a')?.text, 'A'); // a is now the most recent
    c.set('c', response('C'));
    assert.equal(c.size, 2);
    assert.equal(c.get('b'), undefined);
    assert.equal(c.get('a')?.text, 'A');
    assert.equal(c.get('c')?.text, 'C');
    c.clear();
    assert.equal(c.size, 0);
  });

  it('persists to a JSON-lines file in the given directory and reloads it, keeping LRU order and the limit', () => {
    const dir = path.join(tempDir(), 'cache');
    const c = new ResponseCache({ dir, maxEntries: 3 });
    for (const k of ['k1', 'k2', 'k3']) c.set(k, response(k.toUpperCase()));
    c.get('k1');
    c.set('k4', response('K4')); // evicts k2
    const again = new ResponseCache({ dir, maxEntries: 3 });
    assert.equal(again.size, 3);
    assert.equal(again.get('k2'), undefined);
    assert.equal(again.get('k4')?.text, 'K4');
    assert.deepEqual(again.get('k1'), response('K1'));
    // Only keys and response data are on disk: no request, no prompt text, no headers.
    const text = fs.readFileSync(path.join(dir, CACHE_FILE_NAME), 'utf8');
    for (const line of text.trim().split('\n')) assert.deepEqual(Object.keys(JSON.parse(line) as object).sort(), ['key', 'value']);
    assert.ok(!/authorization|api-key|messages/i.test(text));
  });

  it('compacts the file when it grows past twice the live entries, and skips a torn last line', () => {
    const dir = tempDir();
    const c = new ResponseCache({ dir, maxEntries: 2 });
    for (let i = 0; i < 9; i++) c.set(`k${i}`, response(`v${i}`));
    const file = path.join(dir, CACHE_FILE_NAME);
    assert.ok(fs.readFileSync(file, 'utf8').trim().split('\n').length <= 4);
    fs.appendFileSync(file, '{"key":"torn","value":{"te');
    const again = new ResponseCache({ dir, maxEntries: 2 });
    assert.equal(again.get('k8')?.text, 'v8');
    assert.equal(again.get('torn'), undefined);
    again.clear();
    assert.equal(new ResponseCache({ dir }).size, 0);
  });
});
