import type { ChatMessage, ModelParameters } from '../prompt/types';
import type { ProviderKind, ProviderProfile } from './types';
import { asRecord } from './errors';
import type { ReportedUsage } from './tokens';

/*
 * The OpenAI chat-completions wire format as spoken by OpenAI, Azure OpenAI, GitHub Models,
 * Ollama, LM Studio, vLLM, llama.cpp server and OpenRouter: where to send it, which headers,
 * what body, and how to read the answer. No I/O here, so each piece is easy to test.
 */

/** Azure's GA data-plane version at the time of writing; profiles override with apiVersion. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/** Local servers whose OpenAI routes live under /v1; a bare host:port gets it appended. */
const V1_BY_DEFAULT: ReadonlySet<ProviderKind> = new Set(['ollama', 'lmstudio', 'vllm', 'llamacpp']);

export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function withV1IfBare(kind: ProviderKind, base: string): string {
  if (!V1_BY_DEFAULT.has(kind)) return base;
  try {
    const u = new URL(base);
    if (u.pathname === '/' || u.pathname === '') return `${base}/v1`;
  } catch {
    // Not a URL: fetch will report it.
  }
  return base;
}

/**
 * Azure has two shapes: the classic `{endpoint}/openai/deployments/{deployment}/…?api-version=`
 * (deployment = request.model) and the newer `{endpoint}/openai/v1/…` that behaves like
 * OpenAI (model in the body, no api-version). A base URL ending in /openai/v1 selects the latter.
 */
export function chatCompletionsUrl(profile: ProviderProfile, model: string): string {
  const base = withV1IfBare(profile.kind, trimSlashes(profile.baseUrl));
  if (profile.kind === 'azure' && !/\/openai\/v1$/.test(base)) {
    const root = base.replace(/\/openai$/, '');
    const version = encodeURIComponent(profile.apiVersion || DEFAULT_AZURE_API_VERSION);
    return `${root}/openai/deployments/${encodeURIComponent(model)}/chat/completions?api-version=${version}`;
  }
  return `${base}/chat/completions`;
}

/** GET URL for the model list; null where the API has no usable list (Azure deployments). */
export function modelsUrl(profile: ProviderProfile): string | null {
  const base = withV1IfBare(profile.kind, trimSlashes(profile.baseUrl));
  if (profile.kind === 'azure') return /\/openai\/v1$/.test(base) ? `${base}/models` : null;
  // GitHub Models lists its catalog beside the inference route, not under it.
  if (profile.kind === 'github') return base.replace(/(\/orgs\/[^/]+)?\/inference$/, '') + '/catalog/models';
  return `${base}/models`;
}

/** Auth: Azure's `api-key`, everyone else Bearer; nothing at all without a key (local servers). */
export function requestHeaders(profile: ProviderProfile, apiKey: string | undefined, streaming: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  // Lower-cased so a profile's 'Content-Type' does not end up beside our 'content-type'.
  for (const [k, v] of Object.entries(profile.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['content-type'] = 'application/json';
  headers.accept = streaming ? 'text/event-stream' : 'application/json';
  if (profile.kind === 'github') headers['x-github-api-version'] ??= '2022-11-28';
  if (apiKey) {
    if (profile.kind === 'azure') headers['api-key'] = apiKey;
    else headers.authorization = `Bearer ${apiKey}`;
  }
  return headers;
}

/** Keys we set ourselves; a parameter of the same name must not override them. */
const RESERVED = new Set(['model', 'messages', 'stream', 'stream_options']);

export interface BodyOptions {
  stream: boolean;
  includeUsage: boolean;
  /**
   * OpenAI's reasoning models (o-series, gpt-5) reject `max_tokens` and want
   * `max_completion_tokens`; most other servers know only `max_tokens`. We send `max_tokens`
   * unless told otherwise: by writing `max_completion_tokens` in the parameters, or by the
   * server's 400 (the provider then retries once and remembers it per model).
   */
  useMaxCompletionTokens: boolean;
}

/** Parameters are already in OpenAI names; unknown ones pass through untouched. */
export function chatRequestBody(model: string, messages: readonly ChatMessage[], parameters: ModelParameters, opts: BodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model, messages: messages.map((m) => ({ role: m.role, content: m.content })) };
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || RESERVED.has(key)) continue;
    if (key === 'stop' && Array.isArray(value) && value.length === 0) continue;
    body[key] = value;
  }
  if (opts.useMaxCompletionTokens && body.max_tokens !== undefined) {
    body.max_completion_tokens ??= body.max_tokens;
    delete body.max_tokens;
  }
  if (opts.stream) {
    body.stream = true;
    if (opts.includeUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

export function usageFromOpenAI(u: unknown): ReportedUsage | null {
  const rec = asRecord(u);
  if (!rec) return null;
  const input = typeof rec.prompt_tokens === 'number' ? rec.prompt_tokens : null;
  const output = typeof rec.completion_tokens === 'number' ? rec.completion_tokens : null;
  return input === null && output === null ? null : { input, output };
}

/** A non-streaming chat completion (also what non-streaming servers answer a stream request with). */
export interface ParsedCompletion { text: string; finishReason: string | null; usage: ReportedUsage | null; model: string | null; error: unknown; hasChoices: boolean }

export function parseCompletion(json: unknown): ParsedCompletion {
  const rec = asRecord(json) ?? {};
  const choices = Array.isArray(rec.choices) ? rec.choices : [];
  const choice = asRecord(choices[0]);
  const message = asRecord(choice?.message);
  const content = message?.content;
  return {
    text: typeof content === 'string' ? content : '',
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    usage: usageFromOpenAI(rec.usage),
    model: typeof rec.model === 'string' ? rec.model : null,
    error: rec.error ?? null,
    hasChoices: Array.isArray(rec.choices),
  };
}

/** One streamed chunk: the text delta, and whatever else the chunk carries. */
export interface ParsedChunk { delta: string; finishReason: string | null; usage: ReportedUsage | null; model: string | null; error: unknown }

export function parseChunk(json: unknown): ParsedChunk {
  const rec = asRecord(json) ?? {};
  const choices = Array.isArray(rec.choices) ? rec.choices : [];
  const choice = asRecord(choices[0]);
  const delta = asRecord(choice?.delta);
  const content = delta?.content;
  return {
    delta: typeof content === 'string' ? content : '',
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    usage: usageFromOpenAI(rec.usage),
    model: typeof rec.model === 'string' && rec.model !== '' ? rec.model : null,
    error: rec.error ?? null,
  };
}

/** Model ids from `{data:[{id}]}` (OpenAI, Ollama, vLLM …) or a bare array (GitHub catalog). */
export function parseModelList(json: unknown): string[] {
  const list = Array.isArray(json) ? json : asRecord(json)?.data;
  if (!Array.isArray(list)) return [];
  return list.map((m) => asRecord(m)?.id).filter((id): id is string => typeof id === 'string');
}
