import type { ExecutionRecord } from '../store/executionRecord';
import type { FormatWriter } from '../store/jsonlExport';
import { QUALITY_DIMENSIONS } from '../quality/types';

/**
 * Default CSV columns. `x.*` expands to the keys found under x in the first rows (see
 * SAMPLE_ROWS); quality dimensions are a fixed set and expand exactly.
 */
export const DEFAULT_CSV_COLUMNS: readonly string[] = ['id', 'createdAt', 'promptId', 'promptVersion', 'variant', 'experimentId', 'runId',
  'testCaseId', 'provider', 'model', 'success', 'latencyMs', 'timeToFirstTokenMs', 'tokensIn', 'tokensOut', 'costUsd', 'qualityScore',
  'quality.dimensions.*.score', 'errorType', 'errorMessage', 'tags', 'modelConfig.*', 'metadata.*', 'promptText', 'responseText'];

/** Columns one can pick (for a quick pick / --columns help); wildcards included. */
export const KNOWN_CSV_COLUMNS: readonly string[] = [...DEFAULT_CSV_COLUMNS, 'promptHash', 'userId', 'sessionId', 'environment',
  'quality.overall', 'quality.dimensions.*.reason', ...QUALITY_DIMENSIONS.flatMap((d) => [`quality.dimensions.${d}.score`, `quality.dimensions.${d}.reason`])];

/** Rows looked at before the header is written, to expand `metadata.*`-style wildcards. */
const SAMPLE_ROWS = 200;

/** The value at a dotted path; keys that themselves contain dots are matched too (longest first). */
export function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  let rest = dotted.split('.');
  while (rest.length) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const o = cur as Record<string, unknown>;
    let found = false;
    for (let n = rest.length; n >= 1; n--) {
      const key = rest.slice(0, n).join('.');
      if (Object.prototype.hasOwnProperty.call(o, key)) { cur = o[key]; rest = rest.slice(n); found = true; break; }
    }
    if (!found) return undefined;
  }
  return cur;
}

/** Cells that a spreadsheet would evaluate as a formula get a leading apostrophe (OWASP CSV injection). */
export function neutraliseFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** RFC 4180 field: quoted when it holds a quote, comma, CR or LF; quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One value as cell text: numbers and booleans as is, arrays of scalars joined by "; ", objects as JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return neutraliseFormula(v);
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return neutraliseFormula(v.map((x) => String(x ?? '')).join('; '));
  return neutraliseFormula(JSON.stringify(v));
}

function expand(columns: readonly string[], sample: readonly ExecutionRecord[]): string[] {
  const out: string[] = [];
  const add = (c: string) => { if (!out.includes(c)) out.push(c); };
  for (const c of columns) {
    const star = c.indexOf('*');
    if (star < 0) { add(c); continue; }
    const prefix = c.slice(0, star); // e.g. 'metadata.' or 'quality.dimensions.'
    const suffix = c.slice(star + 1); // e.g. '' or '.score'
    const base = prefix.replace(/\.$/, '');
    if (base === 'quality.dimensions') { for (const d of QUALITY_DIMENSIONS) add(`${prefix}${d}${suffix}`); continue; }
    const keys = new Set<string>();
    for (const r of sample) {
      const o = base ? getPath(r, base) : r;
      if (o && typeof o === 'object' && !Array.isArray(o)) for (const k of Object.keys(o)) keys.add(k);
    }
    for (const k of [...keys].sort()) add(`${prefix}${k}${suffix}`);
  }
  return out;
}

export interface CsvOptions { columns?: readonly string[]; bom?: boolean }

/**
 * Streaming CSV (RFC 4180, CRLF line ends). The header waits for the first SAMPLE_ROWS rows
 * (or the end) so wildcard columns can be expanded; memory stays bounded by that sample.
 */
export function csvWriter(opts: CsvOptions = {}): FormatWriter & { readonly header: readonly string[] } {
  const requested = opts.columns?.length ? opts.columns : DEFAULT_CSV_COLUMNS;
  let header: string[] | null = null;
  let sample: ExecutionRecord[] = [];
  const line = (r: ExecutionRecord) => header!.map((c) => csvField(cellText(getPath(r, c)))).join(',') + '\r\n';
  const start = () => {
    header = expand(requested, sample);
    const text = (opts.bom ? '\uFEFF' : '') + header.map((c) => csvField(neutraliseFormula(c))).join(',') + '\r\n' + sample.map(line).join('');
    sample = [];
    return text;
  };
  return {
    get header() { return header ?? []; },
    row(r) {
      if (header) return line(r);
      sample.push(r);
      return sample.length >= SAMPLE_ROWS ? start() : '';
    },
    end() { return header ? '' : start(); },
  };
}
