/*
 * How long a server asked us to wait, from whichever header it uses. The runner owns the
 * retry loop; this only turns headers into milliseconds.
 */

/** Minimal header view, so plain objects work in tests as well as fetch `Headers`. */
export interface HeaderSource { get(name: string): string | null }

/**
 * Precedence: `retry-after-ms` (Azure, exact), `retry-after` (seconds or HTTP date; OpenAI,
 * Anthropic, GitHub, proxies), then OpenAI's `x-ratelimit-reset-requests/-tokens` durations
 * ("1s", "6m0s", "250ms"). For the last, the limit that is exhausted (remaining = 0) wins;
 * when that cannot be told, the longer wait is the safe one.
 */
export function retryAfterMsFromHeaders(headers: HeaderSource, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null) {
    const n = Number(ms.trim());
    if (Number.isFinite(n) && n >= 0) return Math.round(n);
  }
  const ra = headers.get('retry-after');
  if (ra !== null) {
    const parsed = parseRetryAfter(ra, now);
    if (parsed !== undefined) return parsed;
  }
  const resetRequests = parseDuration(headers.get('x-ratelimit-reset-requests'));
  const resetTokens = parseDuration(headers.get('x-ratelimit-reset-tokens'));
  if (headers.get('x-ratelimit-remaining-requests')?.trim() === '0' && resetRequests !== undefined) return resetRequests;
  if (headers.get('x-ratelimit-remaining-tokens')?.trim() === '0' && resetTokens !== undefined) return resetTokens;
  if (resetRequests !== undefined || resetTokens !== undefined) return Math.max(resetRequests ?? 0, resetTokens ?? 0);
  return undefined;
}

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` (a past date → 0). */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Go-style durations as OpenAI sends them: "1s", "6m0s", "1h2m3.5s", "250ms". */
export function parseDuration(value: string | null): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * (unit[m[2] as string] ?? 0);
    consumed = re.lastIndex;
  }
  return consumed === v.length ? Math.round(total) : undefined;
}
