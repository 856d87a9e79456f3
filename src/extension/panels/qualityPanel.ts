import * as vscode from 'vscode';
import type { PromptLabStore } from '../../core/store';
import type { HostToWebview, WebviewToHost } from '../../shared/qualityProtocol';
import { qualitySince, webviewToHostSchema } from '../../shared/qualityProtocol';
import { Commands, ViewTypes } from '../constants';
import type { Log } from '../log';
import { HistoryPanel } from './historyPanel';
import { createPanel, webviewPoster, wirePanel } from './webviewHtml';

type QualityPanelDeps = { extensionUri: vscode.Uri; store: PromptLabStore; log: Log };

/** Worst executions listed in the panel. */
const WORST_ROWS = 15;

/**
 * The quality panel: score distributions, the daily trend and the worst executions of one
 * prompt (or all) in a time window. One instance, revived after a reload by the serializer;
 * the webview keeps only its selection (prompt, days) and re-queries.
 */
export class QualityPanel implements vscode.Disposable {
  private static current: QualityPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private changeTimer: NodeJS.Timeout | undefined;

  static show(ctx: QualityPanelDeps): QualityPanel {
    if (QualityPanel.current) {
      QualityPanel.current.panel.reveal();
      return QualityPanel.current;
    }
    const panel = createPanel(ViewTypes.quality, 'Prompt Lab: Quality', ctx.extensionUri);
    return new QualityPanel(panel, ctx);
  }

  static revive(panel: vscode.WebviewPanel, ctx: QualityPanelDeps): QualityPanel {
    return new QualityPanel(panel, ctx);
  }

  static get instance(): QualityPanel | undefined { return QualityPanel.current; }

  /** Posts to the webview (never to a disposed one) and keeps what was sent for the tests. */
  private readonly poster: { post(m: HostToWebview): Thenable<boolean>; sent: HostToWebview[] };
  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: QualityPanelDeps) {
    this.poster = webviewPoster<HostToWebview>(panel);
    QualityPanel.current?.dispose();
    QualityPanel.current = this;
    this.disposables.push(...wirePanel(panel, { extensionUri: ctx.extensionUri, name: 'quality', title: 'Prompt Lab: Quality', schema: webviewToHostSchema, log: ctx.log,
      onMessage: (msg) => this.onMessage(msg), onDispose: () => this.dispose() }));
  }

  /**
   * Tells the webview that data changed, so it re-queries. Debounced more than history: the
   * aggregate reads every selected row (~0.6 s at 100k), and a run records many executions.
   */
  notifyChanged(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => { this.changeTimer = undefined; void this.post({ type: 'changed' }); }, 1500);
  }

  /** Messages sent to the webview so far (integration tests read them). */
  get sent(): readonly HostToWebview[] { return this.poster.sent; }

  private post(m: HostToWebview): Thenable<boolean> {
    return this.poster.post(m);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    if (m.type === 'ready') return; // the webview queries with its own saved selection
    if (m.type === 'openExecution') {
      await vscode.commands.executeCommand(Commands.showHistory);
      HistoryPanel.instance?.focusExecution(m.executionId);
      return;
    }
    try {
      const since = qualitySince(m.days, Date.now());
      const t0 = Date.now();
      const data = await this.ctx.store.qualityOverview({ ...(m.promptId ? { promptId: m.promptId } : {}), ...(since !== null ? { since } : {}), worst: WORST_ROWS });
      const ms = Date.now() - t0;
      if (ms > 1000) this.ctx.log.info('quality', `overview of ${data.scored} scored execution(s) took ${ms} ms`);
      await this.post({ type: 'response', requestId: m.requestId, ok: true, data: { ...data, since } });
    } catch (e) {
      this.ctx.log.error('quality', `request failed: ${(e as Error).message}`);
      await this.post({ type: 'response', requestId: m.requestId, ok: false, error: (e as Error).message });
    }
  }

  dispose(): void {
    if (QualityPanel.current === this) QualityPanel.current = undefined;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
