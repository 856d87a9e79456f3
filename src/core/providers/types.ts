import type { ChatMessage, ModelParameters } from '../prompt/types';

/*
 * One interface for every provider. Failures come back as data, never as a throw, so one
 * failed case never sinks a run of a thousand.
 */

export type ProviderErrorKind = 'auth' | 'rate_limit' | 'timeout' | 'server' | 'bad_request' | 'network' | 'cancelled' | 'content_filter';

export interface ProviderError { kind: ProviderErrorKind; message: string; retryAfterMs?: number; status?: number }

export interface Usage { input: number | null; output: number | null; estimated: boolean }

export type CompletionResult =
  | { ok: true; text: string; usage: Usage; latencyMs: number; ttftMs: number | null; finishReason: string | null; model: string | null; raw?: unknown }
  | { ok: false; error: ProviderError; latencyMs: number; partialText?: string };

export interface CompletionRequest { model: string; messages: ChatMessage[]; parameters: ModelParameters; stream?: boolean }

export interface CompletionOptions {
  signal?: AbortSignal;
  onToken?: (delta: string) => void;
  /** Per-request timeout (ms); a timeout is an error of kind 'timeout'. */
  timeoutMs?: number;
}

export interface Provider {
  readonly profileId: string;
  readonly kind: ProviderKind;
  complete(request: CompletionRequest, options?: CompletionOptions): Promise<CompletionResult>;
  listModels?(signal?: AbortSignal): Promise<string[]>;
}

export type ProviderKind = 'openai' | 'azure' | 'github' | 'ollama' | 'lmstudio' | 'vllm' | 'llamacpp' | 'openrouter' | 'openai-compatible' | 'anthropic' | 'vscode-lm';

export interface ProviderProfile {
  id: string;
  kind: ProviderKind;
  baseUrl: string;
  defaultModel?: string;
  /** Azure OpenAI api-version. */
  apiVersion?: string;
  /** USD per 1M tokens, for cost. */
  priceInPer1M?: number;
  priceOutPer1M?: number;
  /** Extra non-secret headers. */
  headers?: Record<string, string>;
}
