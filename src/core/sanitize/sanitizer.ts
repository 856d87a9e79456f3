import type { Detector } from './detectors';
import { DETECTORS, MARKERS } from './detectors';

/** One user-defined redaction pattern (from the `promptLab.sanitize.extraPatterns` setting). */
export interface ExtraPattern {
  name: string;
  pattern: string;
  flags?: string | undefined;
  /**
   * Literal text (no `$1` expansion, so a replacement can never re-insert matched text); default
   * `[<NAME>_REDACTED]`. As with built-ins, a leading named group `(?<keep>…)` is preserved.
   */
  replacement?: string | undefined;
}

export interface SanitizerOptions {
  extraPatterns?: readonly ExtraPattern[] | undefined;
}

export interface PatternProblem {
  /** The pattern's `name`, or `#<index>` when it has no usable name. */
  name: string;
  message: string;
}

export interface SanitizeResult {
  text: string;
  /** Matches replaced, per detector kind (extra patterns count under their `name`). */
  redactions: Record<string, number>;
}

export interface SanitizeValueResult {
  value: unknown;
  /** As in SanitizeResult, plus `sensitive_key` for values replaced because of their key. */
  redactions: Record<string, number>;
}

/** Thrown by the constructor so a caller can point the user at the offending setting entry. */
export class SanitizePatternError extends Error {
  constructor(
    readonly patternName: string,
    readonly reason: string,
  ) {
    super(`Invalid sanitize pattern "${patternName}": ${reason}`);
    this.name = 'SanitizePatternError';
  }
}

/** Count key for values replaced because of their object key. */
export const SENSITIVE_KEY_KIND = 'sensitive_key';

// Key words whose value is a credential. Matching is on whole words of the key (camelCase,
// snake_case, kebab-case, dots and spaces all split), not substrings: "auth" matches `auth`,
// `x-auth-token`, `auth_token`, `basic_auth`, `authToken`, but NOT `author`, `authored` or
// `authentication` (the last one names a mechanism; its nested secrets are caught by their own
// keys). "tokens" (plural) is deliberately absent so LLM usage counts (`prompt_tokens`,
// `maxTokens`) survive; `pwd` is absent because as a key it is usually the working directory.
const SENSITIVE_WORDS = new Set([
  'password', 'passwords', 'passwd', 'passphrase', 'secret', 'secrets', 'token', 'credential',
  'credentials', 'auth', 'authorization', 'apikey', 'privatekey', 'accesskey', 'secretkey', 'cookie',
]);
// Two-word forms: api_key / apiKey / x-api-key, private_key, access_key (also access_key_id).
const SENSITIVE_PAIRS = new Set(['api key', 'private key', 'access key']);
// Keys describing a secret rather than holding it (token_count, tokenLimit, token_type,
// password_length, auth_type, token_expires): their values are metrics or enums, keep them.
const METADATA_WORDS = new Set([
  'count', 'counts', 'limit', 'limits', 'length', 'size', 'usage', 'type', 'max', 'min', 'total',
  'budget', 'expires', 'expiry', 'expiration', 'ttl',
]);

const keyCache = new Map<string, boolean>();
const KEY_CACHE_LIMIT = 4096;

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Whether the value under this object key must be replaced wholesale (see SENSITIVE_WORDS). */
export function isSensitiveKey(key: string): boolean {
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const words = keyWords(key);
  let sensitive = false;
  for (let i = 0; i < words.length && !sensitive; i++) {
    const w = words[i] ?? '';
    sensitive = SENSITIVE_WORDS.has(w) || (i > 0 && SENSITIVE_PAIRS.has(`${words[i - 1] ?? ''} ${w}`));
  }
  if (sensitive && words.some((w) => METADATA_WORDS.has(w))) sensitive = false;
  // Keys repeat endlessly across records; a bounded cache keeps this off the profile.
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(key, sensitive);
  return sensitive;
}

function defaultReplacement(name: string): string {
  const slug = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `[${slug || 'CUSTOM'}_REDACTED]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Compiled = { detector: Detector } | { problem: PatternProblem };

function compileExtra(entry: unknown, index: number): Compiled {
  const fail = (name: string, message: string): Compiled => ({ problem: { name, message } });
  if (!isRecord(entry)) return fail(`#${index}`, 'must be an object with "name" and "pattern"');
  const { name, pattern, flags, replacement } = entry;
  if (typeof name !== 'string' || name.trim() === '') return fail(`#${index}`, '"name" must be a non-empty string');
  if (typeof pattern !== 'string' || pattern === '') return fail(name, '"pattern" must be a non-empty string');
  if (flags !== undefined && typeof flags !== 'string') return fail(name, '"flags" must be a string');
  if (replacement !== undefined && typeof replacement !== 'string') return fail(name, '"replacement" must be a string');
  // Sticky would silently stop after the first non-adjacent match.
  if (flags?.includes('y')) return fail(name, 'flag "y" (sticky) is not supported');
  const allFlags = (flags ?? '').includes('g') ? (flags ?? '') : `${flags ?? ''}g`;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, allFlags);
  } catch (err) {
    return fail(name, `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  // An empty match would insert the replacement between every character.
  regex.lastIndex = 0;
  if (regex.test('')) return fail(name, 'matches the empty string; it must match at least one character');
  regex.lastIndex = 0;
  return {
    detector: Object.freeze({ kind: name, category: 'custom', marker: replacement ?? defaultReplacement(name), pattern: regex }),
  };
}

function bump(counts: Map<string, number>, kind: string, by = 1): void {
  counts.set(kind, (counts.get(kind) ?? 0) + by);
}

// Object.fromEntries defines own properties, so even a kind named "__proto__" is safe.
function toRecord(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries(counts) as Record<string, number>;
}

/** Replaces one detector's matches in `text`, counting only those actually replaced. */
function applyDetector(text: string, d: Detector, counts: Map<string, number>): string {
  let n = 0;
  const out = text.replace(d.pattern, (...args: unknown[]) => {
    const match = String(args[0]);
    const last = args[args.length - 1];
    const keep = typeof last === 'object' && last !== null ? ((last as Record<string, string | undefined>)['keep'] ?? '') : '';
    const value = match.slice(keep.length);
    if (value === '' || (d.validate !== undefined && !d.validate(value))) return match;
    n++;
    return keep + d.marker;
  });
  if (n > 0) bump(counts, d.kind, n);
  return out;
}

/**
 * Removes secrets and PII from text and JSON-like values before anything is stored. Built-in
 * detectors run first, extra patterns last, so a user pattern can never break up a secret and
 * leave part of it behind.
 */
export class Sanitizer {
  private readonly detectors: readonly Detector[];

  constructor(options: SanitizerOptions = {}) {
    const extras: Detector[] = [];
    (options.extraPatterns ?? []).forEach((entry, i) => {
      const c = compileExtra(entry, i);
      if ('problem' in c) throw new SanitizePatternError(c.problem.name, c.problem.message);
      extras.push(c.detector);
    });
    this.detectors = [...DETECTORS, ...extras];
  }

  /** Every problem in a list of extra patterns (empty when all are usable). Accepts raw settings. */
  static validatePatterns(list: unknown): PatternProblem[] {
    if (!Array.isArray(list)) return [{ name: 'extraPatterns', message: 'must be an array' }];
    const problems: PatternProblem[] = [];
    list.forEach((entry: unknown, i) => {
      const c = compileExtra(entry, i);
      if ('problem' in c) problems.push(c.problem);
    });
    return problems;
  }

  sanitizeText(text: string): SanitizeResult {
    const counts = new Map<string, number>();
    return { text: this.textInto(text, counts), redactions: toRecord(counts) };
  }

  redact(text: string): string {
    return this.textInto(text, new Map());
  }

  /** A sanitized deep copy; the input is never mutated. */
  sanitizeValue(value: unknown): unknown {
    return this.walk(value, new Map(), new Set());
  }

  sanitizeValueWithReport(value: unknown): SanitizeValueResult {
    const counts = new Map<string, number>();
    const out = this.walk(value, counts, new Set());
    return { value: out, redactions: toRecord(counts) };
  }

  private textInto(text: string, counts: Map<string, number>): string {
    // Nothing we detect is shorter than "::1"; skips single characters and tiny enums quickly.
    if (text.length < 3) return text;
    let out = text;
    for (const d of this.detectors) {
      if (d.precheck !== undefined && !d.precheck.test(out)) continue;
      out = applyDetector(out, d, counts);
    }
    return out;
  }

  // Follows JSON.stringify semantics (toJSON, own enumerable keys, functions/symbols dropped to
  // undefined) because the result is serialized for storage. `ancestors` holds only the current
  // path, so a shared (non-cyclic) sub-object is copied each time instead of flagged circular.
  private walk(value: unknown, counts: Map<string, number>, ancestors: Set<object>): unknown {
    if (typeof value === 'string') return this.textInto(value, counts);
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.has(value)) return MARKERS.circular;
    ancestors.add(value);
    try {
      const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.walk(toJSON.call(value) as unknown, counts, ancestors);
      if (Array.isArray(value)) {
        const arr: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) arr[i] = this.walk(value[i] as unknown, counts, ancestors);
        return arr;
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const raw = (value as Record<string, unknown>)[key];
        let v: unknown;
        if (isSensitiveKey(key)) {
          v = MARKERS.value;
          bump(counts, SENSITIVE_KEY_KIND);
        } else {
          v = this.walk(raw, counts, ancestors);
        }
        // Keys can hold PII too (e.g. a map keyed by email). Two keys redacted to the same text
        // get a numeric suffix rather than one silently overwriting the other.
        const clean = this.textInto(key, counts);
        let k = clean;
        if (clean !== key) for (let n = 2; Object.prototype.hasOwnProperty.call(out, k); n++) k = `${clean} #${n}`;
        // Plain assignment of "__proto__" would change the prototype instead of adding a key.
        if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        else out[k] = v;
      }
      return out;
    } finally {
      ancestors.delete(value);
    }
  }
}
