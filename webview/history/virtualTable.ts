import type { HistoryRow } from '../../src/shared/historyProtocol';
import { el } from '../common/vscodeApi';
import type { PagedRows } from './pagedRows';

/*
 * A virtualized table: only the rows in view plus OVERSCAN on each side are in the DOM, at a
 * fixed row height; two spacer bodies stand in for the rest, so the scrollbar covers every
 * row loaded so far. Keyboard: Up/Down/PageUp/PageDown/Home/End move the selection and
 * scroll, Enter opens the detail, Space ticks the row for comparison. The table keeps focus
 * and names the selected row with aria-activedescendant, so re-rendering never loses focus.
 *
 * Styles that the layout depends on are set through the CSSOM (element.style): the webview's
 * CSP allows no inline style attributes, and the shared stylesheet has no rule for them.
 */
const OVERSCAN = 12;
const DEFAULT_ROW_HEIGHT = 26;

export interface VirtualTableHooks {
  open(row: HistoryRow, index: number): void;
  toggleCompare(row: HistoryRow): void;
  isTicked(id: string): boolean;
  /** After each render: the range of row indexes in the DOM. */
  rendered(from: number, to: number): void;
}

const COLUMNS: ReadonlyArray<{ title: string; width: string; num?: boolean }> = [
  { title: '', width: '2.2em' }, { title: 'Time', width: '13.5em' }, { title: 'Prompt', width: '14%' }, { title: 'Model', width: '12%' },
  { title: 'Status', width: '8em' }, { title: 'Latency', width: '6.5em', num: true }, { title: 'Tokens', width: '7.5em', num: true },
  { title: 'Quality', width: '5em', num: true }, { title: 'Response', width: 'auto' },
];

/** A row that only takes up height (a cell, so the height applies in every table layout). */
function spacerRow(): HTMLTableRowElement {
  const td = el('td', { colspan: String(COLUMNS.length) });
  td.style.padding = '0';
  td.style.border = 'none';
  return el('tr', {}, td);
}

function setHeight(tr: HTMLTableRowElement, px: number): void {
  tr.style.height = `${px}px`;
  (tr.firstElementChild as HTMLElement).style.height = `${px}px`;
  tr.hidden = px === 0;
}

export class VirtualTable {
  readonly scroller: HTMLDivElement;
  readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly topSpacer: HTMLTableRowElement;
  private readonly bottomSpacer: HTMLTableRowElement;
  private rowHeight = DEFAULT_ROW_HEIGHT;
  private measured = false;
  private frame = 0;
  /** Index of the selected row (the keyboard cursor), -1 when none. */
  cursor = -1;

  constructor(private rows: PagedRows, private readonly hooks: VirtualTableHooks) {
    this.body = el('tbody', { id: 'rows' });
    this.topSpacer = spacerRow();
    this.bottomSpacer = spacerRow();
    const colgroup = el('colgroup', {}, ...COLUMNS.map((c) => { const col = el('col'); col.style.width = c.width; return col; }));
    this.table = el('table', { id: 'history', role: 'grid', tabindex: '0', 'aria-label': 'Executions, newest first. Arrow keys move, Enter opens, Space ticks for comparison.' },
      colgroup,
      el('thead', {}, el('tr', { role: 'row', 'aria-rowindex': '1' }, ...COLUMNS.map((c, i) => el('th', { scope: 'col', role: 'columnheader', ...(i === 0 ? { title: 'Tick two executions to compare them' } : {}) }, i === 0 ? '⇄' : c.title)))),
      el('tbody', { 'aria-hidden': 'true' }, this.topSpacer), this.body, el('tbody', { 'aria-hidden': 'true' }, this.bottomSpacer));
    this.table.style.tableLayout = 'fixed';
    this.scroller = el('div', { class: 'table-wrap', id: 'history-scroller' }, this.table);
    // A fixed height (not only a max-height) so the window of rows has a size to fill.
    this.scroller.style.height = '50vh';
    this.scroller.style.minHeight = '12em';
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.table.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('resize', () => this.schedule());
  }

  /** Replaces the data source (a new filter) and starts at the top. */
  reset(rows: PagedRows): void {
    this.rows = rows;
    this.cursor = -1;
    this.scroller.scrollTop = 0;
    this.render();
  }

  get nearTop(): boolean { return this.scroller.scrollTop < this.rowHeight * 20; }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  private headerHeight(): number {
    return this.table.tHead?.getBoundingClientRect().height ?? 0;
  }

  private viewRows(): number {
    return Math.max(1, Math.floor((this.scroller.clientHeight - this.headerHeight()) / this.rowHeight));
  }

  render(): void {
    const count = this.rows.count;
    const first = Math.floor(this.scroller.scrollTop / this.rowHeight);
    const from = Math.max(0, first - OVERSCAN);
    const to = Math.min(count, first + this.viewRows() + OVERSCAN);
    this.rows.ensure(from, Math.max(to, first + this.viewRows() + OVERSCAN));
    const trs: HTMLTableRowElement[] = [];
    for (let i = from; i < to; i++) trs.push(this.rowElement(i));
    setHeight(this.topSpacer, from * this.rowHeight);
    setHeight(this.bottomSpacer, Math.max(0, count - to) * this.rowHeight);
    this.body.replaceChildren(...trs);
    this.table.setAttribute('aria-rowcount', this.rows.ended ? String(count + 1) : '-1');
    const active = this.cursor >= from && this.cursor < to ? `hrow-${this.cursor}` : '';
    if (active) this.table.setAttribute('aria-activedescendant', active); else this.table.removeAttribute('aria-activedescendant');
    if (!this.measured && trs[0]) {
      // The theme's font decides the real height: measure once and lay out with it.
      const h = trs[0].getBoundingClientRect().height;
      if (h > 0) { this.measured = true; if (Math.abs(h - this.rowHeight) > 0.5) { this.rowHeight = h; this.schedule(); } }
    }
    this.hooks.rendered(from, to);
  }

  private rowElement(i: number): HTMLTableRowElement {
    const r = this.rows.row(i);
    const tr = el('tr', { id: `hrow-${i}`, role: 'row', 'aria-rowindex': String(i + 2), 'aria-selected': String(i === this.cursor) });
    tr.style.height = `${this.rowHeight}px`;
    if (!r) {
      tr.append(el('td', { class: 'muted', colspan: String(COLUMNS.length) }, 'Loading…'));
      return tr;
    }
    tr.dataset.id = r.id;
    tr.setAttribute('data-testid', `history-row-${i}`);
    tr.className = r.success ? 'ok' : 'failed';
    if (i === this.cursor) {
      tr.style.background = 'var(--vscode-list-activeSelectionBackground)';
      tr.style.color = 'var(--vscode-list-activeSelectionForeground)';
    }
    const tick = el('input', { type: 'checkbox', 'aria-label': `Compare ${r.promptId} at ${new Date(r.createdAt).toLocaleString()}`, tabindex: '-1' });
    tick.checked = this.hooks.isTicked(r.id);
    tick.addEventListener('click', (e) => { e.stopPropagation(); this.hooks.toggleCompare(r); });
    const cells: Array<[string | Node, string?]> = [
      [tick],
      [new Date(r.createdAt).toLocaleString()],
      [r.promptId],
      [r.model ?? '—'],
      [r.success ? 'ok' : `failed${r.errorType ? ` (${r.errorType})` : ''}`],
      [r.latencyMs === null ? '—' : `${Math.round(r.latencyMs)} ms`, 'num'],
      [r.tokensIn === null && r.tokensOut === null ? '—' : `${r.tokensIn ?? '—'} / ${r.tokensOut ?? '—'}`, 'num'],
      [r.qualityScore === null ? 'n/a' : r.qualityScore.toFixed(2), r.qualityScore === null ? 'num muted' : 'num'],
      [r.responseSnippet, 'snippet'],
    ];
    for (const [content, cls] of cells) {
      const td = el('td', { role: 'gridcell', ...(cls ? { class: cls } : {}) }, content);
      td.style.overflow = 'hidden';
      td.style.textOverflow = 'ellipsis';
      td.style.whiteSpace = 'nowrap';
      if (cls === 'snippet') td.style.maxWidth = 'none';
      tr.append(td);
    }
    if (r.qualityScore === null) tr.children[7]?.setAttribute('title', 'Not available: this execution has no quality assessment');
    tr.addEventListener('click', (e) => {
      this.cursor = i;
      this.table.focus({ preventScroll: true });
      if (e.ctrlKey || e.metaKey) this.hooks.toggleCompare(r); else this.hooks.open(r, i);
      this.render();
    });
    return tr;
  }

  /** Moves the selection to `i` (clamped) and scrolls it into view. */
  moveTo(i: number): void {
    const count = this.rows.count;
    if (!count) return;
    this.cursor = Math.max(0, Math.min(count - 1, i));
    const top = this.cursor * this.rowHeight;
    const viewH = this.scroller.clientHeight - this.headerHeight();
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + this.rowHeight > this.scroller.scrollTop + viewH) this.scroller.scrollTop = top + this.rowHeight - viewH;
    this.render();
  }

  private onKey(e: KeyboardEvent): void {
    const page = this.viewRows();
    const at = this.cursor < 0 ? -1 : this.cursor;
    const moves: Record<string, () => number> = {
      ArrowDown: () => at + 1, ArrowUp: () => Math.max(0, at - 1), PageDown: () => Math.max(0, at) + page, PageUp: () => Math.max(0, at - page),
      Home: () => 0,
      // End: the last row loaded so far; reaching it loads the next page, so End again goes further.
      End: () => this.rows.count - 1,
    };
    const move = moves[e.key];
    if (move) { e.preventDefault(); this.moveTo(move()); return; }
    const r = this.cursor >= 0 ? this.rows.row(this.cursor) : undefined;
    if (!r) return;
    if (e.key === 'Enter') { e.preventDefault(); this.hooks.open(r, this.cursor); }
    else if (e.key === ' ') { e.preventDefault(); this.hooks.toggleCompare(r); this.render(); }
  }
}
