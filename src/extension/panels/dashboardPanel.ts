import * as vscode from 'vscode';
import { NO_VALUE_KEY } from '../../core/analytics/engine';
import type { HealthReport } from '../../core/analytics/types';
import type { PromptLabStore } from '../../core/store';
import type { DashboardCommand, DashboardData, DashboardViewState, HostToWebview, WebviewToHost } from '../../shared/dashboardProtocol';
import { parseDashboardState, webviewToHostSchema } from '../../shared/dashboardProtocol';
import { Commands, ViewTypes } from '../constants';
import type { Log } from '../log';
import { HistoryPanel } from './historyPanel';
import { createPanel, webviewPoster, wirePanel } from './webviewHtml';

/** The health monitor as the dashboard sees it (built elsewhere; absent when not running). */
export interface HealthSource {
  current(): HealthReport | undefined;
  onDidChange(listener: (r: HealthReport) => void): { dispose(): void };
}

export type DashboardPanelDeps = { extensionUri: vscode.Uri; store: PromptLabStore; log: Log; health?: HealthSource };

/** Command ids behind the webview's closed list of command buttons. */
const COMMAND_IDS: Record<DashboardCommand, string> = {
  runPrompt: Commands.runPrompt,
  importExecutions: Commands.importExecutions,
  showHealth: Commands.showHealth,
  checkHealth: Commands.checkHealth,
};

/** Most prompts/models offered in the filter pickers (breakdowns are sorted by volume). */
const MAX_CHOICES = 200;

/**
 * The dashboard panel: KPIs with deltas against the previous window, trends, breakdowns by
 * model and prompt, and the current alerts. One instance, revived after a reload by the
 * serializer with the webview's saved view state (window, filters); the data is re-queried.
 */
export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private changeTimer: NodeJS.Timeout | undefined;
  private lastState: DashboardViewState | null;

  static show(ctx: DashboardPanelDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = createPanel(ViewTypes.dashboard, 'Prompt Lab: Dashboard', ctx.extensionUri);
    return new DashboardPanel(panel, ctx, null);
  }

  /**
   * What the serializer calls after a reload, with the state the webview saved by setState.
   * The state is validated here; an invalid one is dropped (the webview falls back to defaults).
   */
  static revive(panel: vscode.WebviewPanel, ctx: DashboardPanelDeps, state: unknown): DashboardPanel {
    const restored = parseDashboardState(state);
    if (state !== undefined && state !== null && !restored) ctx.log.warn('dashboard', 'ignored an invalid saved view state');
    return new DashboardPanel(panel, ctx, restored);
  }

  static get instance(): DashboardPanel | undefined { return DashboardPanel.current; }

  /** Posts to the webview (never to a disposed one) and keeps what was sent for the tests. */
  private readonly poster: { post(m: HostToWebview): Thenable<boolean>; sent: HostToWebview[] };
  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: DashboardPanelDeps, restored: DashboardViewState | null) {
    this.poster = webviewPoster<HostToWebview>(panel);
    DashboardPanel.current?.dispose();
    DashboardPanel.current = this;
    this.lastState = restored;
    this.disposables.push(...wirePanel(panel, { extensionUri: ctx.extensionUri, name: 'dashboard', title: 'Prompt Lab: Dashboard', schema: webviewToHostSchema, log: ctx.log,
      onMessage: (msg) => this.onMessage(msg), onDispose: () => this.dispose() }));
    if (ctx.health) {
      const sub = ctx.health.onDidChange((report) => { void this.post({ type: 'health', report }); });
      this.disposables.push({ dispose: () => sub.dispose() });
    }
  }

  /** The selection of the last query (or the restored one before any): what a reload restores. */
  get viewState(): DashboardViewState | null { return this.lastState; }

  /**
   * Tells the webview that data changed, so it re-queries. Debounced: a run records many
   * executions, and the analytics cache is invalidated by each, so one query per burst.
   */
  notifyChanged(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => { this.changeTimer = undefined; void this.post({ type: 'changed' }); }, 1000);
  }

  /** Messages sent to the webview so far (integration tests read them). */
  get sent(): readonly HostToWebview[] { return this.poster.sent; }

  private post(m: HostToWebview): Thenable<boolean> {
    return this.poster.post(m);
  }

  private async availableCommands(): Promise<DashboardCommand[]> {
    const all = new Set(await vscode.commands.getCommands(true));
    return (Object.keys(COMMAND_IDS) as DashboardCommand[]).filter((c) => all.has(COMMAND_IDS[c]));
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        const commands = await this.availableCommands();
        await this.post({ type: 'init', state: this.lastState, health: this.ctx.health?.current() ?? null, healthAvailable: !!this.ctx.health, commands });
        return;
      }
      case 'refresh': {
        const report = this.ctx.health?.current();
        if (report) await this.post({ type: 'health', report });
        await this.post({ type: 'changed' });
        return;
      }
      case 'command': {
        // Listed only if it exists (see init), but a command can go away with its extension.
        await vscode.commands.executeCommand(COMMAND_IDS[m.command]).then(undefined, (e: unknown) => {
          this.ctx.log.warn('dashboard', `${COMMAND_IDS[m.command]} failed: ${(e as Error).message}`);
        });
        return;
      }
      case 'openHistory':
        this.openHistory(m);
        return;
      case 'query':
        await this.query(m.requestId, m.state);
        return;
    }
  }

  /** History with the same prompt/model and window start, so its rows are the ones counted here. */
  private openHistory(f: { promptId?: string; model?: string; since?: number }): void {
    HistoryPanel.show(this.ctx, { filter: { ...(f.promptId ? { promptId: f.promptId } : {}), ...(f.model ? { model: f.model } : {}), ...(f.since !== undefined ? { since: f.since } : {}) } });
  }

  private async query(requestId: number, state: DashboardViewState): Promise<void> {
    this.lastState = state;
    try {
      const scope = { ...(state.promptId ? { promptId: state.promptId } : {}), ...(state.model ? { model: state.model } : {}) };
      const t0 = Date.now();
      const report = await this.ctx.store.analytics({ days: state.days, ...scope });
      // The pickers list what exists in the window whatever the filter; the analytics cache
      // makes this second, unscoped query cheap after the first time.
      const unscoped = scope.promptId || scope.model ? await this.ctx.store.analytics({ days: state.days, series: false }) : report;
      const totalExecutions = (await this.ctx.store.stats()).executions;
      const ms = Date.now() - t0;
      if (ms > 1000) this.ctx.log.info('dashboard', `analytics over ${report.current.executions} execution(s) took ${ms} ms`);
      const keys = (rows: Array<{ key: string }> | undefined) => (rows ?? []).map((r) => r.key).filter((k) => k !== NO_VALUE_KEY).slice(0, MAX_CHOICES);
      const data: DashboardData = {
        state, report, totalExecutions, noValueKey: NO_VALUE_KEY,
        choices: { prompts: keys(unscoped.breakdowns?.byPrompt), models: keys(unscoped.breakdowns?.byModel) },
      };
      await this.post({ type: 'response', requestId, ok: true, data });
    } catch (e) {
      this.ctx.log.error('dashboard', `request failed: ${(e as Error).message}`);
      await this.post({ type: 'response', requestId, ok: false, error: (e as Error).message });
    }
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
