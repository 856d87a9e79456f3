// Public surface of the providers module; import from here rather than from the files.
export type { CompletionOptions, CompletionRequest, CompletionResult, Provider, ProviderError, ProviderErrorKind, ProviderKind, ProviderProfile, Usage } from './types';
export { AnthropicProvider } from './anthropic';
export { ANTHROPIC_VERSION, DEFAULT_ANTHROPIC_MAX_TOKENS } from './anthropicWire';
export type { ProviderDeps } from './callContext';
export { BUILTIN_PROFILES, createProvider, defaultBaseUrl } from './createProvider';
export { isRetryable, ProviderFailure, redactSecrets } from './errors';
export { OPENAI_COMPATIBLE_KINDS, OpenAICompatibleProvider } from './openaiCompatible';
export { DEFAULT_AZURE_API_VERSION } from './openaiWire';
export { cacheableByDefault, cacheKey, ResponseCache } from './responseCache';
export type { CacheKeyInput, CachedResponse, ResponseCacheOptions } from './responseCache';
export { parseRetryAfter, retryAfterMsFromHeaders } from './retryAfter';
export { readSseEvents, SSE_DONE } from './sse';
export type { SseEvent } from './sse';
export { costUsd, estimateTokens, usageOrEstimate } from './tokens';
export type { ReportedUsage } from './tokens';
