/*
 * Source positions: yaml offsets → 1-based (line, col) ranges, and positions inside a
 * scalar's value → positions in the file, so a diagnostic lands on the very `{{ name }}`
 * or `${env:VAR}` it is about rather than on the whole message.
 */
import { isScalar } from 'yaml';
import type { LineCounter, Node as YamlNode } from 'yaml';
import type { PromptDiagnostic, SourceRange } from './types';

export const START_OF_FILE: SourceRange = { line: 1, col: 1, endLine: 1, endCol: 1 };

/** Maps a position inside a template/scalar value (0-based line and column) to the file. */
export type Locator = (line0: number, col0: number, length: number) => SourceRange;

export function diagnostic(
  severity: PromptDiagnostic['severity'], code: string, message: string, range: SourceRange,
): PromptDiagnostic {
  return { severity, code, message, ...range };
}

export function pointRange(line: number, col: number, length = 0): SourceRange {
  return { line, col, endLine: line, endCol: col + length };
}

/**
 * Converts offsets of one parsed YAML text. `lineOffset` shifts lines when that text is a
 * slice of a larger file (Prompty front matter starts on line 2; its columns are unchanged).
 */
export class RangeMapper {
  constructor(private readonly lines: LineCounter, private readonly lineOffset = 0, private readonly text = '') {}

  range(start: number, end: number): SourceRange {
    // yaml ends block collections after their last newline; stop at the last character instead.
    let stop = Math.max(start, end);
    while (stop > start && /\s/.test(this.text.charAt(stop - 1))) stop--;
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(stop);
    return { line: a.line + this.lineOffset, col: a.col, endLine: b.line + this.lineOffset, endCol: b.col };
  }

  /** Range of a node's value (yaml keeps [start, valueEnd, nodeEnd]); `fallback` when it has none. */
  node(node: unknown, fallback: SourceRange = START_OF_FILE): SourceRange {
    const r = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
    return r ? this.range(r[0], r[1]) : fallback;
  }

  /**
   * Locator for positions inside a scalar's value. Exact for single-line plain or quoted
   * scalars without escapes and for literal blocks (`|`), whose lines map one to one;
   * folded or escaped scalars fall back to the scalar's own range.
   */
  scalarLocator(node: YamlNode | null | undefined, fileText: string): Locator {
    const whole = this.node(node);
    const fallback: Locator = () => whole;
    if (!node || !isScalar(node) || !node.range || typeof node.value !== 'string') return fallback;
    const [start, end] = node.range;
    const source = fileText.slice(start, end);
    const value = node.value;
    if (node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
      const quote = node.type === 'PLAIN' ? 0 : 1;
      if (value.includes('\n') || source.slice(quote, quote + value.length) !== value) return fallback;
      return (line0, col0, length) => {
        const p = this.range(start + quote + col0, start + quote + col0 + length);
        return line0 === 0 ? p : whole;
      };
    }
    if (node.type === 'BLOCK_LITERAL') {
      const lines = source.split('\n');
      const indentOf = (s: string): number => s.length - s.trimStart().length;
      const firstContent = lines.slice(1).find((l) => l.trim() !== '');
      const indent = firstContent === undefined ? 0 : indentOf(firstContent);
      const header = this.range(start, start);
      return (line0, col0, length) => {
        const line = header.line + 1 + line0;
        const col = indent + col0 + 1;
        return line0 + 1 < lines.length ? { line, col, endLine: line, endCol: col + length } : whole;
      };
    }
    return fallback;
  }
}

/** Locator for text that starts at (line, col) of the file and is copied verbatim (Prompty body). */
export function verbatimLocator(startLine: number, startCol: number): Locator {
  return (line0, col0, length) => {
    const line = startLine + line0;
    const col = line0 === 0 ? startCol + col0 : col0 + 1;
    return { line, col, endLine: line, endCol: col + length };
  };
}

export function compareDiagnostics(a: PromptDiagnostic, b: PromptDiagnostic): number {
  return a.line - b.line || a.col - b.col || a.code.localeCompare(b.code);
}
