import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnthropicProvider } from '../../src/core/providers/anthropic';
import { BUILTIN_PROFILES, createProvider, defaultBaseUrl } from '../../src/core/providers/createProvider';
import { OpenAICompatibleProvider } from '../../src/core/providers/openaiCompatible';

describe('createProvider', () => {
  it('knows the default base URLs, and none where one must be configured', () => {
    assert.equal(defaultBaseUrl('openai'), 'https://api.openai.com/v1');
    assert.equal(defaultBaseUrl('github'), 'https://models.github.ai/inference');
    assert.equal(defaultBaseUrl('ollama'), 'http://127.0.0.1:11434/v1');
    assert.equal(defaultBaseUrl('lmstudio'), 'http://127.0.0.1:1234/v1');
    assert.equal(defaultBaseUrl('vllm'), 'http://127.0.0.1:8000/v1');
    assert.equal(defaultBaseUrl('llamacpp'), 'http://127.0.0.1:8080/v1');
    assert.equal(defaultBaseUrl('openrouter'), 'https://openrouter.ai/api/v1');
    assert.equal(defaultBaseUrl('anthropic'), 'https://api.anthropic.com');
    assert.equal(defaultBaseUrl('azure'), null);
    assert.equal(defaultBaseUrl('openai-compatible'), null);
  });

  it('builds the right class per kind and fills in a missing base URL', () => {
    const p = createProvider({ id: 'o', kind: 'openrouter', baseUrl: '' }, 'k');
    assert.ok(p instanceof OpenAICompatibleProvider);
    assert.equal(p.kind, 'openrouter');
    assert.equal(p.profileId, 'o');
    assert.ok(createProvider({ id: 'a', kind: 'anthropic', baseUrl: '' }, 'k') instanceof AnthropicProvider);
  });

  it('refuses vscode-lm and profiles without a usable base URL', () => {
    assert.throws(() => createProvider({ id: 'lm', kind: 'vscode-lm', baseUrl: '' }, undefined), /created by the extension/);
    assert.throws(() => createProvider({ id: 'az', kind: 'azure', baseUrl: ' ' }, 'k'), /needs a base URL \(https:\/\/<resource>\.openai\.azure\.com\)/);
  });

  it('ships builtin profiles without prices', () => {
    assert.deepEqual(BUILTIN_PROFILES.map((p) => p.id), ['openai', 'github', 'ollama', 'anthropic', 'lmstudio']);
    for (const p of BUILTIN_PROFILES) {
      assert.equal(p.baseUrl, defaultBaseUrl(p.kind));
      assert.equal(p.priceInPer1M, undefined);
      assert.doesNotThrow(() => createProvider(p, undefined));
    }
  });
});
