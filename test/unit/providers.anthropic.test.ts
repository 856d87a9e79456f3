import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatMessage } from '../../src/core/prompt/types';
import { toAnthropicMessages } from '../../src/core/providers/anthropicWire';
import { createProvider } from '../../src/core/providers/createProvider';
import { isRetryable } from '../../src/core/providers/errors';
import type { CompletionResult, Provider } from '../../src/core/providers/types';
import { startAnthropicServer, type FakeServer, type Script } from './helpers/fakeServers';

const KEY = 'sk-ant-test-secret-abcdef123456';
const servers: FakeServer[] = [];
after(async () => Promise.all(servers.map((s) => s.close())));

async function serve(script: Script, models?: string[]): Promise<{ s: FakeServer; p: Provider }> {
  const s = await startAnthropicServer(script, { models });
  servers.push(s);
  return { s, p: createProvider({ id: 'claude', kind: 'anthropic', baseUrl: s.url }, KEY) };
}

function ok(r: CompletionResult): Extract<CompletionResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected success, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

function fail(r: CompletionResult): Extract<CompletionResult, { ok: false }> {
  if (r.ok) assert.fail('expected a failure');
  assert.ok(!JSON.stringify(r).includes(KEY));
  return r;
}

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Context: cats.' },
  { role: 'user', content: 'Question: why purr?' },
  { role: 'system', content: 'Answer in English.' },
  { role: 'assistant', content: 'Because' },
  { role: 'assistant', content: 'they are happy.' },
  { role: 'user', content: 'More?' },
];

describe('Anthropic provider: request', () => {
  it('POST /v1/messages with x-api-key + anthropic-version; system lifted, same roles merged, parameters mapped', async () => {
    const { s, p } = await serve([{ kind: 'stream', deltas: ['ok'] }]);
    ok(await p.complete({ model: 'claude-x', messages: conversation, parameters: { temperature: 0.3, top_p: 0.8, stop: ['END'], seed: 1, response_format: { type: 'json_object' }, top_k: 5 } }));
    const req = s.requests[0]!;
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.headers['x-api-key'], KEY);
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(req.body, {
      model: 'claude-x',
      max_tokens: 1024,
      system: 'Be brief.\n\nAnswer in English.',
      messages: [
        { role: 'user', content: 'Context: cats.\n\nQuestion: why purr?' },
        { role: 'assistant', content: 'Because\n\nthey are happy.' },
        { role: 'user', content: 'More?' },
      ],
      temperature: 0.3,
      top_p: 0.8,
      stop_sequences: ['END'],
      top_k: 5,
      stream: true,
    });
  });

  it('uses max_tokens when given and accepts a base URL that already ends in /v1', async () => {
    const s = await startAnthropicServer([{ kind: 'json', text: 'x' }]);
    servers.push(s);
    const p = createProvider({ id: 'c', kind: 'anthropic', baseUrl: `${s.url}/v1/` }, KEY);
    ok(await p.complete({ model: 'm', messages: [{ role: 'user', content: 'q' }], parameters: { max_tokens: 77 }, stream: false }));
    assert.equal(s.requests[0]!.path, '/v1/messages');
    assert.equal((s.requests[0]!.body as Record<string, unknown>).max_tokens, 77);
    assert.equal((s.requests[0]!.body as Record<string, unknown>).stream, undefined);
    assert.equal((s.requests[0]!.body as Record<string, unknown>).system, undefined);
  });

  it('toAnthropicMessages leaves a conversation without system messages alone', () => {
    assert.deepEqual(toAnthropicMessages([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }]), { system: null, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] });
  });
});

describe('Anthropic provider: responses', () => {
  it('streams text deltas in order; input usage from message_start, output from message_delta, stop_reason', async () => {
    const { p } = await serve([{ kind: 'stream', deltas: ['Pur', 'ring ', 'is ', 'joy.'], usage: { input: 31, output: 6 }, finishReason: 'end_turn', model: 'claude-x-2025' }]);
    const tokens: string[] = [];
    const r = ok(await p.complete({ model: 'claude-x', messages: conversation, parameters: {} }, { onToken: (d) => tokens.push(d) }));
    assert.deepEqual(tokens, ['Pur', 'ring ', 'is ', 'joy.']);
    assert.equal(r.text, 'Purring is joy.');
    assert.deepEqual(r.usage, { input: 31, output: 6, estimated: false });
    assert.equal(r.finishReason, 'end_turn');
    assert.equal(r.model, 'claude-x-2025');
    assert.ok(r.ttftMs !== null && r.ttftMs <= r.latencyMs);
  });

  it('reads a non-streaming answer (and a JSON answer to a stream request)', async () => {
    const { p } = await serve([{ kind: 'json', text: 'Whole.', usage: { input: 5, output: 2 }, finishReason: 'max_tokens' }]);
    const r = ok(await p.complete({ model: 'm', messages: conversation, parameters: {} }));
    assert.equal(r.text, 'Whole.');
    assert.deepEqual(r.usage, { input: 5, output: 2, estimated: false });
    assert.equal(r.finishReason, 'max_tokens');
    assert.equal(r.ttftMs, null);
  });

  it('estimates usage the server did not send', async () => {
    const { p } = await serve([{ kind: 'stream', deltas: ['a b c'], usage: null }]);
    const r = ok(await p.complete({ model: 'm', messages: conversation, parameters: {} }));
    assert.equal(r.usage.estimated, true);
    assert.ok((r.usage.input ?? 0) > 10);
  });

  it('an overloaded_error event mid-stream → retryable server error with the partial text', async () => {
    const { p } = await serve([{ kind: 'stream', deltas: ['Half', ' way', ' there'], ending: 'error', afterDeltas: 2, error: { type: 'overloaded_error', message: 'Overloaded' } }]);
    const f = fail(await p.complete({ model: 'm', messages: conversation, parameters: {} }));
    assert.equal(f.error.kind, 'server');
    assert.match(f.error.message, /overloaded_error.*Overloaded/);
    assert.equal(isRetryable(f.error), true);
    assert.equal(f.partialText, 'Half way');
  });

  it('HTTP 529 → server (retryable); 429 → rate_limit with retry-after; 401 → auth', async () => {
    const { p } = await serve([
      { kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' },
      { kind: 'error', status: 429, type: 'rate_limit_error', message: 'Too many', headers: { 'retry-after': '12' } },
      { kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
    ]);
    const req = { model: 'm', messages: conversation, parameters: {} };
    const overloaded = fail(await p.complete(req));
    assert.deepEqual([overloaded.error.kind, overloaded.error.status, isRetryable(overloaded.error)], ['server', 529, true]);
    const limited = fail(await p.complete(req));
    assert.deepEqual([limited.error.kind, limited.error.retryAfterMs], ['rate_limit', 12_000]);
    const auth = fail(await p.complete(req));
    assert.equal(auth.error.kind, 'auth');
  });

  it('a stream cut before message_stop → network "stream ended early" with the partial text', async () => {
    const { p } = await serve([{ kind: 'stream', deltas: ['one', 'two', 'three'], ending: 'destroy', afterDeltas: 2 }]);
    const f = fail(await p.complete({ model: 'm', messages: conversation, parameters: {} }));
    assert.equal(f.error.kind, 'network');
    assert.match(f.error.message, /stream ended early/);
    assert.equal(f.partialText, 'onetwo');
  });

  it('a malformed event → server "malformed response"', async () => {
    const { p } = await serve([{ kind: 'stream', deltas: ['x'], ending: 'malformed', afterDeltas: 1 }]);
    const f = fail(await p.complete({ model: 'm', messages: conversation, parameters: {} }));
    assert.equal(f.error.kind, 'server');
    assert.match(f.error.message, /^malformed response: \{"type":"content_block_delta"/);
  });

  it('cancellation mid-stream closes the connection', async () => {
    const { s, p } = await serve([{ kind: 'stream', deltas: ['a', 'b'], ending: 'hang', afterDeltas: 1 }]);
    const ac = new AbortController();
    const f = fail(await p.complete({ model: 'm', messages: conversation, parameters: {} }, { signal: ac.signal, onToken: () => ac.abort() }));
    assert.equal(f.error.kind, 'cancelled');
    assert.equal(f.partialText, 'a');
    await s.requests[0]!.closed;
    assert.equal(s.requests[0]!.clientAborted, true);
  });

  it('listModels reads /v1/models with the same auth headers', async () => {
    const { s, p } = await serve([], ['claude-a', 'claude-b']);
    assert.deepEqual(await p.listModels!(), ['claude-a', 'claude-b']);
    assert.equal(s.requests[0]!.path, '/v1/models?limit=1000');
    assert.equal(s.requests[0]!.headers['x-api-key'], KEY);
  });
});
