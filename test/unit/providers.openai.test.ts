import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatMessage } from '../../src/core/prompt/types';
import { createProvider } from '../../src/core/providers/createProvider';
import type { CompletionResult, ProviderKind, ProviderProfile } from '../../src/core/providers/types';
import { startOpenAIServer, type FakeServer, type Script } from './helpers/fakeServers';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello.' },
];

const servers: FakeServer[] = [];
after(async () => Promise.all(servers.map((s) => s.close())));

async function serve(script: Script, models?: string[]): Promise<FakeServer> {
  const s = await startOpenAIServer(script, { models });
  servers.push(s);
  return s;
}

function profile(kind: ProviderKind, baseUrl: string, extra: Partial<ProviderProfile> = {}): ProviderProfile {
  return { id: `${kind}-test`, kind, baseUrl, ...extra };
}

function ok(r: CompletionResult): Extract<CompletionResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected success, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

describe('OpenAI-compatible provider: requests per kind', () => {
  it('openai: POST {base}/chat/completions with Bearer auth, mapped parameters, extras passed through, stream_options', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['Hi'] }]);
    const p = createProvider(profile('openai', s.baseUrl, { headers: { 'X-Team': 'lab' } }), 'sk-test-key');
    const params = { temperature: 0.2, max_tokens: 50, top_p: 0.9, stop: ['\n\n'], seed: 7, response_format: { type: 'json_object' }, frequency_penalty: 0.5, logit_bias: undefined };
    ok(await p.complete({ model: 'gpt-4o-mini', messages, parameters: params }));
    const req = s.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer sk-test-key');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-team'], 'lab');
    assert.equal(req.headers['api-key'], undefined);
    assert.deepEqual(req.body, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello.' }],
      temperature: 0.2, max_tokens: 50, top_p: 0.9, stop: ['\n\n'], seed: 7, response_format: { type: 'json_object' }, frequency_penalty: 0.5,
      stream: true, stream_options: { include_usage: true },
    });
  });

  it('azure: deployment URL with api-version from the profile, api-key header, no Authorization', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['a'] }, { kind: 'stream', deltas: ['b'] }]);
    const p = createProvider(profile('azure', `${s.url}/`, { apiVersion: '2025-01-01-preview' }), 'azure-secret');
    ok(await p.complete({ model: 'my-gpt4o', messages, parameters: {} }));
    const req = s.requests[0]!;
    assert.equal(req.path, '/openai/deployments/my-gpt4o/chat/completions?api-version=2025-01-01-preview');
    assert.equal(req.headers['api-key'], 'azure-secret');
    assert.equal(req.headers.authorization, undefined);
    // A base that already ends in /openai, and no apiVersion: the GA default.
    const p2 = createProvider(profile('azure', `${s.url}/openai`), 'azure-secret');
    ok(await p2.complete({ model: 'dep', messages, parameters: {} }));
    assert.equal(s.requests[1]!.path, '/openai/deployments/dep/chat/completions?api-version=2024-10-21');
    assert.equal(p.listModels, undefined, 'Azure deployments cannot be listed through the data plane');
  });

  it('github: {base}/chat/completions with Bearer token; listModels reads the catalog', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['ok'] }], ['openai/gpt-4.1', 'meta/llama-3.3-70b-instruct']);
    const p = createProvider(profile('github', `${s.url}/inference`), 'ghp_token123456');
    ok(await p.complete({ model: 'openai/gpt-4.1', messages, parameters: {} }));
    assert.equal(s.requests[0]!.path, '/inference/chat/completions');
    assert.equal(s.requests[0]!.headers.authorization, 'Bearer ghp_token123456');
    assert.deepEqual(await p.listModels!(), ['openai/gpt-4.1', 'meta/llama-3.3-70b-instruct']);
    assert.equal(s.requests[1]!.path, '/catalog/models');
  });

  it('ollama: no auth header without a key, /v1 added to a bare host, models from /v1/models', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['x'] }], ['llama3.2:3b', 'qwen2.5:7b']);
    const p = createProvider(profile('ollama', s.url), undefined);
    ok(await p.complete({ model: 'llama3.2:3b', messages, parameters: {} }));
    const req = s.requests[0]!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers['api-key'], undefined);
    assert.deepEqual(await p.listModels!(), ['llama3.2:3b', 'qwen2.5:7b']);
    assert.equal(s.requests[1]!.path, '/v1/models');
    assert.equal(s.requests[1]!.headers.authorization, undefined);
  });

  it('an empty request model falls back to the profile default model', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['x'] }]);
    ok(await createProvider(profile('lmstudio', s.baseUrl, { defaultModel: 'qwen2.5-7b-instruct' }), undefined).complete({ model: '', messages, parameters: {} }));
    assert.equal((s.requests[0]!.body as { model: string }).model, 'qwen2.5-7b-instruct');
  });

  it('openrouter / generic: base used as given, blank key means no auth', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['x'] }]);
    ok(await createProvider(profile('openai-compatible', `${s.url}/api/v1`), '  ').complete({ model: 'm', messages, parameters: {} }));
    assert.equal(s.requests[0]!.path, '/api/v1/chat/completions');
    assert.equal(s.requests[0]!.headers.authorization, undefined);
  });
});

describe('OpenAI-compatible provider: responses', () => {
  it('streams tokens in order, reports usage, finish reason, model and time to first token', async () => {
    const s = await serve([{ kind: 'stream', deltas: ['Hel', 'lo', ', ', 'world'], usage: { input: 12, output: 4 }, finishReason: 'stop', model: 'gpt-4o-mini-2024-07-18' }]);
    // A scripted clock: 50 ms pass while the response headers arrive, 10 ms per token after.
    let t = 1_000;
    const fetchWithLatency: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      t += 50;
      return res;
    };
    const p = createProvider(profile('openai', s.baseUrl), 'k', { fetch: fetchWithLatency, now: () => t });
    const tokens: string[] = [];
    const r = ok(await p.complete({ model: 'gpt-4o-mini', messages, parameters: {} }, { onToken: (d) => { tokens.push(d); t += 10; } }));
    assert.deepEqual(tokens, ['Hel', 'lo', ', ', 'world']);
    assert.equal(r.text, 'Hello, world');
    assert.deepEqual(r.usage, { input: 12, output: 4, estimated: false });
    assert.equal(r.finishReason, 'stop');
    assert.equal(r.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(r.ttftMs, 50, 'the empty role-only chunk does not count as the first token');
    assert.equal(r.latencyMs, 90);
  });

  it('reassembles multibyte characters split across network chunks, with CRLF and keep-alive comments', async () => {
    const deltas = ['héllo ', '世界', ' 🙂', '!'];
    const s = await serve([{ kind: 'stream', deltas, chunkSize: 1, lineEnding: '\r\n', keepAliveComments: true }]);
    const r = ok(await createProvider(profile('openai', s.baseUrl), 'k').complete({ model: 'm', messages, parameters: {} }));
    assert.equal(r.text, deltas.join(''));
  });

  it('falls back to a normal completion when the server answers a stream request with JSON', async () => {
    const s = await serve([{ kind: 'json', text: 'Whole answer.', usage: { input: 9, output: 3 } }]);
    const tokens: string[] = [];
    const r = ok(await createProvider(profile('llamacpp', s.baseUrl), undefined).complete({ model: 'm', messages, parameters: {} }, { onToken: (d) => tokens.push(d) }));
    assert.equal((s.requests[0]!.body as { stream?: boolean }).stream, true);
    assert.equal(r.text, 'Whole answer.');
    assert.deepEqual(tokens, ['Whole answer.']);
    assert.deepEqual(r.usage, { input: 9, output: 3, estimated: false });
    assert.equal(r.ttftMs, null);
    assert.equal(r.finishReason, 'stop');
  });

  it('sends no stream fields when the request asks for a non-streaming call', async () => {
    const s = await serve([{ kind: 'json', text: 'ok' }]);
    const r = ok(await createProvider(profile('openai', s.baseUrl), 'k').complete({ model: 'm', messages, parameters: {}, stream: false }));
    assert.equal(r.text, 'ok');
    const body = s.requests[0]!.body as Record<string, unknown>;
    assert.equal(body.stream, undefined);
    assert.equal(body.stream_options, undefined);
    assert.equal(s.requests[0]!.headers.accept, 'application/json');
  });

  it('retries once without stream_options when the server rejects it, and remembers; usage is then estimated', async () => {
    const s = await serve((req) => ((req.body as { stream_options?: unknown }).stream_options
      ? { kind: 'error', status: 400, message: "Unrecognized request argument supplied: stream_options" }
      : { kind: 'stream', deltas: ['fine'] }));
    const p = createProvider(profile('vllm', s.baseUrl), undefined);
    const r = ok(await p.complete({ model: 'm', messages, parameters: {} }));
    assert.equal(r.text, 'fine');
    assert.equal(s.requests.length, 2);
    assert.ok((s.requests[0]!.body as Record<string, unknown>).stream_options);
    assert.equal((s.requests[1]!.body as Record<string, unknown>).stream_options, undefined);
    assert.equal(r.usage.estimated, true);
    assert.ok((r.usage.input ?? 0) > 0 && (r.usage.output ?? 0) > 0);
    ok(await p.complete({ model: 'm', messages, parameters: {} }));
    assert.equal(s.requests.length, 3, 'the second call goes straight without stream_options');
  });

  it('retries once with max_completion_tokens when the model asks for it', async () => {
    const s = await serve((req) => ('max_tokens' in (req.body as object)
      ? { kind: 'error', status: 400, message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", code: 'unsupported_parameter' }
      : { kind: 'stream', deltas: ['reasoned'] }));
    const p = createProvider(profile('openai', s.baseUrl), 'k');
    ok(await p.complete({ model: 'o3-mini', messages, parameters: { max_tokens: 100 } }));
    assert.equal(s.requests.length, 2);
    assert.equal((s.requests[1]!.body as Record<string, unknown>).max_completion_tokens, 100);
    // An explicit max_completion_tokens parameter is sent as written.
    ok(await p.complete({ model: 'gpt-5', messages, parameters: { max_completion_tokens: 64 } }));
    assert.equal((s.requests[2]!.body as Record<string, unknown>).max_completion_tokens, 64);
    assert.equal(s.requests.length, 3);
  });

  it('a second 400 that is not one of the known quirks is reported, not retried', async () => {
    const s = await serve([{ kind: 'error', status: 400, message: 'messages: too long' }]);
    const r = await createProvider(profile('openai', s.baseUrl), 'k').complete({ model: 'm', messages, parameters: {} });
    assert.equal(r.ok, false);
    assert.equal(s.requests.length, 1);
  });
});
