import * as vscode from 'vscode';
import type { ExperimentRow, PromptLabStore, RecentRun } from '../core/store';
import { Commands, Views } from './constants';
import type { Log } from './log';
import { HistoryPanel } from './panels/historyPanel';

/*
 * The Prompt Lab activity-bar views: Recent Runs (executions grouped by run id) and
 * Experiments. Clicking an item opens the history panel filtered to it; an experiment's
 * inline "Open Comparison" opens the compare panel when a command for it is installed.
 * Both refresh after new executions (debounced: a run of a thousand cases refreshes a few
 * times, not a thousand) and from their title-bar button.
 */

const RECENT_RUNS = 50;
const REFRESH_DEBOUNCE_MS = 1500;
/** The compare panel's "reopen an experiment" command, when another part of the extension provides it. */
const OPEN_EXPERIMENT_COMMAND = 'promptLab.openExperiment';

export type RunItem = { kind: 'run'; run: RecentRun } | { kind: 'message'; text: string };
export type ExperimentItem = { kind: 'experiment'; experiment: ExperimentRow } | { kind: 'message'; text: string };

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function messageItem(text: string): vscode.TreeItem {
  const t = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
  t.iconPath = new vscode.ThemeIcon('warning');
  return t;
}

export class RecentRunsProvider implements vscode.TreeDataProvider<RunItem> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  constructor(private readonly store: PromptLabStore, private readonly log: Log) {}
  refresh(): void { this.emitter.fire(); }

  async getChildren(parent?: RunItem): Promise<RunItem[]> {
    if (parent) return [];
    try {
      return (await this.store.recentRuns(RECENT_RUNS)).map((run): RunItem => ({ kind: 'run', run }));
    } catch (e) {
      this.log.warn('tree', `recent runs: ${(e as Error).message}`);
      return [{ kind: 'message', text: `Could not read runs: ${(e as Error).message}` }];
    }
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    if (item.kind === 'message') return messageItem(item.text);
    const r = item.run;
    const t = new vscode.TreeItem(`${r.promptId} · ${when(r.finishedAt)}`, vscode.TreeItemCollapsibleState.None);
    t.id = `run:${r.runId}`;
    t.description = `${r.succeeded} ok, ${r.failed} failed`;
    t.tooltip = new vscode.MarkdownString().appendText(`Run ${r.runId}\n${r.total} execution(s): ${r.succeeded} ok, ${r.failed} failed\nStarted ${new Date(r.startedAt).toLocaleString()}, last execution ${new Date(r.finishedAt).toLocaleString()}`);
    t.iconPath = new vscode.ThemeIcon(r.failed ? 'warning' : 'pass');
    t.contextValue = 'promptLab.run';
    t.command = { command: Commands.showHistoryFor, title: 'Show History', arguments: [{ runId: r.runId }] };
    return t;
  }
}

export class ExperimentsProvider implements vscode.TreeDataProvider<ExperimentItem> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  constructor(private readonly store: PromptLabStore, private readonly log: Log) {}
  refresh(): void { this.emitter.fire(); }

  async getChildren(parent?: ExperimentItem): Promise<ExperimentItem[]> {
    if (parent) return [];
    try {
      return (await this.store.experiments()).map((experiment) => ({ kind: 'experiment', experiment }));
    } catch (e) {
      this.log.warn('tree', `experiments: ${(e as Error).message}`);
      return [{ kind: 'message', text: `Could not read experiments: ${(e as Error).message}` }];
    }
  }

  getTreeItem(item: ExperimentItem): vscode.TreeItem {
    if (item.kind === 'message') return messageItem(item.text);
    const x = item.experiment;
    const t = new vscode.TreeItem(x.name || x.id, vscode.TreeItemCollapsibleState.None);
    t.id = `experiment:${x.id}`;
    t.description = `${x.status} · ${x.variants.length} variant(s)${x.design ? ` · ${x.design}` : ''}`;
    t.tooltip = new vscode.MarkdownString().appendText(`Experiment ${x.id}\nCreated ${new Date(x.createdAt).toLocaleString()}${x.seed !== null ? `\nSeed ${x.seed}` : ''}`);
    t.iconPath = new vscode.ThemeIcon('beaker');
    t.contextValue = 'promptLab.experiment';
    t.command = { command: Commands.showHistoryFor, title: 'Show History', arguments: [{ experimentId: x.id }] };
    return t;
  }
}

/** Both views, their commands, and the debounced refresh that new executions trigger. */
export class TreeViews implements vscode.Disposable {
  private static current: TreeViews | undefined;
  static get instance(): TreeViews | undefined { return TreeViews.current; }

  readonly runs: RecentRunsProvider;
  readonly experiments: ExperimentsProvider;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }) {
    this.runs = new RecentRunsProvider(deps.store, deps.log);
    this.experiments = new ExperimentsProvider(deps.store, deps.log);
    this.disposables.push(
      vscode.window.createTreeView(Views.runs, { treeDataProvider: this.runs }),
      vscode.window.createTreeView(Views.experiments, { treeDataProvider: this.experiments }),
      vscode.commands.registerCommand(Commands.refreshTreeViews, () => this.refreshNow()),
      vscode.commands.registerCommand(Commands.showHistoryFor, (arg?: unknown) => HistoryPanel.show(deps, { filter: historyTarget(arg) })),
      vscode.commands.registerCommand(Commands.openExperimentComparison, (arg?: unknown) => this.openExperiment(deps, arg)),
    );
    TreeViews.current = this;
  }

  /** New executions or experiments: refresh once the burst is over. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.refreshNow(); }, REFRESH_DEBOUNCE_MS);
  }

  refreshNow(): void {
    this.runs.refresh();
    this.experiments.refresh();
  }

  /** The compare panel for the experiment when its command exists; the filtered history otherwise. */
  private async openExperiment(deps: { extensionUri: vscode.Uri; store: PromptLabStore; log: Log }, arg: unknown): Promise<void> {
    const id = experimentIdOf(arg);
    if (!id) return;
    if ((await vscode.commands.getCommands(true)).includes(OPEN_EXPERIMENT_COMMAND)) {
      await vscode.commands.executeCommand(OPEN_EXPERIMENT_COMMAND, id);
      return;
    }
    HistoryPanel.show(deps, { filter: { experimentId: id } });
  }

  dispose(): void {
    if (TreeViews.current === this) TreeViews.current = undefined;
    clearTimeout(this.timer);
    this.disposables.splice(0).forEach((d) => d.dispose());
  }
}

/** `{runId}` or `{experimentId}` (a command argument) as a history filter; nothing else passes. */
function historyTarget(arg: unknown): { runId: string } | { experimentId: string } | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as { runId?: unknown; experimentId?: unknown };
  if (typeof a.runId === 'string' && a.runId) return { runId: a.runId.slice(0, 200) };
  if (typeof a.experimentId === 'string' && a.experimentId) return { experimentId: a.experimentId.slice(0, 200) };
  return undefined;
}

/** The experiment id of a tree item (inline button) or of a `{experimentId}` argument. */
function experimentIdOf(arg: unknown): string | undefined {
  if (arg && typeof arg === 'object') {
    const a = arg as { kind?: unknown; experiment?: { id?: unknown }; experimentId?: unknown };
    if (a.kind === 'experiment' && typeof a.experiment?.id === 'string') return a.experiment.id;
    if (typeof a.experimentId === 'string') return a.experimentId;
  }
  return typeof arg === 'string' ? arg : undefined;
}
