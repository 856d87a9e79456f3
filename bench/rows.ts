import * as fs from 'node:fs';
import type { SqlValue } from 'sql.js';
import type { TrackContext } from '../src/core/runner/track';
import type { ExecutionRecord } from '../src/core/store/executionRecord';
import { ADJECTIVES, FUNCTION_WORDS, NOUNS, TECH_WORDS, VERBS } from './words';

/*
 * Deterministic, realistic execution rows (~3.5 KB of text each: prompt ~2 KB, response
 * ~1.5 KB) for the bench. Row i depends only on (seed, i, n), so any process regenerates the
 * same row. Text is sampled word by word from an inflected English vocabulary of a few
 * thousand words with a Zipf-like distribution, in sentences and paragraphs, so the FTS
 * index and deflate see realistic term counts and no repeated block.
 */

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 1); // fixed "now": reproducible rows
export const MID_TERM = 'kubernetes'; // planted in ~5% of prompts
export const RARE_TERM = 'xylophonequartz'; // planted in ~0.1% of responses
export const RARE_TAG = 'rare-tag'; // ~1% of rows
export const COMMON_TAG = 'team-core'; // ~30% of rows
export const PROMPT_COUNT = 50;

/** mulberry32: small, fast, seedable. */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- vocabulary ----

function plural(w: string): string {
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + 'ies';
  if (/(s|x|ch|sh)$/.test(w)) return w + 'es';
  return w + 's';
}
function verbForms(w: string): string[] {
  const stem = w.endsWith('e') ? w.slice(0, -1) : w;
  const past = /[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'ied' : w.endsWith('e') ? w + 'd' : w + 'ed';
  return [w, /(s|x|ch|sh)$/.test(w) ? w + 'es' : /[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'ies' : w + 's', past, stem + 'ing'];
}
function adverb(w: string): string {
  if (w.endsWith('le')) return w.slice(0, -1) + 'y';
  if (w.endsWith('y')) return w.slice(0, -1) + 'ily';
  if (w.endsWith('ic')) return w + 'ally';
  return w + 'ly';
}

function buildVocabulary(): { content: string[]; cdf: Float64Array } {
  const set = new Set<string>();
  for (const n of NOUNS) { set.add(n); set.add(plural(n)); }
  for (const v of VERBS) for (const f of verbForms(v)) set.add(f);
  for (const a of ADJECTIVES) { set.add(a); set.add(adverb(a)); }
  for (const t of TECH_WORDS) set.add(t);
  for (const f of FUNCTION_WORDS) set.delete(f);
  set.delete(MID_TERM);
  set.delete(RARE_TERM);
  const content = [...set];
  // Deterministic shuffle: frequency rank is unrelated to alphabetical order or word class.
  const r = prng(20261101);
  for (let i = content.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [content[i], content[j]] = [content[j]!, content[i]!];
  }
  // Zipf (s = 1.07) over content words: a few hundred common words, a long tail of rare ones.
  const cdf = new Float64Array(content.length);
  let acc = 0;
  for (let k = 0; k < content.length; k++) { acc += 1 / Math.pow(k + 2.7, 1.07); cdf[k] = acc; }
  for (let k = 0; k < cdf.length; k++) cdf[k]! /= acc;
  return { content, cdf };
}

const VOCAB = buildVocabulary();
export const VOCABULARY_SIZE = VOCAB.content.length + FUNCTION_WORDS.length;

function contentWord(r: () => number): string {
  const u = r();
  const cdf = VOCAB.cdf;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1; else hi = mid;
  }
  return VOCAB.content[lo]!;
}

function functionWord(r: () => number): string {
  const u = r();
  return FUNCTION_WORDS[Math.floor(FUNCTION_WORDS.length * u * u)]!; // "the", "of", "and" most often
}

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]!;
}

function sentence(r: () => number): string {
  const len = 6 + Math.floor(r() * 17);
  const words: string[] = [];
  let lastNumber = false;
  for (let k = 0; k < len; k++) {
    const u = r();
    if (u < 0.42) { words.push(functionWord(r)); lastNumber = false; }
    else if (u < 0.975 || lastNumber) { words.push(contentWord(r)); lastNumber = false; }
    else if (u < 0.988) { words.push(String(1 + Math.floor(r() * 400))); lastNumber = true; }
    else { words.push(contentWord(r) + capitalise(contentWord(r))); lastNumber = false; } // an identifier: retryPolicy
    if (k > 2 && k < len - 2 && r() < 0.06) words[words.length - 1] += ',';
  }
  const end = r();
  return capitalise(words.join(' ')) + (end < 0.86 ? '.' : end < 0.95 ? '?' : '!');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function paragraph(r: () => number, sentences: number): string {
  const out: string[] = [];
  for (let k = 0; k < sentences; k++) out.push(sentence(r));
  return out.join(' ');
}

/** Prose of about `chars` characters, in paragraphs, sometimes a bullet list. */
function prose(r: () => number, chars: number, bullets: boolean): string {
  const parts: string[] = [];
  let size = 0;
  while (size < chars) {
    let p: string;
    if (bullets && r() < 0.3) {
      const items: string[] = [];
      const nItems = 3 + Math.floor(r() * 4);
      for (let k = 0; k < nItems; k++) items.push('- ' + sentence(r));
      p = items.join('\n');
    } else {
      p = paragraph(r, 2 + Math.floor(r() * 4));
    }
    parts.push(p);
    size += p.length + 2;
  }
  const text = parts.join('\n\n');
  // Cut at a word boundary near the target so lengths vary smoothly around it.
  const cut = text.lastIndexOf(' ', chars);
  return cut > chars * 0.8 ? text.slice(0, cut) : text.slice(0, chars);
}

// ---- per-prompt templates (same prompt id, same instructions; the inputs vary) ----

const TASKS = ['summarise', 'classify', 'extract', 'translate', 'answer', 'rewrite', 'review', 'plan'];
const DOMAINS = ['support', 'billing', 'logistics', 'engineering', 'legal', 'marketing', 'research'];
const PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;
const MODELS: Record<string, string[]> = { openai: ['gpt-4o', 'gpt-4o-mini'], anthropic: ['claude-sonnet-4', 'claude-haiku-3.5'], ollama: ['llama3.1:8b', 'qwen2.5:14b'] };
const VARIANTS = ['A', 'B', 'control'];

interface PromptTemplate { task: string; domain: string; header: string; question: string }
const TEMPLATES: PromptTemplate[] = Array.from({ length: PROMPT_COUNT }, (_, p) => {
  const r = prng(7000 + p);
  const task = pick(r, TASKS);
  const domain = pick(r, DOMAINS);
  const header = `You are a careful ${domain} assistant. Your task is to ${task} the input below. ` + paragraph(r, 3);
  return { task, domain, header, question: sentence(r) };
});

function hex(r: () => number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
}

function uuid(r: () => number): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
}

function gauss(r: () => number): number {
  let u = 0;
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Row i of n (the executions span 90 days before NOW, oldest first). */
export function makeRecord(i: number, n: number, seed = 1): ExecutionRecord {
  const r = prng((Math.imul(seed, 2654435761) + Math.imul(i, 40503)) >>> 0);
  const pIdx = Math.floor(PROMPT_COUNT * r() * r());
  const tpl = TEMPLATES[pIdx]!;
  const provider = pick(r, PROVIDERS);
  const model = pick(r, MODELS[provider]!);
  const success = r() >= 0.05;
  const span = 90 * DAY;
  const createdAt = NOW - span + Math.floor((i / n) * span) + Math.floor(r() * 1000);
  let prompt = `${tpl.header}\n\nInput:\n${prose(r, 1350 + Math.floor(r() * 500), false)}\n\nQuestion: ${tpl.question}`;
  if (r() < 0.05) {
    const at = prompt.indexOf(' ', Math.floor(r() * prompt.length * 0.9));
    prompt = at > 0 ? `${prompt.slice(0, at)} ${MID_TERM}${prompt.slice(at)}` : `${MID_TERM} ${prompt}`;
  }
  let response = success ? prose(r, 1200 + Math.floor(r() * 600), true) : '';
  if (success && r() < 0.001) {
    const at = response.indexOf(' ', Math.floor(r() * response.length * 0.9));
    response = at > 0 ? `${response.slice(0, at)} ${RARE_TERM}${response.slice(at)}` : `${RARE_TERM} ${response}`;
  }
  const tags = [`task-${tpl.task}`, `domain-${tpl.domain}`, `model-${model.replace(/[^a-z0-9.-]/g, '-')}`, 'env-development'];
  if (r() < 0.3) tags.push(COMMON_TAG);
  if (r() < 0.2) tags.push(`sprint-${1 + Math.floor(r() * 12)}`);
  if (r() < 0.01) tags.push(RARE_TAG);
  const inExperiment = r() < 0.3;
  const quality = success && r() < 0.6 ? { relevance: round(r(), 2), coherence: round(r(), 2), factuality: round(r(), 2) } : null;
  const latencyMs = Math.round(Math.exp(7.1 + 0.6 * gauss(r)));
  const tokensIn = Math.round(prompt.length / 4);
  const tokensOut = Math.round(response.length / 4);
  return {
    id: uuid(r),
    promptId: `prompt-${pIdx}`,
    promptVersion: String(1 + Math.floor(r() * 5)),
    promptHash: hex(r, 16),
    variant: inExperiment ? pick(r, VARIANTS) : null,
    experimentId: inExperiment ? `exp-${pIdx % 7}` : null,
    runId: `run-${Math.floor(i / 40)}`,
    testCaseId: `case-${Math.floor(r() * 200)}`,
    provider,
    model,
    modelConfig: { temperature: round(r(), 2), top_p: 0.95, max_tokens: 1024, seed: Math.floor(r() * 1e6), stream: false },
    promptText: prompt,
    responseText: response,
    tokensIn,
    tokensOut,
    costUsd: round((tokensIn * 2.5 + tokensOut * 10) / 1e6, 6),
    latencyMs,
    timeToFirstTokenMs: Math.round(latencyMs * (0.1 + 0.2 * r())),
    success,
    errorType: success ? null : 'RateLimitError',
    errorMessage: success ? null : '429 Too Many Requests (retry after 20s)',
    qualityScore: quality ? round((quality.relevance + quality.coherence + quality.factuality) / 3, 3) : null,
    quality,
    tags,
    metadata: { workspace: `ws-${Math.floor(r() * 5)}`, extension_version: '0.1.0', trace_id: hex(r, 32), attempt: 1 + Math.floor(r() * 2) },
    userId: `user-${Math.floor(r() * 20)}`,
    sessionId: `session-${Math.floor(i / 200)}`,
    environment: 'development',
    createdAt: new Date(createdAt).toISOString(),
  };
}

/** The same row as a Tracker call: the context, and what the tracked function fills in. */
export function toTrack(rec: ExecutionRecord): { ctx: TrackContext; fill: (ex: { responseText: string; tokensIn: number | null; tokensOut: number | null; costUsd: number | null; qualityScore: number | null; failure: { type: string; message: string } | null }) => void } {
  const [task, domain] = [rec.tags[0]!.replace(/^task-/, ''), rec.tags[1]!.replace(/^domain-/, '')];
  return {
    ctx: {
      promptId: rec.promptId, promptText: rec.promptText, modelConfig: rec.modelConfig, provider: rec.provider ?? undefined,
      model: rec.model ?? undefined, promptVersion: rec.promptVersion ?? undefined, promptHash: rec.promptHash ?? undefined,
      variant: rec.variant ?? undefined, experimentId: rec.experimentId ?? undefined, runId: rec.runId ?? undefined,
      testCaseId: rec.testCaseId ?? undefined, task, domain, tags: rec.tags.slice(4), metadata: rec.metadata,
    },
    fill: (ex) => {
      ex.responseText = rec.responseText;
      ex.tokensIn = rec.tokensIn;
      ex.tokensOut = rec.tokensOut;
      ex.costUsd = rec.costUsd;
      ex.qualityScore = rec.qualityScore;
      if (!rec.success) ex.failure = { type: rec.errorType ?? 'Error', message: rec.errorMessage ?? '' };
    },
  };
}

/** Columns of the reference's raw schema (shared/reference/sqljs-measurements/common.js), full text in the row. */
export const RAW_COLS = ['id', 'prompt_id', 'prompt_version', 'variant', 'provider', 'model', 'model_config', 'prompt_text',
  'response_text', 'tokens_in', 'tokens_out', 'latency_ms', 'success', 'error', 'quality_score', 'scores', 'tags',
  'metadata', 'created_at'];

export function toRawParams(rec: ExecutionRecord): SqlValue[] {
  return [rec.id, rec.promptId, Number(rec.promptVersion ?? 1), rec.variant, rec.provider ?? '', rec.model ?? '',
    JSON.stringify(rec.modelConfig), rec.promptText, rec.responseText, rec.tokensIn, rec.tokensOut, rec.latencyMs,
    rec.success ? 1 : 0, rec.errorMessage, rec.qualityScore, rec.quality === null ? null : JSON.stringify(rec.quality),
    JSON.stringify(rec.tags), JSON.stringify(rec.metadata), Date.parse(rec.createdAt)];
}

export interface RowCounts { rows: number; midTerm: number; rareTerm: number; rareTag: number; commonTag: number; failed: number; byPrompt: Map<string, number>; textChars: number; promptChars: number; responseChars: number }

export function emptyCounts(): RowCounts {
  return { rows: 0, midTerm: 0, rareTerm: 0, rareTag: 0, commonTag: 0, failed: 0, byPrompt: new Map(), textChars: 0, promptChars: 0, responseChars: 0 };
}

export function countRow(c: RowCounts, rec: ExecutionRecord): void {
  c.rows++;
  if (rec.promptText.includes(MID_TERM) || rec.responseText.includes(MID_TERM)) c.midTerm++;
  if (rec.responseText.includes(RARE_TERM) || rec.promptText.includes(RARE_TERM)) c.rareTerm++;
  if (rec.tags.includes(RARE_TAG)) c.rareTag++;
  if (rec.tags.includes(COMMON_TAG)) c.commonTag++;
  if (!rec.success) c.failed++;
  c.byPrompt.set(rec.promptId, (c.byPrompt.get(rec.promptId) ?? 0) + 1);
  c.promptChars += rec.promptText.length;
  c.responseChars += rec.responseText.length;
  c.textChars += rec.promptText.length + rec.responseText.length;
}

/** Writes rows 0..n-1 as JSONL (the import format); returns what the rows contain. */
export function writeJsonl(file: string, n: number, seed = 1): RowCounts {
  const counts = emptyCounts();
  const fd = fs.openSync(file, 'w');
  try {
    let buf: string[] = [];
    for (let i = 0; i < n; i++) {
      const rec = makeRecord(i, n, seed);
      countRow(counts, rec);
      buf.push(JSON.stringify(rec) + '\n');
      if (buf.length === 500) { fs.writeSync(fd, buf.join('')); buf = []; }
    }
    if (buf.length) fs.writeSync(fd, buf.join(''));
  } finally {
    fs.closeSync(fd);
  }
  return counts;
}
