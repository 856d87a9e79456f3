import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Advice, Design, VariantArm } from '../core/compare';
import { adviseSampleSize, analyzeSamples, pastFacts, plannedCases, renderArms, runExperiment } from '../core/compare';
import { loadTestCases } from '../core/prompt';
import type { DatasetRow, PromptFile } from '../core/prompt/types';
import type { Provider, ProviderProfile } from '../core/providers/types';
import type { ProfileChoice } from '../core/runner/promptRun';
import { chooseProfile, promptIdOf } from '../core/runner/promptRun';
import type { Tracker } from '../core/runner/track';
import type { RunSummary } from '../core/runner/types';
import type { ExperimentRow, PromptLabStore } from '../core/store';
import type { CompareAnalysis, CompareCaseOutput, CompareStatus } from '../shared/compareProtocol';
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

    // Arms: variants of the file, or models.
    let mode: 'variants' | 'models' = o.models ? 'models' : 'variants';
    if (!o.models && !o.variants && ask) {
      const picks: Array<vscode.QuickPickItem & { mode: 'variants' | 'models' }> = [
        ...(prompt.variants.length >= 2 ? [{ label: 'Compare variants…', description: `${prompt.variants.length} in this file`, mode: 'variants' as const }] : []),
        { label: 'Compare models…', description: 'the prompt across model ids you enter', mode: 'models' },
      ];
      const pick = picks.length === 1 ? picks[0] : await vscode.window.showQuickPick(picks, { title: `Prompt Lab: compare ${title}` });
      if (!pick) return undefined;
      mode = pick.mode;
    }
    let names: string[];
    if (mode === 'models') {
      const models = o.models ?? (ask ? await this.askModels() : undefined);
      if (!models) return undefined;
      names = models;
    } else if (o.variants) names = o.variants;
    else if (ask) {
      const picked = await vscode.window.showQuickPick(prompt.variants.map((v) => ({ label: v.name, picked: true, description: describeVariant(v) })),
        { canPickMany: true, title: 'Prompt Lab: variants to compare (the first is the control)', placeHolder: 'Pick at least two' });
      if (!picked) return undefined;
      names = picked.map((p) => p.label);
    } else names = prompt.variants.map((v) => v.name);
    if (mode === 'variants') {
      const unknown = names.find((n) => !prompt.variants.some((v) => v.name === n));
      if (unknown) { void vscode.window.showErrorMessage(`Prompt Lab: unknown variant "${unknown}" (variants: ${prompt.variants.map((v) => v.name).join(', ') || 'none'}).`); return undefined; }
    }
    if (names.length < 2 || new Set(names).size !== names.length) {
      void vscode.window.showErrorMessage(mode === 'models' ? 'Prompt Lab: a comparison needs at least two different model ids.' : `Prompt Lab: a comparison needs at least two variants (the file has ${prompt.variants.length}); or compare models.`);
      return undefined;
    }

    const design = o.design ?? (ask ? await this.askDesign() : 'paired');
    if (!design) return undefined;
    const repeat = o.repeat ?? (ask ? await this.askRepeat() : 1);
    if (!repeat) return undefined;
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) { void vscode.window.showErrorMessage('Prompt Lab: repeat must be an integer from 1 to 1000.'); return undefined; }
    const seed = o.seed ?? (ask ? await this.askSeed() : randomBytes(4).readUInt32LE(0));
    if (seed === undefined) return undefined;

    // One profile for every arm (as the CLI).
    const choices: ProfileChoice[] = [];
    const arms: VariantArm[] = [];
    for (const n of names) {
      const c = this.choose(prompt, mode === 'models' ? { model: n } : { variant: n });
      if ('error' in c) { void vscode.window.showErrorMessage(`Prompt Lab: ${c.error}`); return undefined; }
      choices.push(c);
      arms.push(mode === 'models' ? { name: n, promptVariant: null, model: n } : { name: n, promptVariant: n, model: c.model });
    }
    const profile = choices[0]!.profile;
    if (choices.some((c) => c.profile.id !== profile.id)) {
      void vscode.window.showErrorMessage(`Prompt Lab: the variants use different providers (${[...new Set(choices.map((c) => c.profile.id))].join(', ')}): not supported yet.`);
      return undefined;
    }

    const promptId = promptIdOf(prompt);
    const s = this.deps.settings();
    const rows = await collect(loadTestCases(prompt));
    const rendered = await renderArms(prompt, rows, arms);
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
    const panel = ComparePanel.show({ extensionUri: this.deps.extensionUri, store: this.deps.store, log: this.deps.log });
    const progressOf = (done: number) => ({ done, total: cases.length });
    panel.start({
      experiment: { id: experiment.id, promptId, title, design, seed, repeat, status: 'running', variants: arms, createdAt: experiment.createdAt },
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
