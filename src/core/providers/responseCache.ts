import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage, ModelParameters } from '../prompt/types';
import type { ProviderProfile, Usage } from './types';

/*
 * Response cache: the same request to the same endpoint gives back the stored answer
 * instead of a new call. Whether a request may be answered from cache is the runner's
 * decision (by default only temperature 0; see `cacheableByDefault`).
 *
 * In memory it is an LRU bounded by entry count. With a directory it is also kept in one
 * JSON-lines file there, appended on each set and compacted when it grows to twice the
 * live entries, so it survives restarts (hits append a small "touch" line, so the LRU order
 * survives too). What is stored is the provider's response text and
 * usage, keyed by a hash: never request headers or keys (the key input has none), and the
 * prompt itself only as part of the hash.
 */

export interface CacheKeyInput {
  profile: Pick<ProviderProfile, 'kind' | 'baseUrl'>;
  model: string;
  parameters: ModelParameters;
  messages: readonly ChatMessage[];
}

export interface CachedResponse {
  text: string;
  usage: Usage;
  finishReason: string | null;
  model: string | null;
  /** ISO time the response was produced. */
  createdAt: string;
}

/** Bumped when the key recipe changes, so old entries simply stop matching. */
const KEY_VERSION = 1;

/** sha256 over a canonical JSON (sorted keys at every depth, undefined dropped). */
export function cacheKey(input: CacheKeyInput): string {
  const canonical = canonicalJson({
    v: KEY_VERSION,
    kind: input.profile.kind,
    baseUrl: input.profile.baseUrl.replace(/\/+$/, ''),
    model: input.model,
    parameters: input.parameters,
    messages: input.messages.map((m) => ({ role: m.role, content: m.content })),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Default policy: only deterministic requests (temperature exactly 0) are served from cache. */
export function cacheableByDefault(parameters: ModelParameters): boolean {
  return parameters.temperature === 0;
}

export interface ResponseCacheOptions {
  /** Most entries kept; the least recently used go first. Default 1000. */
  maxEntries?: number;
  /** Directory for the on-disk copy (created if missing). Omit for memory only. */
  dir?: string;
}

export const CACHE_FILE_NAME = 'response-cache.jsonl';

export class ResponseCache {
  readonly maxEntries: number;
  private readonly entries = new Map<string, CachedResponse>();
  private readonly file: string | null;
  private linesOnDisk = 0;

  constructor(options: ResponseCacheOptions = {}) {
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 1000));
    this.file = options.dir ? path.join(options.dir, CACHE_FILE_NAME) : null;
    if (options.dir) fs.mkdirSync(options.dir, { recursive: true });
    this.load();
  }

  get size(): number {
    return this.entries.size;
  }

  /** A hit also makes the entry the most recently used. */
  get(key: string): CachedResponse | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    // Recency survives a restart: a tiny touch line, so reload evicts what this instance would.
    if (this.file) this.append({ key, touch: true });
    return hit;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: CachedResponse): void {
    const entry: CachedResponse = { text: value.text, usage: { ...value.usage }, finishReason: value.finishReason, model: value.model, createdAt: value.createdAt };
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
    if (this.file) this.append({ key, value: entry });
  }

  clear(): void {
    this.entries.clear();
    if (this.file) {
      fs.writeFileSync(this.file, '');
      this.linesOnDisk = 0;
    }
  }

  private append(record: { key: string; value?: CachedResponse; touch?: true }): void {
    if (!this.file) return;
    fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
    this.linesOnDisk++;
    if (this.linesOnDisk > 2 * this.maxEntries) this.compact();
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Replays the file; later lines win and refresh recency. A torn or foreign line is skipped. */
  private load(): void {
    if (!this.file || !fs.existsSync(this.file)) return;
    const lines = fs.readFileSync(this.file, 'utf8').split('\n');
    for (const line of lines) {
      if (line.trim() === '') continue;
      this.linesOnDisk++;
      try {
        const rec = JSON.parse(line) as { key?: unknown; value?: Partial<CachedResponse>; touch?: boolean };
        if (typeof rec.key !== 'string') continue;
        const v = rec.value;
        const existing = this.entries.get(rec.key);
        if (rec.touch && existing) {
          this.entries.delete(rec.key);
          this.entries.set(rec.key, existing);
        }
        if (!v || typeof v.text !== 'string' || !v.usage) continue;
        this.entries.delete(rec.key);
        this.entries.set(rec.key, { text: v.text, usage: v.usage, finishReason: v.finishReason ?? null, model: v.model ?? null, createdAt: v.createdAt ?? '' });
        // Replaying in order with the same limit drops exactly what was evicted before.
        this.evict();
      } catch {
        // A line torn by a crash mid-append: the entry is lost, the rest of the cache is not.
      }
    }
    if (this.linesOnDisk > 2 * this.maxEntries) this.compact();
  }

  /** Rewrites the file with the live entries (temp + rename, so a crash leaves one whole file). */
  private compact(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    const text = [...this.entries].map(([key, value]) => JSON.stringify({ key, value })).join('\n');
    fs.writeFileSync(tmp, text === '' ? '' : `${text}\n`);
    fs.renameSync(tmp, this.file);
    this.linesOnDisk = this.entries.size;
  }
}
