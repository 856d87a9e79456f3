import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Sanitizer } from '../core/sanitize';
import type { HistoryFilter, PromptLabStore } from '../core/store';
import { importJsonl } from '../core/store/jsonlImport';
import { DEFAULT_CSV_COLUMNS, EXPORT_EXTENSIONS, KNOWN_CSV_COLUMNS, isExportFormat } from '../core/export';
import type { ExportFormat, ExportRequest } from '../core/export';
import { Commands, MaintenanceSettings, SettingsSection } from './constants';
import type { Log } from './log';
import { HistoryPanel } from './panels/historyPanel';
import { TreeViews } from './treeViews';
import { QualityPanel } from './panels/qualityPanel';
import { DashboardPanel } from './panels/dashboardPanel';
import type { HealthSource } from './panels/dashboardPanel';
import { ResultsPanel } from './panels/resultsPanel';
import type { CompareController } from './compareController';
import type { RunController, RunOptions } from './runController';

export interface CommandDeps { extensionUri: vscode.Uri; store: PromptLabStore; log: Log; sanitizer: Sanitizer; runs: RunController; compare?: CompareController; health?: HealthSource }

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { store, log } = deps;
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg(Commands.showHistory, () => HistoryPanel.show(deps));
  reg(Commands.showLogs, () => log.show());
  const uriArg = (a: unknown) => (a instanceof vscode.Uri ? a : undefined);
  const runOpts = (a: unknown) => (a && typeof a === 'object' && !(a instanceof vscode.Uri) ? a as RunOptions : {});
  reg(Commands.runPrompt, (a?: unknown, b?: unknown) => deps.runs.runDocument(uriArg(a), runOpts(b)));
  reg(Commands.runPromptWithDataset, (a?: unknown) => deps.runs.runDocument(uriArg(a), { pickDataset: true }));
  reg(Commands.runWithoutCache, (a?: unknown) => deps.runs.runDocument(uriArg(a), { noCache: true }));
  reg(Commands.runSelection, () => deps.runs.runSelection());
  reg(Commands.selectModel, () => deps.runs.selectModel());
  reg(Commands.setApiKey, (id?: unknown) => deps.runs.setApiKey(id));
  reg(Commands.resetEndpointApprovals, async () => {
    const n = await deps.runs.approvals.reset();
    log.info('keys', `endpoint approvals reset (${n} forgotten)`);
    void vscode.window.showInformationMessage(`Prompt Lab: ${n} endpoint approval(s) for this workspace forgotten; prompt files that send an \${env:…} key to their own endpoint will ask again.`);
    return n;
  });
  reg(Commands.showResults, () => ResultsPanel.show(deps));
  reg(Commands.showQuality, () => QualityPanel.show(deps));
  reg(Commands.showDashboard, () => DashboardPanel.show(deps));
  reg(Commands.compareVariants, (a?: unknown) => deps.compare?.compare(a));
  reg(Commands.compareTimePeriods, (a?: unknown) => deps.compare?.compareTimePeriods(a));
  reg(Commands.openExperiment, (a?: unknown) => deps.compare?.openExperiment(a));

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
    QualityPanel.instance?.notifyChanged();
    DashboardPanel.instance?.notifyChanged();
    TreeViews.instance?.changed();
    return report;
  });

  reg(Commands.exportExecutions, async (arg?: unknown) => exportExecutionsCommand(deps, arg));

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

  registerMaintenance(context, deps, reg);
}

/**
 * Create Backup / Restore Backup… / Optimize Database, scheduled backups into
 * `<db>/backups/` (promptLab.backup.schedule, .keep) and retention: executions older than
 * promptLab.retentionDays are archived (never deleted) a minute after startup.
 */
function registerMaintenance(context: vscode.ExtensionContext, deps: CommandDeps, reg: (id: string, fn: (...args: unknown[]) => unknown) => void): void {
  const { store, log } = deps;
  const fail = (what: string, e: unknown) => {
    const msg = `${what} failed: ${(e as Error).message}`;
    log.error('store', msg);
    void vscode.window.showErrorMessage(`Prompt Lab: ${msg}`, 'Show Logs').then((c) => { if (c) log.show(); });
    return undefined;
  };
  const refresh = () => { HistoryPanel.instance?.notifyChanged(); QualityPanel.instance?.notifyChanged(); DashboardPanel.instance?.notifyChanged(); TreeViews.instance?.changed(); };
  const backupsDir = path.join(store.dir, 'backups');
  const stamp = () => new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');

  reg(Commands.createBackup, async (arg?: unknown) => {
    const uri = arg instanceof vscode.Uri ? arg : await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(os.homedir(), `promptlab-backup-${stamp()}.sqlite.gz`)),
      filters: { 'Prompt Lab backup': ['gz', 'sqlite'] }, saveLabel: 'Back Up' });
    if (!uri) return undefined;
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Lab: backing up the database' }, () => store.backup(uri.fsPath));
      const msg = `Backed up ${r.rows} execution(s) to ${r.path} (${(r.bytes / 1e6).toFixed(1)} MB) + ${path.basename(r.sidecarPath)}` + (r.textErrors ? `; ${r.textErrors} with unreadable texts (snippets kept)` : '');
      log.info('store', msg);
      if (!(arg instanceof vscode.Uri)) void vscode.window.showInformationMessage(`Prompt Lab: ${msg}`);
      return r;
    } catch (e) { return fail('Backup', e); }
  });

  reg(Commands.restoreBackup, async (arg?: unknown) => {
    const uri = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Prompt Lab backup': ['gz', 'sqlite'] }, openLabel: 'Restore', defaultUri: vscode.Uri.file(backupsDir) }))?.[0];
    if (!uri) return undefined;
    if (!(arg instanceof vscode.Uri)) {
      const ok = await vscode.window.showWarningMessage(`Restore ${path.basename(uri.fsPath)}?`, { modal: true,
        detail: 'Executions in the backup that the database lacks come back; nothing in the database is removed. The current snapshot is copied to pre-restore-<time> first.' }, 'Restore');
      if (ok !== 'Restore') return undefined;
    }
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Lab: restoring backup' }, () => store.restoreBackup(uri.fsPath));
      const msg = `Restored ${r.restored} execution(s) from ${uri.fsPath}; ${r.alreadyPresent} were already present. Previous snapshot kept in ${r.safetyCopy}`;
      log.info('store', msg);
      if (!(arg instanceof vscode.Uri)) void vscode.window.showInformationMessage(`Prompt Lab: ${msg}`);
      refresh();
      return r;
    } catch (e) { return fail('Restore', e); }
  });

  reg(Commands.optimizeDatabase, async () => {
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Lab: optimizing database' }, () => store.optimize());
      const msg = `Database optimized: ${(r.bytesBefore / 1e6).toFixed(1)} MB → ${(r.bytesAfter / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s.`;
      log.info('store', msg);
      void vscode.window.showInformationMessage(`Prompt Lab: ${msg}`);
      return r;
    } catch (e) { return fail('Optimize', e); }
  });

  reg(Commands.archiveExecutions, async (arg?: unknown) => {
    // A number argument (tests, keybindings) skips the questions.
    let days = typeof arg === 'number' ? arg : undefined;
    if (days === undefined) {
      const answer = await vscode.window.showInputBox({
        title: 'Prompt Lab: archive executions older than how many days?', value: String(cfg().get<number>(MaintenanceSettings.retentionDays, 0) || 90),
        prompt: 'They move to <database>/archive/YYYY-MM.sqlite (readable with promptlab history --archive); nothing is deleted.',
        validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 36500 ? null : 'A whole number of days from 1 to 36500'),
      });
      if (answer === undefined) return undefined;
      days = Number(answer.trim());
    }
    if (!Number.isInteger(days) || days < 1) return fail('Archive', new Error(`days must be a whole number ≥ 1, got ${String(days)}`));
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Prompt Lab: archiving executions older than ${days} day(s)` }, () => store.archive(days));
      const msg = r.deleted
        ? `Archived ${r.deleted} execution(s) older than ${r.cutoff.slice(0, 10)} to ${r.files.map((f) => path.basename(f)).join(', ')}; database ${(r.bytesBefore / 1e6).toFixed(1)} MB → ${(r.bytesAfter / 1e6).toFixed(1)} MB.`
        : `No execution is older than ${days} day(s); nothing was archived.`;
      log.info('store', msg);
      if (typeof arg !== 'number') void vscode.window.showInformationMessage(`Prompt Lab: ${msg}`);
      refresh();
      return r;
    } catch (e) { return fail('Archive', e); }
  });

  const cfg = () => vscode.workspace.getConfiguration(SettingsSection);
  const scheduled = async () => {
    const schedule = cfg().get<string>(MaintenanceSettings.backupSchedule, 'off');
    const days = cfg().get<number>(MaintenanceSettings.retentionDays, 0);
    if (days > 0) {
      try {
        const a = await store.archive(Math.floor(days));
        if (a.deleted) { log.info('store', `retention: archived ${a.deleted} execution(s) older than ${days} day(s) to ${a.files.join(', ')}`); refresh(); }
      } catch (e) { log.warn('store', `retention: archiving failed: ${(e as Error).message}`); }
    }
    if (schedule !== 'daily' && schedule !== 'weekly') return;
    const keep = Math.max(1, Math.floor(cfg().get<number>(MaintenanceSettings.backupKeep, 7)));
    const mine = () => { try { return fs.readdirSync(backupsDir).filter((f) => /^promptlab-auto-.*\.sqlite\.gz$/.test(f)).sort(); } catch { return []; } };
    const last = mine().at(-1);
    const age = last ? Date.now() - fs.statSync(path.join(backupsDir, last)).mtimeMs : Infinity;
    if (age < (schedule === 'daily' ? 1 : 7) * 86_400_000 - 3600_000) return;
    try {
      const r = await store.backup(path.join(backupsDir, `promptlab-auto-${stamp()}.sqlite.gz`));
      log.info('store', `scheduled backup: ${r.rows} execution(s) to ${r.path}`);
      for (const old of mine().slice(0, -keep)) for (const f of [old, `${old}.json`]) fs.rmSync(path.join(backupsDir, f), { force: true });
    } catch (e) { log.warn('store', `scheduled backup failed: ${(e as Error).message}`); }
  };
  // Off the startup path; then every 6 hours (a weekly backup is due within 6 h of its time).
  const first = setTimeout(() => void scheduled(), 60_000);
  const every = setInterval(() => void scheduled(), 6 * 3600_000);
  context.subscriptions.push({ dispose: () => { clearTimeout(first); clearInterval(every); } });
}

/**
 * What callers may pass to promptLab.exportExecutions: a Uri (the format follows its
 * extension, JSONL otherwise; no dialogs), or what to export — the history panel's current
 * filter or selection, a run (filter.runId), an experiment (filter.experimentId) or an
 * analytics window (filter.since/until).
 */
export interface ExportExecutionsArgs { format?: ExportFormat; filter?: HistoryFilter; ids?: string[]; uri?: vscode.Uri; title?: string }

const FORMAT_PICKS: ReadonlyArray<vscode.QuickPickItem & { format: ExportFormat; bom?: boolean }> = [
  { label: 'CSV', description: 'spreadsheet; pick the columns next', format: 'csv' },
  { label: 'CSV for Excel', description: 'with a UTF-8 byte order mark', format: 'csv', bom: true },
  { label: 'JSON', description: 'one array of executions', format: 'json' },
  { label: 'JSONL', description: "lossless; 'Import Executions' reads it back", format: 'jsonl' },
  { label: 'Markdown report', description: 'summary, variants, worst cases', format: 'md' },
  { label: 'HTML report', description: 'self-contained, with charts', format: 'html' },
];

const FORMAT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  csv: { 'CSV': ['csv'] }, json: { 'JSON': ['json'] }, jsonl: { 'Prompt Lab JSONL': ['jsonl'] }, md: { 'Markdown': ['md'] }, html: { 'HTML': ['html'] },
};

async function exportExecutionsCommand(deps: CommandDeps, arg: unknown): Promise<{ rows: number } | undefined> {
  const { store, log } = deps;
  const args: ExportExecutionsArgs = arg instanceof vscode.Uri ? { uri: arg } : arg && typeof arg === 'object' ? arg as ExportExecutionsArgs : {};
  const interactive = !args.uri;
  const req: ExportRequest = { format: 'jsonl', ...(args.ids?.length ? { ids: args.ids } : args.filter ? { filter: args.filter } : {}), ...(args.title ? { title: args.title } : {}) };
  if (args.format) req.format = args.format;
  else if (args.uri) {
    const ext = path.extname(args.uri.fsPath).slice(1).toLowerCase();
    req.format = ext === 'markdown' ? 'md' : ext === 'htm' ? 'html' : isExportFormat(ext) ? ext : 'jsonl';
  } else {
    const pick = await vscode.window.showQuickPick(FORMAT_PICKS, { title: 'Prompt Lab: export executions as', placeHolder: 'Format' });
    if (!pick) return undefined;
    req.format = pick.format;
    if (pick.bom) req.bom = true;
  }
  if (interactive && req.format === 'csv') {
    const picks = KNOWN_CSV_COLUMNS.map((c) => ({ label: c, picked: DEFAULT_CSV_COLUMNS.includes(c) }));
    const chosen = await vscode.window.showQuickPick(picks, { canPickMany: true, title: 'Prompt Lab: CSV columns', placeHolder: 'x.* expands to every key found under x' });
    if (!chosen) return undefined;
    if (!chosen.length) { void vscode.window.showWarningMessage('Prompt Lab: pick at least one column.'); return undefined; }
    req.columns = chosen.map((c) => c.label);
  }
  const ext = EXPORT_EXTENSIONS[req.format];
  const base = req.format === 'md' || req.format === 'html' ? 'prompt-lab-report' : 'prompt-lab-executions';
  const def = vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), `${base}-${new Date().toISOString().slice(0, 10)}.${ext}`);
  const uri = args.uri ?? await vscode.window.showSaveDialog({ defaultUri: def, filters: FORMAT_FILTERS[req.format], saveLabel: 'Export' });
  if (!uri) return undefined;
  let r: { rows: number };
  try {
    r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Lab: exporting executions', cancellable: true }, (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return store.exportTo(uri.fsPath, { ...req, signal: ac.signal, onProgress: (rows) => progress.report({ message: `${rows.toLocaleString()} execution(s)` }) });
    });
  } catch (e) {
    const msg = (e as Error).message;
    if (/export cancelled/.test(msg)) { log.info('export', `export to ${uri.fsPath} cancelled`); void vscode.window.showInformationMessage('Prompt Lab: export cancelled; no file was written.'); return undefined; }
    log.error('export', `export to ${uri.fsPath} failed: ${msg}`);
    void vscode.window.showErrorMessage(`Prompt Lab: export failed: ${msg}`);
    return undefined;
  }
  log.info('export', `exported ${r.rows} execution(s) as ${req.format} to ${uri.fsPath}`);
  if (interactive) {
    void vscode.window.showInformationMessage(`Prompt Lab: exported ${r.rows} execution(s).`, 'Open File').then((c) => {
      if (!c) return;
      if (req.format === 'html') void vscode.env.openExternal(uri);
      else void vscode.window.showTextDocument(uri);
    });
  }
  return r;
}
