import type * as vscode from 'vscode';
import { formatAlertValue } from '../../core/analytics/alertRules';
import type { AlertRule } from '../../core/analytics/types';
import type { HealthViewData, HostToWebview, WebviewToHost } from '../../shared/healthProtocol';
import { webviewToHostSchema } from '../../shared/healthProtocol';
import { ViewTypes } from '../constants';
import type { HealthMonitor } from '../healthMonitor';
import type { Log } from '../log';
import { createPanel, webviewPoster, wirePanel } from './webviewHtml';

type HealthPanelDeps = { extensionUri: vscode.Uri; log: Log; health: HealthMonitor };

/**
 * The Health panel: checks, alerts with their numbers and thresholds, circuit breakers with
 * "Reset breaker", and the alert history. One instance, revived after a reload by the
 * serializer; it holds no data of its own: the monitor's current report is pushed on `ready`
 * and on every change.
 */
export class HealthPanel implements vscode.Disposable {
  private static currentPanel: HealthPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: HealthPanelDeps): HealthPanel {
    if (HealthPanel.currentPanel) {
      HealthPanel.currentPanel.panel.reveal();
      return HealthPanel.currentPanel;
    }
    return new HealthPanel(createPanel(ViewTypes.health, 'Prompt Lab: Health', ctx.extensionUri), ctx);
  }

  static revive(panel: vscode.WebviewPanel, ctx: HealthPanelDeps): HealthPanel {
    return new HealthPanel(panel, ctx);
  }

  static get instance(): HealthPanel | undefined { return HealthPanel.currentPanel; }

  /** Posts to the webview (never to a disposed one) and keeps what was sent for the tests. */
  private readonly poster: { post(m: HostToWebview): Thenable<boolean>; sent: HostToWebview[] };
  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: HealthPanelDeps) {
    this.poster = webviewPoster<HostToWebview>(panel);
    HealthPanel.currentPanel?.dispose();
    HealthPanel.currentPanel = this;
    this.disposables.push(...wirePanel(panel, { extensionUri: ctx.extensionUri, name: 'health', title: 'Prompt Lab: Health', schema: webviewToHostSchema, log: ctx.log,
      onMessage: (msg) => this.onMessage(msg), onDispose: () => this.dispose() }));
    // Listeners run inside the finished run, before it is marked done: the run is over, so running = false.
    this.disposables.push(ctx.health.onDidChange(() => { void this.post({ type: 'state', data: this.view(false) }); }),
      ctx.health.onDidFail(() => { void this.post({ type: 'state', data: this.view(false) }); }));
  }

  /** Messages sent to the webview so far (integration tests read them). */
  get sent(): readonly HostToWebview[] { return this.poster.sent; }

  private view(running = this.ctx.health.running): HealthViewData {
    const h = this.ctx.health;
    const report = h.current() ?? null;
    const fmt = <T extends { ruleId: AlertRule['id']; value: number | null; threshold: number }>(x: T) => ({ ...x, valueText: formatAlertValue(x.ruleId, x.value), thresholdText: formatAlertValue(x.ruleId, x.threshold) });
    return { report, alerts: (report?.alerts ?? []).map(fmt), history: h.history().map(fmt), breakers: h.breakers(), running, intervalSeconds: h.interval, lastError: h.lastError };
  }

  private post(m: HostToWebview): Thenable<boolean> {
    return this.poster.post(m);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    if (m.type === 'ready') { await this.post({ type: 'state', data: this.view() }); return; }
    try {
      if (m.type === 'resetBreaker' && !this.ctx.health.resetBreaker(m.profileId)) throw new Error(`no circuit breaker for "${m.profileId}" in this window`);
      await this.post({ type: 'state', data: this.view(true) });
      await this.ctx.health.check();
      await this.post({ type: 'response', requestId: m.requestId, ok: true, data: this.view() });
    } catch (e) {
      this.ctx.log.error('health', `${m.type} failed: ${(e as Error).message}`);
      await this.post({ type: 'response', requestId: m.requestId, ok: false, error: (e as Error).message });
    }
  }

  dispose(): void {
    if (HealthPanel.currentPanel === this) HealthPanel.currentPanel = undefined;
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
