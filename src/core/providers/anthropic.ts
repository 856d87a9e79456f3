import type { CompletionOptions, CompletionRequest, CompletionResult, Provider, ProviderProfile } from './types';
import { fetchModelList, runCall, streamEndedEarly, type CallContext, type ProviderDeps } from './callContext';
import { asRecord, errorFromStreamPayload, ProviderFailure } from './errors';
import { anthropicHeaders, anthropicModelsUrl, anthropicRequestBody, messagesUrl, parseAnthropicMessage, parseAnthropicModelList, usageFromAnthropic } from './anthropicWire';
import { readSseEvents } from './sse';

/*
 * Anthropic Messages API over plain fetch (same reasoning as the OpenAI client: the runner
 * owns retries). Streaming events: message_start carries the input usage, content_block_delta
 * the text, message_delta the stop_reason and output usage, message_stop the end; an `error`
 * event (e.g. overloaded_error) can arrive in the middle of a 200 stream.
 */

export class AnthropicProvider implements Provider {
  readonly profileId: string;
  readonly kind = 'anthropic' as const;
  private readonly deps: ProviderDeps;
  private readonly secrets: ReadonlyArray<string | undefined>;

  constructor(private readonly profile: ProviderProfile, private readonly apiKey: string | undefined, deps: Partial<ProviderDeps> = {}) {
    if (profile.kind !== 'anthropic') throw new Error(`AnthropicProvider cannot serve provider kind '${profile.kind}'`);
    this.profileId = profile.id;
    this.deps = { fetch: deps.fetch ?? ((input, init) => fetch(input, init)), now: deps.now ?? Date.now };
    this.secrets = [apiKey];
  }

  complete(request: CompletionRequest, options: CompletionOptions = {}): Promise<CompletionResult> {
    return runCall(this.deps, options, this.secrets, (ctx) => this.run(ctx, request));
  }

  listModels(signal?: AbortSignal): Promise<string[]> {
    const headers = anthropicHeaders(this.profile, this.apiKey, false);
    delete headers['content-type'];
    return fetchModelList(this.deps, anthropicModelsUrl(this.profile), headers, this.secrets, signal, parseAnthropicModelList);
  }

  private async run(ctx: CallContext, request: CompletionRequest): Promise<CompletionResult> {
    const stream = request.stream !== false;
    // An empty model falls back to the profile's default; the server names what is missing.
    const body = anthropicRequestBody(request.model || this.profile.defaultModel || '', request.messages, request.parameters, stream);
    const res = await this.deps.fetch(messagesUrl(this.profile), {
      method: 'POST',
      headers: anthropicHeaders(this.profile, this.apiKey, stream),
      body: JSON.stringify(body),
      signal: ctx.signal,
    });
    if (!res.ok) ctx.failHttp(res.status, res.headers, await res.text());
    const contentType = (res.headers.get('content-type') ?? '').toLowerCase();
    if (!stream || contentType.includes('json') || !res.body) return this.readJson(ctx, res, request);
    return this.readStream(ctx, res.body, request);
  }

  private async readJson(ctx: CallContext, res: Response, request: CompletionRequest): Promise<CompletionResult> {
    const text = await res.text();
    const json = ctx.parseJson(text);
    const rec = asRecord(json);
    if (rec?.type === 'error') throw new ProviderFailure(errorFromStreamPayload(json, this.secrets));
    const parsed = parseAnthropicMessage(json);
    if (!parsed.isMessage) throw new ProviderFailure({ kind: 'server', message: `malformed response: no content in ${text.slice(0, 200)}` });
    ctx.emitWhole(parsed.text);
    return ctx.success({ usage: parsed.usage, finishReason: parsed.finishReason, model: parsed.model }, request.messages);
  }

  private async readStream(ctx: CallContext, body: ReadableStream<Uint8Array>, request: CompletionRequest): Promise<CompletionResult> {
    ctx.midStream = true;
    let stopped = false;
    let finishReason: string | null = null;
    let input: number | null = null;
    let output: number | null = null;
    let model: string | null = null;
    for await (const ev of readSseEvents(body)) {
      if (ev.data.trim() === '') continue;
      const payload = asRecord(ctx.parseJson(ev.data)) ?? {};
      const type = typeof payload.type === 'string' ? payload.type : ev.event;
      if (type === 'message_start') {
        const message = asRecord(payload.message);
        if (typeof message?.model === 'string') model = message.model;
        const u = usageFromAnthropic(message?.usage);
        input = u?.input ?? input;
        output = u?.output ?? output;
      } else if (type === 'content_block_start') {
        const block = asRecord(payload.content_block);
        if (block?.type === 'text') ctx.emit(block.text);
      } else if (type === 'content_block_delta') {
        const delta = asRecord(payload.delta);
        // thinking_delta / input_json_delta are not answer text.
        if (delta?.type === 'text_delta') ctx.emit(delta.text);
      } else if (type === 'message_delta') {
        const delta = asRecord(payload.delta);
        if (typeof delta?.stop_reason === 'string') finishReason = delta.stop_reason;
        // Counts here are cumulative; newer API versions repeat the input counts too.
        const u = usageFromAnthropic(payload.usage);
        input = u?.input ?? input;
        output = u?.output ?? output;
      } else if (type === 'message_stop') {
        stopped = true;
        break;
      } else if (type === 'error') {
        throw new ProviderFailure(errorFromStreamPayload(payload, this.secrets));
      }
      // ping, content_block_stop and future event types need nothing from us.
    }
    if (!stopped && finishReason === null) throw streamEndedEarly();
    return ctx.success({ usage: { input, output }, finishReason, model }, request.messages);
  }
}
