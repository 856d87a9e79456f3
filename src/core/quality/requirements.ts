/*
 * Requirements a prompt states explicitly, extracted with patterns over its instruction part
 * (see promptTask.ts). Each is later checked against the response by completeness.ts.
 *
 * Kinds:
 * - count:  "list 3 benefits", "exactly 5 bullet points", "five reasons", "a 3-day itinerary";
 * - length: "under 100 words", "in one sentence", "no more than 2 sentences";
 * - json:   "return JSON with the keys name, email and phone";
 * - mention: each item of an "A, B and C" enumeration, each of several questions or requests
 *   ("Summarize … and then list the action items"), each numbered ask;
 * - work:   "show your work", "explain your reasoning", "walk me through".
 * Only "and" enumerations count: "positive, negative or neutral" offers options, not a checklist.
 */
import type { ChatMessage } from '../prompt/types';
import { instructionText, numberedAsks, REQUEST_VERBS, startsWithRequest } from './promptTask';
import type { LengthUnit } from './responseShape';
import { STOP_WORDS } from './stopWords';
import { contentLemmas, lemma, sentences } from './textTokens';

export type Requirement =
  | { kind: 'count'; label: string; n: number; mode: 'exact' | 'min'; unit: string }
  | { kind: 'length'; label: string; n: number; mode: 'max' | 'exact' | 'min'; unit: LengthUnit }
  | { kind: 'json'; label: string; keys: string[] }
  | { kind: 'mention'; label: string; terms: string[]; structural?: 'title' }
  | { kind: 'work'; label: string };

const NUMBER_WORDS: Record<string, number> = {
  one: 1, single: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, dozen: 12, couple: 2, pair: 2,
};
const NUM = String.raw`(\d{1,5}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)`;

function toNumber(token: string): number {
  return NUMBER_WORDS[token] ?? Number(token);
}

// Measures and spans are amounts, not deliverables: "convert 5 miles", "my 5 years of experience".
const NOT_COUNTABLE = new Set(
  ('years months weeks days hours minutes seconds miles kilometers kilometres km meters metres feet inches pounds kilograms kg grams ' +
    'dollars euros cents percent times bytes calories pills degrees words characters chars sentences paragraphs lines tokens').split(' '),
);
const LENGTH_UNITS: Record<string, LengthUnit> = {
  word: 'words', words: 'words', character: 'characters', characters: 'characters', chars: 'characters',
  sentence: 'sentences', sentences: 'sentences', paragraph: 'paragraphs', paragraphs: 'paragraphs', line: 'lines', lines: 'lines',
};

export function extractRequirements(prompt: ChatMessage[] | string): Requirement[] {
  const instruction = instructionText(prompt);
  const lower = instruction.toLowerCase();
  const out: Requirement[] = [];
  out.push(...lengthLimits(lower));
  out.push(...counts(lower));
  const json = jsonRequirement(lower);
  if (json) out.push(json);
  if (/\b(?:show (?:your|the|all) (?:work|working|steps|calculations?|reasoning)|explain your reasoning|justify your answer|walk me through)\b/.test(lower)) {
    out.push({ kind: 'work', label: 'show the working' });
  }
  // Enumeration items first: when a clause names the same thing, the item's label is the clearer one.
  out.push(...enumerations(lower, json !== null));
  const asks = numberedAsks(prompt);
  const clauses = asks.length >= 2 ? asks : requestClauses(instruction);
  if (clauses.length >= 2) out.push(...mentionsOfClauses(clauses));
  return dedupe(out);
}

function lengthLimits(lower: string): Requirement[] {
  const out: Requirement[] = [];
  const max = new RegExp(String.raw`\b(?:under|fewer than|less than|no more than|not more than|at most|maximum of|max(?:imum)?|up to|within|no longer than|not exceeding|shorter than)\s+${NUM}\s+(words?|characters?|chars|sentences?|paragraphs?|lines?)\b`, 'g');
  for (const m of lower.matchAll(max)) push(out, toNumber(m[1] ?? ''), 'max', m[2] ?? '', m[0]);
  const orFewer = new RegExp(String.raw`\b${NUM}\s+(words?|characters?|sentences?|paragraphs?|lines?)\s+or\s+(?:less|fewer)\b`, 'g');
  for (const m of lower.matchAll(orFewer)) push(out, toNumber(m[1] ?? ''), 'max', m[2] ?? '', m[0]);
  const atLeast = new RegExp(String.raw`\bat least\s+${NUM}\s+(words?|sentences?|paragraphs?)\b`, 'g');
  for (const m of lower.matchAll(atLeast)) push(out, toNumber(m[1] ?? ''), 'min', m[2] ?? '', m[0]);
  // Only when no limit word already set this unit. "in one sentence", "in a single paragraph", "in two or three sentences" (the upper bound then).
  const exact = new RegExp(String.raw`\bin\s+(?:a\s+single|a|${NUM}(?:\s+(?:or|to)\s+${NUM})?)\s+(sentences?|paragraphs?|lines?)\b`, 'g');
  for (const m of lower.matchAll(exact)) {
    if (out.some((r) => r.kind === 'length' && r.unit === LENGTH_UNITS[m[3] ?? ''])) continue;
    if (m[2]) push(out, toNumber(m[2]), 'max', m[3] ?? '', m[0]);
    else push(out, m[1] ? toNumber(m[1]) : 1, 'exact', m[3] ?? '', m[0]);
  }
  // "a two-sentence story", "a 300-word essay".
  for (const m of lower.matchAll(new RegExp(String.raw`\b${NUM}-(sentence|paragraph|line|word)\b`, 'g'))) {
    push(out, toNumber(m[1] ?? ''), m[2] === 'word' ? 'max' : 'exact', `${m[2] ?? ''}s`, m[0]);
  }
  return out;
}

function push(out: Requirement[], n: number, mode: 'max' | 'exact' | 'min', unitWord: string, phrase: string): void {
  const unit = LENGTH_UNITS[unitWord];
  if (unit && n > 0) out.push({ kind: 'length', label: phrase.trim(), n, mode, unit });
}

function counts(lower: string): Requirement[] {
  const out: Requirement[] = [];
  for (const sentence of lower.split(/(?<=[.!?;])\s+|\n+/)) {
    const re = new RegExp(String.raw`\b(?:(exactly|at least|only|just|top|first|the)\s+)?${NUM}\s+((?:[a-z][a-z'-]*\s+){0,3}?)([a-z]+s|people|children|criteria)\b`, 'g');
    for (const m of sentence.matchAll(re)) {
      const qualifier = m[1] ?? '';
      const n = toNumber(m[2] ?? '');
      const noun = m[4] ?? '';
      if (n < 2 || n > 50 || NOT_COUNTABLE.has(noun) || /ss$/.test(noun)) continue;
      // Asked for, not described: a request verb just before ("give me five", "list the first 10"),
      // "with/containing N", or an explicit qualifier. "…a team of 4 engineers" is not a count.
      const before = (sentence.slice(0, m.index).match(/[a-z]+/g) ?? []).slice(-4);
      const asked = qualifier === 'exactly' || qualifier === 'top' || qualifier === 'at least' ||
        before.some((w) => REQUEST_VERBS.has(w)) || ['with', 'containing', 'includes', 'including'].includes(before[before.length - 1] ?? '');
      if (!asked) continue;
      const unit = `${(m[3] ?? '').trim()} ${noun}`.trim();
      out.push({ kind: 'count', label: m[0].trim(), n, mode: qualifier === 'exactly' ? 'exact' : 'min', unit });
    }
    // Compound counts: "a 3-day itinerary", "a five-step plan", "a 10-point checklist".
    for (const m of sentence.matchAll(new RegExp(String.raw`\b${NUM}-(day|step|point|part|item|question|bullet|stage|phase|week)\b`, 'g'))) {
      const n = toNumber(m[1] ?? '');
      if (n >= 2 && n <= 50) out.push({ kind: 'count', label: m[0], n, mode: 'min', unit: `${m[2] ?? ''}s` });
    }
  }
  return out;
}

function jsonRequirement(lower: string): Requirement | null {
  // JSON as the answer's format, not as a topic ("the difference between JSON and XML").
  if (!/\b(?:as|in|into|return|returns|output|respond with|reply with|formatted as|format as|valid)\s+(?:a\s+|an\s+|the\s+)?json\b|\bjson\s+(?:object|array|list|format|output|response|document)\b/.test(lower)) return null;
  const keysPhrase = /\b(?:keys?|fields?|properties|attributes)\b\s*(?::|named|called)?\s*([^.;:!?]+)/.exec(lower);
  const keys = keysPhrase ? splitList(keysPhrase[1] ?? '').map((k) => k.replace(/[`"'*]/g, '').trim()).filter((k) => k !== '' && k.split(/\s+/).length <= 3) : [];
  return { kind: 'json', label: keys.length > 0 ? `JSON with ${keys.join(', ')}` : 'a JSON answer', keys };
}

/** "name, email and phone extracted from" → [name, email, phone] (stops at a preposition after the last item). */
function splitList(phrase: string): string[] {
  const cut = phrase.split(/\s+(?:from|extracted|for|of|in|that|which|based|using|with)\s+/)[0] ?? phrase;
  return cut.split(/\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+&\s+/).map((s) => s.replace(/^(?:the|a|an)\s+/, '').trim());
}

const WH_START = /^(?:(?:please|then|also|now|finally|and|roughly|approximately)\s+)*(?:what|why|how|when|where|which|who|whose)\b/i;
// "A or B" offers options ("answer yes or no", "positive, negative or neutral"): not things to mention.
const OPTIONS = /\b[\w-]+(?:,\s*[\w-]+)*,?\s+or\s+[\w-]+/gi;

/** Separate requests: questions and imperative sentences, split again at "and (then) <verb>" / ", and <wh-word>". */
function requestClauses(instruction: string): string[] {
  const out: string[] = [];
  for (const s of sentences(instruction.replace(/:\s*$/, '.'))) {
    const parts = s.split(/,?\s+and\s+(?=(?:then\s+|also\s+)?[a-z]+)/i);
    let current = parts[0] ?? '';
    for (const p of parts.slice(1)) {
      if (startsWithRequest(p) || WH_START.test(p)) {
        out.push(current);
        current = p;
      } else current += ` and ${p}`;
    }
    out.push(current);
  }
  return out.filter((c) => c.trim().endsWith('?') || startsWithRequest(c) || WH_START.test(c.trim()));
}

/** Each clause must be answered: checked by its distinctive content words (those not shared by all clauses). */
function mentionsOfClauses(clauses: readonly string[]): Requirement[] {
  const termsOf = clauses.map((c) => [...new Set(contentLemmas(c.replace(OPTIONS, ' ')))]);
  return clauses.flatMap((clause, i): Requirement[] => {
    const own = termsOf[i] ?? [];
    const distinctive = own.filter((t) => !termsOf.every((other, j) => j === i || other.includes(t)));
    const terms = distinctive.length > 0 ? distinctive : own;
    if (terms.length === 0) return [];
    return [{ kind: 'mention', label: `answer "${clause.trim().replace(/[.?!]+$/, '')}"`, terms }];
  });
}

// Words where a noun phrase ends (looking forward) or starts (looking back).
const ANCHORS = new Set(
  ('on of in for with from to into about by as than between including like per at over under against without is are am was were be been ' +
    'have has had do does that which who so because then if when where while how what why whether there called named').split(' '),
);
const DETERMINERS = new Set('a an the my your our their his her its this these those i we you he she they some any each both'.split(' '));
const ASKS_TO_INCLUDE = /\b(?:include|includes|including|mention|mentions|cover|covers|contain|contains|with (?:headings|sections|columns))\b/;
const STRUCTURAL = new Set(['title', 'heading', 'headline', 'subject']);

/** Each item of every "A, B and C" enumeration in the instruction. */
function enumerations(lower: string, hasJsonKeys: boolean): Requirement[] {
  const out: Requirement[] = [];
  for (const sentence of lower.split(/(?<=[.!?;:])\s+|\n+/)) {
    if (hasJsonKeys && /\b(?:keys?|fields?|properties|attributes)\b/.test(sentence)) continue;
    // Only what is asked for: a statement ("I feel tired and I can't sleep") lists no deliverables.
    if (!sentence.includes('?') && !startsWithRequest(sentence) && !ASKS_TO_INCLUDE.test(sentence)) continue;
    const pieces = sentence.split(/(\s*,\s*and\s+|\s*,\s*|\s+and\s+|\s+&\s+)/);
    const segs = pieces.filter((_, i) => i % 2 === 0);
    const seps = pieces.filter((_, i) => i % 2 === 1).map((s) => (/and|&/.test(s) ? 'and' : ','));
    for (let i = 0; i < seps.length; i++) {
      if (seps[i] !== 'and') continue;
      const after = segs[i + 1] ?? '';
      if (startsWithRequest(after) || WH_START.test(after)) continue;
      const items = [lead(after)];
      let j = i;
      while (j >= 0) {
        const seg = segs[j] ?? '';
        const whole = words(seg);
        const middle = j > 0 && seps[j - 1] === ',' && whole.length <= 6 && !whole.some(isVerbOfAsking);
        items.unshift(middle ? lead(seg) : trail(seg));
        if (!middle) break;
        j--;
      }
      // Section names such as "summary" or "example" count here, so instruction words are kept.
      const terms = items.map((it) => [...new Set(it.filter((w) => !STOP_WORDS.has(w) && !/^\d/.test(w)).map(lemma))]);
      if (terms.some((t) => t.length === 0 || t.length > 4)) continue;
      for (const [k, t] of terms.entries()) {
        const phrase = (items[k] ?? []).join(' ');
        out.push({ kind: 'mention', label: `mention "${phrase}"`, terms: t, ...(t.length === 1 && STRUCTURAL.has(t[0] ?? '') ? { structural: 'title' as const } : {}) });
      }
    }
  }
  return out;
}

function isVerbOfAsking(w: string): boolean {
  return REQUEST_VERBS.has(w) || REQUEST_VERBS.has(lemma(w));
}

function words(s: string): string[] {
  return s.match(/[a-z0-9][a-z0-9'-]*/g) ?? [];
}

/** Words after the last anchor: "include a title" → [title]; "translate into french" → [french]. */
function trail(seg: string): string[] {
  const w = words(seg);
  let start = w.length;
  while (start > 0 && !ANCHORS.has(w[start - 1] ?? '') && !isVerbOfAsking(w[start - 1] ?? '')) start--;
  return w.slice(start).filter((x) => !DETERMINERS.has(x));
}

/** Words up to the first anchor after some content: "google cloud on pricing" → [google, cloud]. */
function lead(seg: string): string[] {
  const w = words(seg);
  const out: string[] = [];
  for (const x of w) {
    if (DETERMINERS.has(x) || ((ANCHORS.has(x) || isVerbOfAsking(x)) && out.length === 0)) continue;
    if (ANCHORS.has(x) || isVerbOfAsking(x)) break;
    out.push(x);
  }
  return out;
}

function dedupe(list: Requirement[]): Requirement[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const key = r.kind === 'mention' ? `mention:${r.terms.join(' ')}` : `${r.kind}:${r.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
