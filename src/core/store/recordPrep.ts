import type { Sanitizer } from '../sanitize';
import type { ExecutionInput, ExecutionPatch, ExecutionRecord } from './executionRecord';
import { describeZodError, executionPatchSchema, executionRecordSchema } from './executionRecord';

/*
 * Lone surrogates are not Unicode. sql.js stores one as invalid UTF-8 and reads it back as
 * three U+FFFD, while JSON columns keep it escaped: the journal, the database and an export
 * would each hold a different text, and snippets and lengths would change on a JSONL round
 * trip. Each becomes one U+FFFD here, as a UTF-8 encoder would write it.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/*
 * sql.js reads every TEXT value back through a TextDecoder, which drops one leading U+FEFF
 * (byte order mark): an id, prompt id or text starting with one would come back without it
 * (and a second export would differ from the first). Leading U+FEFF are removed here from
 * the values kept in TEXT columns; JSON columns (metadata, modelConfig, quality) keep them.
 */
const LEADING_BOM = /^\uFEFF+/;
const TEXT_COLUMNS = ['id', 'promptId', 'promptVersion', 'promptHash', 'variant', 'experimentId', 'runId', 'testCaseId', 'provider', 'model',
  'promptText', 'responseText', 'errorType', 'errorMessage', 'userId', 'sessionId', 'environment'] as const;

const HAS_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `v` with every string and object key well-formed. On the record hot path: nothing is copied
 * unless something changes (almost never), so a record costs one scan of its strings.
 */
function wellFormedDeep(v: unknown): unknown {
  if (typeof v === 'string') return HAS_LONE_SURROGATE.test(v) ? wellFormed(v) : v;
  if (Array.isArray(v)) {
    const mapped = v.map(wellFormedDeep);
    return mapped.some((x, i) => x !== v[i]) ? mapped : v;
  }
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v);
  const fixed = entries.map(([k, x]) => [wellFormedDeep(k) as string, wellFormedDeep(x)] as const);
  if (fixed.every(([k, x], i) => k === entries[i]![0] && x === entries[i]![1])) return v;
  const out: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key stays a key (as JSON.parse makes it).
  for (const [k, x] of fixed) Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Redaction markers can be longer than what they replace: a sanitized field is cut back to
 * the limit the schema (and so `promptlab import`) enforces, never inside a surrogate pair.
 */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

/**
 * The one door into the store: validate, normalise and sanitize. Nothing reaches a journal,
 * the database or an export without passing here, so no secret or PII is ever written. What
 * comes out passes the schema again, so every stored execution can be exported and imported.
 */
export function prepareRecord(input: ExecutionInput | unknown, sanitizer: Sanitizer): ExecutionRecord {
  const parsed = executionRecordSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid execution: ${describeZodError(parsed.error)}`);
  const r = wellFormedDeep(parsed.data) as ExecutionRecord;
  for (const k of TEXT_COLUMNS) {
    const v = r[k];
    if (typeof v === 'string' && v.charCodeAt(0) === 0xfeff) (r as Record<string, unknown>)[k] = v.replace(LEADING_BOM, '');
  }
  if (!r.id || !r.promptId) throw new Error(`invalid execution: ${r.id ? 'promptId' : 'id'}: nothing left but a byte order mark`);
  r.tags = r.tags.map((t) => t.replace(LEADING_BOM, '')).filter((t) => t.length > 0);
  // An offset can carry a valid local time past 9999 (or before 0000) in UTC, which
  // toISOString writes as "+010000-…": a form the schema (and import) rejects.
  const createdAt = new Date(Date.parse(r.createdAt)).toISOString();
  if (!/^\d{4}-/.test(createdAt)) throw new Error(`invalid execution: createdAt: ${r.createdAt} is outside the years 0000–9999 in UTC`);
  const text = (s: string) => sanitizer.sanitizeText(s).text;
  const obj = (o: Record<string, unknown>) => sanitizer.sanitizeValue(o) as Record<string, unknown>;
  return {
    ...r,
    modelConfig: obj(r.modelConfig),
    promptText: text(r.promptText),
    responseText: text(r.responseText),
    errorMessage: r.errorMessage === null ? null : clip(text(r.errorMessage), 2000),
    quality: r.quality === null ? null : obj(r.quality),
    metadata: obj(r.metadata),
    tags: [...new Set(r.tags.map((t) => clip(text(t), 200)))],
    // One canonical form (UTC, ms) so export → import → export is byte-identical.
    createdAt,
  };
}

/** Same door for later changes (scores added after a run). */
export function preparePatch(patch: unknown, sanitizer: Sanitizer): ExecutionPatch {
  const parsed = executionPatchSchema.safeParse(patch);
  if (!parsed.success) throw new Error(`invalid patch: ${describeZodError(parsed.error)}`);
  const p = wellFormedDeep(parsed.data) as ExecutionPatch;
  if (p.tags) p.tags = p.tags.map((t) => t.replace(LEADING_BOM, '')).filter((t) => t.length > 0);
  return {
    ...p,
    ...(p.quality ? { quality: sanitizer.sanitizeValue(p.quality) as Record<string, unknown> } : {}),
    ...(p.metadata ? { metadata: sanitizer.sanitizeValue(p.metadata) as Record<string, unknown> } : {}),
    ...(p.tags ? { tags: p.tags.map((t) => clip(sanitizer.sanitizeText(t).text, 200)) } : {}),
  };
}
