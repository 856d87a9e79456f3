import * as vscode from 'vscode';
import type { RunEvent } from '../../core/runner/types';
import type { ResultsHostToWebview } from '../../shared/resultsProtocol';
import { resultsWebviewToHostSchema } from '../../shared/resultsProtocol';
import type { CaseView, ResultsWebviewToHost, RunView } from '../../shared/resultsProtocol';
import { applyRunEvent, newRunView } from '../../shared/runView';
import { Commands, ViewTypes } from '../constants';
import type { Log } from '../log';
import { createPanel, wirePanel } from './webviewHtml';

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
    const panel = createPanel(ViewTypes.results, 'Prompt Lab: Results', ctx.extensionUri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    return new ResultsPanel(panel, ctx);
  }

  static revive(panel: vscode.WebviewPanel, ctx: { extensionUri: vscode.Uri; log: Log }): ResultsPanel {
    return new ResultsPanel(panel, ctx);
  }

  static get instance(): ResultsPanel | undefined { return ResultsPanel.current; }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: { extensionUri: vscode.Uri; log: Log }) {
    ResultsPanel.current?.dispose();
    ResultsPanel.current = this;
    this.disposables.push(...wirePanel(panel, { extensionUri: ctx.extensionUri, name: 'results', title: 'Prompt Lab: Results', schema: resultsWebviewToHostSchema, log: ctx.log,
      onMessage: (msg) => this.onMessage(msg), onDispose: () => this.dispose() }));
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

  private onMessage(m: ResultsWebviewToHost): void {
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
