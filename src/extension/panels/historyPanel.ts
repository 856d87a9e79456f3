import * as vscode from 'vscode';
import type { ExecutionDetail, ExecutionSummary, HistoryFilter, PromptLabStore } from '../../core/store';
import type { ActionResult, HistoryDetail, HistoryRow, HistoryViewFilter, HostToWebview, WebviewToHost } from '../../shared/historyProtocol';
import { PAGE_SIZE, webviewToHostSchema } from '../../shared/historyProtocol';
import { copyAsJson, openPromptFile, rerun } from './historyActions';
import { Commands, ViewTypes } from '../constants';
import type { Log } from '../log';
import { createPanel, webviewPoster, wirePanel } from './webviewHtml';

/** The history panel: one instance, revived after a reload by the serializer. */
export class HistoryPanel implements vscode.Disposable {
  private static current: HistoryPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens (or reveals) the panel; `filter` (from the tree view: a run, an experiment) replaces the one shown. */
  static show(ctx: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }, opts: { filter?: HistoryViewFilter } = {}): HistoryPanel {
    if (HistoryPanel.current) {
      HistoryPanel.current.panel.reveal();
      if (opts.filter) HistoryPanel.current.setFilter(opts.filter);
      return HistoryPanel.current;
    }
    const panel = createPanel(ViewTypes.history, 'Prompt Lab: History', ctx.extensionUri);
    const p = new HistoryPanel(panel, ctx);
    if (opts.filter) p.pendingFilter = opts.filter;
    return p;
  }

  static revive(panel: vscode.WebviewPanel, ctx: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }): HistoryPanel {
    return new HistoryPanel(panel, ctx);
  }

  static get instance(): HistoryPanel | undefined { return HistoryPanel.current; }

  /** Posts to the webview (never to a disposed one) and keeps what was sent for the tests. */
  private readonly poster: { post(m: HostToWebview): Thenable<boolean>; sent: HostToWebview[] };
  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }) {
    this.poster = webviewPoster<HostToWebview>(panel);
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
  private pendingFilter: HistoryViewFilter | null = null;
  private total: number | null = null;

  /** Shows `filter` now, or with `init` when the webview is (re)loading. */
  setFilter(filter: HistoryViewFilter): void {
    if (this.webviewReady && this.panel.visible) void this.post({ type: 'setFilter', filter });
    else this.pendingFilter = filter;
  }

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
  get sent(): readonly HostToWebview[] { return this.poster.sent; }

  private post(m: HostToWebview): Thenable<boolean> {
    return this.poster.post(m);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    if (m.type === 'ready') {
      const stats = await this.ctx.store.stats();
      const filter = this.pendingFilter;
      this.pendingFilter = null;
      await this.post({ type: 'init', total: stats.executions, dataLocation: stats.dir, ...(filter ? { filter } : {}) });
      this.webviewReady = true;
      if (this.pendingFocus) {
        const id = this.pendingFocus;
        this.pendingFocus = null;
        await this.post({ type: 'showDetail', id });
      }
      return;
    }
    if (m.type === 'export') {
      // The webview names only a filter; the file is chosen in the host's own save dialog.
      await vscode.commands.executeCommand(Commands.exportExecutions, { filter: storeFilter(m.filter) });
      return;
    }
    try {
      if (m.type === 'query') {
        // Keyset page by page (never OFFSET, never a count of the filtered set: at 1M rows a
        // filtered COUNT scans the table, while a page reads ~PAGE_SIZE index entries).
        const page = await this.ctx.store.history({ ...storeFilter(m.filter), limit: PAGE_SIZE, ...(m.after ? { after: m.after } : {}) });
        // The total is counted for a first page only (COUNT(*) at 1M rows costs tens of ms); later pages reuse it.
        if (!m.after || this.total === null) this.total = (await this.ctx.store.stats()).executions;
        await this.post({ type: 'response', requestId: m.requestId, ok: true, data: { rows: page.rows.map(toRow), next: page.next, total: this.total } });
      } else if (m.type === 'action') {
        const d = await this.ctx.store.getExecution(m.id);
        if (!d) throw new Error(`execution ${m.id} not found`);
        const result: ActionResult = m.action === 'copyJson' ? await copyAsJson(d) : m.action === 'openPrompt' ? await openPromptFile(d) : await rerun(d);
        this.ctx.log.info('history', `${m.action} ${m.id}: ${result.message}`);
        await this.post({ type: 'response', requestId: m.requestId, ok: true, data: result });
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

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    if (HistoryPanel.current === this) HistoryPanel.current = undefined;
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}

/** The view's filter as the store's (empty strings dropped: an empty input means "any"). */
export function storeFilter(f: HistoryViewFilter): HistoryFilter {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as HistoryFilter;
}

function toRow(s: ExecutionSummary): HistoryRow {
  return {
    id: s.id, createdAt: s.createdAt, promptId: s.promptId, promptVersion: s.promptVersion, variant: s.variant, experimentId: s.experimentId,
    runId: s.runId, testCaseId: s.testCaseId, provider: s.provider, model: s.model, success: s.success,
    latencyMs: s.latencyMs, timeToFirstTokenMs: s.timeToFirstTokenMs, tokensIn: s.tokensIn, tokensOut: s.tokensOut, costUsd: s.costUsd, qualityScore: s.qualityScore,
    errorType: s.errorType, tags: s.tags, promptSnippet: s.promptSnippet, responseSnippet: s.responseSnippet,
  };
}

function toDetail(d: ExecutionDetail): HistoryDetail {
  return { ...toRow(d), promptText: d.promptText, responseText: d.responseText, errorMessage: d.errorMessage, metadata: d.metadata, modelConfig: d.modelConfig,
    quality: d.quality, ...(d.textError ? { textError: d.textError } : {}) };
}
