import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadTestCases, readDataset } from '../core/prompt';
import type { DatasetRow, PromptFile } from '../core/prompt/types';
import { BUILTIN_PROFILES, ResponseCache, createProvider } from '../core/providers';
import { decideEndpoint, withKeyRedaction } from '../core/providers/endpointPolicy';
import type { Provider, ProviderProfile } from '../core/providers/types';
import type { JudgeModel } from '../core/quality/llmJudge';
import type { ProfileChoice } from '../core/runner/promptRun';
import { ProviderGuards, casesFromRows, chooseProfile, runPromptFile, selectionCase } from '../core/runner/promptRun';
import type { Tracker } from '../core/runner/track';
import type { RunCase, RunSummary } from '../core/runner/types';
import type { Settings } from './config';
import { EndpointApprovals } from './endpointApprovals';
import { Commands } from './constants';
import type { Log } from './log';
import { ResultsPanel } from './panels/resultsPanel';
import { HistoryPanel } from './panels/historyPanel';
import type { PromptDocuments } from './promptDocuments';
import { VscodeLmProvider } from './providers/vscodeLmProvider';
import type { ApiKeys } from './secrets';
import { needsKey } from './secrets';

/**
 * Why a dataset named by a prompt file may not be read, or null when it is a file inside a
 * workspace folder (after resolving symlinks: no ../, symlink or absolute-path escape).
 */
export function datasetOutsideWorkspace(file: string): string | null {
  let real: string;
  try { real = fs.realpathSync(file); } catch (e) { return `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`; }
  const inside = (vscode.workspace.workspaceFolders ?? []).some((f) => {
    let root: string;
    try { root = fs.realpathSync(f.uri.fsPath); } catch { return false; }
    const rel = path.relative(root, real);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  return inside ? null : 'it is outside the workspace folder (Prompt Lab only reads datasets a prompt file names from inside the workspace; use "Run Prompt with Dataset…" to pick another file)';
}

export const VSCODE_LM_PROFILE: ProviderProfile = { id: 'vscode-lm', kind: 'vscode-lm', baseUrl: '' };

export interface RunDeps {
  extensionUri: vscode.Uri;
  log: Log;
  tracker: Tracker;
  docs: PromptDocuments;
  keys: ApiKeys;
  settings: () => Settings;
  state: vscode.Memento;
  cacheDir: string;
}

export interface RunOptions {
  firstCaseOnly?: boolean; noCache?: boolean; pickDataset?: boolean;
  /** Run only this test case (`row-N`, as stored on executions): History's Re-run. */
  testCaseId?: string;
  /** Render the file's messages under this variant (History's Re-run of a variant's execution). */
  variant?: string;
}

/** A chosen profile plus, for a file endpoint the user approved, the env key to send there. */
type RunChoice = ProfileChoice & { envKey?: string };

/** Runs prompt files and selections from the editor: the VS Code side of the runner. */
export class RunController implements vscode.Disposable {
  private guards: ProviderGuards;
  private readonly cache: ResponseCache;
  private readonly running = new Set<AbortController>();
  readonly statusItem = vscode.window.createStatusBarItem('promptLab.model', vscode.StatusBarAlignment.Right, 100);
  /** Per-workspace approvals for file endpoints that get a key from `${env:…}`. */
  readonly approvals: EndpointApprovals;

  constructor(private readonly deps: RunDeps) {
    this.approvals = new EndpointApprovals(deps.state);
    this.guards = this.newGuards();
    this.cache = new ResponseCache({ dir: deps.cacheDir });
    this.statusItem.command = Commands.selectModel;
    this.statusItem.name = 'Prompt Lab model';
    this.updateStatus();
    this.statusItem.show();
  }

  private newGuards(): ProviderGuards {
    const s = this.deps.settings();
    return new ProviderGuards({ concurrency: s.concurrency, failureThreshold: s.breakerFailureThreshold, recoveryTimeoutMs: s.breakerRecoverySeconds * 1000 });
  }

  /** New limits apply to the next run; a run in flight keeps its own. */
  settingsChanged(): void {
    this.guards = this.newGuards();
    this.updateStatus();
  }

  /** Limiters and circuit breakers per provider profile: shared by runs and comparisons, shown by health. */
  providerGuards(): ProviderGuards { return this.guards; }

  profiles(): ProviderProfile[] {
    const configured = this.deps.settings().providers.map((p) => ({ ...p, baseUrl: p.baseUrl ?? '' })) as ProviderProfile[];
    return [VSCODE_LM_PROFILE, ...configured, ...BUILTIN_PROFILES.filter((b) => !configured.some((c) => c.id === b.id))];
  }

  private modelOverride(): { profileId: string; model: string } | undefined {
    return this.deps.state.get('promptLab.modelOverride');
  }

  private updateStatus(): void {
    const o = this.modelOverride();
    const s = this.deps.settings();
    const profile = o?.profileId ?? (s.defaultProvider || 'vscode-lm');
    const model = o?.model ?? (s.defaultModel || 'default model');
    this.statusItem.text = `$(beaker) ${profile} · ${model}`;
    this.statusItem.tooltip = 'Prompt Lab: provider and model for runs that do not name one. Click to change.';
  }

  private requireTrust(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage('Prompt Lab does not send prompts in Restricted Mode: this workspace is not trusted.', 'Manage Workspace Trust')
      .then((c) => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return false;
  }

  private choose(prompt: PromptFile | null, variant: string | null = null): ProfileChoice | null {
    const s = this.deps.settings();
    const o = this.modelOverride();
    const choice = chooseProfile(prompt, this.profiles(), {
      defaultProviderId: s.defaultProvider, fallbackProviderId: 'vscode-lm', variant,
      ...(o ? { providerId: o.profileId, model: o.model } : !prompt && s.defaultModel ? { model: s.defaultModel } : {}),
    });
    if ('error' in choice) {
      // vscode.lm accepts "no model" (first Copilot model); other profiles need one.
      if (!prompt && (s.defaultProvider || 'vscode-lm') === 'vscode-lm' && !o) return { profile: VSCODE_LM_PROFILE, model: s.defaultModel };
      void vscode.window.showErrorMessage(`Prompt Lab: ${choice.error}`, 'Select Model').then((c) => { if (c) void vscode.commands.executeCommand(Commands.selectModel); });
      return null;
    }
    return choice;
  }

  /**
   * Keys go only to their own endpoint (src/core/providers/endpointPolicy.ts): a stored key
   * only to its profile's base URL; a file endpoint on another origin runs only with the
   * file's `${env:…}` key and after the user approved that origin for this workspace.
   */
  private async applyEndpointPolicy(prompt: PromptFile, choice: ProfileChoice, file: string): Promise<RunChoice | null> {
    const d = decideEndpoint(choice.profile, prompt.model.connection, { explicit: this.modelOverride() !== undefined });
    if (d.kind === 'refuse') { void vscode.window.showErrorMessage(`Prompt Lab: ${path.basename(file)}: ${d.reason}; nothing was sent.`); return null; }
    if (d.kind === 'profile') {
      if (d.warning) { this.deps.log.warn('run', `${path.basename(file)}: ${d.warning}`); void vscode.window.showWarningMessage(`Prompt Lab: ${path.basename(file)}: ${d.warning}.`); }
      return { ...choice, profile: d.profile };
    }
    const envKey = process.env[d.apiKeyEnv];
    if (!envKey) { void vscode.window.showErrorMessage(`Prompt Lab: ${path.basename(file)} sends its key from \${env:${d.apiKeyEnv}} to ${d.origin}, but ${d.apiKeyEnv} is not set in VS Code's environment; nothing was sent.`); return null; }
    if (!await this.approvals.check(d.origin, d.apiKeyEnv, path.basename(file))) {
      this.deps.log.info('run', `${path.basename(file)}: sending \${env:${d.apiKeyEnv}} to ${d.origin} not approved; nothing was sent`);
      return null;
    }
    this.deps.log.info('run', `${path.basename(file)}: runs on its own endpoint ${d.origin} with the key from \${env:${d.apiKeyEnv}} (approved)`);
    return { ...choice, profile: d.profile, envKey };
  }

  /** A provider for a profile: stored key (or an approved env key), key redacted from everything it returns. */
  providerFor(profile: ProviderProfile): Promise<Provider | null> {
    return this.provider(profile);
  }

  private async provider(profile: ProviderProfile, envKey?: string): Promise<Provider | null> {
    if (profile.kind === 'vscode-lm') return new VscodeLmProvider();
    if (envKey !== undefined) {
      try { return withKeyRedaction(createProvider(profile, envKey), envKey); } catch (e) { void vscode.window.showErrorMessage(`Prompt Lab: provider "${profile.id}": ${(e as Error).message}`); return null; }
    }
    const key = await this.deps.keys.get(profile);
    if (!key && needsKey(profile)) {
      void vscode.window.showErrorMessage(`Prompt Lab: no API key for provider "${profile.id}".`, 'Set API Key').then((c) => { if (c) void vscode.commands.executeCommand(Commands.setApiKey, profile.id); });
      return null;
    }
    try {
      return withKeyRedaction(createProvider(profile, key), key);
    } catch (e) {
      void vscode.window.showErrorMessage(`Prompt Lab: provider "${profile.id}": ${(e as Error).message}`);
      return null;
    }
  }

  async runDocument(uri: vscode.Uri | undefined, opts: RunOptions = {}): Promise<RunSummary | undefined> {
    if (!this.requireTrust()) return undefined;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) { void vscode.window.showInformationMessage('Prompt Lab: open a .prompt.yml or .prompty file to run it.'); return undefined; }
    const { prompt, diagnostics } = this.deps.docs.parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!prompt || errors.length) {
      const first = errors[0];
      void vscode.window.showErrorMessage(`Prompt Lab: ${path.basename(doc.fileName)} has ${errors.length || 1} error(s)${first ? `; line ${first.line}: ${first.message}` : ''}.`, 'Show Problems')
        .then((c) => { if (c) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
      return undefined;
    }
    if (prompt.dataset && !opts.pickDataset) {
      // The file's `dataset:` resolves only inside the workspace, like `sample: file:` (no ../, symlink or absolute escape).
      const ds = path.resolve(path.dirname(doc.fileName), prompt.dataset);
      const refusal = datasetOutsideWorkspace(ds);
      if (refusal) { void vscode.window.showErrorMessage(`Prompt Lab: ${path.basename(doc.fileName)}: dataset ${prompt.dataset}: ${refusal}; nothing was run.`); return undefined; }
    }
    let rows: AsyncIterable<DatasetRow> = loadTestCases(prompt);
    let datasetName = prompt.dataset ? path.basename(prompt.dataset) : null;
    if (opts.pickDataset) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Run with this dataset', filters: { Datasets: ['csv', 'jsonl', 'json'] }, defaultUri: vscode.Uri.file(path.dirname(doc.fileName)) });
      if (!picked?.[0]) return undefined;
      rows = readDataset(picked[0].fsPath);
      datasetName = path.basename(picked[0].fsPath);
    }
    if (opts.variant && !prompt.variants.some((v) => v.name === opts.variant)) {
      void vscode.window.showErrorMessage(`Prompt Lab: ${path.basename(doc.fileName)} has no variant "${opts.variant}" (it was removed, or the execution came from a model, file or parameter comparison arm); nothing was run.`);
      return undefined;
    }
    const chosen = this.choose(prompt, opts.variant ?? null);
    if (!chosen) return undefined;
    const choice = await this.applyEndpointPolicy(prompt, chosen, doc.fileName);
    if (!choice) return undefined;
    const skipped: string[] = [];
    if (opts.testCaseId !== undefined) {
      // Find the row first, so a test case that no longer exists is said plainly instead of running nothing.
      const wanted = await findCase(casesFromRows({ prompt, rows, model: choice.model, ...(opts.variant ? { variant: opts.variant } : {}) }), opts.testCaseId);
      if (!wanted) {
        void vscode.window.showErrorMessage(`Prompt Lab: test case ${opts.testCaseId} is not in ${datasetName ?? path.basename(doc.fileName)} any more (it may have been edited); nothing was run.`);
        return undefined;
      }
      return this.execute(prompt, [wanted], choice, `${prompt.name} · ${opts.testCaseId}`, opts.noCache === true);
    }
    const cases = casesFromRows({ prompt, rows, model: choice.model, ...(opts.variant ? { variant: opts.variant } : {}), firstCaseOnly: opts.firstCaseOnly === true, onSkippedRow: (row, reason) => {
      skipped.push(`row ${row}: ${reason}`);
      this.deps.log.warn('run', `${datasetName ?? path.basename(doc.fileName)}: row ${row} skipped: ${reason}`);
    } });
    const summary = await this.execute(prompt, cases, choice, `${prompt.name}${datasetName ? ` · ${datasetName}` : ''}`, opts.noCache === true);
    if (summary && skipped.length) {
      void vscode.window.showWarningMessage(`Prompt Lab: ${skipped.length} row(s) skipped (first: ${skipped[0]}).`, 'Show Logs').then((c) => { if (c) this.deps.log.show(); });
    }
    return summary;
  }

  async runSelection(): Promise<RunSummary | undefined> {
    if (!this.requireTrust()) return undefined;
    const editor = vscode.window.activeTextEditor;
    if (!editor) { void vscode.window.showInformationMessage('Prompt Lab: select some text to run it as a prompt.'); return undefined; }
    const text = editor.selection.isEmpty ? (editor.document.isUntitled ? editor.document.getText() : '') : editor.document.getText(editor.selection);
    if (!text.trim()) { void vscode.window.showInformationMessage('Prompt Lab: the selection is empty (select text, or run a whole untitled document).'); return undefined; }
    const choice = this.choose(null);
    if (!choice) return undefined;
    return this.execute(null, [selectionCase(text, choice.model)], choice, 'Selection', false);
  }

  private async execute(prompt: PromptFile | null, cases: AsyncIterable<RunCase> | RunCase[], runChoice: RunChoice, title: string, noCache: boolean): Promise<RunSummary | undefined> {
    const { envKey, ...choice } = runChoice;
    const provider = await this.provider(choice.profile, envKey);
    if (!provider) return undefined;
    const s = this.deps.settings();
    const judge = await this.judge(choice, provider);
    const runId = randomUUID();
    const ac = new AbortController();
    this.running.add(ac);
    const panel = ResultsPanel.show({ extensionUri: this.deps.extensionUri, log: this.deps.log });
    panel.startRun(runId, title, choice.profile.id, choice.model || 'default', () => ac.abort());
    this.deps.log.info('run', `run ${runId}: ${title} on ${choice.profile.id} / ${choice.model || 'default'}`);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Prompt Lab: running ${title}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        let done = 0;
        const summary = await runPromptFile({
          prompt, cases, choice, provider, tracker: this.deps.tracker, guards: this.guards, cache: noCache ? null : this.cache,
          cacheMode: noCache ? 'off' : s.cache, judge, judgeRepeats: s.judgeRepeats, maxAttempts: s.maxAttempts, timeoutMs: s.requestTimeoutSeconds * 1000, runId, signal: ac.signal,
          onEvent: (e) => {
            panel.onRunEvent(e);
            if (e.type === 'done' || e.type === 'failed') { done++; progress.report({ message: `${done} case(s) finished` }); HistoryPanel.instance?.notifyChanged(); }
            if (e.type === 'breaker') this.deps.log.warn('breaker', `${e.providerId}: ${e.state} (${e.reason})`);
            if (e.type === 'retrying') this.deps.log.info('run', `${e.caseId}: retry ${e.attempt} in ${e.delayMs} ms (${e.reason})`);
            if (e.type === 'failed') this.deps.log.warn('run', `${e.caseId}: ${e.error.kind}: ${e.error.message}`);
          },
        });
        const msg = `${title}: ${summary.succeeded} ok, ${summary.failed} failed${summary.cancelled ? `, ${summary.cancelled} cancelled` : ''}; evaluators ${summary.evaluatorsPassed} passed, ${summary.evaluatorsFailed} failed.`;
        this.deps.log.info('run', msg);
        if (summary.failed || summary.evaluatorsFailed) void vscode.window.showWarningMessage(`Prompt Lab: ${msg}`);
        return summary;
      });
    } catch (e) {
      this.deps.log.error('run', `run ${runId} failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Prompt Lab: the run stopped: ${(e as Error).message}`);
      return undefined;
    } finally {
      this.running.delete(ac);
    }
  }

  /** The configured LLM judge, or null (its evaluators are then "not evaluated"). */
  private async judge(run: ProfileChoice, runProvider: Provider): Promise<JudgeModel | null> {
    const s = this.deps.settings();
    if (!s.judgeModel) return null;
    const profile = s.judgeProvider ? this.profiles().find((p) => p.id === s.judgeProvider) : run.profile;
    if (!profile) {
      void vscode.window.showWarningMessage(`Prompt Lab: judge provider "${s.judgeProvider}" is not a profile; judge evaluators are not evaluated in this run.`);
      return null;
    }
    const provider = profile.id === run.profile.id ? runProvider : await this.provider(profile);
    return provider ? { provider, model: s.judgeModel, profile } : null;
  }

  async selectModel(): Promise<void> {
    const items: Array<vscode.QuickPickItem & { profileId?: string; model?: string }> = [];
    const lm = await vscode.lm.selectChatModels().then((m) => m, () => []);
    items.push({ label: 'VS Code Language Models', kind: vscode.QuickPickItemKind.Separator });
    if (!lm.length) items.push({ label: '$(info) No VS Code language model available (GitHub Copilot not installed or signed out)', alwaysShow: true });
    for (const m of lm) items.push({ label: m.name, description: `${m.vendor}/${m.id}`, detail: `max input ${m.maxInputTokens} tokens`, profileId: 'vscode-lm', model: `${m.vendor}/${m.id}` });
    for (const p of this.profiles().filter((x) => x.kind !== 'vscode-lm')) {
      items.push({ label: p.id, kind: vscode.QuickPickItemKind.Separator });
      let models: string[] = [];
      const provider = await this.provider(p).catch(() => null);
      if (provider?.listModels) models = await provider.listModels(AbortSignal.timeout(4000)).catch(() => []);
      if (p.defaultModel && !models.includes(p.defaultModel)) models.unshift(p.defaultModel);
      for (const m of models.slice(0, 50)) items.push({ label: m, description: p.id, profileId: p.id, model: m });
      items.push({ label: `$(edit) Enter a model id for ${p.id}…`, profileId: p.id, alwaysShow: true });
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(discard) Use settings / prompt file (clear choice)', profileId: '' });
    const pick = await vscode.window.showQuickPick(items, { title: 'Prompt Lab: Select Model', matchOnDescription: true, placeHolder: 'Model for runs (overrides the prompt file)' });
    if (!pick || pick.profileId === undefined) return;
    if (pick.profileId === '') { await this.deps.state.update('promptLab.modelOverride', undefined); this.updateStatus(); return; }
    const model = pick.model ?? await vscode.window.showInputBox({ title: `Model id for ${pick.profileId}`, prompt: 'e.g. gpt-4o-mini, claude-3-5-haiku-latest, llama3.1:8b' });
    if (!model) return;
    await this.deps.state.update('promptLab.modelOverride', { profileId: pick.profileId, model });
    this.updateStatus();
  }

  async setApiKey(profileId?: unknown): Promise<void> {
    const candidates = this.profiles().filter((p) => p.kind !== 'vscode-lm');
    const id = typeof profileId === 'string' ? profileId : (await vscode.window.showQuickPick(candidates.map((p) => ({ label: p.id, description: `${p.kind}${p.baseUrl ? ` · ${p.baseUrl}` : ''}` })), { title: 'Prompt Lab: Set API Key for…' }))?.label;
    if (!id) return;
    const value = await vscode.window.showInputBox({ title: `API key for ${id}`, prompt: 'Stored in VS Code SecretStorage and sent only to this profile\'s endpoint. Leave empty to delete.', password: true, ignoreFocusOut: true });
    if (value === undefined) return;
    if (value.trim()) await this.deps.keys.set(id, value.trim()); else await this.deps.keys.delete(id);
    this.deps.log.info('keys', `API key for ${id} ${value.trim() ? 'stored' : 'deleted'}`);
    void vscode.window.showInformationMessage(`Prompt Lab: API key for ${id} ${value.trim() ? 'saved' : 'deleted'}.`);
  }

  dispose(): void {
    for (const ac of this.running) ac.abort();
    this.statusItem.dispose();
  }
}

/** The case with this test case id (stops reading the dataset once found). */
async function findCase(cases: AsyncIterable<RunCase>, testCaseId: string): Promise<RunCase | null> {
  for await (const c of cases) if (c.testCaseId === testCaseId) return c;
  return null;
}
