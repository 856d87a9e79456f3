import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Advice, Design, PromoteResult, SweepSpec, VariantArm } from '../core/compare';
import {
  PERIOD_METRICS, adviseSampleSize, analyzePeriods, analyzeSamples, armFileUnchanged, defaultPeriods, fileArms, formatDayRange, modelArms, parseDayRange, parseSweep,
  pastFacts, plannedCases, promoteVariant, renderArms, runExperiment, setTopLevelModel, setTopLevelParameters, sweepArms, variantArms,
} from '../core/compare';
import { loadTestCases } from '../core/prompt';
import type { DatasetRow, PromptFile } from '../core/prompt/types';
import type { Provider, ProviderProfile } from '../core/providers/types';
import type { ProfileChoice } from '../core/runner/promptRun';
import { chooseProfile, promptIdOf } from '../core/runner/promptRun';
import type { Tracker } from '../core/runner/track';
import type { RunSummary } from '../core/runner/types';
import type { ExperimentRow, PromptLabStore } from '../core/store';
import type { CompareAnalysis, CompareCaseOutput, CompareExperimentInfo, CompareStatus } from '../shared/compareProtocol';
import { COMPARE_TEXT_LIMIT } from '../shared/compareProtocol';
import type { Settings } from './config';
import type { Log } from './log';
import { ComparePanel } from './panels/comparePanel';
import { HistoryPanel } from './panels/historyPanel';
import type { PromptDocuments } from './promptDocuments';
import type { RunController } from './runController';

/**
 * What promptLab.compareVariants accepts: a Uri (the CodeLens, the explorer), or options.
 * Options given are not asked for; with `skipConfirm` nothing is asked at all (defaults:
 * every variant of the file, paired, repeat 1, a random seed) and the advisor is not shown.
 */
export interface CompareCommandOptions {
  uri?: vscode.Uri;
  /** Names from the file's variants: key (at least two). */
  variants?: string[];
  /** Or: the one prompt across these model ids (at least two). */
  models?: string[];
  /** Or: these prompt files as further arms (the file of `uri`, or the active one, is the control). */
  files?: Array<vscode.Uri | string>;
  /** Or: a parameter sweep, `temperature=0,0.7` or its parsed form. */
  sweep?: string | SweepSpec;
  design?: Design;
  repeat?: number;
  seed?: number;
  skipConfirm?: boolean;
}

export interface CompareOutcome { experimentId: string; status: CompareStatus; summary: RunSummary; analysis: CompareAnalysis }

export interface CompareDeps {
  extensionUri: vscode.Uri;
  store: PromptLabStore;
  log: Log;
  tracker: Tracker;
  docs: PromptDocuments;
  settings: () => Settings;
  state: vscode.Memento;
  runs: RunController;
}

const REPEATS = [1, 3, 5] as const;

type ArmMode = 'variants' | 'models' | 'files' | 'sweep';

/** What promptLab.compareTimePeriods accepts (all asked for when absent). Days are UTC, ranges `YYYY-MM-DD..YYYY-MM-DD`. */
export interface PeriodsCommandOptions { promptId?: string; a?: string; b?: string; metric?: 'quality' | 'latency' | 'success' }

export interface PromoteOptions { skipConfirm?: boolean }

/** Compare Variants…: the VS Code side of `promptlab compare` (same core: advisor → runExperiment → analysis). */
export class CompareController {
  constructor(private readonly deps: CompareDeps) {}

  async compare(arg?: unknown): Promise<CompareOutcome | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Prompt Lab does not send prompts in Restricted Mode: this workspace is not trusted.');
      return undefined;
    }
    const o: CompareCommandOptions = arg instanceof vscode.Uri ? { uri: arg } : arg && typeof arg === 'object' ? arg as CompareCommandOptions : {};
    const ask = o.skipConfirm !== true;
    const doc = o.uri ? await vscode.workspace.openTextDocument(o.uri) : vscode.window.activeTextEditor?.document;
    if (!doc) { void vscode.window.showInformationMessage('Prompt Lab: open a .prompt.yml or .prompty file to compare its variants.'); return undefined; }
    const { prompt, diagnostics } = this.deps.docs.parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!prompt || errors.length) {
      void vscode.window.showErrorMessage(`Prompt Lab: ${path.basename(doc.fileName)} has ${errors.length || 1} error(s)${errors[0] ? `; line ${errors[0].line}: ${errors[0].message}` : ''}.`);
      return undefined;
    }
    const title = path.basename(doc.fileName);

    // Arms: variants of the file, models, other prompt files, or a parameter sweep.
    let mode: ArmMode = o.files ? 'files' : o.sweep ? 'sweep' : o.models ? 'models' : 'variants';
    if (!o.models && !o.variants && !o.files && !o.sweep && ask) {
      const picks: Array<vscode.QuickPickItem & { mode: ArmMode }> = [
        ...(prompt.variants.length >= 2 ? [{ label: 'Compare variants…', description: `${prompt.variants.length} in this file`, mode: 'variants' as const }] : []),
        { label: 'Compare models…', description: 'the prompt across model ids you enter', mode: 'models' },
        { label: 'Compare with another prompt file…', description: 'each file renders its own messages with this file\'s test cases', mode: 'files' },
        { label: 'Compare parameter values…', description: 'e.g. temperature 0 vs 0.7', mode: 'sweep' },
      ];
      const pick = await vscode.window.showQuickPick(picks, { title: `Prompt Lab: compare ${title}` });
      if (!pick) return undefined;
      mode = pick.mode;
    }
    const built = await this.buildArms(mode, prompt, doc, o, ask);
    if (!built) return undefined;
    const { arms, profile, prompts } = built;

    const design = o.design ?? (ask ? await this.askDesign() : 'paired');
    if (!design) return undefined;
    const repeat = o.repeat ?? (ask ? await this.askRepeat() : 1);
    if (!repeat) return undefined;
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) { void vscode.window.showErrorMessage('Prompt Lab: repeat must be an integer from 1 to 1000.'); return undefined; }
    const seed = o.seed ?? (ask ? await this.askSeed() : randomBytes(4).readUInt32LE(0));
    if (seed === undefined) return undefined;

    const promptId = promptIdOf(prompt);
    const s = this.deps.settings();
    const rows = await collect(loadTestCases(prompt));
    const rendered = await renderArms(prompt, rows, arms, prompts);
    for (const sk of rendered.skipped) this.deps.log.warn('compare', `${title}: ${sk} (left out for every variant)`);
    if (!rendered.caseIds.length) { void vscode.window.showErrorMessage('Prompt Lab: no test case renders under every variant.'); return undefined; }
    const past = pastFacts(await this.deps.store.metricSamples({ promptId, limit: 5000 }));
    const advice = adviseSampleSize({ design, variants: arms.length, datasetCases: rendered.caseIds.length, repeat, concurrency: s.concurrency, past });
    if (ask) {
      const go = await vscode.window.showInformationMessage(`Compare ${arms.map((a) => a.name).join(' vs ')} on ${rendered.caseIds.length} test case(s)?`,
        { modal: true, detail: adviceText(advice, design, seed, rendered.skipped.length) }, 'Run');
      if (go !== 'Run') return undefined;
    }

    const provider = await this.provider(profile);
    if (!provider) return undefined;
    const cases = plannedCases(rendered, arms, design, repeat, seed);
    const where = new Map(cases.map((c) => [c.caseId, { variant: c.variant!, testCaseId: c.testCaseId!, repeat: Number(c.caseId.slice(c.caseId.lastIndexOf('#') + 1)) || 1 }]));
    let experiment: ExperimentRow = { id: `exp-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`, name: promptId, design, seed, status: 'running', variants: arms, createdAt: Date.now() };
    this.deps.store.saveExperiment(experiment);
    this.deps.log.info('compare', `experiment ${experiment.id}: ${promptId}, ${arms.map((a) => a.name).join(' vs ')}, ${design}, seed ${seed}, repeat ${repeat}, ${cases.length} execution(s) on ${profile.id}`);

    const ac = new AbortController();
    const panel = this.panel();
    const progressOf = (done: number) => ({ done, total: cases.length });
    panel.start({
      experiment: { id: experiment.id, promptId, title, design, seed, repeat, status: 'running', variants: arms, createdAt: experiment.createdAt, kind: 'experiment' },
      advisor: advice, caseIds: rendered.caseIds, outputs: [], progress: progressOf(0), analysis: null,
      note: rendered.skipped.length ? `${rendered.skipped.length} test case(s) left out: they do not render under every variant (see the log).` : null,
    }, () => ac.abort());

    let summary: RunSummary;
    try {
      summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Prompt Lab: comparing ${arms.map((a) => a.name).join(' vs ')}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        let done = 0;
        return runExperiment({
          prompt, cases, choice: { profile, model: arms[0]!.model }, provider, tracker: this.deps.tracker,
          guards: this.deps.runs.providerGuards(),
          experimentId: experiment.id, timeoutMs: s.requestTimeoutSeconds * 1000, signal: ac.signal,
          onEvent: (e) => {
            if (e.type === 'done' || e.type === 'failed') {
              const w = where.get(e.caseId);
              done++;
              progress.report({ increment: 100 / cases.length, message: `${done}/${cases.length}` });
              HistoryPanel.instance?.notifyChanged();
              if (!w) return;
              const text = e.type === 'done' ? e.text : '';
              const out: CompareCaseOutput = {
                ...w, status: e.type, text: text.slice(0, COMPARE_TEXT_LIMIT), truncated: text.length > COMPARE_TEXT_LIMIT,
                quality: e.type === 'done' ? e.quality?.overall ?? null : null,
                evaluators: e.evaluators.map((x) => ({ name: x.name, status: x.status, reason: x.reason.slice(0, 500) })),
                error: e.type === 'failed' ? `${e.error.kind}: ${e.error.message}` : null,
              };
              panel.addOutput(experiment.id, out, progressOf(done));
            }
            if (e.type === 'failed') this.deps.log.warn('compare', `${e.caseId}: ${e.error.kind}: ${e.error.message}`);
            if (e.type === 'breaker') this.deps.log.warn('breaker', `${e.providerId}: ${e.state} (${e.reason})`);
          },
        });
      });
    } catch (e) {
      experiment = { ...experiment, status: 'cancelled' };
      this.deps.store.saveExperiment(experiment);
      panel.setStatus(experiment.id, 'failed');
      this.deps.log.error('compare', `experiment ${experiment.id} stopped: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Prompt Lab: the comparison stopped: ${(e as Error).message}`);
      return undefined;
    }
    const status: CompareStatus = summary.cancelled > 0 && ac.signal.aborted ? 'cancelled' : 'finished';
    experiment = { ...experiment, status };
    this.deps.store.saveExperiment(experiment);
    const samples = await this.deps.store.metricSamples({ experimentId: experiment.id });
    const analysis: CompareAnalysis = {
      run: { total: summary.total, succeeded: summary.succeeded, failed: summary.failed, cancelled: summary.cancelled, durationMs: summary.durationMs, costUsd: summary.costUsd },
      ...analyzeSamples(samples, arms.map((a) => a.name), { design, seed }),
    };
    panel.setAnalysis(experiment.id, status, analysis);
    const msg = `experiment ${experiment.id} ${status}: ${summary.succeeded} ok, ${summary.failed} failed${summary.cancelled ? `, ${summary.cancelled} cancelled` : ''}. ${analysis.comparison?.recommendation ?? 'No metric has enough data to compare.'}`;
    this.deps.log.info('compare', msg);
    if (summary.failed) void vscode.window.showWarningMessage(`Prompt Lab: ${msg}`);
    return { experimentId: experiment.id, status, summary, analysis };
  }

  /** The compare panel, shown (created when needed) with promote wired to this controller. */
  private panel(): ComparePanel {
    return ComparePanel.show({ extensionUri: this.deps.extensionUri, store: this.deps.store, log: this.deps.log, compare: this });
  }

  /** Arms for the chosen mode, asking for what the options do not give; one provider profile for all. */
  private async buildArms(mode: ArmMode, prompt: PromptFile, doc: vscode.TextDocument, o: CompareCommandOptions, ask: boolean): Promise<{ arms: VariantArm[]; profile: ProviderProfile; prompts: Map<string, PromptFile> } | undefined> {
    const fail = (m: string) => { void vscode.window.showErrorMessage(`Prompt Lab: ${m}`); return undefined; };
    const prompts = new Map<string, PromptFile>([[prompt.path, prompt]]);
    const choices: ProfileChoice[] = [];
    const pick = (p: PromptFile, arm: { variant?: string; model?: string }) => {
      const c = this.choose(p, arm);
      if ('error' in c) throw new Error(c.error);
      choices.push(c);
      return c;
    };
    let arms: VariantArm[];
    try {
      if (mode === 'files') {
        const others = o.files ? o.files.map((f) => (typeof f === 'string' ? vscode.Uri.file(f) : f)) : ask ? await this.askFiles(doc.uri) : undefined;
        if (!others) return undefined;
        if (!others.length) return fail('pick at least one other prompt file to compare with.');
        const list = [prompt];
        for (const uri of others) {
          const other = await vscode.workspace.openTextDocument(uri);
          const parsed = this.deps.docs.parse(other);
          const errs = parsed.diagnostics.filter((d) => d.severity === 'error');
          if (!parsed.prompt || errs.length) return fail(`${path.basename(uri.fsPath)} has ${errs.length || 1} error(s)${errs[0] ? `; line ${errs[0].line}: ${errs[0].message}` : ''}.`);
          list.push(parsed.prompt);
          prompts.set(parsed.prompt.path, parsed.prompt);
        }
        arms = fileArms(list, list.map((p) => pick(p, {}).model));
      } else if (mode === 'sweep') {
        const sweep = typeof o.sweep === 'string' ? parseSweep(o.sweep) : o.sweep ?? (ask ? await this.askSweep(prompt) : undefined);
        if (!sweep) return undefined;
        if ('error' in sweep) return fail(`sweep: ${sweep.error}`);
        arms = sweepArms(prompt, sweep, pick(prompt, {}).model);
      } else if (mode === 'models') {
        const models = o.models ?? (ask ? await this.askModels() : undefined);
        if (!models) return undefined;
        if (models.length < 2 || new Set(models).size !== models.length) return fail('a comparison needs at least two different model ids.');
        for (const m of models) pick(prompt, { model: m });
        arms = modelArms(prompt, models);
      } else {
        let names: string[];
        if (o.variants) names = o.variants;
        else if (ask) {
          const picked = await vscode.window.showQuickPick(prompt.variants.map((v) => ({ label: v.name, picked: true, description: describeVariant(v) })),
            { canPickMany: true, title: 'Prompt Lab: variants to compare (the first is the control)', placeHolder: 'Pick at least two' });
          if (!picked) return undefined;
          names = picked.map((p) => p.label);
        } else names = prompt.variants.map((v) => v.name);
        const unknown = names.find((n) => !prompt.variants.some((v) => v.name === n));
        if (unknown) return fail(`unknown variant "${unknown}" (variants: ${prompt.variants.map((v) => v.name).join(', ') || 'none'}).`);
        if (names.length < 2 || new Set(names).size !== names.length) return fail(`a comparison needs at least two variants (the file has ${prompt.variants.length}); or compare models, files or parameter values.`);
        const modelOf = new Map(names.map((n) => [n, pick(prompt, { variant: n }).model]));
        arms = variantArms(prompt, names, (n) => modelOf.get(n)!);
      }
    } catch (e) {
      return fail((e as Error).message);
    }
    const profile = choices[0]!.profile;
    if (choices.some((c) => c.profile.id !== profile.id)) return fail(`the arms use different providers (${[...new Set(choices.map((c) => c.profile.id))].join(', ')}): not supported yet.`);
    return { arms, profile, prompts };
  }

  private async askFiles(current: vscode.Uri): Promise<vscode.Uri[] | undefined> {
    const found = (await vscode.workspace.findFiles('**/*.{prompt.yml,prompt.yaml,prompty}', '**/node_modules/**', 500)).filter((u) => u.toString() !== current.toString());
    if (!found.length) {
      return vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Compare', title: 'Prompt Lab: prompt files to compare with', filters: { 'Prompt files': ['yml', 'yaml', 'prompty'] } });
    }
    const picked = await vscode.window.showQuickPick(found.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u, false), uri: u })),
      { canPickMany: true, title: `Prompt Lab: compare ${path.basename(current.fsPath)} (the control) with…`, placeHolder: 'Pick one or more prompt files' });
    return picked?.map((p) => p.uri);
  }

  private async askSweep(prompt: PromptFile): Promise<SweepSpec | { error: string } | undefined> {
    const name = await vscode.window.showInputBox({
      title: 'Prompt Lab: parameter to vary', prompt: `A model parameter (the file sets: ${Object.keys(prompt.model.parameters).join(', ') || 'none'})`, value: 'temperature',
      validateInput: (x) => (/^[A-Za-z_][\w.-]*$/.test(x.trim()) ? null : 'A parameter name such as temperature, top_p, max_tokens'),
    });
    if (name === undefined) return undefined;
    const current = prompt.model.parameters[name.trim()];
    const values = await vscode.window.showInputBox({
      title: `Prompt Lab: values of ${name.trim()}`, prompt: 'Comma-separated, at least two; the first is the control', value: current !== undefined ? `${String(current)}, ` : name.trim() === 'temperature' ? '0, 0.7' : '',
      validateInput: (x) => { const r = parseSweep(name.trim(), x); return 'error' in r ? r.error : null; },
    });
    return values === undefined ? undefined : parseSweep(name.trim(), values);
  }

  /**
   * "Promote variant": the arm's overrides become the top level of its prompt file, as one
   * WorkspaceEdit (one Undo in the editor). Refused when the file changed since the experiment,
   * for the control, and for another file's arm; a model-only arm offers to set `model:`.
   */
  async promote(x: CompareExperimentInfo, name: string, o: PromoteOptions = {}): Promise<{ ok: boolean; message: string }> {
    const fail = (message: string) => ({ ok: false, message });
    const arm = x.variants.find((a) => a.name === name);
    const control = x.variants[0];
    if (!arm || !control) return fail(`"${name}" is not an arm of this comparison.`);
    if (arm === control) return fail(`"${name}" is the control: its messages are already the file's.`);
    if (!arm.file || !arm.promptHash) return fail(x.kind === 'periods' ? 'Time periods have no prompt file to edit.' : 'This experiment did not record its prompt file (it ran before Prompt Lab kept it): run the comparison again to promote.');
    const base = path.basename(arm.file);
    if (control.file && arm.file !== control.file) {
      if (!o.skipConfirm) void vscode.window.showInformationMessage(`Prompt Lab: "${name}" is another prompt file (${base}); there is nothing to promote into ${path.basename(control.file)}.`, 'Open ' + base)
        .then((c) => { if (c) void vscode.window.showTextDocument(vscode.Uri.file(arm.file!)); });
      return fail(`"${name}" is another prompt file (${base}): open it instead; nothing is promoted between files.`);
    }
    const uri = vscode.Uri.file(arm.file);
    let doc: vscode.TextDocument;
    try { doc = await vscode.workspace.openTextDocument(uri); } catch (e) { return fail(`Cannot open ${base}: ${(e as Error).message}`); }
    const text = doc.getText();
    if (!armFileUnchanged(arm as VariantArm, text)) return fail(`${base} changed since experiment ${x.id} ran (its prompt hash differs): promoting could overwrite newer edits. Run the comparison again, then promote.`);
    if (!/\.prompt\.ya?ml$/i.test(doc.fileName)) return fail(`Promote edits .prompt.yml files; ${base} is a Prompty file: copy the variant by hand.`);
    let result: PromoteResult;
    let question: string;
    let confirmed = false;
    if (arm.promptVariant) {
      result = promoteVariant(text, arm.promptVariant);
      question = `Promote '${name}' into ${base}? The control's messages are replaced; Undo restores them.`;
    } else if (arm.parameters && Object.keys(arm.parameters).length) {
      result = setTopLevelParameters(text, arm.parameters);
      question = `Promote '${name}' into ${base}? The file's model parameters change; Undo restores them.`;
    } else {
      if (!o.skipConfirm) {
        const c = await vscode.window.showWarningMessage(`'${name}' is a model-only arm: it has no messages or parameters to promote.`, { modal: true, detail: `Set model: ${arm.model} in ${base} instead? Undo restores the previous model.` }, 'Set model');
        if (c !== 'Set model') return fail('Promote cancelled.');
      }
      confirmed = true;
      result = setTopLevelModel(text, arm.model);
      question = '';
    }
    if (!result.ok) return fail(`Cannot promote '${name}': ${result.reason}.`);
    if (!o.skipConfirm && !confirmed) {
      const c = await vscode.window.showInformationMessage(question, { modal: true, detail: result.summary.join('\n') }, 'Promote');
      if (c !== 'Promote') return fail('Promote cancelled.');
    }
    const edit = new vscode.WorkspaceEdit();
    for (const ch of result.changes) edit.replace(uri, new vscode.Range(doc.positionAt(ch.start), doc.positionAt(ch.end)), ch.newText);
    if (!await vscode.workspace.applyEdit(edit)) return fail(`VS Code did not apply the edit to ${base}.`);
    await vscode.window.showTextDocument(doc, { preview: false });
    const message = `Promoted '${name}' into ${base}: ${result.summary.join('; ')}. Undo (Ctrl+Z) in the editor restores the previous text; save to keep it.`;
    this.deps.log.info('compare', message);
    return { ok: true, message };
  }

  /** Compare Time Periods…: a prompt's logged executions in two date ranges, shown in the compare panel. */
  async compareTimePeriods(arg?: unknown): Promise<CompareAnalysis | undefined> {
    const o: PeriodsCommandOptions = arg && typeof arg === 'object' ? arg as PeriodsCommandOptions : {};
    let promptId = o.promptId;
    if (!promptId) {
      const ids = (await this.deps.store.qualityOverview({})).promptIds;
      const other = '$(edit) Enter a prompt id…';
      const pick = await vscode.window.showQuickPick([...ids.map((id) => ({ label: id })), { label: other, description: 'prompts without scores are not listed' }],
        { title: 'Prompt Lab: prompt whose logged executions to compare', placeHolder: ids.length ? 'Prompts by their newest execution' : 'No scored prompts yet' });
      if (!pick) return undefined;
      promptId = pick.label === other ? await vscode.window.showInputBox({ title: 'Prompt Lab: prompt id', prompt: 'The prompt id as in History (its name: or file name)', validateInput: (x) => (x.trim() ? null : 'Enter a prompt id') }) : pick.label;
      if (!promptId) return undefined;
      promptId = promptId.trim();
    }
    const defaults = defaultPeriods(Date.now());
    const range = async (which: string, given: string | undefined, fallback: string) => {
      if (given !== undefined) { const r = parseDayRange(given); if ('error' in r) { void vscode.window.showErrorMessage(`Prompt Lab: period ${which}: ${r.error}.`); return undefined; } return r; }
      const v = await vscode.window.showInputBox({ title: `Prompt Lab: period ${which}${which === 'A' ? ' (the control)' : ''}`, prompt: 'First and last day, UTC, both included: YYYY-MM-DD..YYYY-MM-DD', value: fallback,
        validateInput: (x) => { const r = parseDayRange(x); return 'error' in r ? r.error : null; } });
      if (v === undefined) return undefined;
      const r = parseDayRange(v);
      return 'error' in r ? undefined : r;
    };
    const pa = await range('A', o.a, formatDayRange(defaults.a));
    if (!pa) return undefined;
    const pb = await range('B', o.b, formatDayRange(defaults.b));
    if (!pb) return undefined;
    if (o.metric !== undefined && !PERIOD_METRICS[o.metric]) { void vscode.window.showErrorMessage('Prompt Lab: metric must be quality, latency or success.'); return undefined; }
    const [ra, rb] = await Promise.all([this.deps.store.metricSamples({ promptId, since: pa.start, until: pa.end }), this.deps.store.metricSamples({ promptId, since: pb.start, until: pb.end })]);
    const names: [string, string] = [formatDayRange(pa), formatDayRange(pb)];
    if (names[0] === names[1]) names[1] = `${names[1]} (B)`;
    const analysis: CompareAnalysis = { run: null, ...analyzePeriods(ra, rb, { names, ...(o.metric ? { metrics: [PERIOD_METRICS[o.metric]] } : {}) }) };
    const panel = this.panel();
    panel.start({
      experiment: { id: `periods-${Date.now().toString(36)}`, promptId, title: `${promptId}: time periods`, design: 'unpaired', seed: 0, repeat: 1, status: 'finished',
        variants: names.map((n) => ({ name: n, promptVariant: null, model: '' })), createdAt: Date.now(), kind: 'periods' },
      advisor: null, caseIds: [], outputs: [], progress: { done: ra.length + rb.length, total: ra.length + rb.length }, analysis,
      note: `Logged executions of “${promptId}”: ${ra.length} in ${names[0]} (the control), ${rb.length} in ${names[1]}. Nothing was randomized, so each execution counts as its own unit (unpaired tests); a difference says what changed between the periods, not why.`,
    }, () => undefined);
    this.deps.log.info('compare', `time periods of ${promptId}: ${names[0]} (${ra.length}) vs ${names[1]} (${rb.length}): ${analysis.comparison?.recommendation ?? 'no metric has enough data'}`);
    return analysis;
  }

  /** Reopens a stored experiment (argument: its id, or an object with `id`/`experimentId`; none: a quick pick). */
  async openExperiment(arg?: unknown): Promise<string | undefined> {
    let id = typeof arg === 'string' ? arg
      : arg && typeof arg === 'object' ? (['id', 'experimentId'].map((k) => (arg as Record<string, unknown>)[k]).find((v) => typeof v === 'string') as string | undefined) : undefined;
    if (!id) {
      const rows = await this.deps.store.experiments();
      if (!rows.length) { void vscode.window.showInformationMessage('Prompt Lab: no experiments yet. Run “Prompt Lab: Compare Variants…” first.'); return undefined; }
      const pick = await vscode.window.showQuickPick(rows.map((r) => ({
        label: r.name, id: r.id,
        description: `${(r.variants as Array<{ name?: unknown }>).map((v) => String(v?.name ?? '?')).join(' vs ')} · ${r.design ?? 'paired'} · ${r.status}`,
        detail: `${r.id} · ${new Date(r.createdAt).toLocaleString()}`,
      })), { title: 'Prompt Lab: open an experiment', matchOnDescription: true, matchOnDetail: true });
      if (!pick) return undefined;
      id = pick.id;
    }
    const panel = this.panel();
    if (!await panel.open(id)) { void vscode.window.showErrorMessage(`Prompt Lab: no experiment "${id}" in the database.`); return undefined; }
    return id;
  }

  private choose(prompt: PromptFile, arm: { variant?: string; model?: string }): ProfileChoice | { error: string } {
    const s = this.deps.settings();
    // The status-bar choice picks the provider; each arm keeps its own model.
    const override = this.deps.state.get<{ profileId: string; model: string }>('promptLab.modelOverride');
    return chooseProfile(prompt, this.deps.runs.profiles(), {
      defaultProviderId: s.defaultProvider, fallbackProviderId: 'vscode-lm',
      ...(override ? { providerId: override.profileId } : {}), ...(arm.variant ? { variant: arm.variant } : {}), ...(arm.model ? { model: arm.model } : {}),
    });
  }

  /** The run controller's provider factory: same key lookup, endpoint policy and key redaction. */
  private provider(profile: ProviderProfile): Promise<Provider | null> {
    return this.deps.runs.providerFor(profile);
  }


  private async askModels(): Promise<string[] | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Prompt Lab: models to compare', prompt: 'Comma-separated model ids; the first is the control', placeHolder: 'gpt-4o-mini, gpt-4.1-mini',
      validateInput: (x) => { const l = splitList(x); return l.length >= 2 && new Set(l).size === l.length ? null : 'Enter at least two different model ids'; },
    });
    return v === undefined ? undefined : splitList(v);
  }

  private async askDesign(): Promise<Design | undefined> {
    const p = await vscode.window.showQuickPick([
      { label: 'Paired', description: 'every case under every variant (recommended)', design: 'paired' as const },
      { label: 'Unpaired', description: 'the cases split at random between the variants', design: 'unpaired' as const },
    ], { title: 'Prompt Lab: experiment design' });
    return p?.design;
  }

  private async askRepeat(): Promise<number | undefined> {
    const p = await vscode.window.showQuickPick(REPEATS.map((r) => ({ label: String(r), description: r === 1 ? 'one run per case and variant' : `${r} runs per case and variant, averaged per case`, r })), { title: 'Prompt Lab: repeats' });
    return p?.r;
  }

  private async askSeed(): Promise<number | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Prompt Lab: seed of the assignment and order', prompt: 'A random seed is filled in; keep it or enter one to reproduce an experiment', value: String(randomBytes(4).readUInt32LE(0)),
      validateInput: (x) => (/^\d+$/.test(x.trim()) && Number(x) <= 4294967295 ? null : 'An integer from 0 to 4294967295'),
    });
    return v === undefined ? undefined : Number(v.trim());
  }
}

function splitList(v: string): string[] { return v.split(',').map((s) => s.trim()).filter(Boolean); }

function describeVariant(v: PromptFile['variants'][number]): string {
  const parts: string[] = [];
  if (v.model?.id) parts.push(v.model.id);
  if (v.messages) parts.push(`${v.messages.length} message(s)`);
  if (v.parameters && Object.keys(v.parameters).length) parts.push(Object.entries(v.parameters).map(([k, x]) => `${k} ${String(x)}`).join(', '));
  return parts.join(' · ');
}

async function collect(rows: AsyncIterable<DatasetRow>): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/** The advisor for the confirmation dialog. */
export function adviceText(a: Advice, design: Design, seed: number, skipped: number): string {
  const stat = <T>(s: { available: true } & T | { available: false; reason: string }, f: (x: T) => string) => (s.available ? f(s as T) : `n/a (${(s as { reason: string }).reason})`);
  const lines = [
    `Design: ${design}, seed ${seed}. Alpha ${a.comparisonAlpha === a.alpha ? a.alpha : `${a.comparisonAlpha.toPrecision(3)} per comparison`}, target power ${a.targetPower}.`,
    `Effect size d = ${a.effectSize.value.toFixed(2)} (${a.effectSize.source === 'past-variance' ? `quality difference ${a.effectSize.minDifference} / past SD ${a.effectSize.qualitySd?.toFixed(3)}` : a.effectSize.source}).`,
    `Cases per variant needed: ${stat(a.neededPerVariant, (x) => String(x.n))}; available: ${a.availablePerVariant}; power with them: ${stat(a.achievablePower, (x) => x.power.toFixed(2))}.`,
    `Executions: ${a.executions}.`,
    `Estimate: tokens in ${stat(a.estimate.tokensIn, (x) => String(Math.round(x.total)))}, out ${stat(a.estimate.tokensOut, (x) => String(Math.round(x.total)))}; cost ${stat(a.estimate.costUsd, (x) => `$${x.total.toFixed(4)}`)}; time ${stat(a.estimate.durationMs, (x) => `${(x.total / 1000).toFixed(1)} s`)}.`,
  ];
  if (skipped) lines.push(`${skipped} row(s) left out: they do not render under every variant.`);
  for (const w of a.warnings) lines.push(`Warning: ${w}`);
  return lines.join('\n');
}
