import * as vscode from 'vscode';
import type { RunEvent } from '../../core/runner/types';
import type { ResultsHostToWebview } from '../../shared/resultsProtocol';
import { resultsWebviewToHostSchema } from '../../shared/resultsProtocol';
import type { CaseView, RunView } from '../../shared/resultsProtocol';
import { applyRunEvent, newRunView } from '../../shared/runView';
import { Commands, ViewTypes } from '../constants';
import type { Log } from '../log';
import { webviewHtml, webviewOptions } from './webviewHtml';

/**
 * The results panel: shows the current run. Run events are folded into a RunView here; the
 * webview gets case updates and token deltas (batched every 50 ms so a fast stream does not
 * flood the message channel).
 */
export class ResultsPanel implements vscode.Disposable {
  private static current: ResultsPanel | undefined;
  private run: RunView | null = null;
  private index = new Map<string, CaseView>();
  private cancelRun: (() => void) | null = null;
  private pendingTokens = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Last messages posted (integration tests read them). */
  readonly sent: ResultsHostToWebview[] = [];

  static show(ctx: { extensionUri: vscode.Uri; log: Log }, reveal = true): ResultsPanel {
    if (ResultsPanel.current) {
      if (reveal) ResultsPanel.current.panel.reveal(undefined, true);
      return ResultsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(ViewTypes.results, 'Prompt Lab: Results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(ctx.extensionUri));
    return new ResultsPanel(panel, ctx);
  }

  static revive(panel: vscode.WebviewPanel, ctx: { extensionUri: vscode.Uri; log: Log }): ResultsPanel {
    panel.webview.options = webviewOptions(ctx.extensionUri);
    return new ResultsPanel(panel, ctx);
  }

  static get instance(): ResultsPanel | undefined { return ResultsPanel.current; }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: { extensionUri: vscode.Uri; log: Log }) {
    ResultsPanel.current?.dispose();
    ResultsPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.svg');
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, 'results', 'Prompt Lab: Results');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get currentRun(): RunView | null { return this.run; }

  /** Starts showing a new run; `cancel` is called when the user presses Cancel in the panel. */
  startRun(runId: string, title: string, provider: string, model: string, cancel: () => void): void {
    this.flushTokens();
    this.run = newRunView(runId, title, provider, model, Date.now());
    this.index = new Map();
    this.cancelRun = cancel;
    this.post({ type: 'state', run: this.run });
  }

  onRunEvent(e: RunEvent): void {
    const run = this.run;
    if (!run) return;
    if (e.type === 'token') {
      applyRunEvent(run, e, this.index);
      this.pendingTokens.set(e.caseId, (this.pendingTokens.get(e.caseId) ?? '') + e.delta);
      this.flushTimer ??= setTimeout(() => this.flushTokens(), 50);
      return;
    }
    if (e.type !== 'queued') this.flushTokens(); // keep token order before a status change
    const changed = applyRunEvent(run, e, this.index);
    if (changed) this.post({ type: 'caseUpdate', runId: run.runId, case: changed });
    if (e.type === 'breaker' || e.type === 'finished') {
      if (e.type === 'finished') {
        this.cancelRun = null;
        for (const c of run.cases) this.post({ type: 'caseUpdate', runId: run.runId, case: c });
      }
      this.post({ type: 'runUpdate', runId: run.runId, state: run.state, durationMs: run.durationMs, breaker: run.breaker });
    }
  }

  private flushTokens(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.run) return;
    for (const [caseId, delta] of this.pendingTokens) this.post({ type: 'token', runId: this.run.runId, caseId, delta });
    this.pendingTokens.clear();
  }

  private post(m: ResultsHostToWebview): void {
    this.sent.push(m);
    if (this.sent.length > 500) this.sent.splice(0, this.sent.length - 500);
    void this.panel.webview.postMessage(m);
  }

  private onMessage(raw: unknown): void {
    const parsed = resultsWebviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.ctx.log.warn('results', `ignored a malformed message from the webview: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const m = parsed.data;
    if (m.type === 'ready') this.post({ type: 'state', run: this.run });
    else if (m.type === 'cancel' && this.run?.runId === m.runId) this.cancelRun?.();
    else if (m.type === 'openHistory') void vscode.commands.executeCommand(Commands.showHistory);
  }

  dispose(): void {
    if (ResultsPanel.current === this) ResultsPanel.current = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
