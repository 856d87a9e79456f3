import type { CompletionOptions, CompletionRequest, CompletionResult, Provider, ProviderKind, ProviderProfile } from './types';
import { fetchModelList, runCall, streamEndedEarly, type CallContext, type ProviderDeps } from './callContext';
import { errorFromStreamPayload, ProviderFailure } from './errors';
import { chatCompletionsUrl, chatRequestBody, modelsUrl, parseChunk, parseCompletion, parseModelList, requestHeaders } from './openaiWire';
import { readSseEvents, SSE_DONE } from './sse';
import type { ReportedUsage } from './tokens';

/*
 * One client for every server that speaks OpenAI chat completions. Plain fetch, no SDK:
 * the runner owns retries, Retry-After and circuit breaking, and an SDK's own retry loop
 * would multiply them. Two server quirks are handled here, once per request:
 *
 * - Some vLLM / llama.cpp builds (and strict proxies) answer 400 to `stream_options`. We
 *   retry once without it and remember that for this provider; usage then comes from the
 *   server if it sends it anyway, or from the estimate.
 * - OpenAI's reasoning models answer 400 to `max_tokens` asking for
 *   `max_completion_tokens`. We retry once with the rename and remember it for the model.
 *
 * A server that ignores `stream: true` and answers application/json is read as a normal
 * completion (the whole text arrives at once, so there is no time to first token).
 */

export const OPENAI_COMPATIBLE_KINDS: ReadonlySet<ProviderKind> = new Set(['openai', 'azure', 'github', 'ollama', 'lmstudio', 'vllm', 'llamacpp', 'openrouter', 'openai-compatible']);

export class OpenAICompatibleProvider implements Provider {
  readonly profileId: string;
  readonly kind: ProviderKind;
  readonly listModels?: (signal?: AbortSignal) => Promise<string[]>;
  private readonly deps: ProviderDeps;
  private readonly secrets: ReadonlyArray<string | undefined>;
  private streamOptionsRejected = false;
  private readonly maxCompletionTokensModels = new Set<string>();

  constructor(private readonly profile: ProviderProfile, private readonly apiKey: string | undefined, deps: Partial<ProviderDeps> = {}) {
    if (!OPENAI_COMPATIBLE_KINDS.has(profile.kind)) throw new Error(`OpenAICompatibleProvider cannot serve provider kind '${profile.kind}'`);
    this.profileId = profile.id;
    this.kind = profile.kind;
    this.deps = { fetch: deps.fetch ?? ((input, init) => fetch(input, init)), now: deps.now ?? Date.now };
    this.secrets = [apiKey];
    const listUrl = modelsUrl(profile);
    if (listUrl !== null) {
      this.listModels = (signal) => {
        const headers = requestHeaders(this.profile, this.apiKey, false);
        delete headers['content-type'];
        return fetchModelList(this.deps, listUrl, headers, this.secrets, signal, parseModelList);
      };
    }
  }

  complete(request: CompletionRequest, options: CompletionOptions = {}): Promise<CompletionResult> {
    return runCall(this.deps, options, this.secrets, (ctx) => this.run(ctx, request));
  }

  private async run(ctx: CallContext, request: CompletionRequest): Promise<CompletionResult> {
    const stream = request.stream !== false;
    const model = request.model || this.profile.defaultModel || '';
    const url = chatCompletionsUrl(this.profile, model);
    const headers = requestHeaders(this.profile, this.apiKey, stream);
    let includeUsage = stream && !this.streamOptionsRejected;
    let useMaxCompletionTokens = this.maxCompletionTokensModels.has(model) || request.parameters.max_completion_tokens !== undefined;
    // At most one retry per quirk, so at most three requests.
    for (let attempt = 0; ; attempt++) {
      const body = chatRequestBody(model, request.messages, request.parameters, { stream, includeUsage, useMaxCompletionTokens });
      const res = await this.deps.fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctx.signal });
      if (!res.ok) {
        const text = await res.text();
        if (res.status === 400 && attempt < 2) {
          if (includeUsage && /stream_options/i.test(text)) {
            this.streamOptionsRejected = true;
            includeUsage = false;
            continue;
          }
          if (!useMaxCompletionTokens && body.max_tokens !== undefined && /max_completion_tokens/i.test(text)) {
            this.maxCompletionTokensModels.add(model);
            useMaxCompletionTokens = true;
            continue;
          }
        }
        ctx.failHttp(res.status, res.headers, text);
      }
      const contentType = (res.headers.get('content-type') ?? '').toLowerCase();
      if (!stream || contentType.includes('json') || !res.body) return this.readJson(ctx, res, request);
      return this.readStream(ctx, res.body, request);
    }
  }

  private async readJson(ctx: CallContext, res: Response, request: CompletionRequest): Promise<CompletionResult> {
    const text = await res.text();
    const json = ctx.parseJson(text);
    const parsed = parseCompletion(json);
    if (parsed.error) throw new ProviderFailure(errorFromStreamPayload(parsed.error, this.secrets));
    if (!parsed.hasChoices) throw new ProviderFailure({ kind: 'server', message: `malformed response: no choices in ${text.slice(0, 200)}` });
    ctx.emitWhole(parsed.text);
    return ctx.success({ usage: parsed.usage, finishReason: parsed.finishReason, model: parsed.model }, request.messages);
  }

  private async readStream(ctx: CallContext, body: ReadableStream<Uint8Array>, request: CompletionRequest): Promise<CompletionResult> {
    ctx.midStream = true;
    let sawDone = false;
    let finishReason: string | null = null;
    let usage: ReportedUsage | null = null;
    let model: string | null = null;
    for await (const ev of readSseEvents(body)) {
      if (ev.data === SSE_DONE) {
        sawDone = true;
        break;
      }
      if (ev.data.trim() === '') continue;
      const chunk = parseChunk(ctx.parseJson(ev.data));
      // llama.cpp and proxies report failures as an error chunk inside a 200 stream.
      if (chunk.error) throw new ProviderFailure(errorFromStreamPayload(chunk.error, this.secrets));
      ctx.emit(chunk.delta);
      finishReason = chunk.finishReason ?? finishReason;
      usage = chunk.usage ?? usage;
      model = chunk.model ?? model;
    }
    // A finish_reason without [DONE] is a complete answer from a terse server; neither is a cut.
    if (!sawDone && finishReason === null) throw streamEndedEarly();
    return ctx.success({ usage, finishReason, model }, request.messages);
  }
}
