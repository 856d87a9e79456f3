import type { HistoryRow, HistoryViewFilter } from '../../src/shared/historyProtocol';
import { el } from '../common/vscodeApi';

/*
 * The history filters: a search box and status/cache selects in the toolbar, and one compact
 * row of text, date and number inputs. Text inputs suggest values (datalist) from the rows
 * loaded so far, which costs the store nothing; any other value can be typed.
 */

type TextKey = 'promptId' | 'promptVersion' | 'variant' | 'experimentId' | 'runId' | 'provider' | 'model' | 'tag';
const TEXT_FIELDS: ReadonlyArray<{ key: TextKey; label: string; width: string; of: (r: HistoryRow) => Array<string | null> }> = [
  { key: 'promptId', label: 'Prompt', width: '10em', of: (r) => [r.promptId] },
  { key: 'promptVersion', label: 'Version', width: '7em', of: (r) => [r.promptVersion] },
  { key: 'variant', label: 'Variant', width: '7em', of: (r) => [r.variant] },
  { key: 'experimentId', label: 'Experiment', width: '8em', of: (r) => [r.experimentId] },
  { key: 'runId', label: 'Run', width: '7em', of: (r) => [r.runId] },
  { key: 'provider', label: 'Provider', width: '7em', of: (r) => [r.provider] },
  { key: 'model', label: 'Model', width: '9em', of: (r) => [r.model] },
  { key: 'tag', label: 'Tag', width: '8em', of: (r) => r.tags },
];
const MAX_SUGGESTIONS = 100;

/** yyyy-mm-dd of a local date, as <input type=date> wants it. */
function dateValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight of a yyyy-mm-dd value. */
function dateMs(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime() : undefined;
}

/** Local midnight after a yyyy-mm-dd value (the whole day included; right on DST days too). */
function nextDayMs(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1).getTime() : undefined;
}

function parseQuality(value: string): number | undefined {
  if (!value.trim()) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : undefined;
}

export class FilterBar {
  readonly search = el('input', { type: 'search', id: 'search', placeholder: 'Search prompts and responses (full text)', 'aria-label': 'Search prompts and responses' });
  readonly status = el('select', { id: 'status', 'aria-label': 'Status filter' }, el('option', { value: '' }, 'Any status'), el('option', { value: 'true' }, 'Succeeded'), el('option', { value: 'false' }, 'Failed'));
  readonly cache = el('select', { id: 'cache', 'aria-label': 'Cache filter' }, el('option', { value: '' }, 'Cached or not'), el('option', { value: 'true' }, 'Cache hits'), el('option', { value: 'false' }, 'Not from cache'));
  private readonly text = new Map<TextKey, HTMLInputElement>();
  private readonly lists = new Map<TextKey, HTMLDataListElement>();
  private readonly from = el('input', { type: 'date', id: 'filter-from', 'aria-label': 'From date (inclusive)' });
  private readonly to = el('input', { type: 'date', id: 'filter-to', 'aria-label': 'To date (inclusive)' });
  /** The bounds as last written from outside, kept exact while their date fields are unchanged. */
  private exact: { since?: number | undefined; until?: number | undefined } = {};
  private readonly qMin = el('input', { type: 'number', id: 'filter-qmin', min: '0', max: '1', step: '0.05', placeholder: '0', 'aria-label': 'Minimum quality (0 to 1)' });
  private readonly qMax = el('input', { type: 'number', id: 'filter-qmax', min: '0', max: '1', step: '0.05', placeholder: '1', 'aria-label': 'Maximum quality (0 to 1)' });
  readonly row: HTMLElement;
  /** Runs, debounced for typing, whenever a filter value changes. */
  onChange: () => void = () => undefined;
  private debounce: number | undefined;

  constructor() {
    const labelled = (label: string, input: HTMLElement) => { const l = el('label', {}, `${label} `, input); l.style.whiteSpace = 'nowrap'; return l; };
    const parts: HTMLElement[] = [];
    for (const f of TEXT_FIELDS) {
      const list = el('datalist', { id: `dl-${f.key}` });
      const input = el('input', { type: 'text', id: `filter-${f.key}`, list: `dl-${f.key}`, 'aria-label': `${f.label} filter`, placeholder: 'any' });
      input.style.width = f.width;
      this.text.set(f.key, input);
      this.lists.set(f.key, list);
      parts.push(labelled(f.label, input), list);
    }
    for (const q of [this.qMin, this.qMax]) q.style.width = '4.5em';
    const quality = el('span', {}, labelled('Quality', this.qMin), ' – ', this.qMax);
    quality.style.whiteSpace = 'nowrap';
    const dates = el('span', {}, labelled('From', this.from), ' ', labelled('to', this.to));
    dates.style.whiteSpace = 'nowrap';
    this.row = el('div', { class: 'toolbar', id: 'filters', role: 'group', 'aria-label': 'Filters' }, ...parts, dates, quality);
    this.row.style.flexWrap = 'wrap';
    this.row.style.alignItems = 'center';
    const typed = () => { clearTimeout(this.debounce); this.debounce = window.setTimeout(() => this.onChange(), 300); };
    this.search.addEventListener('input', typed);
    for (const i of [...this.text.values(), this.qMin, this.qMax]) i.addEventListener('input', typed);
    for (const i of [this.status, this.cache, this.from, this.to]) i.addEventListener('change', () => this.onChange());
  }

  read(): HistoryViewFilter {
    const f: HistoryViewFilter = {};
    const s = this.search.value.trim();
    if (s) f.search = s;
    for (const [key, input] of this.text) { const v = input.value.trim(); if (v) f[key] = v; }
    if (this.status.value) f.success = this.status.value === 'true';
    if (this.cache.value) f.cacheHit = this.cache.value === 'true';
    // A bound set from outside (e.g. the dashboard's "last 24 hours") is an exact instant: keep it
    // while its date field shows the same day; a date the user picks means whole local days.
    const since = this.exact.since !== undefined && this.from.value === dateValue(this.exact.since) ? this.exact.since : dateMs(this.from.value);
    const until = this.exact.until !== undefined && this.to.value === dateValue(this.exact.until - 1) ? this.exact.until : nextDayMs(this.to.value);
    if (since !== undefined) f.since = since;
    if (until !== undefined) f.until = until;
    const qMin = parseQuality(this.qMin.value);
    const qMax = parseQuality(this.qMax.value);
    if (qMin !== undefined) f.qualityMin = qMin;
    if (qMax !== undefined) f.qualityMax = qMax;
    return f;
  }

  write(f: HistoryViewFilter): void {
    this.search.value = f.search ?? '';
    for (const [key, input] of this.text) input.value = f[key] ?? '';
    this.status.value = f.success === undefined ? '' : String(f.success);
    this.cache.value = f.cacheHit === undefined ? '' : String(f.cacheHit);
    this.exact = { since: f.since, until: f.until };
    this.from.value = f.since === undefined ? '' : dateValue(f.since);
    this.to.value = f.until === undefined ? '' : dateValue(f.until - 1); // until is exclusive: its last included day
    this.qMin.value = f.qualityMin === undefined ? '' : String(f.qualityMin);
    this.qMax.value = f.qualityMax === undefined ? '' : String(f.qualityMax);
  }

  /** Offers the values seen in the loaded rows as suggestions. */
  suggest(rows: Iterable<HistoryRow>): void {
    const seen = new Map<TextKey, Set<string>>(TEXT_FIELDS.map((f) => [f.key, new Set<string>()]));
    for (const r of rows) {
      for (const f of TEXT_FIELDS) {
        const set = seen.get(f.key)!;
        if (set.size >= MAX_SUGGESTIONS) continue;
        for (const v of f.of(r)) if (v) set.add(v);
      }
    }
    for (const [key, values] of seen) {
      const list = this.lists.get(key)!;
      const sorted = [...values].sort();
      if (list.childElementCount === sorted.length && [...list.children].every((o, i) => (o as HTMLOptionElement).value === sorted[i])) continue;
      list.replaceChildren(...sorted.map((v) => { const o = el('option'); o.value = v; return o; }));
    }
  }
}

/** The active filters in words (empty when none), e.g. `prompt = summarise · quality 0.5–1`. */
export function describeFilter(f: HistoryViewFilter): string {
  const parts: string[] = [];
  if (f.search) parts.push(`text "${f.search}"`);
  for (const t of TEXT_FIELDS) { const v = f[t.key]; if (v) parts.push(`${t.label.toLowerCase()} = ${v}`); }
  if (f.success !== undefined) parts.push(f.success ? 'succeeded' : 'failed');
  if (f.cacheHit !== undefined) parts.push(f.cacheHit ? 'cache hits' : 'not from cache');
  if (f.since !== undefined || f.until !== undefined) {
    // A bound that is not a local midnight (set from the dashboard's window) is shown with its time.
    const at = (ms: number, end: boolean) => (new Date(ms).getHours() || new Date(ms).getMinutes()
      ? new Date(ms).toLocaleString() : dateValue(end ? ms - 1 : ms));
    parts.push(`${f.since !== undefined ? `from ${at(f.since, false)}` : ''}${f.since !== undefined && f.until !== undefined ? ' ' : ''}${f.until !== undefined ? `${new Date(f.until).getHours() || new Date(f.until).getMinutes() ? 'before' : 'through'} ${at(f.until, true)}` : ''}`);
  }
  if (f.qualityMin !== undefined || f.qualityMax !== undefined) parts.push(`quality ${f.qualityMin ?? 0}–${f.qualityMax ?? 1}`);
  return parts.join(' · ');
}
