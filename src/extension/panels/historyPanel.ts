import * as vscode from 'vscode';
import type { ExecutionDetail, ExecutionSummary, PromptLabStore } from '../../core/store';
import type { HistoryDetail, HistoryRow, HostToWebview, WebviewToHost } from '../../shared/historyProtocol';
import { webviewToHostSchema } from '../../shared/historyProtocol';
import { Commands, ViewTypes } from '../constants';
import type { Log } from '../log';
import { createPanel, wirePanel } from './webviewHtml';

/** The history panel: one instance, revived after a reload by the serializer. */
export class HistoryPanel implements vscode.Disposable {
  private static current: HistoryPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messagesForTests: HostToWebview[] = [];

  static show(ctx: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }): HistoryPanel {
    if (HistoryPanel.current) {
      HistoryPanel.current.panel.reveal();
      return HistoryPanel.current;
    }
    const panel = createPanel(ViewTypes.history, 'Prompt Lab: History', ctx.extensionUri);
    return new HistoryPanel(panel, ctx);
  }

  static revive(panel: vscode.WebviewPanel, ctx: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }): HistoryPanel {
    return new HistoryPanel(panel, ctx);
  }

  static get instance(): HistoryPanel | undefined { return HistoryPanel.current; }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }) {
    HistoryPanel.current?.dispose();
    HistoryPanel.current = this;
    this.disposables.push(
      ...wirePanel(panel, { extensionUri: ctx.extensionUri, name: 'history', title: 'Prompt Lab: History', schema: webviewToHostSchema, log: ctx.log,
        onMessage: (msg) => this.onMessage(msg), onDispose: () => this.dispose() }),
      // Hidden without retainContextWhenHidden, the webview is torn down and sends `ready` again when shown.
      panel.onDidChangeViewState((e) => { if (!e.webviewPanel.visible) this.webviewReady = false; }),
    );
  }

  private webviewReady = false;
  private pendingFocus: string | null = null;

  /** Shows one execution's detail; waits for the webview's `ready` when it is (re)loading. */
  focusExecution(id: string): void {
    if (this.webviewReady && this.panel.visible) void this.post({ type: 'showDetail', id });
    else this.pendingFocus = id;
  }

  /** Tells the webview that data changed (a new execution), so it re-queries. */
  notifyChanged(): void {
    // A run of a thousand cases must not trigger a thousand re-queries.
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => { this.changeTimer = undefined; void this.post({ type: 'changed' }); }, 300);
  }
  private changeTimer: NodeJS.Timeout | undefined;

  /** Messages sent to the webview so far (integration tests read them). */
  get sent(): readonly HostToWebview[] { return this.messagesForTests; }

  private post(m: HostToWebview): Thenable<boolean> {
    this.messagesForTests.push(m);
    if (this.messagesForTests.length > 200) this.messagesForTests.shift();
    return this.panel.webview.postMessage(m);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    if (m.type === 'ready') {
      const stats = await this.ctx.store.stats();
      await this.post({ type: 'init', total: stats.executions, dataLocation: stats.dir });
      this.webviewReady = true;
      if (this.pendingFocus) {
        const id = this.pendingFocus;
        this.pendingFocus = null;
        await this.post({ type: 'showDetail', id });
      }
      return;
    }
    if (m.type === 'export') {
      const f = m.filter;
      // The webview names only a filter; the file is chosen in the host's own save dialog.
      await vscode.commands.executeCommand(Commands.exportExecutions, { filter: {
        ...(f.search ? { search: f.search } : {}), ...(f.promptId ? { promptId: f.promptId } : {}),
        ...(f.success !== undefined ? { success: f.success } : {}), ...(f.tag ? { tag: f.tag } : {}), ...(f.model ? { model: f.model } : {}),
      } });
      return;
    }
    try {
      if (m.type === 'query') {
        const f = m.filter;
        const page = await this.ctx.store.history({
          limit: 200, ...(f.search ? { search: f.search } : {}), ...(f.promptId ? { promptId: f.promptId } : {}),
          ...(f.success !== undefined ? { success: f.success } : {}), ...(f.tag ? { tag: f.tag } : {}), ...(f.model ? { model: f.model } : {}),
          ...(m.after ? { after: m.after } : {}),
        });
        const total = (await this.ctx.store.stats()).executions;
        await this.post({ type: 'response', requestId: m.requestId, ok: true, data: { rows: page.rows.map(toRow), next: page.next, total } });
      } else {
        const d = await this.ctx.store.getExecution(m.id);
        if (!d) throw new Error(`execution ${m.id} not found`);
        await this.post({ type: 'response', requestId: m.requestId, ok: true, data: toDetail(d) });
      }
    } catch (e) {
      this.ctx.log.error('history', `request failed: ${(e as Error).message}`);
      await this.post({ type: 'response', requestId: m.requestId, ok: false, error: (e as Error).message });
    }
  }

  dispose(): void {
    if (HistoryPanel.current === this) HistoryPanel.current = undefined;
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}

function toRow(s: ExecutionSummary): HistoryRow {
  return {
    id: s.id, createdAt: s.createdAt, promptId: s.promptId, provider: s.provider, model: s.model, success: s.success,
    latencyMs: s.latencyMs, tokensIn: s.tokensIn, tokensOut: s.tokensOut, costUsd: s.costUsd, qualityScore: s.qualityScore,
    errorType: s.errorType, tags: s.tags, promptSnippet: s.promptSnippet, responseSnippet: s.responseSnippet,
  };
}

function toDetail(d: ExecutionDetail): HistoryDetail {
  return { ...toRow(d), promptText: d.promptText, responseText: d.responseText, errorMessage: d.errorMessage, metadata: d.metadata, quality: d.quality, ...(d.textError ? { textError: d.textError } : {}) };
}
