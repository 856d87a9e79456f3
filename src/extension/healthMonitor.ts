import * as vscode from 'vscode';
import type { HealthSettings, WriteLatencyRing } from '../core/analytics/health';
import { DEFAULT_ALERT_SETTINGS, describeAlert } from '../core/analytics/alertRules';
import { DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_INGESTION_BACKLOG_ROWS, runHealth } from '../core/analytics/health';
import type { AlertState, AlertTransition, HealthReport } from '../core/analytics/types';
import type { ProviderGuards } from '../core/runner/promptRun';
import type { PromptLabStore } from '../core/store';
import type { BreakerView } from '../shared/healthProtocol';
import type { Settings } from './config';
import { Commands } from './constants';
import type { Log } from './log';

/*
 * Runs the health checks on a schedule and on demand, keeps the current report, turns alert
 * transitions into one notification each (never one per check), keeps the alert history in
 * globalState (so a reload neither loses it nor re-announces alerts already announced) and
 * drives the status bar item.
 */

export interface HealthMonitorDeps {
  store: PromptLabStore;
  dataDir: string;
  /** The run controller's guards (replaced when settings change, so asked for each time). */
  guards: () => ProviderGuards;
  writeLatency: WriteLatencyRing;
  state: vscode.Memento;
  settings: () => Settings;
  log: Log;
}

const HISTORY_KEY = 'promptLab.health.alertHistory';
const STATES_KEY = 'promptLab.health.alertStates';
export const ALERT_HISTORY_LIMIT = 200;
/** After a write, check again this soon (ms) so the status bar follows a run without waiting a full interval. */
const AFTER_WRITE_DELAY_MS = 5000;

export function healthSettings(s: Settings): HealthSettings {
  return {
    ...DEFAULT_ALERT_SETTINGS,
    windowMinutes: s.healthWindowMinutes, minSamples: s.healthMinSamples, errorRateThreshold: s.healthErrorRateThreshold,
    p95LatencyMsThreshold: s.healthP95LatencyMsThreshold, qualityThreshold: s.healthQualityThreshold, dbSizeWarnMB: s.healthDbSizeWarnMB,
    checkTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS, ingestionBacklogRows: DEFAULT_INGESTION_BACKLOG_ROWS,
  };
}

export class HealthMonitor implements vscode.Disposable {
  private report: HealthReport | undefined;
  private states: AlertState[];
  private transitions: AlertTransition[];
  private readonly listeners = new Set<(r: HealthReport) => void>();
  private readonly failureListeners = new Set<() => void>();
  private readonly item: vscode.StatusBarItem;
  private timer: NodeJS.Timeout | undefined;
  private afterWrite: NodeJS.Timeout | undefined;
  private intervalSeconds = -1;
  private inFlight: Promise<HealthReport> | null = null;
  private disposed = false;
  private lastErrorText: string | null = null;

  constructor(private readonly deps: HealthMonitorDeps) {
    this.states = deps.state.get<AlertState[]>(STATES_KEY) ?? [];
    this.transitions = deps.state.get<AlertTransition[]>(HISTORY_KEY) ?? [];
    this.item = vscode.window.createStatusBarItem('promptLab.health', vscode.StatusBarAlignment.Left, -100);
    this.item.name = 'Prompt Lab health';
    this.item.command = Commands.showHealth;
    const scheduled = this.interval > 0;
    this.item.text = scheduled ? '$(pulse) Checking…' : '$(pulse) Not checked';
    this.item.tooltip = scheduled ? 'Prompt Lab health: the first check runs once the database has loaded. Click to open the Health panel.'
      : 'Prompt Lab health: scheduled checks are off (promptLab.health.intervalSeconds = 0). Run "Prompt Lab: Check Health Now" or open the Health panel.';
    this.item.show();
    this.schedule();
    if (!scheduled) return;
    // The first check waits for the database: a cold load at 100k rows takes seconds, and a
    // timeout then would be a false alarm.
    const ready = (deps.store as { ready?: Promise<void> }).ready ?? Promise.resolve();
    void ready.catch(() => undefined).then(() => { if (!this.disposed) void this.check().catch(() => undefined); });
  }

  /** The latest report, or undefined before the first check has finished. */
  current(): HealthReport | undefined { return this.report; }

  onDidChange(listener: (r: HealthReport) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => { this.listeners.delete(listener); } };
  }

  /** Called when a run of the checks fails as a whole (`lastError` says why): the Health panel shows it. */
  onDidFail(listener: () => void): { dispose(): void } {
    this.failureListeners.add(listener);
    return { dispose: () => { this.failureListeners.delete(listener); } };
  }

  /** Alert transitions, newest first. */
  history(): readonly AlertTransition[] { return this.transitions; }

  get running(): boolean { return this.inFlight !== null; }
  get lastError(): string | null { return this.lastErrorText; }
  get interval(): number { return this.deps.settings().healthIntervalSeconds; }

  /** What the status bar shows now (for tests and the panel). */
  statusBar(): { text: string; tooltip: string } {
    return { text: this.item.text, tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : this.item.tooltip?.value ?? '' };
  }

  breakers(): BreakerView[] {
    return this.deps.guards().snapshot().map(({ profileId, breaker: b }) => ({
      profileId, state: b.state, consecutiveFailures: b.consecutiveFailures, failureThreshold: b.failureThreshold, retryAt: b.retryAt, lastFailure: b.lastFailure,
    })).sort((a, b) => a.profileId.localeCompare(b.profileId));
  }

  resetBreaker(profileId: string): boolean {
    const known = this.deps.guards().snapshot().some((g) => g.profileId === profileId);
    if (!known) return false;
    this.deps.guards().for(profileId).breaker.reset('reset by user');
    this.deps.log.info('health', `circuit breaker of ${profileId} reset by the user`);
    return true;
  }

  /** Runs the checks now (joins a check already running). */
  check(): Promise<HealthReport> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.runOnce().finally(() => { this.inFlight = null; });
    return this.inFlight;
  }

  /** Called after each recorded execution: a check follows shortly (debounced) when scheduled checks are on. */
  noteWrite(): void {
    if (this.afterWrite || this.disposed || this.interval <= 0) return;
    this.afterWrite = setTimeout(() => { this.afterWrite = undefined; void this.check().catch(() => undefined); }, AFTER_WRITE_DELAY_MS);
  }

  /** Settings changed: re-read the interval, and check again so the status bar reflects new thresholds at once. */
  settingsChanged(): void {
    this.schedule();
    if (!this.disposed && this.interval > 0) void this.check().catch(() => undefined);
  }

  private schedule(): void {
    const seconds = this.interval;
    if (seconds === this.intervalSeconds) return;
    this.intervalSeconds = seconds;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (seconds > 0) {
      this.timer = setInterval(() => { void this.check().catch(() => undefined); }, seconds * 1000);
      this.timer.unref?.();
    }
  }

  private async runOnce(): Promise<HealthReport> {
    const s = healthSettings(this.deps.settings());
    try {
      const { report, transitions } = await runHealth({
        store: this.deps.store, dir: this.deps.dataDir, ftsWindow: this.deps.settings().ftsWindow,
        breakers: () => this.deps.guards().snapshot().map((g) => ({ profileId: g.profileId, breaker: g.breaker })),
        writeLatency: () => this.deps.writeLatency.summary(),
        // Scheduled checks must not hold the store worker while rollups of an upgraded database are built.
        maxRollupBacklog: 20_000,
      }, s, this.states);
      if (this.disposed) return report;
      this.lastErrorText = null;
      this.report = report;
      this.states = report.alerts;
      if (transitions.length) {
        this.transitions = [...transitions.slice().reverse(), ...this.transitions].slice(0, ALERT_HISTORY_LIMIT);
        void this.deps.state.update(HISTORY_KEY, this.transitions);
        for (const t of transitions) this.deps.log[t.kind === 'fired' ? 'warn' : 'info']('health', `alert ${t.kind}: ${describeAlert(report.alerts.find((a) => a.ruleId === t.ruleId)!, s.windowMinutes)}`);
        this.notify(transitions, report, s.windowMinutes);
        // Only firing/quiet matters after a reload (so nothing is announced twice): store it when it changes.
        void this.deps.state.update(STATES_KEY, this.states);
      }
      this.render(report, s.windowMinutes);
      for (const l of [...this.listeners]) {
        try { l(report); } catch (e) { this.deps.log.error('health', `a health listener failed: ${(e as Error).message}`); }
      }
      return report;
    } catch (e) {
      // runHealth turns failing checks into results; reaching here is a bug, and it is shown as such.
      this.lastErrorText = (e as Error).message;
      this.deps.log.error('health', `health checks could not run: ${this.lastErrorText}`);
      this.item.text = '$(error) Health: error';
      this.item.tooltip = `Prompt Lab health checks could not run: ${this.lastErrorText}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.accessibilityInformation = { label: `Prompt Lab health: checks could not run: ${this.lastErrorText}`, role: 'button' };
      this.failureListeners.forEach((l) => { try { l(); } catch { /* a panel gone meanwhile */ } });
      throw e;
    }
  }

  /** One notification per alert that starts firing; info alerts only show in the panel and the status bar. */
  private notify(transitions: readonly AlertTransition[], report: HealthReport, windowMinutes: number): void {
    // Every window watches the same database and shares globalState: an alert another window
    // already recorded as firing was announced there, so it is not announced again here.
    const elsewhere = new Set((this.deps.state.get<AlertState[]>(STATES_KEY) ?? []).filter((a) => a.firing).map((a) => a.ruleId));
    for (const t of transitions) {
      if (t.kind !== 'fired' || t.severity === 'info' || elsewhere.has(t.ruleId)) continue;
      const state = report.alerts.find((a) => a.ruleId === t.ruleId);
      const text = `Prompt Lab: ${t.severity === 'high' ? 'alert' : 'warning'}: ${state ? describeAlert(state, windowMinutes) : t.label}`;
      void vscode.window.showWarningMessage(text, 'Show Health').then((choice) => {
        if (choice) void vscode.commands.executeCommand(Commands.showHealth);
      });
    }
  }

  private render(report: HealthReport, windowMinutes: number): void {
    const view = statusBarView(report, windowMinutes);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `Prompt Lab health: ${view.text.replace(/\$\([^)]*\)\s*/g, '')}`, role: 'button' };
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.afterWrite) clearTimeout(this.afterWrite);
    this.listeners.clear();
    this.failureListeners.clear();
    this.item.dispose();
  }
}

/**
 * Icon, short text and tooltip for a report: `$(pulse) Healthy`, `$(warning) 2 alerts`,
 * `$(error) …` when something high-severity is wrong. The tooltip lists what is wrong with its
 * numbers and thresholds.
 */
export function statusBarView(report: HealthReport, windowMinutes: number): { text: string; tooltip: string; level: 'ok' | 'warning' | 'error' } {
  const failing = report.checks.filter((c) => !c.healthy && c.severity !== 'info');
  const firing = report.alerts.filter((a) => a.firing && a.severity !== 'info');
  const notices = [...report.checks.filter((c) => !c.healthy && c.severity === 'info').map((c) => `${c.name}: ${c.details}`),
    ...report.alerts.filter((a) => a.firing && a.severity === 'info').map((a) => describeAlert(a, windowMinutes))];
  const high = failing.some((c) => c.severity === 'high' || c.severity === undefined) || firing.some((a) => a.severity === 'high');
  const level = failing.length || firing.length ? (high ? 'error' : 'warning') : 'ok';
  const icon = level === 'error' ? '$(error)' : level === 'warning' ? '$(warning)' : '$(pulse)';
  const parts: string[] = [];
  if (firing.length) parts.push(`${firing.length} alert${firing.length === 1 ? '' : 's'}`);
  if (failing.length) parts.push(`${failing.length} check${failing.length === 1 ? '' : 's'} failing`);
  const text = `${icon} ${parts.length ? parts.join(', ') : 'Healthy'}`;
  const lines = [`Prompt Lab health (checked ${new Date(report.generatedAt).toLocaleTimeString()})`];
  if (firing.length) lines.push('', 'Alerts:', ...firing.map((a) => `• [${a.severity}] ${describeAlert(a, windowMinutes)}`));
  if (failing.length) lines.push('', 'Failing checks:', ...failing.map((c) => `• ${c.name}: ${c.details}`));
  if (notices.length) lines.push('', 'Notices:', ...notices.map((n) => `• ${n}`));
  if (!firing.length && !failing.length) lines.push(`All ${report.checks.length} checks pass; no alert is firing.`);
  lines.push('', 'Click to open the Health panel.');
  return { text, tooltip: lines.join('\n'), level };
}
