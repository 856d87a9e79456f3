import type { ChatMessage, ModelParameters } from '../prompt/types';
import type { ProviderProfile } from './types';
import { asRecord } from './errors';
import { trimSlashes } from './openaiWire';
import type { ReportedUsage } from './tokens';

/*
 * The Anthropic Messages API wire format: URL, headers, body from our OpenAI-named
 * parameters, and the usage/text of answers. No I/O here.
 */

export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic requires max_tokens; prompt files often leave it out. 1024 is enough for the
 * typical prompt experiment and bounded enough not to surprise anyone with a bill. A
 * prompt that needs more says so with `max_tokens`.
 */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

/** OpenAI-only parameters that the Messages API would reject as unknown fields. */
const OPENAI_ONLY = new Set(['seed', 'response_format', 'frequency_penalty', 'presence_penalty', 'n', 'logprobs', 'top_logprobs', 'logit_bias', 'user', 'parallel_tool_calls', 'stream_options', 'max_completion_tokens']);
/** Mapped or set by us. */
const HANDLED = new Set(['model', 'messages', 'system', 'stream', 'max_tokens', 'temperature', 'top_p', 'stop']);

/** Accepts the API root with or without /v1. */
export function messagesUrl(profile: ProviderProfile): string {
  const base = trimSlashes(profile.baseUrl);
  return /\/v1$/.test(base) ? `${base}/messages` : `${base}/v1/messages`;
}

export function anthropicModelsUrl(profile: ProviderProfile): string {
  const base = trimSlashes(profile.baseUrl);
  return `${/\/v1$/.test(base) ? base : `${base}/v1`}/models?limit=1000`;
}

export function anthropicHeaders(profile: ProviderProfile, apiKey: string | undefined, streaming: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(profile.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['content-type'] = 'application/json';
  headers.accept = streaming ? 'text/event-stream' : 'application/json';
  headers['anthropic-version'] ??= ANTHROPIC_VERSION;
  if (apiKey) headers['x-api-key'] = apiKey;
  return headers;
}

/**
 * System messages (wherever they appear) become the top-level `system`, joined by a blank
 * line. Consecutive messages of the same role are merged the same way, because the API
 * wants user/assistant turns to alternate.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system: string | null; messages: Array<{ role: 'user' | 'assistant'; content: string }> } {
  const system: string[] = [];
  const out: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (const m of messages) {
    if (m.role === 'system') {
      system.push(m.content);
      continue;
    }
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content = `${last.content}\n\n${m.content}`;
    else out.push({ role: m.role, content: m.content });
  }
  return { system: system.length > 0 ? system.join('\n\n') : null, messages: out };
}

export function anthropicRequestBody(model: string, messages: readonly ChatMessage[], parameters: ModelParameters, stream: boolean): Record<string, unknown> {
  const converted = toAnthropicMessages(messages);
  const maxTokens = parameters.max_tokens ?? parameters.max_completion_tokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const body: Record<string, unknown> = { model, max_tokens: maxTokens, messages: converted.messages };
  if (converted.system !== null) body.system = converted.system;
  if (parameters.temperature !== undefined) body.temperature = parameters.temperature;
  if (parameters.top_p !== undefined) body.top_p = parameters.top_p;
  const stop = parameters.stop as unknown;
  const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  if (stops.length > 0) body.stop_sequences = stops;
  // Anthropic-native extras (top_k, metadata, thinking …) pass through.
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || HANDLED.has(key) || OPENAI_ONLY.has(key)) continue;
    body[key] = value;
  }
  if (stream) body.stream = true;
  return body;
}

/**
 * Input = fresh + cache-write + cache-read tokens: all of them were read by the model. (They
 * are priced differently, which a single input price cannot express; the cost is therefore
 * an upper bound when prompt caching is on.)
 */
export function usageFromAnthropic(u: unknown): ReportedUsage | null {
  const rec = asRecord(u);
  if (!rec) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const fresh = num(rec.input_tokens);
  const extra = (num(rec.cache_creation_input_tokens) ?? 0) + (num(rec.cache_read_input_tokens) ?? 0);
  const input = fresh === null ? null : fresh + extra;
  return { input, output: num(rec.output_tokens) };
}

export interface ParsedMessage { text: string; finishReason: string | null; usage: ReportedUsage | null; model: string | null; isMessage: boolean }

/** A non-streaming Messages answer: text blocks concatenated (thinking / tool blocks skipped). */
export function parseAnthropicMessage(json: unknown): ParsedMessage {
  const rec = asRecord(json) ?? {};
  const blocks = Array.isArray(rec.content) ? rec.content : [];
  const text = blocks.map((b) => asRecord(b)).filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b?.text as string).join('');
  return {
    text,
    finishReason: typeof rec.stop_reason === 'string' ? rec.stop_reason : null,
    usage: usageFromAnthropic(rec.usage),
    model: typeof rec.model === 'string' ? rec.model : null,
    isMessage: Array.isArray(rec.content),
  };
}

export function parseAnthropicModelList(json: unknown): string[] {
  const data = asRecord(json)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((m) => asRecord(m)?.id).filter((id): id is string => typeof id === 'string');
}
