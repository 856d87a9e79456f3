/*
 * Structure a prompt asks for (a list, numbered steps, a table, headings) and whether a
 * response has it. Read from the instruction part only, so a pasted document mentioning "a
 * table" does not count as a request.
 */
import type { ResponseShape } from './responseShape';

export type FormatRequest = 'list' | 'numbered' | 'table' | 'headings';

const PATTERNS: ReadonlyArray<[FormatRequest, RegExp]> = [
  ['numbered', /\bnumbered\b|\bstep[- ]by[- ]step\b|\bsteps\b/],
  ['list', /\bbullet(?:ed)?\b|\bbullet points?\b|\b(?:as|in|use|using|with) (?:a )?(?:short )?list\b|\blist format\b|\bchecklist\b/],
  ['table', /\btable\b/],
  ['headings', /\b(?:sub)?headings?\b|\bsections?\b|\bheaders?\b/],
];

export function formatRequests(instruction: string): FormatRequest[] {
  const lower = instruction.toLowerCase();
  return PATTERNS.filter(([, re]) => re.test(lower)).map(([f]) => f);
}

/** 1 when present; partial credit for a near miss (bullets where numbers were asked for, labelled lines for headings). */
export function formatCredit(request: FormatRequest, shape: ResponseShape): number {
  switch (request) {
    case 'list':
      return shape.bullets + shape.numbered >= 2 ? 1 : 0;
    case 'numbered':
      return shape.numbered >= 2 ? 1 : shape.bullets >= 2 ? 0.7 : 0;
    case 'table':
      return shape.tableRows >= 1 ? 1 : 0;
    case 'headings':
      return shape.headings >= 2 ? 1 : shape.labelLines >= 2 ? 0.7 : 0;
  }
}
