import '../common/cspSelfCheck';
import type { CompareAnalysis, CompareCaseOutput, CompareSnapshot, CompareStatus, CompareViewState, HostToWebview } from '../../src/shared/compareProtocol';
import type { MetricResult, VariantComparison } from '../../src/core/stats/compareTypes';
import { wordDiff } from '../../src/shared/wordDiff';
import { onThemeChange } from '../common/theme';
import { connect, el } from '../common/vscodeApi';
import { destroyCharts, renderCharts } from './charts';
import { num, pValue, percent, signed, winnerChanges } from './format';

/*
 * Compare panel: one experiment. Header (id, design, seed, status, progress), the advisor,
 * a statistics card per metric and the recommendation, then the test cases as rows and the
 * variants as columns, each output shown as text with a word diff against the control.
 * Rows are rendered a page at a time ("Show more"), so thousands of cases stay responsive.
 * Every string from the host is set as text (textContent / text nodes), never as HTML.
 */


const PAGE = 100;

const host = connect<CompareViewState, HostToWebview>(onMessage);
// Saved state may come from an older version: keep only what still makes sense. (No zod here:
// it probes eval, which the CSP refuses.)
const saved = host.api.getState() as Partial<CompareViewState> | undefined;
const view: CompareViewState = {
  experimentId: typeof saved?.experimentId === 'string' && saved.experimentId.length <= 200 ? saved.experimentId : null,
  onlyDiffering: saved?.onlyDiffering === true,
  failuresOnly: saved?.failuresOnly === true,
  winnerChanges: saved?.winnerChanges === true,
};

let snap: CompareSnapshot | null = null;
/** testCaseId → variant → the output of the lowest repeat seen. */
let outputs = new Map<string, Map<string, CompareCaseOutput>>();
let repeatsSeen = new Map<string, number>();
let shown = PAGE;
const diffCache = new Map<string, { control: string; text: string; node: HTMLElement }>();

const app = document.getElementById('app')!;
const title = el('h1', { id: 'compare-title' }, 'Compare');
const cancel = el('button', { id: 'compare-cancel', type: 'button', hidden: '' }, 'Cancel');
const meta = el('p', { id: 'compare-meta', class: 'muted' });
const progress = el('p', { id: 'compare-progress', role: 'status' }, 'Waiting for a comparison…');
const note = el('p', { id: 'compare-note', class: 'muted', hidden: '' });
const advisor = el('details', { id: 'compare-advisor', hidden: '' });
const promoteBar = el('div', { class: 'toolbar', id: 'compare-promote', hidden: '' });
const promoteStatus = el('p', { id: 'compare-promote-status', 'data-testid': 'compare-promote-status', role: 'status', hidden: '' });
const recommendation = el('p', { id: 'compare-recommendation', class: 'recommendation', hidden: '' });
const stats = el('div', { id: 'compare-stats', class: 'stat-grid' });
const chartsSection = el('section', { class: 'panel-section', id: 'compare-charts', 'data-testid': 'compare-charts', 'aria-labelledby': 'charts-title', hidden: '' });
const onlyDiff = el('input', { type: 'checkbox', id: 'filter-differ' });
const failures = el('input', { type: 'checkbox', id: 'filter-failures' });
const winnerChange = el('input', { type: 'checkbox', id: 'filter-winner' });
const rowsStatus = el('span', { id: 'rows-status', class: 'muted' });
const thead = el('thead', {});
const tbody = el('tbody', { id: 'compare-rows' });
const more = el('button', { id: 'compare-more', type: 'button', hidden: '' }, 'Show more');
const casesSection = el('section', { class: 'panel-section', 'aria-labelledby': 'cases-title' },
  el('h2', { id: 'cases-title' }, 'Outputs by test case'),
  el('div', { class: 'toolbar' },
    el('label', {}, onlyDiff, ' Only where outputs differ'),
    el('label', { title: 'Cases where a different variant scored best (overall quality) than the comparison\'s winner (the control when there is none); ties and unscored cases are left out' },
      winnerChange, ' Only where the winner changes'),
    el('label', {}, failures, ' Failures'),
    rowsStatus),
  el('p', { class: 'muted legend' }, 'Each variant is compared word by word with the control (first column): ',
    el('span', { class: 'diff-added' }, 'added'), ' and ', el('span', { class: 'diff-removed' }, 'removed'), ' words.'),
  el('div', { class: 'table-wrap tall' }, el('table', { id: 'compare-table' }, thead, tbody)),
  more);

onlyDiff.checked = view.onlyDiffering;
failures.checked = view.failuresOnly;
winnerChange.checked = view.winnerChanges === true;
app.replaceChildren(
  el('div', { class: 'toolbar', id: 'compare' }, title, cancel), meta, progress, note, promoteBar, promoteStatus, advisor,
  el('section', { class: 'panel-section', 'aria-labelledby': 'stats-title' }, el('h2', { id: 'stats-title' }, 'Statistics'), recommendation, stats),
  chartsSection,
  casesSection);
// Canvas colours are read from the theme when drawn: redraw when it changes.
onThemeChange(() => { if (snap?.analysis) drawCharts(snap.analysis); });
app.setAttribute('aria-busy', 'false');

cancel.addEventListener('click', () => { host.post({ type: 'cancel' }); cancel.disabled = true; });
onlyDiff.addEventListener('change', () => { view.onlyDiffering = onlyDiff.checked; shown = PAGE; saveState(); renderRows(); });
failures.addEventListener('change', () => { view.failuresOnly = failures.checked; shown = PAGE; saveState(); renderRows(); });
winnerChange.addEventListener('change', () => { view.winnerChanges = winnerChange.checked; shown = PAGE; saveState(); renderRows(); });
more.addEventListener('click', () => { shown += PAGE; renderRows(); });

host.post({ type: 'ready', experimentId: view.experimentId });

function saveState(): void { host.api.setState({ ...view }); }

function onMessage(m: HostToWebview): void {
  switch (m.type) {
    case 'snapshot':
      snap = m.snapshot;
      outputs = new Map();
      repeatsSeen = new Map();
      diffCache.clear();
      shown = PAGE;
      if (snap) { for (const o of snap.outputs) addOutput(o); view.experimentId = snap.experiment.id; saveState(); }
      renderAll();
      break;
    case 'outputs':
      if (!snap) return;
      for (const o of m.outputs) { snap.outputs.push(o); addOutput(o); }
      snap.progress = m.progress;
      renderHeader();
      scheduleRows();
      break;
    case 'status':
      if (!snap) return;
      snap.experiment.status = m.status;
      snap.progress = m.progress;
      renderHeader();
      break;
    case 'promoted':
      promoteStatus.hidden = false;
      promoteStatus.className = m.ok ? '' : 'warning';
      promoteStatus.textContent = m.message;
      promoting = false;
      for (const b of document.querySelectorAll<HTMLButtonElement>('button.promote')) b.disabled = false;
      break;
    case 'analysis':
      if (!snap) return;
      snap.experiment.status = m.status;
      snap.analysis = m.analysis;
      renderHeader();
      renderStats(m.analysis);
      break;
  }
}

function addOutput(o: CompareCaseOutput): void {
  let byVariant = outputs.get(o.testCaseId);
  if (!byVariant) outputs.set(o.testCaseId, byVariant = new Map());
  const prev = byVariant.get(o.variant);
  if (!prev || o.repeat < prev.repeat) byVariant.set(o.variant, o);
  const k = `${o.testCaseId}\u0000${o.variant}`;
  repeatsSeen.set(k, (repeatsSeen.get(k) ?? 0) + 1);
}

let rowsScheduled = false;
function scheduleRows(): void {
  if (rowsScheduled) return;
  rowsScheduled = true;
  requestAnimationFrame(() => { rowsScheduled = false; renderRows(); });
}

/** Asks the host to promote an arm (it confirms with a modal first). */
/** True while a promote waits for the host (buttons rebuilt meanwhile stay disabled). */
let promoting = false;

function promote(variant: string): void {
  promoting = true;
  for (const b of document.querySelectorAll<HTMLButtonElement>('button.promote')) b.disabled = true;
  promoteStatus.hidden = false;
  promoteStatus.className = 'muted';
  promoteStatus.textContent = `Promote ${variant}: confirm in the dialog…`;
  host.post({ type: 'promote', variant });
}

function promoteButton(variant: string): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'promote', 'data-testid': `promote-${variant}`, title: `Apply ${variant}'s messages and parameters to the prompt file (one undoable edit)` }, `Promote ${variant}…`);
  b.addEventListener('click', () => promote(variant));
  b.disabled = promoting;
  return b;
}

/** One button per arm but the control, when the arms come from a prompt file (not for time periods). */
function renderPromote(): void {
  const x = snap?.experiment;
  const arms = x && x.kind !== 'periods' ? x.variants.slice(1).filter((v) => v.file) : [];
  promoteBar.hidden = !arms.length;
  promoteBar.replaceChildren(...(arms.length ? [el('span', { class: 'muted' }, 'Make a variant the file\'s prompt:'), ...arms.map((v) => promoteButton(v.name))] : []));
  promoteStatus.hidden = true;
  promoteStatus.textContent = '';
}

function renderAll(): void {
  renderHeader();
  renderPromote();
  renderAdvisor();
  if (snap?.analysis) renderStats(snap.analysis); else { stats.replaceChildren(); recommendation.hidden = true; chartsSection.hidden = true; destroyCharts(); chartsSection.replaceChildren(); }
  renderRows();
}

const STATUS_TEXT: Record<CompareStatus, string> = { running: 'running', finished: 'finished', cancelled: 'cancelled', failed: 'stopped' };

function renderHeader(): void {
  if (!snap) {
    title.textContent = 'Compare';
    meta.textContent = '';
    progress.textContent = 'No comparison yet: run “Prompt Lab: Compare Variants…” or the “⇄ Compare variants” CodeLens of a prompt file.';
    cancel.hidden = true;
    return;
  }
  const x = snap.experiment;
  title.textContent = `${x.title}: ${x.variants.map((v) => v.name).join(' vs ')}`;
  if (x.kind === 'periods') {
    meta.textContent = `Logged executions · control ${x.variants[0]?.name ?? '?'} · unpaired, every execution its own unit`;
    progress.textContent = `${snap.progress.total} execution(s) in the two periods.`;
    cancel.hidden = true;
    note.hidden = !snap.note;
    note.textContent = snap.note ?? '';
    return;
  }
  meta.textContent = `Experiment ${x.id} · ${x.design} · seed ${x.seed} · repeat ${x.repeat} · ${STATUS_TEXT[x.status]} · control ${x.variants[0]?.name ?? '?'}`
    + (x.variants.some((v) => v.model) ? ` · models ${x.variants.map((v) => `${v.name}: ${v.model || 'default'}`).join(', ')}` : '');
  const p = snap.progress;
  const run = snap.analysis?.run;
  progress.textContent = x.status === 'running'
    ? `Running: ${p.done} of ${p.total} execution(s) finished.`
    : run ? `${STATUS_TEXT[x.status][0]!.toUpperCase()}${STATUS_TEXT[x.status].slice(1)}: ${run.total} execution(s), ${run.succeeded} ok, ${run.failed} failed, ${run.cancelled} cancelled in ${(run.durationMs / 1000).toFixed(1)} s${run.costUsd !== null ? `, $${run.costUsd.toFixed(4)}` : ''}.`
      : `${STATUS_TEXT[x.status]}.`;
  cancel.hidden = x.status !== 'running';
  cancel.disabled = false;
  note.hidden = !snap.note;
  note.textContent = snap.note ?? '';
}

function renderAdvisor(): void {
  const a = snap?.advisor;
  advisor.hidden = !a;
  if (!a) { advisor.replaceChildren(); return; }
  const st = <T>(s: { available: boolean }, f: (x: T) => string) => (s.available ? f(s as unknown as T) : `n/a (${(s as unknown as { reason: string }).reason})`);
  const items = [
    `Effect size d = ${a.effectSize.value.toFixed(2)} (${a.effectSize.source}); alpha ${num(a.comparisonAlpha)} per comparison, target power ${a.targetPower}.`,
    `Cases per variant needed: ${st<{ n: number }>(a.neededPerVariant, (x) => String(x.n))}; available: ${a.availablePerVariant}; power with them: ${st<{ power: number }>(a.achievablePower, (x) => x.power.toFixed(2))}.`,
    `Executions: ${a.executions}. Estimated tokens in ${st<{ total: number }>(a.estimate.tokensIn, (x) => String(Math.round(x.total)))}, out ${st<{ total: number }>(a.estimate.tokensOut, (x) => String(Math.round(x.total)))}; cost ${st<{ total: number }>(a.estimate.costUsd, (x) => `$${x.total.toFixed(4)}`)}; time ${st<{ total: number }>(a.estimate.durationMs, (x) => `${(x.total / 1000).toFixed(1)} s`)}.`,
    ...a.warnings.map((w) => `Warning: ${w}`),
  ];
  advisor.replaceChildren(el('summary', {}, `Sample-size advisor${a.warnings.length ? ` (${a.warnings.length} warning(s))` : ''}`), el('ul', {}, ...items.map((t) => el('li', { class: t.startsWith('Warning') ? 'warning' : '' }, t))));
}

const VERDICT_TEXT: Record<VariantComparison['verdict'], string> = { better: 'better', worse: 'worse', inconclusive: 'inconclusive', 'not-available': 'not available' };

function renderStats(a: CompareAnalysis): void {
  const c = a.comparison;
  recommendation.hidden = false;
  recommendation.textContent = c ? `${c.winner ? `Winner: ${c.winner}. ` : 'No winner. '}${c.recommendation}` : 'No metric has enough data to compare yet.';
  const samples = el('p', { class: 'muted', id: 'compare-samples' }, 'Samples: ' + Object.entries(a.samples).map(([v, s]) => `${v} ${s.executions} execution(s) / ${s.cases} case(s)${s.failed ? `, ${s.failed} failed` : ''}`).join('; '));
  const cards = (c?.metrics ?? []).map(metricCard);
  const skipped = a.skippedMetrics.map((s) => el('div', { class: 'stat-card skipped', 'data-metric': s.name }, el('h3', {}, s.name), el('p', { class: 'muted' }, `Not compared: ${s.reason}.`)));
  stats.replaceChildren(samples, ...cards, ...skipped);
  drawCharts(a);
}

function drawCharts(a: CompareAnalysis): void {
  chartsSection.hidden = false;
  // An analysis from an older host may lack the chart data: say so instead of drawing nothing.
  if (!a.distributions || !a.latencyCost) { chartsSection.replaceChildren(el('p', { class: 'muted' }, 'Charts not available for this analysis.')); return; }
  renderCharts(chartsSection, a.distributions, a.latencyCost);
}

function metricCard(m: MetricResult): HTMLElement {
  const dir = m.better === 'higher' ? 'higher is better' : 'lower is better';
  const head = el('tr', {}, ...['Variant', 'Mean', 'Difference [95% CI]', 'p', 'Holm p', 'Effect size', 'Power', 'Verdict'].map((h) => el('th', { scope: 'col' }, h)));
  const control = el('tr', { class: 'control' }, el('td', {}, `${m.control.variant} (control)`), el('td', { class: 'num' }, meanText(m, m.control.mean, m.control.n)), ...Array.from({ length: 6 }, () => el('td', {}, '')));
  const rows = m.comparisons.map((k) => {
    const diff = k.difference.available ? `${signed(k.difference.value)}${percent(k.difference.relative)} [${num(k.difference.ci95[0])}, ${num(k.difference.ci95[1])}]` : `n/a (${k.difference.reason})`;
    const eff = k.effectSize.available ? `${k.effectSize.name === 'cohens-d' ? 'd' : 'h'} = ${k.effectSize.value.toFixed(2)} (${k.effectSize.label})` : 'n/a';
    return el('tr', { class: `verdict-${k.verdict}` },
      el('td', {}, k.variant),
      el('td', { class: 'num' }, meanText(m, k.group.mean, k.group.n)),
      el('td', { class: 'num' }, diff),
      el('td', { class: 'num', title: k.test.available ? k.test.name : '' }, k.test.available ? pValue(k.test.p) : 'n/a'),
      el('td', { class: 'num' }, k.test.available ? pValue(k.test.pAdjusted) : 'n/a'),
      el('td', {}, eff),
      el('td', { class: 'num' }, k.power.available ? k.power.achieved.toFixed(2) : 'n/a'),
      el('td', { class: 'verdict' }, VERDICT_TEXT[k.verdict]));
  });
  const test = m.comparisons.find((k) => k.test.available)?.test;
  return el('div', { class: 'stat-card', 'data-metric': m.name },
    el('h3', {}, m.name),
    el('p', { class: 'muted chart-note' }, `${m.kind}${m.paired ? ', paired' : ''}; ${dir}${test?.available ? `; ${test.name}` : ''}`),
    el('table', { class: 'stat-table' }, el('thead', {}, head), el('tbody', {}, control, ...rows)),
    ...m.comparisons.map((k) => el('p', { class: 'verdict-text' }, k.summary)));
}

function meanText(m: MetricResult, mean: number | null, n: number): string {
  if (mean === null) return `n/a (n ${n})`;
  return `${m.kind === 'binary' ? `${(mean * 100).toFixed(1)}%` : num(mean)} (n ${n})`;
}

// ---- rows ----

function isFailure(byVariant: Map<string, CompareCaseOutput> | undefined): boolean {
  if (!byVariant) return false;
  for (const o of byVariant.values()) if (o.status === 'failed' || o.evaluators.some((e) => e.status === 'fail' || e.status === 'error')) return true;
  return false;
}

function differs(byVariant: Map<string, CompareCaseOutput> | undefined, control: string): boolean {
  if (!byVariant) return false;
  const base = byVariant.get(control);
  const texts = [...byVariant.values()].map((o) => o.text);
  return !base ? texts.length > 1 && new Set(texts).size > 1 : texts.some((t) => t !== base.text);
}

function renderRows(): void {
  if (!snap || !snap.caseIds.length) {
    thead.replaceChildren();
    tbody.replaceChildren();
    more.hidden = true;
    rowsStatus.textContent = snap ? 'No outputs to show for this experiment.' : '';
    return;
  }
  const variants = snap.experiment.variants.map((v) => v.name);
  const control = variants[0]!;
  const leader = snap.analysis?.comparison?.winner ?? control;
  const promotable = new Set(snap.experiment.kind !== 'periods' ? snap.experiment.variants.slice(1).filter((v) => v.file).map((v) => v.name) : []);
  thead.replaceChildren(el('tr', {}, el('th', { scope: 'col' }, 'Test case'), ...variants.map((v, i) => el('th', { scope: 'col' }, i === 0 ? `${v} (control)` : v, ...(promotable.has(v) ? [' ', promoteButton(v)] : [])))));
  const ids = snap.caseIds.filter((id) => {
    const byVariant = outputs.get(id);
    if (view.failuresOnly && !isFailure(byVariant)) return false;
    if (view.onlyDiffering && !differs(byVariant, control)) return false;
    if (view.winnerChanges && !winnerChanges(variants.map((v) => ({ variant: v, quality: byVariant?.get(v)?.quality ?? null })), leader)) return false;
    return true;
  });
  const page = ids.slice(0, shown);
  tbody.replaceChildren(...page.map((id) => caseRow(id, variants, control)));
  more.hidden = ids.length <= shown;
  more.textContent = `Show ${Math.min(PAGE, ids.length - shown)} more`;
  const filtered = view.failuresOnly || view.onlyDiffering || view.winnerChanges;
  rowsStatus.textContent = `${page.length} of ${ids.length} test case(s) shown${filtered ? ` (${snap.caseIds.length} in all)` : ''}`;
}

function caseRow(id: string, variants: string[], control: string): HTMLElement {
  const byVariant = outputs.get(id);
  const controlOut = byVariant?.get(control);
  return el('tr', { 'data-case': id, class: isFailure(byVariant) ? 'has-failure' : '' },
    el('th', { scope: 'row', class: 'case-id' }, id),
    ...variants.map((v) => outputCell(id, v, byVariant?.get(v), v === control ? undefined : controlOut)));
}

function outputCell(id: string, variant: string, o: CompareCaseOutput | undefined, controlOut: CompareCaseOutput | undefined): HTMLElement {
  if (!o) return el('td', { class: 'output pending muted' }, snap?.experiment.status === 'running' ? 'waiting…' : '—');
  const repeats = repeatsSeen.get(`${id}\u0000${variant}`) ?? 1;
  const metaBits = [o.status === 'failed' ? 'failed' : `quality ${o.quality === null ? 'n/a' : o.quality.toFixed(2)}`];
  if (repeats > 1) metaBits.push(`repeat ${o.repeat} of ${repeats} shown`);
  const evals = o.evaluators.map((e) => el('span', { class: `eval eval-${e.status}`, title: e.reason }, `${e.status === 'pass' ? '✓' : e.status === 'fail' ? '✗' : e.status === 'error' ? '!' : '·'} ${e.name}`));
  const body = o.status === 'failed'
    ? el('pre', { class: 'text error' }, o.error ?? 'failed')
    : controlOut && controlOut.status === 'done' ? diffNode(id, variant, controlOut.text, o.text) : el('pre', { class: 'text' }, o.text);
  return el('td', { class: `output status-${o.status}` },
    el('div', { class: 'out-meta muted' }, metaBits.join(' · ')),
    ...(evals.length ? [el('div', { class: 'out-evals' }, ...evals)] : []),
    body,
    ...(o.truncated ? [el('div', { class: 'muted' }, '(output cut for display)')] : []));
}

/** The variant's output with words added (and removed) against the control, as spans with text only. */
function diffNode(id: string, variant: string, control: string, text: string): HTMLElement {
  const key = `${id}\u0000${variant}`;
  const hit = diffCache.get(key);
  if (hit && hit.control === control && hit.text === text) return hit.node;
  const pre = el('pre', { class: 'text diff' });
  for (const s of wordDiff(control, text)) {
    if (s.kind === 'same') pre.append(document.createTextNode(s.text));
    // Not by colour alone: underline / strike-through, and words for screen readers.
    else pre.append(el('span', { class: s.kind === 'added' ? 'diff-added' : 'diff-removed', title: s.kind === 'added' ? 'not in the control' : 'in the control only' },
      el('span', { class: 'sr-only' }, s.kind === 'added' ? '[added: ' : '[removed: '), s.text, el('span', { class: 'sr-only' }, ']')));
  }
  diffCache.set(key, { control, text, node: pre });
  return pre;
}
