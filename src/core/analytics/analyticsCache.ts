import type { RollupChange } from '../store/rollups';
import type { AnalyticsCacheStats, AnalyticsReport, AnalyticsScope } from './types';

/*
 * The analytics result cache (the seed's CacheManager, TTL 300 s by default), keyed by the
 * normalised query. An entry is dropped when a write touches what it covers: its time range
 * (current and previous window; open-ended when the query had no `until`, so a fresh
 * execution always lands in it) and its scope. Rollup refreshes report the hours they changed,
 * whatever the write path was (insert, patch, archive, restore, another process's journal).
 */

export const DEFAULT_ANALYTICS_TTL_MS = 300_000;

interface Entry { report: AnalyticsReport; since: number; until: number; scope: AnalyticsScope; expiresAt: number }

export class AnalyticsCache {
  private readonly entries = new Map<string, Entry>();
  private hits = 0;
  private misses = 0;
  private invalidations = 0;

  constructor(private readonly ttlMs = DEFAULT_ANALYTICS_TTL_MS, private readonly now: () => number = Date.now) {}

  get(key: string): AnalyticsReport | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt > this.now()) { this.hits++; return e.report; }
    if (e) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  /**
   * `until` is Infinity for a window that ends "now". Such a window also slides without any
   * write (executions age out of it), so its entry lives at most 1/60 of the window (a 60-minute
   * health window: 1 minute; 7 days: the TTL), never the full TTL.
   */
  set(key: string, report: AnalyticsReport, range: { since: number; until: number }): void {
    if (this.ttlMs <= 0) return;
    const windowMs = report.window.until - report.window.since;
    const ttl = range.until === Infinity ? Math.min(this.ttlMs, Math.max(1000, windowMs / 60)) : this.ttlMs;
    this.entries.set(key, { report, since: range.since, until: range.until, scope: report.scope, expiresAt: this.now() + ttl });
  }

  invalidate(changes: readonly RollupChange[]): number {
    if (!changes.length || !this.entries.size) return 0;
    let dropped = 0;
    for (const [key, e] of this.entries) {
      if (changes.some((c) => touches(e, c))) {
        this.entries.delete(key);
        dropped++;
      }
    }
    this.invalidations += dropped;
    return dropped;
  }

  clear(): void {
    this.invalidations += this.entries.size;
    this.entries.clear();
  }

  stats(): AnalyticsCacheStats {
    return { hits: this.hits, misses: this.misses, invalidations: this.invalidations, entries: this.entries.size, ttlMs: this.ttlMs };
  }
}

function touches(e: Entry, c: RollupChange): boolean {
  if (c.until <= e.since || c.since >= e.until) return false;
  if (!c.scope) return true;
  const s = e.scope;
  return (s.promptId === undefined || s.promptId === c.scope.promptId) && (s.provider === undefined || s.provider === c.scope.provider)
    && (s.model === undefined || s.model === c.scope.model) && (s.variant === undefined || s.variant === c.scope.variant);
}
