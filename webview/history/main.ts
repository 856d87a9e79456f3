import '../common/cspSelfCheck';
import '../common/zodJitless';
import type { ActionResult, DetailAction, HistoryCursorData, HistoryDetail, HistoryPageData, HistoryViewFilter, HistoryViewState, HostToWebview } from '../../src/shared/historyProtocol';
import { historyViewStateSchema, isFiltered } from '../../src/shared/historyProtocol';
import { connect, el } from '../common/vscodeApi';
import { compareNodes, detailNodes } from './detailView';
import { FilterBar, describeFilter } from './filterBar';
import { PagedRows } from './pagedRows';
import { VirtualTable } from './virtualTable';

/*
 * History panel: newest executions first, fetched page by page by keyset cursor as the user
 * scrolls, shown in a virtualized table. Filters, the selected execution and the two ticked
 * for comparison are kept in webview state (view state only, never data), so a reload or a
 * hidden-and-shown panel restores them. Every string from the database is set as text.
 */
const host = connect<HistoryViewState, HostToWebview>((m) => {
  if (m.type === 'init') {
    dataLocation = m.dataLocation;
    if (m.filter) { filter = m.filter; bar.write(filter); saveState(); }
    restart();
  } else if (m.type === 'setFilter') {
    filter = m.filter;
    bar.write(filter);
    saveState();
    restart();
  } else if (m.type === 'changed') {
    // Rows are prepended at the top: reload when the user is there (the keyboard cursor stays on
    // its row, which moves down), else say so and keep the place.
    if (table.nearTop) restart(table.cursor >= 0 ? rows.row(table.cursor)?.id ?? null : null); else { stale = true; updateSummary(); }
  } else if (m.type === 'showDetail') void showDetail(m.id).then(() => detail.scrollIntoView({ block: 'start' }));
});

const saved = historyViewStateSchema.safeParse(host.api.getState());
let filter: HistoryViewFilter = saved.success ? saved.data.filter : {};
let selectedId: string | null = saved.success ? saved.data.selectedId : null;
let compareIds: string[] = saved.success ? saved.data.compareIds ?? [] : [];
let dataLocation = '';
let stale = false;
let shown: { from: number; to: number } = { from: 0, to: 0 };

const app = document.getElementById('app')!;
app.setAttribute('data-panel', 'history');
const bar = new FilterBar();
bar.write(filter);
const refresh = el('button', { id: 'refresh', type: 'button', title: 'Query the database again' }, 'Refresh');
const clear = el('button', { id: 'clear-filters', type: 'button', title: 'Remove every filter' }, 'Clear filters');
const exportButton = el('button', { id: 'export', type: 'button', title: 'Export the executions this filter shows (CSV, JSON, JSONL, Markdown or HTML)' }, 'Export…');
const compareButton = el('button', { id: 'compare-selected', type: 'button', title: 'Tick two executions (checkbox, Space, or Ctrl/Cmd+click) to compare them side by side' });
const summary = el('p', { id: 'summary', class: 'muted', role: 'status', 'data-testid': 'history-summary' });
const active = el('p', { id: 'active-filters', class: 'muted', 'data-testid': 'history-active-filters' });
const windowInfo = el('p', { id: 'history-window', class: 'muted', 'data-testid': 'history-window' });
const detail = el('section', { id: 'detail', 'aria-live': 'polite', 'aria-label': 'Execution detail' });
const compareView = el('section', { id: 'history-compare', 'aria-label': 'Two executions side by side' });

let rows = newRows();
const table = new VirtualTable(rows, {
  open: (r) => void showDetail(r.id),
  toggleCompare: (r) => toggleCompare(r.id),
  isTicked: (id) => compareIds.includes(id),
  rendered: (from, to) => { shown = { from, to }; updateSummary(); },
});

app.replaceChildren(
  el('div', { class: 'toolbar' }, bar.search, bar.status, bar.cache, refresh, clear, exportButton, compareButton),
  bar.row, active, summary, table.scroller, windowInfo, compareView, detail);
app.setAttribute('aria-busy', 'false');

bar.onChange = () => { filter = bar.read(); saveState(); restart(); };
refresh.addEventListener('click', () => restart());
clear.addEventListener('click', () => { filter = {}; bar.write(filter); saveState(); restart(); });
exportButton.addEventListener('click', () => host.post({ type: 'export', filter }));
compareButton.addEventListener('click', () => void showCompare());
updateCompareButton();

function newRows(): PagedRows {
  const f = filter;
  const made: PagedRows = new PagedRows(
    (after: HistoryCursorData | null) => host.request<HistoryPageData>({ type: 'query', filter: f, after }),
    () => {
      if (rows !== made) return;
      if (cursorOn !== null) {
        // Put the keyboard cursor back on the row it was on before the reload (first page only).
        const id = cursorOn;
        cursorOn = null;
        for (let i = 0; i < made.count; i++) { const r = made.row(i); if (!r) break; if (r.id === id) { table.moveTo(i); break; } }
      }
      table.render();
      bar.suggest(made.heldRows());
    });
  return made;
}

/** Row id the keyboard cursor should return to when the next query's first page arrives. */
let cursorOn: string | null = null;

function saveState(): void {
  host.api.setState({ filter, selectedId, compareIds });
}

/** A fresh query from the first page (new filter, refresh, or new executions at the top). */
function restart(keepCursorOn: string | null = null): void {
  stale = false;
  cursorOn = keepCursorOn;
  rows = newRows();
  table.reset(rows);
  if (selectedId && !detail.childElementCount) void showDetail(selectedId);
  if (compareIds.length === 2 && !compareView.childElementCount) void showCompare();
}

function updateSummary(): void {
  const f = describeFilter(filter);
  active.textContent = f ? `Filters: ${f}` : 'No filters: every execution, newest first.';
  const { count, total, ended, error } = rows;
  const filtered = isFiltered(filter);
  let text: string;
  if (error) text = `Could not load history: ${error}`;
  else if (!ended && count === 0) text = 'Loading…';
  else if (total === 0) text = `No executions yet. Run a prompt, or import a JSONL export ("Prompt Lab: Import Executions"). Data is stored in ${dataLocation}.`;
  else if (count === 0) text = `No execution matches these filters (${total.toLocaleString()} executions in total).`;
  else {
    text = `${count.toLocaleString()} loaded of ${total.toLocaleString()} executions`;
    // Counting a filtered set means scanning it (a second at 1M rows): the matching count is not computed.
    if (ended) text += filtered ? '; every matching execution is loaded.' : '.';
    else text += filtered ? '; how many match is not counted (it would scan every execution); scroll to load more.' : '; scroll to load more.';
  }
  if (stale) text += ' New executions were recorded: Refresh shows them.';
  summary.textContent = text;
  windowInfo.textContent = count ? `Rows ${shown.from + 1}–${shown.to} of ${count.toLocaleString()} loaded are in the page (${rows.heldPages} page(s) of rows held).` : '';
}

function updateCompareButton(): void {
  compareButton.textContent = `Compare (${compareIds.length}/2)`;
  compareButton.disabled = compareIds.length !== 2;
}

function toggleCompare(id: string): void {
  compareIds = compareIds.includes(id) ? compareIds.filter((x) => x !== id) : [...compareIds, id].slice(-2);
  saveState();
  updateCompareButton();
  table.render();
}

async function showCompare(): Promise<void> {
  if (compareIds.length !== 2) return;
  const [a, b] = compareIds as [string, string];
  compareView.replaceChildren(el('p', { class: 'muted' }, 'Loading both executions…'));
  try {
    const [da, db] = await Promise.all([host.request<HistoryDetail>({ type: 'detail', id: a }), host.request<HistoryDetail>({ type: 'detail', id: b })]);
    const close = el('button', { type: 'button', id: 'close-compare' }, 'Close comparison');
    close.addEventListener('click', () => { compareView.replaceChildren(); compareIds = []; saveState(); updateCompareButton(); table.render(); });
    compareView.replaceChildren(...compareNodes(da, db), close);
    compareView.scrollIntoView({ block: 'start' });
  } catch (e) {
    compareView.replaceChildren(el('p', { class: 'error' }, `Could not load the executions to compare: ${(e as Error).message}`));
  }
}

const ACTIONS: ReadonlyArray<{ action: DetailAction; label: string; title: string }> = [
  { action: 'copyJson', label: 'Copy as JSON', title: 'Copy this execution (already sanitized) to the clipboard as JSON' },
  { action: 'openPrompt', label: 'Open prompt file', title: 'Open the workspace prompt file with this prompt id, and say whether it changed since' },
  { action: 'rerun', label: 'Re-run', title: 'Run the prompt file again (Restricted Mode runs nothing)' },
];

async function showDetail(id: string): Promise<void> {
  selectedId = id;
  saveState();
  try {
    const d = await host.request<HistoryDetail>({ type: 'detail', id });
    if (selectedId !== id) return; // another row was opened while this one loaded
    const status = el('p', { class: 'muted', role: 'status', 'data-testid': 'history-action-status' });
    const buttons = ACTIONS.map((a) => {
      const b = el('button', { type: 'button', id: `action-${a.action}`, title: a.title }, a.label);
      b.addEventListener('click', () => void runAction(a.action, d.id, status));
      return b;
    });
    const tick = el('button', { type: 'button', id: 'action-compare' }, compareIds.includes(d.id) ? 'Untick for comparison' : 'Tick for comparison');
    tick.addEventListener('click', () => { toggleCompare(d.id); tick.textContent = compareIds.includes(d.id) ? 'Untick for comparison' : 'Tick for comparison'; });
    detail.replaceChildren(el('div', { class: 'toolbar', role: 'group', 'aria-label': 'Execution actions' }, ...buttons, tick), status, ...detailNodes(d));
  } catch (e) {
    detail.replaceChildren(el('p', { class: 'error' }, `Could not load execution: ${(e as Error).message}`));
  }
}

async function runAction(action: DetailAction, id: string, status: HTMLElement): Promise<void> {
  status.textContent = 'Working…';
  try {
    const r = await host.request<ActionResult>({ type: 'action', action, id });
    status.textContent = r.message;
    status.className = r.ok ? 'muted' : 'error';
  } catch (e) {
    status.textContent = `Failed: ${(e as Error).message}`;
    status.className = 'error';
  }
}

host.post({ type: 'ready' });
