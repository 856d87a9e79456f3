import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLabStore } from '../core/store';
import { WorkerStore } from '../core/store/workerStore';
import { Tracker } from '../core/runner/track';
import { buildSanitizer, readSettings } from './config';
import { registerCommands } from './commands';
import { Commands, ViewTypes } from './constants';
import { WriteLatencyRing } from '../core/analytics/health';
import { HealthMonitor } from './healthMonitor';
import { HealthPanel } from './panels/healthPanel';
import { Log } from './log';
import { HistoryPanel } from './panels/historyPanel';
import { TreeViews } from './treeViews';
import { ComparePanel } from './panels/comparePanel';
import { QualityPanel } from './panels/qualityPanel';
import { DashboardPanel } from './panels/dashboardPanel';
import { ResultsPanel } from './panels/resultsPanel';
import { PromptCodeLens } from './promptCodeLens';
import { PromptDocuments } from './promptDocuments';
import { RunController } from './runController';
import { CompareController } from './compareController';
import { ApiKeys } from './secrets';

/** What activate() returns: used by the integration tests, and by nothing else. */
export interface PromptLabApi { store: PromptLabStore; tracker: Tracker; dataDir: string; runs: RunController; keys: ApiKeys; historyPanel(): HistoryPanel | undefined; resultsPanel(): ResultsPanel | undefined; qualityPanel(): QualityPanel | undefined; comparePanel(): ComparePanel | undefined; compare: CompareController; dashboardPanel(): DashboardPanel | undefined; reviveDashboard(panel: vscode.WebviewPanel, state: unknown): DashboardPanel; health: HealthMonitor; healthPanel(): HealthPanel | undefined; reviveHealth(panel: vscode.WebviewPanel): HealthPanel; trees(): TreeViews | undefined }

let storeToClose: PromptLabStore | undefined;

/** Composition root: every service is built here once; every disposable goes to subscriptions. */
export async function activate(context: vscode.ExtensionContext): Promise<PromptLabApi> {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const warn = (m: string) => { log.warn('config', m); void vscode.window.showWarningMessage(`Prompt Lab: ${m}`); };
    const settings = readSettings(warn);
    const sanitizer = buildSanitizer(settings, warn);
    const dataDir = settings.databasePath ? path.resolve(settings.databasePath) : path.join(context.globalStorageUri.fsPath, 'db');
    const dist = path.join(context.extensionPath, 'dist');
    const store = await WorkerStore.open({
      dir: dataDir, sanitizer, ftsWindow: settings.ftsWindow, pollMs: 1000, compactEveryRows: 5000,
      workerScript: path.join(dist, 'storeWorker.js'), wasmDir: dist,
      onProblem: (p) => {
        const where = p.quarantinedAs ? ` It was moved to ${p.quarantinedAs}.` : '';
        log.error('store', `${p.kind} ${p.file}: ${p.message}${where}`);
        void vscode.window.showErrorMessage(`Prompt Lab database: ${p.kind} ${p.file}: ${p.message}.${where}`);
      },
    });
    storeToClose = store;
    log.info('store', `database at ${dataDir}`);
    const { userId, sessionId } = identity(context);
    // Open history and quality panels re-query after each recorded execution (debounced in the panel).
    // store.record() is timed for the health monitor's write-latency check (the last 200 writes).
    const writeLatency = new WriteLatencyRing(200);
    // Filled in once the monitor exists (it needs the run controller, which needs the tracker).
    const healthRef: { monitor?: HealthMonitor } = {};
    const sink = { record: (input: Parameters<PromptLabStore['record']>[0]) => { const t0 = performance.now(); const r = store.record(input); writeLatency.add(performance.now() - t0); healthRef.monitor?.noteWrite(); HistoryPanel.instance?.notifyChanged(); QualityPanel.instance?.notifyChanged(); DashboardPanel.instance?.notifyChanged(); TreeViews.instance?.changed(); return r; } };
    const tracker = new Tracker(sink, { userId, sessionId, environment: settings.environment });

    let current = settings;
    const docs = new PromptDocuments();
    const keys = new ApiKeys(context.secrets);
    const runs = new RunController({
      extensionUri: context.extensionUri, log, tracker, docs, keys, settings: () => current,
      state: context.workspaceState, cacheDir: path.join(dataDir, '..', 'response-cache'),
    });
    const compare = new CompareController({ extensionUri: context.extensionUri, store, log, tracker, docs, settings: () => current, state: context.workspaceState, runs });
    const monitor = new HealthMonitor({ store, dataDir, guards: () => runs.providerGuards(), writeLatency, state: context.globalState, settings: () => current, log });
    healthRef.monitor = monitor;
    const deps = { extensionUri: context.extensionUri, store, log, sanitizer, runs, compare, health: monitor };
    context.subscriptions.push(monitor,
      vscode.commands.registerCommand(Commands.showHealth, () => HealthPanel.show(deps)),
      vscode.commands.registerCommand(Commands.checkHealth, async () => {
        const report = await monitor.check();
        if (!HealthPanel.instance) void vscode.window.showInformationMessage(`Prompt Lab health: ${monitor.statusBar().text.replace(/\$\([^)]*\)\s*/g, '')}`, 'Show Health').then((c) => { if (c) HealthPanel.show(deps); });
        return report;
      }),
      vscode.window.registerWebviewPanelSerializer(ViewTypes.health, { deserializeWebviewPanel: async (panel) => { HealthPanel.revive(panel, deps); } }),
    );
    // The serializer's path after a reload (the integration test drives it through the API too).
    const reviveDashboard = (panel: vscode.WebviewPanel, state: unknown) => DashboardPanel.revive(panel, deps, state);
    registerCommands(context, deps);
    context.subscriptions.push(new TreeViews(deps));
    context.subscriptions.push(docs, runs,
      vscode.languages.registerCodeLensProvider([{ pattern: '**/*.prompty' }, { pattern: '**/*.prompt.{yml,yaml}' }], new PromptCodeLens(docs)),
      vscode.window.registerWebviewPanelSerializer(ViewTypes.results, { deserializeWebviewPanel: async (panel) => { ResultsPanel.revive(panel, deps); } }),
      vscode.window.registerWebviewPanelSerializer(ViewTypes.quality, { deserializeWebviewPanel: async (panel) => { QualityPanel.revive(panel, deps); } }),
      vscode.window.registerWebviewPanelSerializer(ViewTypes.dashboard, { deserializeWebviewPanel: async (panel, state) => { reviveDashboard(panel, state); } }),
      vscode.window.registerWebviewPanelSerializer(ViewTypes.compare, { deserializeWebviewPanel: async (panel) => { ComparePanel.revive(panel, deps); } }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('promptLab')) return;
        current = readSettings(warn);
        runs.settingsChanged();
        monitor.settingsChanged();
      }),
    );
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(ViewTypes.history, {
        deserializeWebviewPanel: async (panel) => { HistoryPanel.revive(panel, deps); },
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('promptLab.databasePath')) {
          void vscode.window.showInformationMessage('Prompt Lab: the database location changes after a window reload.', 'Reload Window')
            .then((c) => { if (c) void vscode.commands.executeCommand('workbench.action.reloadWindow'); });
        }
      }),
    );
    log.info('activate', `Prompt Lab ${context.extension.packageJSON.version as string} active (VS Code ${vscode.version})`);
    return { store, tracker, dataDir, runs, keys, historyPanel: () => HistoryPanel.instance, resultsPanel: () => ResultsPanel.instance, qualityPanel: () => QualityPanel.instance, comparePanel: () => ComparePanel.instance, compare, dashboardPanel: () => DashboardPanel.instance, reviveDashboard, health: monitor, healthPanel: () => HealthPanel.instance, reviveHealth: (panel: vscode.WebviewPanel) => HealthPanel.revive(panel, deps), trees: () => TreeViews.instance };
  } catch (e) {
    // VS Code shows nothing for a failed activation: say it, log it, then rethrow.
    const message = e instanceof Error ? e.message : String(e);
    log.error('activate', message);
    void vscode.window.showErrorMessage(`Prompt Lab failed to start: ${message}`, 'Show Logs').then((c) => { if (c) log.show(); });
    throw e;
  }
}

/**
 * Pseudonymous ids for the standard metadata. Not vscode.env.machineId/sessionId: with
 * telemetry off (code-server, VSCodium, many users) those are constants like
 * "someValue.machineId", which would make every user the same one.
 */
function identity(context: vscode.ExtensionContext): { userId: string; sessionId: string } {
  let userId = context.globalState.get<string>('promptLab.userId');
  if (!userId) {
    userId = randomUUID().slice(0, 12);
    void context.globalState.update('promptLab.userId', userId);
  }
  const sessionId = vscode.env.sessionId.startsWith('someValue.') ? randomUUID() : vscode.env.sessionId;
  return { userId, sessionId };
}

/** Returns the store's flush (final compaction), which VS Code awaits. */
export function deactivate(): Promise<void> | undefined {
  const s = storeToClose;
  storeToClose = undefined;
  return s?.close();
}
