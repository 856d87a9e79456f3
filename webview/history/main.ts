import type { HistoryDetail, HistoryPageData, HistoryRow, HistoryViewFilter, HistoryViewState, HostToWebview } from '../../src/shared/historyProtocol';
import { connect, el } from '../common/vscodeApi';

/*
 * History panel: newest executions first, fetched page by page (keyset cursor from the
 * host), filters kept in webview state so a reload restores them. Every string from the
 * database is set as text, never as HTML.
 */
const host = connect<HistoryViewState, HostToWebview>((m) => {
  if (m.type === 'init') { dataLocation = m.dataLocation; void reload(); }
  else if (m.type === 'changed') void reload();
  else if (m.type === 'showDetail') void showDetail(m.id).then(() => detail.scrollIntoView({ block: 'start' }));
});

const saved = host.api.getState();
let filter: HistoryViewFilter = saved?.filter ?? {};
let selectedId: string | null = saved?.selectedId ?? null;
let rows: HistoryRow[] = [];
let next: HistoryPageData['next'] = null;
let total = 0;
let dataLocation = '';
let generation = 0;

const app = document.getElementById('app')!;
const search = el('input', { type: 'search', id: 'search', placeholder: 'Search prompts and responses', 'aria-label': 'Search prompts and responses' });
const status = el('select', { id: 'status', 'aria-label': 'Status filter' }, el('option', { value: '' }, 'All'), el('option', { value: 'true' }, 'Succeeded'), el('option', { value: 'false' }, 'Failed'));
const refresh = el('button', { id: 'refresh', type: 'button', title: 'Refresh' }, 'Refresh');
const exportButton = el('button', { id: 'export', type: 'button', title: 'Export the executions this filter shows (CSV, JSON, JSONL, Markdown or HTML)' }, 'Export…');
const summary = el('p', { id: 'summary', class: 'muted', role: 'status' });
const tbody = el('tbody', { id: 'rows' });
const table = el('table', { id: 'history', 'aria-label': 'Executions' },
  el('thead', {}, el('tr', {}, ...['Time', 'Prompt', 'Model', 'Status', 'Latency', 'Tokens', 'Quality', 'Response'].map((h) => el('th', { scope: 'col' }, h)))), tbody);
const more = el('button', { id: 'more', type: 'button' }, 'Load more');
const detail = el('section', { id: 'detail', 'aria-live': 'polite' });

search.value = filter.search ?? '';
status.value = filter.success === undefined ? '' : String(filter.success);
app.replaceChildren(el('div', { class: 'toolbar' }, search, status, refresh, exportButton), summary, el('div', { class: 'table-wrap' }, table), more, detail);
app.setAttribute('aria-busy', 'false');

let debounce: number | undefined;
search.addEventListener('input', () => { clearTimeout(debounce); debounce = window.setTimeout(() => applyFilter(), 250); });
status.addEventListener('change', () => applyFilter());
refresh.addEventListener('click', () => void reload());
exportButton.addEventListener('click', () => host.post({ type: 'export', filter }));
more.addEventListener('click', () => void loadPage(false));

function applyFilter(): void {
  filter = { ...(search.value.trim() ? { search: search.value.trim() } : {}), ...(status.value ? { success: status.value === 'true' } : {}) };
  saveState();
  void reload();
}

function saveState(): void {
  host.api.setState({ filter, selectedId });
}

async function reload(): Promise<void> {
  rows = [];
  next = null;
  await loadPage(true);
  if (selectedId) void showDetail(selectedId);
}

async function loadPage(first: boolean): Promise<void> {
  const mine = first ? ++generation : generation;
  try {
    const page = await host.request<HistoryPageData>({ type: 'query', filter, after: first ? null : next });
    if (mine !== generation) return; // a newer query replaced this one
    rows = first ? page.rows : rows.concat(page.rows);
    next = page.next;
    total = page.total;
    render(first, page.rows);
  } catch (e) {
    summary.textContent = `Could not load history: ${(e as Error).message}`;
  }
}

function fmt(n: number | null, unit = '', digits = 0): string {
  return n === null ? '—' : `${n.toFixed(digits)}${unit}`;
}

function render(first: boolean, added: HistoryRow[]): void {
  if (first) tbody.replaceChildren();
  for (const r of added) {
    const tr = el('tr', { tabindex: '0', 'data-id': r.id, class: r.success ? 'ok' : 'failed' },
      el('td', {}, new Date(r.createdAt).toLocaleString()),
      el('td', {}, r.promptId),
      el('td', {}, r.model ?? '—'),
      el('td', {}, r.success ? 'ok' : `failed${r.errorType ? ` (${r.errorType})` : ''}`),
      el('td', { class: 'num' }, fmt(r.latencyMs, ' ms')),
      el('td', { class: 'num' }, r.tokensIn === null && r.tokensOut === null ? '—' : `${r.tokensIn ?? '—'} / ${r.tokensOut ?? '—'}`),
      r.qualityScore === null ? el('td', { class: 'num muted', title: 'Not available: this execution has no quality assessment' }, 'n/a') : el('td', { class: 'num' }, r.qualityScore.toFixed(2)),
      el('td', { class: 'snippet' }, r.responseSnippet));
    tr.addEventListener('click', () => void showDetail(r.id));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); void showDetail(r.id); } });
    tbody.append(tr);
  }
  more.hidden = next === null;
  if (total === 0) {
    summary.textContent = `No executions yet. Run a prompt, or import a JSONL export ("Prompt Lab: Import Executions"). Data is stored in ${dataLocation}.`;
  } else {
    summary.textContent = `${rows.length} shown of ${total} execution(s)${filter.search || filter.success !== undefined ? ' (filtered)' : ''}.`;
  }
}

/** Each dimension with its score and reason, and the evaluator verdicts, as text. */
function qualityBlock(d: HistoryDetail): HTMLElement[] {
  const q = d.quality as { dimensions?: Record<string, { score: number | null; reason: string }>; evaluators?: Array<{ name: string; status: string; reason: string }> } | null;
  if (!q) return [el('p', { class: 'muted' }, 'Quality: not assessed for this execution.')];
  const rows = Object.entries(q.dimensions ?? {}).map(([name, v]) => el('tr', {}, el('th', { scope: 'row' }, name), el('td', { class: 'num' }, v.score === null ? 'n/a' : v.score.toFixed(2)), el('td', {}, v.reason)));
  const evals = (q.evaluators ?? []).map((e) => el('tr', {}, el('th', { scope: 'row' }, e.name), el('td', {}, e.status), el('td', {}, e.reason)));
  return [el('div', { class: 'block' }, el('h3', {}, `Quality ${d.qualityScore === null ? 'n/a' : d.qualityScore.toFixed(2)}`),
    el('table', { class: 'quality', 'aria-label': 'Quality dimensions and evaluators' }, el('tbody', {}, ...rows, ...evals)))];
}

async function showDetail(id: string): Promise<void> {
  selectedId = id;
  saveState();
  try {
    const d = await host.request<HistoryDetail>({ type: 'detail', id });
    const pre = (label: string, text: string) => el('div', { class: 'block' }, el('h3', {}, label), el('pre', { class: 'text' }, text));
    detail.replaceChildren(
      el('h2', {}, `${d.promptId} — ${new Date(d.createdAt).toLocaleString()}`),
      el('p', { class: 'muted' }, `${d.provider ?? 'unknown provider'} · ${d.model ?? 'unknown model'} · ${d.success ? 'succeeded' : 'failed'} · ${fmt(d.latencyMs, ' ms')} · cost ${d.costUsd === null ? 'n/a' : '$' + d.costUsd.toFixed(5)}`),
      ...(d.textError ? [el('p', { class: 'error' }, `Full texts unavailable: ${d.textError}`)] : []),
      ...(d.errorMessage ? [pre('Error', `${d.errorType ?? 'error'}: ${d.errorMessage}`)] : []),
      ...qualityBlock(d),
      pre('Prompt', d.promptText),
      pre('Response', d.responseText),
      pre('Tags', d.tags.join(', ') || '—'),
      pre('Metadata', JSON.stringify(d.metadata, null, 2)),
    );
  } catch (e) {
    detail.replaceChildren(el('p', { class: 'error' }, `Could not load execution: ${(e as Error).message}`));
  }
}

host.post({ type: 'ready' });
