import type { ChatMessage } from '../prompt/types';
import type { CompletionOptions, CompletionResult, ProviderError, Usage } from './types';
import { errorFromException, errorFromResponse, malformedResponse, ProviderFailure, tryParseJson } from './errors';
import { usageOrEstimate, type ReportedUsage } from './tokens';

/*
 * The life of one provider call, shared by the OpenAI-compatible and Anthropic clients:
 * one abort signal made of the caller's signal and our timeout, timing (latency, time to
 * first token), the text received so far (so a failure can still hand back `partialText`),
 * and the conversion of anything that goes wrong into a CompletionResult.
 *
 * `timeoutMs` is a deadline for the whole call, streaming included, not an idle timeout:
 * it is what the runner budgets per attempt, and it also catches a stream that trickles
 * forever. A timeout mid-stream still returns what arrived as partialText.
 */

export interface ProviderDeps {
  fetch: typeof fetch;
  /** Wall clock in ms (Date.now by default); also the reference for Retry-After dates. */
  now: () => number;
}

const FILTERED_FINISH_REASONS: ReadonlySet<string> = new Set(['content_filter', 'refusal']);

export class CallContext {
  readonly signal: AbortSignal;
  readonly startedAt: number;
  text = '';
  ttftMs: number | null = null;
  /** Set when an SSE body starts being read: a network failure after this is a cut stream. */
  midStream = false;
  private readonly timeoutController = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  private unlinkOuter: (() => void) | null = null;
  private readonly onOuterAbort = (): void => { this.timeoutController.abort(this.options.signal?.reason); };

  constructor(
    private readonly deps: ProviderDeps,
    private readonly options: CompletionOptions,
    private readonly secrets: ReadonlyArray<string | undefined>,
  ) {
    this.startedAt = deps.now();
    // One signal for fetch: ours (timeout) linked to the caller's by hand. AbortSignal.any
    // keeps a listener on the caller's long-lived run signal until GC, per call.
    this.signal = this.timeoutController.signal;
    const outer = options.signal;
    if (outer) {
      if (outer.aborted) this.timeoutController.abort(outer.reason);
      else {
        this.unlinkOuter = () => outer.removeEventListener('abort', this.onOuterAbort);
        outer.addEventListener('abort', this.onOuterAbort, { once: true });
      }
    }
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.timeoutController.abort(new Error(`timed out after ${options.timeoutMs} ms`));
      }, options.timeoutMs);
    }
  }

  get cancelledBeforeStart(): boolean {
    return this.options.signal?.aborted === true;
  }

  elapsed(): number {
    return Math.max(0, this.deps.now() - this.startedAt);
  }

  /** One piece of generated text; empty deltas (role-only chunks) neither count nor show. */
  emit(delta: unknown): void {
    if (typeof delta !== 'string' || delta === '') return;
    if (this.ttftMs === null) this.ttftMs = this.elapsed();
    this.text += delta;
    try {
      this.options.onToken?.(delta);
    } catch {
      // A bug in a UI callback must not turn into a provider failure of a good response.
    }
  }

  /** Whole-answer text from a non-streaming response: shown once, no time-to-first-token. */
  emitWhole(text: string): void {
    this.text = text;
    if (text === '') return;
    try {
      this.options.onToken?.(text);
    } catch {
      // See emit().
    }
  }

  failHttp(status: number, headers: Headers, bodyText: string): never {
    throw new ProviderFailure(errorFromResponse(status, headers, bodyText, this.deps.now(), this.secrets));
  }

  parseJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new ProviderFailure(malformedResponse(text, this.secrets));
    }
  }

  /**
   * A filtered answer (OpenAI/Azure finish_reason 'content_filter', Anthropic stop_reason
   * 'refusal') is reported as a content_filter failure with what arrived as partialText: a
   * cut-off answer scored as if it were whole would skew every quality figure.
   */
  async success(fields: { usage: ReportedUsage | null; finishReason: string | null; model: string | null; raw?: unknown }, messages: ChatMessage[]): Promise<CompletionResult> {
    if (fields.finishReason !== null && FILTERED_FINISH_REASONS.has(fields.finishReason)) {
      return this.failure({ kind: 'content_filter', message: `the provider's content filter stopped the response (finish reason '${fields.finishReason}')` });
    }
    const usage: Usage = await usageOrEstimate(fields.usage, messages, this.text);
    const result: CompletionResult = { ok: true, text: this.text, usage, latencyMs: this.elapsed(), ttftMs: this.ttftMs, finishReason: fields.finishReason, model: fields.model };
    if (fields.raw !== undefined) result.raw = fields.raw;
    return result;
  }

  failure(error: ProviderError): CompletionResult {
    const result: CompletionResult = { ok: false, error, latencyMs: this.elapsed() };
    if (this.text !== '') result.partialText = this.text;
    return result;
  }

  /** Anything thrown while fetching or reading: abort, timeout, network, or our own ProviderFailure. */
  fromException(err: unknown): CompletionResult {
    const cancelled = this.options.signal?.aborted === true && !this.timedOut;
    return this.failure(errorFromException(err, { cancelled, timedOut: this.timedOut, timeoutMs: this.options.timeoutMs, midStream: this.midStream }, this.secrets));
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unlinkOuter?.();
  }
}

/** Runs one call with the common try/catch/finally; `body` does the provider-specific part. */
export async function runCall(deps: ProviderDeps, options: CompletionOptions, secrets: ReadonlyArray<string | undefined>, body: (ctx: CallContext) => Promise<CompletionResult>): Promise<CompletionResult> {
  const ctx = new CallContext(deps, options, secrets);
  try {
    if (ctx.cancelledBeforeStart) return ctx.failure({ kind: 'cancelled', message: 'cancelled before the request was sent' });
    return await body(ctx);
  } catch (err) {
    return ctx.fromException(err);
  } finally {
    ctx.dispose();
  }
}

/** The stream ended without the server's end marker and without a finish reason. */
export function streamEndedEarly(): ProviderFailure {
  return new ProviderFailure({ kind: 'network', message: 'stream ended early: the body ended before the end-of-stream marker' });
}

/**
 * GET a model list. Unlike complete(), this throws (a ProviderFailure carrying the mapped
 * error): it feeds pickers and settings validation, where there is no result to fill in.
 */
export async function fetchModelList(deps: ProviderDeps, url: string, headers: Record<string, string>, secrets: ReadonlyArray<string | undefined>, signal: AbortSignal | undefined, parse: (json: unknown) => string[]): Promise<string[]> {
  try {
    const res = await deps.fetch(url, { method: 'GET', headers, signal });
    const text = await res.text();
    if (!res.ok) throw new ProviderFailure(errorFromResponse(res.status, res.headers, text, deps.now(), secrets));
    const json = tryParseJson(text);
    if (json === undefined) throw new ProviderFailure(malformedResponse(text, secrets));
    return parse(json);
  } catch (err) {
    if (err instanceof ProviderFailure) throw err;
    throw new ProviderFailure(errorFromException(err, { cancelled: signal?.aborted === true, timedOut: false, midStream: false }, secrets));
  }
}
