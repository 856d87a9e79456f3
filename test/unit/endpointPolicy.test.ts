import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { allowedOrigins, approvalKey, decideEndpoint, hostAllowed, normalizeOrigin, sameOrigin, withKeyRedaction } from '../../src/core/providers/endpointPolicy';
import type { CompletionResult, Provider, ProviderProfile } from '../../src/core/providers/types';
import { main } from '../../src/cli/main';
import { startOpenAIServer } from './helpers/fakeServers';
import { tempDir } from './helpers/fixtures';

const azure: ProviderProfile = { id: 'azure', kind: 'azure', baseUrl: 'https://mine.openai.azure.com/' };

describe('endpoint policy: origins', () => {
  it('normalises scheme, host case, default ports, paths and trailing slashes', () => {
    assert.equal(normalizeOrigin('HTTPS://API.Example.COM:443/v1/'), 'https://api.example.com');
    assert.equal(normalizeOrigin('http://example.com:80'), 'http://example.com');
    assert.equal(normalizeOrigin('http://example.com:8080/x'), 'http://example.com:8080');
    assert.ok(sameOrigin('https://api.example.com', 'https://api.example.com:443/v1///'));
    assert.ok(sameOrigin('https://API.example.com/', 'https://api.example.com'));
  });
  it('tells different schemes, ports and hosts apart; localhost is not 127.0.0.1', () => {
    assert.ok(!sameOrigin('http://api.example.com', 'https://api.example.com'));
    assert.ok(!sameOrigin('https://api.example.com:8443', 'https://api.example.com'));
    assert.ok(!sameOrigin('http://localhost:11434', 'http://127.0.0.1:11434'));
    assert.ok(!sameOrigin('https://api.example.com.evil.test', 'https://api.example.com'));
    assert.ok(!sameOrigin('https://user@evil.test', 'https://evil.test@api.example.com'));
  });
  it('rejects non-http(s) and unparsable URLs', () => {
    for (const u of ['', '   ', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'ftp://x.test', undefined, null]) assert.equal(normalizeOrigin(u), null, String(u));
    assert.ok(!sameOrigin('', ''));
  });
  it('--allow-endpoint hosts: bare host, host:port, full URL', () => {
    assert.deepEqual(allowedOrigins('API.example.com'), ['https://api.example.com', 'http://api.example.com']);
    assert.deepEqual(allowedOrigins('example.com:8443'), ['https://example.com:8443', 'http://example.com:8443']);
    assert.deepEqual(allowedOrigins('https://example.com/v1'), ['https://example.com']);
    assert.deepEqual(allowedOrigins(''), []);
    assert.ok(hostAllowed('https://api.example.com:443/', ['api.example.com']));
    assert.ok(!hostAllowed('https://api.example.com:8443', ['api.example.com']));
    assert.ok(!hostAllowed('http://127.0.0.1:9', ['localhost:9']));
    assert.ok(!hostAllowed('https://evil.test', []));
  });
  it('approval keys are per origin and variable', () => {
    assert.equal(approvalKey('HTTPS://X.test:443/a', 'KEY'), 'https://x.test|KEY');
    assert.notEqual(approvalKey('https://x.test', 'A'), approvalKey('https://x.test', 'B'));
  });
});

describe('endpoint policy: decisions', () => {
  it('no file endpoint, or the same origin: the profile with its own key', () => {
    assert.deepEqual(decideEndpoint(azure, null), { kind: 'profile', profile: azure });
    assert.deepEqual(decideEndpoint(azure, { apiKeyEnv: 'K' }), { kind: 'profile', profile: azure });
    assert.deepEqual(decideEndpoint(azure, { endpoint: 'https://MINE.openai.azure.com:443', apiKeyEnv: 'K' }), { kind: 'profile', profile: azure });
  });
  it('another origin without a key variable: ignored with a warning, the stored key stays on its endpoint', () => {
    const d = decideEndpoint(azure, { endpoint: 'https://evil.test/openai' });
    assert.equal(d.kind, 'profile');
    assert.equal(d.kind === 'profile' && d.profile.baseUrl, azure.baseUrl);
    assert.match(d.kind === 'profile' ? d.warning ?? '' : '', /https:\/\/evil\.test is ignored/);
  });
  it('another origin with a key variable: the file endpoint with the env key (needs approval)', () => {
    const d = decideEndpoint(azure, { endpoint: 'https://Other.openai.azure.com/', apiKeyEnv: 'AZURE_KEY' });
    assert.equal(d.kind, 'file-endpoint');
    if (d.kind !== 'file-endpoint') return;
    assert.equal(d.origin, 'https://other.openai.azure.com');
    assert.equal(d.apiKeyEnv, 'AZURE_KEY');
    assert.equal(d.profile.baseUrl, 'https://Other.openai.azure.com/');
    assert.equal(d.profile.id, 'azure');
    assert.equal(azure.baseUrl, 'https://mine.openai.azure.com/', 'the profile itself is not changed');
  });
  it('a profile with no base URL and a file endpoint with a key variable: file endpoint', () => {
    const d = decideEndpoint({ id: 'azure', kind: 'azure', baseUrl: '' }, { endpoint: 'https://r.openai.azure.com', apiKeyEnv: 'K' });
    assert.equal(d.kind, 'file-endpoint');
  });
  it('an explicit provider choice ignores the file endpoint', () => {
    const d = decideEndpoint(azure, { endpoint: 'https://evil.test', apiKeyEnv: 'K' }, { explicit: true });
    assert.equal(d.kind, 'profile');
    assert.equal(d.kind === 'profile' && d.profile, azure);
  });
  it('a non-http endpoint is refused; vscode-lm ignores endpoints', () => {
    assert.equal(decideEndpoint(azure, { endpoint: 'file:///etc/passwd', apiKeyEnv: 'K' }).kind, 'refuse');
    assert.equal(decideEndpoint({ id: 'vscode-lm', kind: 'vscode-lm', baseUrl: '' }, { endpoint: 'https://x.test', apiKeyEnv: 'K' }).kind, 'profile');
  });
});

describe('endpoint policy in the CLI', () => {
  const prompty = (endpoint: string, keyLine: string) => `---
name: endpoint-check
model:
  api: chat
  configuration:
    type: openai
    base_url: ${endpoint}
    name: gpt-4o-mini
${keyLine}
---
user:
Say hi
`;
  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
    const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
    return { code, out, err };
  }
  const FILE_KEY = 'sk-file-env-key-123456';
  const PROFILE_KEY = 'sk-profile-key-abcdef';

  it('refuses a file that sends its ${env:} key to its own endpoint without --allow-endpoint, and runs with it', async () => {
    const srv = await startOpenAIServer(() => ({ kind: 'json', text: 'hi' }));
    const saved = { f: process.env.PL_TEST_FILE_KEY, o: process.env.OPENAI_API_KEY };
    process.env.PL_TEST_FILE_KEY = FILE_KEY;
    process.env.OPENAI_API_KEY = PROFILE_KEY;
    try {
      const dir = tempDir();
      const file = path.join(dir, 'ep.prompty');
      fs.writeFileSync(file, prompty(srv.baseUrl, '    api_key: ${env:PL_TEST_FILE_KEY}'));
      const refused = await cli('run', file, '--db', path.join(dir, 'db'));
      assert.equal(refused.code, 2, refused.err);
      assert.match(refused.err, /PL_TEST_FILE_KEY.*127\.0\.0\.1.*--allow-endpoint 127\.0\.0\.1:\d+/s);
      assert.equal(srv.requests.length, 0, 'nothing was sent');
      const other = await cli('run', file, '--db', path.join(dir, 'db'), '--allow-endpoint', 'localhost:' + new URL(srv.baseUrl).port);
      assert.equal(other.code, 2, 'localhost does not allow 127.0.0.1');
      assert.equal(srv.requests.length, 0);
      const ok = await cli('run', file, '--db', path.join(dir, 'db'), '--allow-endpoint', new URL(srv.baseUrl).host, '--no-cache');
      assert.equal(ok.code, 0, ok.err);
      assert.equal(srv.requests.length, 1);
      assert.equal(srv.requests[0]!.headers.authorization, `Bearer ${FILE_KEY}`, 'the file\'s own key, never the profile\'s');
    } finally {
      if (saved.f === undefined) delete process.env.PL_TEST_FILE_KEY; else process.env.PL_TEST_FILE_KEY = saved.f;
      if (saved.o === undefined) delete process.env.OPENAI_API_KEY; else process.env.OPENAI_API_KEY = saved.o;
      await srv.close();
    }
  });

  it('a file endpoint without a key variable never receives the profile key (ignored with a warning)', async () => {
    const srv = await startOpenAIServer(() => ({ kind: 'json', text: 'hi' }));
    const profileSrv = await startOpenAIServer(() => ({ kind: 'json', text: 'from profile' }));
    const saved = process.env.PROMPTLAB_API_KEY_CUSTOM;
    process.env.PROMPTLAB_API_KEY_CUSTOM = PROFILE_KEY;
    try {
      const dir = tempDir();
      const file = path.join(dir, 'ep.prompty');
      fs.writeFileSync(file, prompty(srv.baseUrl, ''));
      // --base-url is an explicit profile: the file's endpoint is ignored, the key goes to --base-url.
      const r = await cli('run', file, '--db', path.join(dir, 'db'), '--base-url', profileSrv.baseUrl, '--no-cache');
      assert.equal(r.code, 0, r.err);
      assert.equal(srv.requests.length, 0, 'the file endpoint got nothing');
      assert.equal(profileSrv.requests.length, 1);
      assert.match(r.err, /is ignored/);
    } finally {
      if (saved === undefined) delete process.env.PROMPTLAB_API_KEY_CUSTOM; else process.env.PROMPTLAB_API_KEY_CUSTOM = saved;
      await srv.close(); await profileSrv.close();
    }
  });
});

describe('withKeyRedaction', () => {
  const KEY = 'PLKEYabcdef123456';
  const fake = (r: CompletionResult, deltas: string[] = []): Provider => ({
    profileId: 'p', kind: 'openai-compatible',
    complete: async (_req, opts) => { for (const d of deltas) opts?.onToken?.(d); return r; },
  });
  const req = { model: 'm', messages: [], parameters: {} };
  it('removes the key from text, deltas, raw bodies and error messages', async () => {
    const seen: string[] = [];
    const ok = await withKeyRedaction(fake({ ok: true, text: `echo ${KEY}!`, usage: { input: 1, output: 1, estimated: false }, latencyMs: 1, ttftMs: null, finishReason: null, model: null, raw: { h: `Bearer ${KEY}` } }, [`a ${KEY}`, 'b']), KEY)
      .complete(req, { onToken: (d) => seen.push(d) });
    assert.ok(ok.ok);
    assert.equal(ok.ok && ok.text, 'echo [REDACTED]!');
    assert.deepEqual(ok.ok && ok.raw, { h: 'Bearer [REDACTED]' });
    assert.deepEqual(seen, ['a [REDACTED]', 'b']);
    const bad = await withKeyRedaction(fake({ ok: false, error: { kind: 'auth', message: `no ${KEY}` }, latencyMs: 1, partialText: KEY }), KEY).complete(req);
    assert.ok(!bad.ok && !JSON.stringify(bad).includes(KEY));
  });
  it('is the provider itself without a key', () => {
    const p = fake({ ok: false, error: { kind: 'auth', message: 'x' }, latencyMs: 1 });
    assert.equal(withKeyRedaction(p, undefined), p);
  });
});
