/*
 * Seeded random executions for property tests (export round trip, CSV read-back). The same
 * seed always gives the same executions, so a failure names its seed and can be replayed:
 * PROMPTLAB_PROP_SEEDS=<seed> node --import tsx --test test/unit/<file>.test.ts
 */
import type { ExecutionInput } from '../../../src/core/store';

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough to spread test cases; not for anything secret. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
export const chance = (rng: Rng, p: number): boolean => rng() < p;

/** Seeds from PROMPTLAB_PROP_SEEDS (comma separated), else the fixed CI seeds. */
export function seedsFromEnv(fixed: readonly number[]): number[] {
  const env = process.env.PROMPTLAB_PROP_SEEDS;
  if (!env) return [...fixed];
  if (env === 'random') return [Math.floor(Math.random() * 2 ** 31)];
  return env.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n));
}

export function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

/**
 * Pieces text is made of. Each is a whole unit (an emoji with its ZWJ sequence, a letter with
 * its combining mark), so slicing a generated string at a piece boundary never splits a pair.
 */
const PIECES: readonly string[] = [
  // plain words and CSV / JSON specials
  'the', 'quick', 'brown', 'fox', ' ', ' ', ' ', '.', ',', '"', "'", '""', '\\', '/', ';', ':', '{', '}', '[', ']', '|', '`',
  '\n', '\r\n', '\r', '\t', '  ', '<b>', '&amp;', '%s', '${x}', '{{var}}',
  // formula-injection triggers (at the start of a cell they must be neutralised)
  '=SUM(A1:A9)', '+1', '-2', '@cmd', '=HYPERLINK("http://evil.example")',
  // astral plane, ZWJ sequences, flags, skin tones
  '😀', '👩‍👩‍👧', '🇫🇷', '👍🏽', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '𠜎',
  // combining marks, precomposed vs decomposed (not normalised: stored as given)
  'e\u0301', 'é', 'a\u0338', 'Z\u0351\u0352\u0353', '\u0915\u094D\u0937',
  // right to left, bidi controls
  'שלום', 'مرحبا', '\u202Eevil\u202C', '\u200F', '\u200E', '\u2067x\u2069',
  // invisible and separators
  '\u200B', '\u200D', '\uFEFF', '\u00A0', '\u2028', '\u2029', '\u00AD',
  // NUL and other control characters (C0, DEL, C1)
  '\u0000', '\u0001', '\u0007', '\u001B[31m', '\u001F', '\u007F', '\u0085', '\u009B',
  // CJK and others
  '日本語', '中文', '한국어', 'Ελληνικά', 'кириллица',
  // things the sanitizer redacts (so the round trip also checks that sanitizing twice is a no-op)
  'mail bob@example.com now', 'call +1 415-555-0132', 'key sk-abcdefghijklmnopqrstuvwxyz012345', 'from 10.1.2.3',
];

/** Lone surrogates: not valid Unicode; see exportRoundTrip.test.ts for what the store does with them. */
export const LONE_SURROGATES: readonly string[] = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D'];

export interface TextOptions { loneSurrogates?: boolean }

/** Random text of about `maxLen` UTF-16 units at most (never splits a surrogate pair it made itself). */
export function randomText(rng: Rng, maxLen: number, opts: TextOptions = {}): string {
  const target = int(rng, 0, maxLen);
  let out = '';
  while (out.length < target) {
    const piece = opts.loneSurrogates && chance(rng, 0.02) ? pick(rng, LONE_SURROGATES) : pick(rng, PIECES);
    if (out.length + piece.length > maxLen) break;
    out += piece;
  }
  return out;
}

/** Non-empty text (for fields with `min(1)`), not only byte order marks (the store refuses an id that is only that). */
export function randomName(rng: Rng, maxLen: number, opts: TextOptions = {}): string {
  const t = randomText(rng, maxLen, opts);
  return t.replace(/^\uFEFF+/, '').length ? t : `x${t}`.slice(0, Math.max(1, maxLen));
}

/** A large text built from repeated random chunks (fast enough for 1–5 MB). */
export function hugeText(rng: Rng, chars: number): string {
  const chunks = Array.from({ length: 16 }, () => randomText(rng, 4000, { loneSurrogates: false }) + '😀');
  let out = '';
  while (out.length < chars) out += pick(rng, chunks);
  // Cut between two code points, not inside a pair.
  let end = chars;
  const c = out.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return out.slice(0, end);
}

/** Object keys a JSON column must survive: empty, dotted, numeric, prototype names, unicode, sensitive. */
const ODD_KEYS: readonly string[] = ['', 'a.b', 'a', 'b', '1', '10', '__proto__', 'constructor', 'toString', 'k\u0000ey', 'ключ', '🔑',
  'with space', 'quote"d', 'comma,key', 'line\nbreak', 'apiKey', 'password', 'token_count', 'nested'];

function randomJson(rng: Rng, depth: number, opts: TextOptions): unknown {
  const r = rng();
  if (depth <= 0 || r < 0.45) {
    switch (int(rng, 0, 7)) {
      case 0: return null;
      case 1: return chance(rng, 0.5);
      case 2: return int(rng, -1_000_000, 1_000_000);
      case 3: return pick(rng, [0, -0, 0.1, 1e-300, 5e-324, 1.7976931348623157e308, -123.456, 2 ** 53 + 2, 1 / 3]);
      default: return randomText(rng, 60, opts);
    }
  }
  if (r < 0.7) return Array.from({ length: int(rng, 0, 4) }, () => randomJson(rng, depth - 1, opts));
  return randomObject(rng, depth - 1, opts);
}

export function randomObject(rng: Rng, depth: number, opts: TextOptions = {}): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = int(rng, 0, 5);
  for (let i = 0; i < n; i++) {
    const key = chance(rng, 0.6) ? pick(rng, ODD_KEYS) : randomText(rng, 12, opts);
    const value = randomJson(rng, depth, opts);
    // `__proto__` must be an own property (as JSON.parse makes it), not a prototype change.
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

function randomDate(rng: Rng): string {
  // Years 1000–9000: far from the ISO-8601 four-digit limits (see the report on createdAt near 9999).
  const ms = int(rng, Date.UTC(1000, 0, 1), Date.UTC(9000, 0, 1));
  const iso = new Date(ms).toISOString();
  switch (int(rng, 0, 3)) {
    case 0: return iso;
    case 1: return iso.replace(/\.\d{3}Z$/, 'Z');
    case 2: { // the same instant written with an offset
      const off = pick(rng, [330, -480, 60, -720, 840, 0]);
      const local = new Date(ms + off * 60_000).toISOString().slice(0, 23);
      const sign = off < 0 ? '-' : '+';
      const a = Math.abs(off);
      return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
    }
    default: return new Date(int(rng, Date.UTC(2024, 0, 1), Date.UTC(2027, 0, 1))).toISOString();
  }
}

const nullable = <T>(rng: Rng, make: () => T, pNull = 0.3): T | null => (chance(rng, pNull) ? null : make());

export interface ExecutionOptions extends TextOptions {
  /** Probability of a field being null where it may be (default 0.3; 1 = every nullable field null). */
  pNull?: number;
  /** Size of prompt/response texts (default up to 2,000 units). */
  textChars?: number;
}

/**
 * A random execution input with a unique id (`<tag>-<i>` plus odd characters). Lengths stay
 * below the schema limits with room for redaction markers, which are longer than what they
 * replace: a limited field that grows past its limit when sanitized is a separate finding.
 */
export function randomExecution(rng: Rng, tag: string, i: number, opts: ExecutionOptions = {}): ExecutionInput {
  const p = opts.pNull ?? 0.3;
  const t = (max: number) => () => randomName(rng, max, opts);
  const textChars = opts.textChars ?? 2000;
  const emptyText = chance(rng, 0.1);
  return {
    id: `${tag}-${i}${randomText(rng, 20, opts)}`,
    promptId: randomName(rng, 60, opts),
    promptVersion: nullable(rng, t(40), p),
    promptHash: nullable(rng, () => int(rng, 0, 2 ** 31).toString(16), p),
    variant: nullable(rng, t(30), p),
    experimentId: nullable(rng, t(30), p),
    runId: nullable(rng, t(30), p),
    testCaseId: nullable(rng, t(30), p),
    provider: nullable(rng, t(20), p),
    model: nullable(rng, t(40), p),
    modelConfig: chance(rng, 0.2) ? {} : randomObject(rng, 2, opts),
    promptText: emptyText ? '' : randomText(rng, textChars, opts),
    responseText: emptyText ? '' : randomText(rng, textChars, opts),
    tokensIn: nullable(rng, () => int(rng, 0, 200_000), p),
    tokensOut: nullable(rng, () => pick(rng, [0, 1, int(rng, 0, 50_000), 2 ** 53 - 1]), p),
    costUsd: nullable(rng, () => pick(rng, [0, -0, 1e-9, rng() * 3, 123.456789]), p),
    latencyMs: nullable(rng, () => pick(rng, [0, rng() * 60_000, 0.5]), p),
    timeToFirstTokenMs: nullable(rng, () => rng() * 5000, p),
    success: chance(rng, 0.7),
    errorType: nullable(rng, t(40), p),
    errorMessage: nullable(rng, () => randomText(rng, 400, opts), p),
    qualityScore: nullable(rng, () => pick(rng, [0, 1, rng(), 0.1 + 0.2]), p),
    quality: nullable(rng, () => randomObject(rng, 3, opts), p),
    tags: Array.from({ length: int(rng, 0, 5) }, () => randomName(rng, 40, opts)),
    metadata: chance(rng, 0.2) ? {} : randomObject(rng, 3, opts),
    userId: nullable(rng, t(30), p),
    sessionId: nullable(rng, t(30), p),
    environment: nullable(rng, t(20), p),
    createdAt: randomDate(rng),
  };
}
