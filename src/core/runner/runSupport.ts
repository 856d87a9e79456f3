import { createHash } from 'node:crypto';
import type { ChatMessage } from '../prompt/types';
import type { ProviderProfile, Usage } from '../providers/types';
import type { RunCase } from './types';

/*
 * Small pure pieces of a run: what goes into the record (prompt text, model config without
 * secrets), what a response costs, and what identifies a cacheable request.
 */

/** A stored response, enough to answer a case again without calling the provider. */
export interface CachedResponse {
  text: string;
  usage: Usage;
  model?: string | null;
  finishReason?: string | null;
  /** Latency of the original call (informational; a hit reports ~0). */
  latencyMs?: number;
}

/** The caller's cache. Either method may be async; a cache that fails is treated as a miss. */
export interface ResponseCache {
  get(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined>;
  set(key: string, value: CachedResponse): void | Promise<void>;
}

/** `role: content` blocks, one per message, as the history shows the prompt. */
export function renderPromptText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
}

/**
 * The base URL as it may be stored: no user:password@, no query (Azure and some proxies
 * accept `?api-key=`), no fragment. Unparseable values are dropped rather than risked.
 */
export function safeBaseUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '';
  }
}

/** USD from the profile's per-1M prices; null when a price or a token count is unknown. */
export function costFromProfile(profile: ProviderProfile): (usage: Usage) => number | null {
  const pin = profile.priceInPer1M;
  const pout = profile.priceOutPer1M;
  return (usage) => {
    if (pin === undefined || pout === undefined || usage.input === null || usage.output === null) return null;
    return (usage.input * pin + usage.output * pout) / 1_000_000;
  };
}

/** Cache by default only where the answer is meant to be reproducible. */
export function defaultUseCache(c: RunCase): boolean {
  return c.parameters.temperature === 0;
}

/**
 * Everything that changes the answer: endpoint, model, messages, parameters. Not the case id
 * or label — two cases asking the same thing share one answer.
 */
export function defaultCacheKey(profile: ProviderProfile, c: RunCase): string {
  const basis = stableStringify({ kind: profile.kind, baseUrl: safeBaseUrl(profile.baseUrl), model: c.model, messages: c.messages, parameters: c.parameters });
  return createHash('sha256').update(basis).digest('hex');
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` give the same key. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
