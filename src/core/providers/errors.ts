import type { ProviderError, ProviderErrorKind } from './types';
import { retryAfterMsFromHeaders, type HeaderSource } from './retryAfter';

/*
 * Every way a provider call can fail, turned into a ProviderError. Messages are meant for
 * people (the results table, the log), so they are short, say what happened, and never
 * carry a credential: every message passes through `redactSecrets` before it leaves here.
 */

/** Internal: thrown deep inside response handling and turned back into data at the top. */
export class ProviderFailure extends Error {
  constructor(readonly error: ProviderError) {
    super(error.message);
    this.name = 'ProviderFailure';
  }
}

/** Which kinds are worth another attempt. Auth, bad requests, filters and cancels are not. */
export function isRetryable(error: Pick<ProviderError, 'kind'>): boolean {
  return error.kind === 'rate_limit' || error.kind === 'server' || error.kind === 'network' || error.kind === 'timeout';
}

const MAX_MESSAGE = 300;

/**
 * Removes the given secrets and anything shaped like an auth header value. Servers do echo
 * keys back (OpenAI's 401 shows a masked key; proxies sometimes the whole header).
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED]')
    .replace(/\b(api-key|x-api-key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1$2[REDACTED]')
    .replace(/\bsk-[A-Za-z0-9_-]{12,}/g, 'sk-[REDACTED]');
}

function clip(text: string, max = MAX_MESSAGE): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export function makeError(kind: ProviderErrorKind, message: string, secrets: ReadonlyArray<string | undefined>, extra: { status?: number; retryAfterMs?: number } = {}): ProviderError {
  const error: ProviderError = { kind, message: clip(redactSecrets(message, secrets)) };
  if (extra.status !== undefined) error.status = extra.status;
  if (extra.retryAfterMs !== undefined) error.retryAfterMs = extra.retryAfterMs;
  return error;
}

/** `malformed response: <first 200 chars>`: the body or chunk that failed to parse. */
export function malformedResponse(text: string, secrets: ReadonlyArray<string | undefined>): ProviderError {
  return makeError('server', `malformed response: ${text.slice(0, 200)}`, secrets);
}

/** What an error body says, whichever envelope it uses (OpenAI, Azure, Anthropic, plain text). */
export interface ErrorDetail { message: string; code: string | null; type: string | null }

export function errorDetail(body: unknown, fallbackText: string): ErrorDetail {
  const obj = asRecord(body);
  const inner = asRecord(obj?.error) ?? obj;
  const message = str(inner?.message) ?? str(obj?.message) ?? str(obj?.error) ?? str(obj?.detail) ?? fallbackText;
  const innerError = asRecord(inner?.innererror);
  const code = str(inner?.code) ?? str(innerError?.code) ?? null;
  const type = str(inner?.type) ?? null;
  return { message, code, type };
}

const CONTENT_FILTER_CODES = new Set(['content_filter', 'content_policy_violation', 'responsibleaipolicyviolation']);

/** Kind from an error type/code alone, for errors that arrive inside a 200 stream. */
export function kindFromErrorType(detail: ErrorDetail): ProviderErrorKind | null {
  const t = (detail.code ?? '').toLowerCase();
  const ty = (detail.type ?? '').toLowerCase();
  if (CONTENT_FILTER_CODES.has(t) || CONTENT_FILTER_CODES.has(ty)) return 'content_filter';
  // Billing problems come as 429s, but waiting does not fix an empty account.
  if (t === 'insufficient_quota' || ty === 'insufficient_quota') return 'auth';
  switch (ty || t) {
    case 'authentication_error':
    case 'permission_error':
    case 'invalid_api_key':
      return 'auth';
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
      return 'rate_limit';
    case 'overloaded_error':
    case 'api_error':
    case 'server_error':
      return 'server';
    case 'timeout_error':
      return 'timeout';
    case 'invalid_request_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'bad_request';
    default:
      return null;
  }
}

function kindFromStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server'; // includes Anthropic's 529 "overloaded": retryable
  if (status >= 400) return 'bad_request';
  return 'server'; // a 1xx/3xx we could not follow is the server's doing, not the request's
}

/** Maps a non-2xx HTTP answer. `bodyText` is the raw body (JSON or not). */
export function errorFromResponse(status: number, headers: HeaderSource, bodyText: string, now: number, secrets: ReadonlyArray<string | undefined>): ProviderError {
  const detail = errorDetail(tryParseJson(bodyText), bodyText || `HTTP ${status}`);
  let kind = kindFromStatus(status);
  const byType = kindFromErrorType(detail);
  if (status === 400 && byType === 'content_filter') kind = 'content_filter';
  if (status === 429 && byType === 'auth') kind = 'auth';
  const retryAfterMs = retryAfterMsFromHeaders(headers, now);
  const label = status === 529 ? 'HTTP 529 (overloaded)' : `HTTP ${status}`;
  const message = detail.message === `HTTP ${status}` ? label : `${label}: ${detail.message}`; // an empty body says nothing more
  return makeError(kind, message, secrets, { status, retryAfterMs });
}

/** An error object delivered inside an otherwise successful (200) stream. */
export function errorFromStreamPayload(payload: unknown, secrets: ReadonlyArray<string | undefined>): ProviderError {
  const detail = errorDetail(payload, 'error event without a message');
  const kind = kindFromErrorType(detail) ?? 'server';
  const label = detail.type ?? detail.code ?? 'error';
  return makeError(kind, `stream error (${label}): ${detail.message}`, secrets);
}

/** The three abort-ish causes: the caller's signal, our timeout, or the network. */
export interface AbortCause { cancelled: boolean; timedOut: boolean; timeoutMs?: number; midStream: boolean }

/** Maps an exception thrown by fetch or by reading the body. */
export function errorFromException(err: unknown, cause: AbortCause, secrets: ReadonlyArray<string | undefined>): ProviderError {
  if (err instanceof ProviderFailure) return err.error;
  if (cause.cancelled) return makeError('cancelled', 'cancelled by the caller', secrets);
  if (cause.timedOut) return makeError('timeout', `timed out after ${cause.timeoutMs ?? '?'} ms`, secrets);
  const reason = describeNetworkError(err);
  return makeError('network', cause.midStream ? `stream ended early: ${reason}` : `network error: ${reason}`, secrets);
}

/** undici wraps the useful part (ECONNREFUSED …) in `cause`. */
function describeNetworkError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  const parts: string[] = [];
  if (e && typeof e.message === 'string') parts.push(e.message);
  const c = e?.cause;
  if (c) {
    if (typeof c.code === 'string') parts.push(c.code);
    if (typeof c.message === 'string' && c.message !== e?.message) parts.push(c.message);
  } else if (e && typeof e.code === 'string') parts.push(e.code);
  return parts.length > 0 ? parts.join(': ') : String(err);
}

export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
