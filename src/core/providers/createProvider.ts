import type { Provider, ProviderKind, ProviderProfile } from './types';
import { AnthropicProvider } from './anthropic';
import type { ProviderDeps } from './callContext';
import { OPENAI_COMPATIBLE_KINDS, OpenAICompatibleProvider } from './openaiCompatible';

/*
 * The one place that turns a profile + key into a Provider. 'vscode-lm' is not built here:
 * it needs the `vscode` module and lives in the extension.
 */

const DEFAULT_BASE_URLS: Partial<Record<ProviderKind, string>> = {
  openai: 'https://api.openai.com/v1',
  github: 'https://models.github.ai/inference',
  ollama: 'http://127.0.0.1:11434/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  llamacpp: 'http://127.0.0.1:8080/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  anthropic: 'https://api.anthropic.com',
};

/** Where a kind lives by default; null when it must be configured (Azure, generic, vscode-lm). */
export function defaultBaseUrl(kind: ProviderKind): string | null {
  return DEFAULT_BASE_URLS[kind] ?? null;
}

/**
 * Ready-made profiles. No prices: prices change and differ by contract, and a made-up
 * price is worse than none (cost then shows as unknown). No default model for the local
 * servers or Anthropic either, since which models exist is the user's setup.
 */
export const BUILTIN_PROFILES: readonly ProviderProfile[] = Object.freeze([
  { id: 'openai', kind: 'openai', baseUrl: DEFAULT_BASE_URLS.openai as string, defaultModel: 'gpt-4o-mini' },
  { id: 'github', kind: 'github', baseUrl: DEFAULT_BASE_URLS.github as string, defaultModel: 'openai/gpt-4o-mini' },
  { id: 'ollama', kind: 'ollama', baseUrl: DEFAULT_BASE_URLS.ollama as string },
  { id: 'anthropic', kind: 'anthropic', baseUrl: DEFAULT_BASE_URLS.anthropic as string },
  { id: 'lmstudio', kind: 'lmstudio', baseUrl: DEFAULT_BASE_URLS.lmstudio as string },
] satisfies ProviderProfile[]);

/**
 * Throws (a plain Error, with a message fit for the user) only for configuration problems:
 * an unsupported kind or a missing base URL where there is no default. Request failures
 * never throw; they come back from complete() as data.
 */
export function createProvider(profile: ProviderProfile, apiKey: string | undefined, deps: Partial<ProviderDeps> = {}): Provider {
  if (profile.kind === 'vscode-lm') throw new Error("Provider kind 'vscode-lm' is created by the extension (it needs the VS Code API), not by createProvider.");
  const baseUrl = profile.baseUrl.trim() || defaultBaseUrl(profile.kind);
  if (!baseUrl) {
    const hint = profile.kind === 'azure' ? ' (https://<resource>.openai.azure.com)' : '';
    throw new Error(`Provider profile '${profile.id}' (${profile.kind}) needs a base URL${hint}.`);
  }
  const resolved: ProviderProfile = { ...profile, baseUrl };
  const key = apiKey?.trim() || undefined;
  if (profile.kind === 'anthropic') return new AnthropicProvider(resolved, key, deps);
  if (OPENAI_COMPATIBLE_KINDS.has(profile.kind)) return new OpenAICompatibleProvider(resolved, key, deps);
  throw new Error(`Unknown provider kind '${String(profile.kind)}' in profile '${profile.id}'.`);
}
