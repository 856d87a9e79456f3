import type { CaseView, ResultsHostToWebview, RunView } from '../../src/shared/resultsProtocol';
import { runTotals } from '../../src/shared/runView';
import { connect, el } from '../common/vscodeApi';

/*
 * Results of the current run: one row per case, text streaming in as tokens arrive. Model
 * output is set with textContent only, never parsed as HTML.
 */
let run: RunView | null = null;
const rowsById = new Map<string, { tr: HTMLTableRowElement; textCell: HTMLElement; view: CaseView }>();

const host = connect<Record<string, never>, ResultsHostToWebview>((m) => {
  if (m.type === 'state') { run = m.run; rebuild(); }
  else if (m.type === 'caseUpdate' && run && m.runId === run.runId) upsertCase(m.case);
  else if (m.type === 'token' && run && m.runId === run.runId) {
    const r = rowsById.get(m.caseId);
    if (r) { r.view.text += m.delta; r.textCell.textContent = r.view.text; }
  } else if (m.type === 'runUpdate' && run && m.runId === run.runId) {
    run.state = m.state; run.durationMs = m.durationMs; run.breaker = m.breaker;
    renderHeader();
  }
});

const app = document.getElementById('app')!;
const title = el('h1', { id: 'run-title' });
const meta = el('p', { id: 'run-meta', class: 'muted' });
const totals = el('p', { id: 'totals', role: 'status' });
const breaker = el('p', { id: 'breaker', class: 'error', hidden: '' });
const cancel = el('button', { id: 'cancel', type: 'button' }, 'Cancel run');
const tbody = el('tbody', { id: 'cases' });
const table = el('table', { id: 'results', 'aria-label': 'Run results' },
  el('thead', {}, el('tr', {}, ...['Case', 'Status', 'Latency', 'Tokens in / out', 'Cost', 'Quality', 'Evaluators', 'Response'].map((h) => el('th', { scope: 'col' }, h)))), tbody);
app.replaceChildren(el('div', { class: 'toolbar' }, title, cancel), meta, totals, breaker, el('div', { class: 'table-wrap tall' }, table));
app.setAttribute('aria-busy', 'false');
cancel.addEventListener('click', () => { if (run) host.post({ type: 'cancel', runId: run.runId }); });

function rebuild(): void {
  tbody.replaceChildren();
  rowsById.clear();
  if (!run) {
    title.textContent = 'No run yet';
    meta.textContent = 'Open a .prompt.yml or .prompty file and use "▶ Run" above it, or run "Prompt Lab: Run Prompt".';
    totals.textContent = '';
    cancel.hidden = true;
    return;
  }
  for (const c of run.cases) upsertCase(c, false);
  renderHeader();
}

function money(v: number | null): string {
  return v === null ? 'n/a' : `$${v < 0.01 ? v.toFixed(5) : v.toFixed(2)}`;
}

function renderHeader(): void {
  if (!run) return;
  title.textContent = run.title;
  const dur = run.durationMs === null ? `running for ${Math.round((Date.now() - run.startedAt) / 1000)} s` : `took ${(run.durationMs / 1000).toFixed(1)} s`;
  meta.textContent = `${run.provider} · ${run.model} · ${run.state} · ${dur}`;
  const t = runTotals(run);
  totals.textContent = `${t.cases} case(s): ${t.done} done, ${t.failed} failed, ${t.cancelled} cancelled, ${t.running} pending · tokens ${t.tokensIn} in / ${t.tokensOut} out · cost ${t.costUsd === null ? 'n/a (no prices for this provider profile, or nothing finished)' : money(t.costUsd)} · evaluators ${t.evaluatorsPassed} passed, ${t.evaluatorsFailed} failed, ${t.notEvaluated} not evaluated`;
  cancel.hidden = run.state !== 'running';
  breaker.hidden = !run.breaker;
  breaker.textContent = run.breaker ?? '';
}

/** Overall score, with every dimension's score and reason in the tooltip; n/a says why. */
function qualityCell(c: CaseView): HTMLTableCellElement {
  if (!c.quality) return el('td', { class: 'num muted', title: c.status === 'done' ? 'Not scored' : 'Scored when the case finishes' }, '—');
  const lines = c.quality.dimensions.map((d) => `${d.name}: ${d.score === null ? 'n/a' : d.score.toFixed(2)} — ${d.reason}`).join('\n');
  return el('td', { class: 'num', title: lines }, c.quality.overall === null ? 'n/a' : c.quality.overall.toFixed(2));
}

function upsertCase(c: CaseView, header = true): void {
  if (!run) return;
  const status = c.status + (c.detail ? ` — ${c.detail}` : '');
  const evals = c.evaluators.length ? c.evaluators.map((v) => `${v.status === 'pass' ? '✓' : v.status === 'fail' ? '✗' : '–'} ${v.name}`).join('\n') : '—';
  const tokens = c.tokensIn === null && c.tokensOut === null ? '—' : `${c.tokensIn ?? '—'} / ${c.tokensOut ?? '—'}${c.tokensEstimated ? ' (est.)' : ''}`;
  const textCell = el('td', { class: 'response' }, el('pre', { class: 'text' }, c.text));
  const evalCell = el('td', { class: 'evals', title: c.evaluators.map((v) => `${v.name}: ${v.status} — ${v.reason}`).join('\n') }, evals);
  const tr = el('tr', { 'data-case': c.caseId, class: `status-${c.status}`, tabindex: '0' },
    el('td', {}, c.label), el('td', {}, status), el('td', { class: 'num' }, c.latencyMs === null ? '—' : `${Math.round(c.latencyMs)} ms`),
    el('td', { class: 'num' }, tokens), el('td', { class: 'num' }, c.status === 'done' ? money(c.costUsd) : '—'), qualityCell(c), evalCell, textCell);
  const pre = textCell.firstElementChild as HTMLElement;
  const existing = rowsById.get(c.caseId);
  if (existing) existing.tr.replaceWith(tr); else tbody.append(tr);
  rowsById.set(c.caseId, { tr, textCell: pre, view: { ...c } });
  const idx = run.cases.findIndex((x) => x.caseId === c.caseId);
  if (idx >= 0) run.cases[idx] = c; else run.cases.push(c);
  if (header) renderHeader();
}

setInterval(() => { if (run?.state === 'running') renderHeader(); }, 1000);
host.post({ type: 'ready' });
