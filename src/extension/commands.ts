import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Sanitizer } from '../core/sanitize';
import type { PromptLabStore } from '../core/store';
import { importJsonl } from '../core/store/jsonlImport';
import { Commands } from './constants';
import type { Log } from './log';
import { HistoryPanel } from './panels/historyPanel';
import { ResultsPanel } from './panels/resultsPanel';
import type { RunController } from './runController';

export interface CommandDeps { extensionUri: vscode.Uri; store: PromptLabStore; log: Log; sanitizer: Sanitizer; runs: RunController }

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { store, log } = deps;
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg(Commands.showHistory, () => HistoryPanel.show(deps));
  reg(Commands.showLogs, () => log.show());
  const uriArg = (a: unknown) => (a instanceof vscode.Uri ? a : undefined);
  const runOpts = (a: unknown) => (a && typeof a === 'object' && !(a instanceof vscode.Uri) ? a as { firstCaseOnly?: boolean } : {});
  reg(Commands.runPrompt, (a?: unknown, b?: unknown) => deps.runs.runDocument(uriArg(a), runOpts(b)));
  reg(Commands.runPromptWithDataset, (a?: unknown) => deps.runs.runDocument(uriArg(a), { pickDataset: true }));
  reg(Commands.runWithoutCache, (a?: unknown) => deps.runs.runDocument(uriArg(a), { noCache: true }));
  reg(Commands.runSelection, () => deps.runs.runSelection());
  reg(Commands.selectModel, () => deps.runs.selectModel());
  reg(Commands.setApiKey, (id?: unknown) => deps.runs.setApiKey(id));
  reg(Commands.showResults, () => ResultsPanel.show(deps));

  reg(Commands.importExecutions, async (arg?: unknown) => {
    const uri = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Prompt Lab JSONL': ['jsonl'] }, openLabel: 'Import' }))?.[0];
    if (!uri) return undefined;
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Lab: importing executions', cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      let last = 0;
      return importJsonl(uri.fsPath, store, deps.sanitizer, {
        signal: ac.signal,
        onProgress: (lines, bytes, total) => {
          const pct = total ? (bytes / total) * 100 : 0;
          progress.report({ increment: pct - last, message: `${lines.toLocaleString()} lines` });
          last = pct;
        },
      });
    });
    for (const b of report.bad.slice(0, 50)) log.warn('import', `${uri.fsPath}:${b.line}: ${b.reason}`);
    const msg = `Imported ${report.imported} execution(s) from ${uri.fsPath}` + (report.bad.length ? `; ${report.bad.length} bad line(s) skipped (first: line ${report.bad[0]!.line}: ${report.bad[0]!.reason})` : '');
    log.info('import', msg);
    if (report.bad.length) void vscode.window.showWarningMessage(`Prompt Lab: ${msg}`, 'Show Logs').then((c) => { if (c) log.show(); });
    else void vscode.window.showInformationMessage(`Prompt Lab: ${msg}`);
    HistoryPanel.instance?.notifyChanged();
    return report;
  });

  reg(Commands.exportExecutions, async (arg?: unknown) => {
    const def = vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), `prompt-lab-executions-${new Date().toISOString().slice(0, 10)}.jsonl`);
    const uri = arg instanceof vscode.Uri ? arg : await vscode.window.showSaveDialog({ defaultUri: def, filters: { 'Prompt Lab JSONL': ['jsonl'] }, saveLabel: 'Export' });
    if (!uri) return undefined;
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Lab: exporting executions' }, () => store.exportJsonl(uri.fsPath));
    log.info('export', `exported ${r.rows} execution(s) to ${uri.fsPath}`);
    if (!(arg instanceof vscode.Uri)) {
      void vscode.window.showInformationMessage(`Prompt Lab: exported ${r.rows} execution(s).`, 'Open File').then((c) => { if (c) void vscode.window.showTextDocument(uri); });
    }
    return r;
  });

  reg(Commands.compactDatabase, async () => {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Prompt Lab: compacting database' }, () => store.compact());
    const msg = r.skipped ? `Compaction skipped: ${r.skipped}.` : `Snapshot ${r.gen} written: ${r.rows} execution(s), ${((r.bytes ?? 0) / 1e6).toFixed(1)} MB in ${r.ms} ms.`;
    log.info('store', msg);
    void vscode.window.showInformationMessage(`Prompt Lab: ${msg}`);
    return r;
  });

  reg(Commands.showDatabaseInfo, async () => {
    const s = await store.stats();
    const lines = [`Location: ${s.dir}`, `Executions: ${s.executions}`, `Snapshot generation ${s.snapshotGen}, ${(s.snapshotBytes / 1e6).toFixed(1)} MB`,
      `Journals: ${s.journals} file(s), ${(s.journalBytes / 1e3).toFixed(0)} kB`, `Texts waiting for a segment: ${s.pendingTexts}`, `Schema version ${s.schemaVersion}`];
    log.info('store', lines.join(' | '));
    void vscode.window.showInformationMessage(`Prompt Lab database: ${s.executions} execution(s) in ${s.dir}`, { modal: false, detail: lines.join('\n') }, 'Show Logs').then((c) => { if (c) log.show(); });
    return s;
  });
}
