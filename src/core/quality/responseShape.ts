/*
 * Structure found in a response: list items, tables, headings, paragraphs, JSON. Shared by
 * completeness (counting what was asked for) and clarity (structure where it was requested).
 */
import { sentences, wordCount } from './textTokens';

const BULLET = /^\s{0,3}[-*•+]\s+\S/;
const NUMBERED = /^\s{0,3}(?:\d+[.)]|[a-z][.)]|\(\d+\))\s+\S/i;
const HEADING = /^\s{0,3}(?:#{1,6}\s+\S|\*\*[^*\n]{1,80}\*\*\s*:?\s*$|__[^_\n]{1,80}__\s*$)/;
const TABLE_ROW = /^\s*\|?[^|\n]*\|[^|\n]*\|/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$/;
// "Pros:", "Action items:", "Day 1:" — a short label opening a line.
const LABEL_LINE = /^\s*(?:\*\*)?[A-Z][\w &/'’()-]{0,40}(?:\*\*)?:(?:\s|$)/;

export function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

export function withoutCode(text: string): string {
  return text.replace(/```[\s\S]*?(?:```|$)/g, '\n');
}

export interface ResponseShape {
  bullets: number;
  numbered: number;
  tableRows: number;
  headings: number;
  labelLines: number;
  paragraphs: number;
}

export function shapeOf(response: string): ResponseShape {
  const lines = nonEmptyLines(withoutCode(response));
  const hasRule = lines.some((l) => TABLE_RULE.test(l));
  return {
    bullets: lines.filter((l) => BULLET.test(l)).length,
    numbered: lines.filter((l) => NUMBERED.test(l)).length,
    tableRows: hasRule ? lines.filter((l) => TABLE_ROW.test(l) && !TABLE_RULE.test(l)).length - 1 : 0,
    headings: lines.filter((l) => HEADING.test(l)).length,
    labelLines: lines.filter((l) => LABEL_LINE.test(l)).length,
    paragraphs: withoutCode(response).split(/\n[ \t]*\n/).filter((p) => p.trim() !== '').length,
  };
}

/** A title: a heading, a "Title:"/"Subject:" label, or a short first line without a full stop. */
export function hasTitle(response: string): boolean {
  const lines = nonEmptyLines(response);
  const first = (lines[0] ?? '').trim();
  if (HEADING.test(first) || /^(?:title|subject|headline)\s*:/i.test(first)) return true;
  return lines.length > 1 && wordCount(first) <= 12 && !/[.!?,;]$/.test(first);
}

/**
 * How many items the response holds, for "list 3 …" style counts: list items when it has a
 * list; "Day 1 / Day 2" style labels; otherwise lines; a single line is split at commas when it
 * reads like a list ("2, 3, 5, 7"), else counted in sentences.
 */
export function countItems(response: string, unit: string): number {
  const text = withoutCode(response);
  const lines = nonEmptyLines(text);
  const listed = lines.filter((l) => BULLET.test(l) || NUMBERED.test(l)).length;
  if (listed >= 2) return listed;
  const singular = unit.replace(/s$/, '');
  if (singular.length > 2) {
    const labels = new Set([...text.matchAll(new RegExp(`\\b${escapeRegExp(singular)}\\s+(\\d+)\\b`, 'gi'))].map((m) => m[1]));
    if (labels.size >= 2) return labels.size;
  }
  const rows = shapeOf(text).tableRows;
  if (rows >= 2) return rows;
  const content = lines.filter((l) => !/^\s*[^:]{1,40}:\s*$/.test(l));
  if (content.length >= 2) return content.length;
  const only = content[0] ?? '';
  const parts = only.split(/[,;]\s*|\s+and\s+/).filter((p) => p.trim() !== '');
  if (parts.length >= 2 && wordCount(only) / parts.length <= 5) return parts.length;
  return sentences(text).length;
}

export type LengthUnit = 'words' | 'characters' | 'sentences' | 'paragraphs' | 'lines';

export function measure(response: string, unit: LengthUnit): number {
  switch (unit) {
    case 'words':
      return wordCount(response);
    case 'characters':
      return response.trim().length;
    case 'sentences':
      return sentences(withoutCode(response)).length;
    case 'paragraphs':
      return shapeOf(response).paragraphs;
    case 'lines':
      return nonEmptyLines(response).length;
  }
}

/** The first JSON object or array in the response (bare, fenced, or embedded in prose), or undefined. */
export function extractJson(response: string): unknown {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(response);
  const candidates = [response.trim(), fenced?.[1]?.trim() ?? ''];
  for (const c of candidates) {
    if (c === '' || !/^[[{]/.test(c)) continue;
    try {
      return JSON.parse(c) as unknown;
    } catch {
      // not JSON as a whole; try an embedded span below
    }
  }
  for (let start = response.search(/[[{]/); start >= 0 && start < response.length; ) {
    const end = matchingBracket(response, start);
    if (end > start) {
      try {
        return JSON.parse(response.slice(start, end + 1)) as unknown;
      } catch {
        // keep looking after this bracket
      }
    }
    const next = response.slice(start + 1).search(/[[{]/);
    start = next < 0 ? -1 : start + 1 + next;
  }
  return undefined;
}

function matchingBracket(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
