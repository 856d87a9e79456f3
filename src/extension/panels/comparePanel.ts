import type * as vscode from 'vscode';
import { analyzeSamples } from '../../core/compare/analysis';
import type { PromptLabStore } from '../../core/store';
import type { CompareAnalysis, CompareArmInfo, CompareCaseOutput, CompareExperimentInfo, CompareProgress, CompareSnapshot, CompareStatus, HostToWebview, WebviewToHost } from '../../shared/compareProtocol';
import { webviewToHostSchema } from '../../shared/compareProtocol';
import { ViewTypes } from '../constants';
import type { Log } from '../log';
import { createPanel, webviewPoster, wirePanel } from './webviewHtml';

/** What "Promote variant" calls (the compare controller; an interface so the panel does not import it). */
export interface Promoter { promote(experiment: CompareExperimentInfo, variant: string): Promise<{ ok: boolean; message: string }> }

type ComparePanelDeps = { extensionUri: vscode.Uri; store: PromptLabStore; log: Log; compare?: Promoter };

/** Finished cases are sent in batches, at most this often (ms). */
const FLUSH_MS = 250;

/**
 * The compare panel: one experiment — header, statistics per metric, the recommendation and
 * the outputs of every case side by side. The host keeps the state and sends a snapshot when
 * the webview loads; after a window reload the serializer revives the panel and the
 * statistics are recomputed from the database (outputs of that run are not kept).
 */
export class ComparePanel implements vscode.Disposable {
  private static current: ComparePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private snapshot: CompareSnapshot | null = null;
  private promoting = false;
  private pending: CompareCaseOutput[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private onCancel: (() => void) | undefined;

  static show(ctx: ComparePanelDeps): ComparePanel {
    if (ComparePanel.current) {
      ComparePanel.current.panel.reveal();
      return ComparePanel.current;
    }
    const panel = createPanel(ViewTypes.compare, 'Prompt Lab: Compare', ctx.extensionUri);
    return new ComparePanel(panel, ctx);
  }

  static revive(panel: vscode.WebviewPanel, ctx: ComparePanelDeps): ComparePanel {
    return new ComparePanel(panel, ctx);
  }

  static get instance(): ComparePanel | undefined { return ComparePanel.current; }

  /** Posts to the webview (never to a disposed one) and keeps what was sent for the tests. */
  private readonly poster: { post(m: HostToWebview): Thenable<boolean>; sent: HostToWebview[] };
  private constructor(readonly panel: vscode.WebviewPanel, private readonly ctx: ComparePanelDeps) {
    this.poster = webviewPoster<HostToWebview>(panel, 500);
    ComparePanel.current?.dispose();
    ComparePanel.current = this;
    this.disposables.push(...wirePanel(panel, { extensionUri: ctx.extensionUri, name: 'compare', title: 'Prompt Lab: Compare', schema: webviewToHostSchema, log: ctx.log,
      onMessage: (msg) => this.onMessage(msg), onDispose: () => this.dispose() }));
  }

  /** Messages sent to the webview so far (integration tests read them). */
  get sent(): readonly HostToWebview[] { return this.poster.sent; }

  /** The comparison shown (null before one starts or is revived). */
  get state(): CompareSnapshot | null { return this.snapshot; }

  /** Shows a new experiment (replacing the one shown); `onCancel` stops its run. */
  start(snapshot: CompareSnapshot, onCancel: () => void): void {
    this.clearPending();
    this.snapshot = snapshot;
    this.onCancel = onCancel;
    this.panel.title = `Compare: ${snapshot.experiment.title}`;
    void this.post({ type: 'snapshot', snapshot });
  }

  /** Calls for an experiment no longer shown (a newer one replaced it) are ignored. */
  addOutput(experimentId: string, o: CompareCaseOutput, progress: CompareProgress): void {
    if (this.snapshot?.experiment.id !== experimentId) return;
    this.snapshot.outputs.push(o);
    this.snapshot.progress = progress;
    this.pending.push(o);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  setStatus(experimentId: string, status: CompareStatus): void {
    if (this.snapshot?.experiment.id !== experimentId) return;
    this.flush();
    this.snapshot.experiment.status = status;
    if (status !== 'running') this.onCancel = undefined;
    void this.post({ type: 'status', status, progress: this.snapshot.progress });
  }

  setAnalysis(experimentId: string, status: CompareStatus, analysis: CompareAnalysis): void {
    if (this.snapshot?.experiment.id !== experimentId) return;
    this.flush();
    this.snapshot.experiment.status = status;
    this.snapshot.analysis = analysis;
    this.onCancel = undefined;
    void this.post({ type: 'analysis', status, analysis });
  }

  private flush(): void {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = undefined; }
    if (!this.pending.length || !this.snapshot) return;
    const outputs = this.pending;
    this.pending = [];
    void this.post({ type: 'outputs', outputs, progress: this.snapshot.progress });
  }

  private clearPending(): void {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = undefined; }
    this.pending = [];
  }

  private post(m: HostToWebview): Thenable<boolean> {
    return this.poster.post(m);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    if (m.type === 'cancel') { this.onCancel?.(); return; }
    if (m.type === 'promote') {
      // One at a time: a second promote would compute its edit from the text before the first one lands.
      if (this.promoting) { await this.post({ type: 'promoted', variant: m.variant, ok: false, message: 'Another promote is still in progress; try again when it is done.' }); return; }
      this.promoting = true;
      try {
        const x = this.snapshot?.experiment;
        const r = !x ? { ok: false, message: 'No comparison is shown.' }
          : !this.ctx.compare ? { ok: false, message: 'Promote is not available in this window.' }
            : await this.ctx.compare.promote(x, m.variant).catch((e: unknown) => ({ ok: false, message: (e as Error).message }));
        await this.post({ type: 'promoted', variant: m.variant, ok: r.ok, message: r.message });
      } finally { this.promoting = false; }
      return;
    }
    // ready: the page (re)loaded. Pending outputs are part of the snapshot already.
    this.clearPending();
    if (!this.snapshot && m.experimentId) {
      try { this.snapshot = await this.fromStore(m.experimentId); } catch (e) { this.ctx.log.error('compare', `cannot load experiment ${m.experimentId}: ${(e as Error).message}`); }
    }
    await this.post({ type: 'snapshot', snapshot: this.snapshot });
  }

  /** Shows a stored experiment, recomputed from its samples; false when there is no such experiment. */
  async open(id: string): Promise<boolean> {
    const snapshot = await this.fromStore(id, 'Reopened: statistics recomputed from the samples in the database; outputs side by side are shown only for a comparison run in this window.');
    if (!snapshot) return false;
    this.start(snapshot, () => undefined);
    return true;
  }

  /** An experiment's statistics recomputed from the database (no outputs: they are not kept in full). */
  private async fromStore(id: string, note = 'Reopened after a reload: statistics recomputed from the database; outputs side by side are shown only for a comparison run in this window.'): Promise<CompareSnapshot | null> {
    const row = (await this.ctx.store.experiments(id))[0];
    if (!row) return null;
    const arms = (row.variants as CompareArmInfo[]).filter((a) => a && typeof a.name === 'string');
    if (arms.length < 2) return null;
    const design = row.design === 'unpaired' ? 'unpaired' : 'paired';
    const samples = await this.ctx.store.metricSamples({ experimentId: id });
    const analysis = analyzeSamples(samples, arms.map((a) => a.name), { design, ...(row.seed !== null ? { seed: row.seed } : {}) });
    const status: CompareStatus = row.status === 'finished' || row.status === 'cancelled' ? row.status : 'failed';
    this.panel.title = `Compare: ${row.name}`;
    // Repeats are not stored with the experiment: the most executions of one case under one arm.
    const perCase = new Map<string, number>();
    for (const r of samples) if (r.testCaseId !== null) { const k = `${r.variant}\u0000${r.testCaseId}`; perCase.set(k, (perCase.get(k) ?? 0) + 1); }
    let repeat = 1;
    for (const n of perCase.values()) if (n > repeat) repeat = n; // a loop: spreading 100k values into Math.max overflows the stack
    return {
      experiment: { id, promptId: row.name, title: row.name, design, seed: row.seed ?? 0, repeat, status, variants: arms, createdAt: row.createdAt, kind: 'experiment' },
      advisor: null, caseIds: [], outputs: [], progress: { done: samples.length, total: samples.length }, analysis: { run: null, ...analysis },
      note,
    };
  }

  dispose(): void {
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    this.clearPending();
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
