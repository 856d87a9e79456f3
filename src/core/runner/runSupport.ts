import type { ChatMessage } from '../prompt/types';
import type { CachedResponse } from '../providers/responseCache';
import { cacheKey } from '../providers/responseCache';
import type { ProviderProfile, Usage } from '../providers/types';
import type { RunCase } from './types';

/*
 * Small pure pieces of a run: what goes into the record (prompt text, model config without
 * secrets), what a response costs, and what identifies a cacheable request.
 */

/** A stored response: the providers' cache record, so their on-disk cache plugs in as is. */
export type { CachedResponse } from '../providers/responseCache';

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
  return cacheKey({ profile: { kind: profile.kind, baseUrl: safeBaseUrl(profile.baseUrl) }, model: c.model, parameters: c.parameters, messages: c.messages });
}
