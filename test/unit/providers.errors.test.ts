import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { ChatMessage } from '../../src/core/prompt/types';
import { createProvider } from '../../src/core/providers/createProvider';
import { errorFromResponse, isRetryable, redactSecrets } from '../../src/core/providers/errors';
import { parseDuration, retryAfterMsFromHeaders } from '../../src/core/providers/retryAfter';
import type { CompletionResult, ProviderError, ProviderErrorKind } from '../../src/core/providers/types';
import { startOpenAIServer, type FakeServer, type Scenario } from './helpers/fakeServers';

const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];
const KEY = 'sk-test-THIS-IS-SECRET-0123456789';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

const servers: FakeServer[] = [];
after(async () => Promise.all(servers.map((s) => s.close())));

async function call(scenarios: Scenario[], options: { timeoutMs?: number; signal?: AbortSignal; onToken?: (d: string) => void } = {}): Promise<{ r: CompletionResult; s: FakeServer }> {
  const s = await startOpenAIServer(scenarios);
  servers.push(s);
  const p = createProvider({ id: 'p', kind: 'openai', baseUrl: s.baseUrl }, KEY, { now: () => NOW });
  const r = await p.complete({ model: 'gpt-4o-mini', messages, parameters: {} }, options);
  return { r, s };
}

function fail(r: CompletionResult): Extract<CompletionResult, { ok: false }> {
  if (r.ok) assert.fail(`expected a failure, got text ${JSON.stringify(r.text)}`);
  assert.ok(!JSON.stringify(r).includes(KEY), 'the API key must never appear in a result');
  return r;
}

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe('provider errors: HTTP status mapping over the wire', () => {
  const cases: Array<[string, Scenario, ProviderErrorKind, Partial<ProviderError>]> = [
    ['401', { kind: 'error', status: 401, message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' }, 'auth', { status: 401 }],
    ['403', { kind: 'error', status: 403, message: 'forbidden' }, 'auth', { status: 403 }],
    ['429 + Retry-After seconds', { kind: 'error', status: 429, message: 'Rate limit reached', headers: { 'retry-after': '7' } }, 'rate_limit', { status: 429, retryAfterMs: 7000 }],
    ['429 + Retry-After HTTP date', { kind: 'error', status: 429, headers: { 'retry-after': new Date(NOW + 90_000).toUTCString() } }, 'rate_limit', { retryAfterMs: 90_000 }],
    ['429 + retry-after-ms', { kind: 'error', status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '2' } }, 'rate_limit', { retryAfterMs: 1500 }],
    ['429 insufficient_quota', { kind: 'error', status: 429, message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' }, 'auth', {}],
    ['408', { kind: 'error', status: 408 }, 'timeout', { status: 408 }],
    ['504', { kind: 'error', status: 504, body: '<html>Gateway Time-out</html>' }, 'timeout', {}],
    ['500', { kind: 'error', status: 500, message: 'The server had an error' }, 'server', { status: 500 }],
    ['503 + Retry-After', { kind: 'error', status: 503, headers: { 'retry-after': '3' } }, 'server', { retryAfterMs: 3000 }],
    ['529 overloaded', { kind: 'error', status: 529, message: 'Overloaded', type: 'overloaded_error' }, 'server', { status: 529 }],
    ['400', { kind: 'error', status: 400, message: "Invalid value for 'temperature'" }, 'bad_request', { status: 400 }],
    ['404', { kind: 'error', status: 404, message: 'The model `nope` does not exist' }, 'bad_request', {}],
    ['422', { kind: 'error', status: 422, body: { detail: 'unprocessable' } }, 'bad_request', {}],
    ['400 content_filter (Azure)', { kind: 'error', status: 400, message: 'The response was filtered', code: 'content_filter' }, 'content_filter', {}],
    ['400 content_policy_violation', { kind: 'error', status: 400, message: 'blocked', code: 'content_policy_violation' }, 'content_filter', {}],
  ];
  for (const [name, scenario, kind, expected] of cases) {
    it(`${name} → ${kind}`, async () => {
      const { r } = await call([scenario]);
      const f = fail(r);
      assert.equal(f.error.kind, kind, f.error.message);
      for (const [k, v] of Object.entries(expected)) assert.equal((f.error as unknown as Record<string, unknown>)[k], v, k);
      assert.equal(f.partialText, undefined);
    });
  }

  it('messages say what the server said', async () => {
    const f = fail((await call([{ kind: 'error', status: 404, message: 'The model `nope` does not exist' }])).r);
    assert.equal(f.error.message, 'HTTP 404: The model `nope` does not exist');
  });
});

describe('provider errors: transport, timeout, cancellation, broken streams', () => {
  it('connection refused → network', async () => {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    const p = createProvider({ id: 'p', kind: 'ollama', baseUrl: `http://127.0.0.1:${port}/v1` }, KEY);
    const f = fail(await p.complete({ model: 'm', messages, parameters: {} }));
    assert.equal(f.error.kind, 'network');
    assert.match(f.error.message, /ECONNREFUSED/);
    assert.equal(isRetryable(f.error), true);
  });

  it('a server that never answers → timeout after timeoutMs, and the connection is closed', async () => {
    const { r, s } = await call([{ kind: 'hang' }], { timeoutMs: 200 });
    const f = fail(r);
    assert.equal(f.error.kind, 'timeout');
    assert.match(f.error.message, /200 ms/);
    await s.requests[0]!.closed;
    assert.equal(s.requests[0]!.clientAborted, true);
  });

  it('a stream that stalls mid-way → timeout with the partial text', async () => {
    const { r } = await call([{ kind: 'stream', deltas: ['one ', 'two ', 'three'], ending: 'hang', afterDeltas: 2 }], { timeoutMs: 300 });
    const f = fail(r);
    assert.equal(f.error.kind, 'timeout');
    assert.equal(f.partialText, 'one two ');
  });

  it('caller abort mid-stream → cancelled with partial text, server sees the connection closed', async () => {
    const ac = new AbortController();
    let seen = 0;
    const { r, s } = await call([{ kind: 'stream', deltas: ['a', 'b', 'c', 'd'], ending: 'hang', afterDeltas: 2 }], { signal: ac.signal, onToken: () => { if (++seen === 2) ac.abort(); } });
    const f = fail(r);
    assert.equal(f.error.kind, 'cancelled');
    assert.equal(isRetryable(f.error), false);
    assert.equal(f.partialText, 'ab');
    await s.requests[0]!.closed;
    assert.equal(s.requests[0]!.clientAborted, true);
  });

  it('an already aborted signal → cancelled without a request', async () => {
    const ac = new AbortController();
    ac.abort();
    const { r, s } = await call([{ kind: 'stream', deltas: ['x'] }], { signal: ac.signal });
    assert.equal(fail(r).error.kind, 'cancelled');
    assert.equal(s.requests.length, 0);
  });

  it('socket destroyed mid-stream → network "stream ended early" with partial text', async () => {
    const f = fail((await call([{ kind: 'stream', deltas: ['Hello', ' there', ' friend'], ending: 'destroy', afterDeltas: 2 }])).r);
    assert.equal(f.error.kind, 'network');
    assert.match(f.error.message, /stream ended early/);
    assert.equal(f.partialText, 'Hello there');
  });

  it('body ends cleanly but without [DONE] or finish_reason → network "stream ended early"', async () => {
    const f = fail((await call([{ kind: 'stream', deltas: ['Hel', 'lo'], ending: 'eof', afterDeltas: 2 }])).r);
    assert.equal(f.error.kind, 'network');
    assert.match(f.error.message, /stream ended early/);
    assert.equal(f.partialText, 'Hello');
  });

  it('malformed JSON chunk → server "malformed response" quoting the chunk', async () => {
    const f = fail((await call([{ kind: 'stream', deltas: ['ok '], ending: 'malformed', afterDeltas: 1 }])).r);
    assert.equal(f.error.kind, 'server');
    assert.equal(f.error.message, 'malformed response: {"choices":[{"delta":{"content":"oops');
    assert.equal(f.partialText, 'ok ');
  });

  it('malformed JSON body → server "malformed response" with at most 200 chars of it', async () => {
    const f = fail((await call([{ kind: 'raw', headers: { 'content-type': 'application/json' }, chunks: [`{"choices": ${'x'.repeat(500)}`] }])).r);
    assert.equal(f.error.kind, 'server');
    assert.ok(f.error.message.startsWith('malformed response: {"choices": xxx'));
    assert.ok(f.error.message.length <= 'malformed response: '.length + 200);
  });

  it('an error chunk inside a 200 stream is mapped by its type', async () => {
    const f = fail((await call([{ kind: 'stream', deltas: ['par'], ending: 'error', afterDeltas: 1, error: { type: 'server_error', message: 'context overflow' } }])).r);
    assert.equal(f.error.kind, 'server');
    assert.match(f.error.message, /context overflow/);
    assert.equal(f.partialText, 'par');
  });

  it('finish_reason content_filter in a 200 stream → content_filter with the partial text', async () => {
    const f = fail((await call([{ kind: 'stream', deltas: ['Here is how to'], finishReason: 'content_filter' }])).r);
    assert.equal(f.error.kind, 'content_filter');
    assert.equal(isRetryable(f.error), false);
    assert.equal(f.partialText, 'Here is how to');
  });

  it('the key never appears in an error message, even when the server echoes the auth header', async () => {
    const echo = (status: number): Scenario => ({ kind: 'error', status, body: `bad auth header: Authorization: Bearer ${KEY}; key=${KEY}` });
    for (const status of [400, 401, 403, 429, 500]) {
      const f = fail((await call([echo(status)])).r);
      assert.ok(!f.error.message.includes(KEY), f.error.message);
      assert.ok(!f.error.message.includes('THIS-IS-SECRET'), f.error.message);
    }
  });
});

describe('provider errors: pure helpers', () => {
  it('isRetryable: rate_limit, server, network, timeout only', () => {
    const kinds: ProviderErrorKind[] = ['auth', 'rate_limit', 'timeout', 'server', 'bad_request', 'network', 'cancelled', 'content_filter'];
    assert.deepEqual(kinds.filter((kind) => isRetryable({ kind })), ['rate_limit', 'timeout', 'server', 'network']);
  });

  it('Retry-After: seconds, HTTP date (past → 0), OpenAI reset durations', () => {
    assert.equal(retryAfterMsFromHeaders(headers({ 'retry-after': '2.5' }), NOW), 2500);
    assert.equal(retryAfterMsFromHeaders(headers({ 'retry-after': new Date(NOW - 5000).toUTCString() }), NOW), 0);
    assert.equal(retryAfterMsFromHeaders(headers({ 'retry-after': 'soon' }), NOW), undefined);
    assert.equal(retryAfterMsFromHeaders(headers({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '900' }), NOW), 1000);
    assert.equal(retryAfterMsFromHeaders(headers({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '250ms' }), NOW), 1000);
    assert.equal(parseDuration('1h2m3.5s'), 3_723_500);
    assert.equal(parseDuration('20ms'), 20);
    assert.equal(parseDuration('3 fortnights'), undefined);
  });

  it('errorFromResponse reads Anthropic and plain-text bodies, and redacts', () => {
    const a = errorFromResponse(429, headers({ 'retry-after': '4' }), JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }), NOW, []);
    assert.deepEqual(a, { kind: 'rate_limit', message: 'HTTP 429: slow down', status: 429, retryAfterMs: 4000 });
    const b = errorFromResponse(502, headers({}), 'Bad Gateway', NOW, []);
    assert.deepEqual(b, { kind: 'server', message: 'HTTP 502: Bad Gateway', status: 502 });
    assert.equal(redactSecrets('x-api-key: abc123456789 and api-key=zzz999999', []), 'x-api-key: [REDACTED] and api-key=[REDACTED]');
    assert.equal(redactSecrets('token s3cr3t-value here', ['s3cr3t-value']), 'token [REDACTED] here');
  });
});
