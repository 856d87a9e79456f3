import * as vscode from 'vscode';
import type { CompletionOptions, CompletionRequest, CompletionResult, Provider, ProviderError } from '../../core/providers/types';

/**
 * The VS Code Language Model API (Copilot models): no key, the user's consent is asked by
 * VS Code itself. Model ids are `vendor/id` or a bare id/family; empty = first Copilot model.
 * The 1.100 API has no system role, so system messages are sent as leading user messages.
 */
export class VscodeLmProvider implements Provider {
  readonly profileId = 'vscode-lm';
  readonly kind = 'vscode-lm' as const;

  async listModels(): Promise<string[]> {
    const models = await vscode.lm.selectChatModels();
    return models.map((m) => `${m.vendor}/${m.id}`);
  }

  private async pick(model: string): Promise<vscode.LanguageModelChat | undefined> {
    if (!model) return (await vscode.lm.selectChatModels({ vendor: 'copilot' }))[0] ?? (await vscode.lm.selectChatModels())[0];
    const [vendor, id] = model.includes('/') ? model.split('/', 2) as [string, string] : [undefined, model];
    const byId = await vscode.lm.selectChatModels({ ...(vendor ? { vendor } : {}), id });
    if (byId[0]) return byId[0];
    return (await vscode.lm.selectChatModels({ ...(vendor ? { vendor } : {}), family: id }))[0];
  }

  async complete(req: CompletionRequest, opts: CompletionOptions = {}): Promise<CompletionResult> {
    const t0 = performance.now();
    const fail = (error: ProviderError, partialText?: string): CompletionResult => ({ ok: false, error, latencyMs: performance.now() - t0, ...(partialText ? { partialText } : {}) });
    const model = await this.pick(req.model);
    if (!model) return fail({ kind: 'bad_request', message: req.model ? `no VS Code language model matches "${req.model}"` : 'no VS Code language model is available (is GitHub Copilot installed and signed in?)' });
    const messages = req.messages.map((m) => m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(m.content) : vscode.LanguageModelChatMessage.User(m.content));
    const cts = new vscode.CancellationTokenSource();
    let timedOut = false;
    const onAbort = () => cts.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; cts.cancel(); }, opts.timeoutMs) : undefined;
    let text = '';
    let ttftMs: number | null = null;
    try {
      const modelOptions: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(req.parameters)) if (v !== undefined) modelOptions[k] = v;
      const response = await model.sendRequest(messages, { justification: 'Prompt Lab sends the prompt you chose to run.', modelOptions }, cts.token);
      for await (const delta of response.text) {
        if (delta && ttftMs === null) ttftMs = performance.now() - t0;
        text += delta;
        opts.onToken?.(delta);
      }
      if (cts.token.isCancellationRequested) throw new vscode.CancellationError();
      const count = (s: string) => Promise.resolve(model.countTokens(s)).catch(() => null);
      const input = await count(req.messages.map((m) => m.content).join('\n'));
      const output = await count(text);
      // countTokens is the model's tokenizer, not billed usage: marked estimated.
      return { ok: true, text, usage: { input, output, estimated: true }, latencyMs: performance.now() - t0, ttftMs, finishReason: 'stop', model: `${model.vendor}/${model.id}` };
    } catch (e) {
      if (timedOut) return fail({ kind: 'timeout', message: `no complete answer within ${opts.timeoutMs} ms` }, text);
      if (e instanceof vscode.CancellationError || opts.signal?.aborted) return fail({ kind: 'cancelled', message: 'cancelled' }, text);
      if (e instanceof vscode.LanguageModelError) return fail(mapLmError(e), text);
      return fail({ kind: 'network', message: e instanceof Error ? e.message : String(e) }, text);
    } finally {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

function mapLmError(e: vscode.LanguageModelError): ProviderError {
  switch (e.code) {
    case vscode.LanguageModelError.NoPermissions.name: return { kind: 'auth', message: `no permission to use this model: ${e.message}` };
    case vscode.LanguageModelError.Blocked.name: return { kind: 'rate_limit', message: `request blocked (quota or rate limit): ${e.message}` };
    case vscode.LanguageModelError.NotFound.name: return { kind: 'bad_request', message: `model not found: ${e.message}` };
    default: return /filter|policy/i.test(e.message) ? { kind: 'content_filter', message: e.message } : { kind: 'server', message: e.message };
  }
}
