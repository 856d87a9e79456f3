/*
 * The two halves of a .prompty file: YAML front matter between `---` lines, and a body that
 * role-marker lines (`system:`, `User:`, `assistant:`) split into messages.
 *
 * Differences from the Prompty runtime, on purpose:
 * - Text before any marker (and a body with no marker at all) is a *user* message; Prompty
 *   sends it as system. A lone system message fails on providers that need a user turn
 *   (Anthropic), so we say what we do with an info diagnostic.
 * - `# system:` is a Markdown heading here, not a marker (Prompty accepts an optional `#`).
 * - `developer:` is accepted and sent as system; `user[name="Alice"]:` attributes are ignored.
 */
import { diagnostic, verbatimLocator } from './sourceRange';
import type { TemplateSite } from './commonKeys';
import type { PromptDiagnostic, Role } from './types';

export interface PromptySections {
  /** Front matter text, or null when the file is body only. */
  frontMatter: string | null;
  /** 1-based file line of the first front matter line. */
  frontMatterLine: number;
  body: string;
  /** 1-based file line of the first body line. */
  bodyLine: number;
}

const FENCE = /^---[ \t]*$/;
const ROLE_MARKER = /^[ \t]*(system|user|assistant|developer)(\[[^\]\n]*\])?[ \t]*:[ \t]*$/i;

/** Splits the file; `null` when a front matter is opened by `---` but never closed. */
export function splitPromptyFile(text: string): PromptySections | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let first = 0;
  while (first < lines.length && (lines[first] ?? '').trim() === '') first++;
  if (!FENCE.test(lines[first] ?? '')) return { frontMatter: null, frontMatterLine: 1, body: lines.join('\n'), bodyLine: 1 };
  const close = lines.findIndex((l, i) => i > first && FENCE.test(l));
  if (close < 0) return null;
  return {
    frontMatter: lines.slice(first + 1, close).join('\n'),
    frontMatterLine: first + 2,
    body: lines.slice(close + 1).join('\n'),
    bodyLine: close + 2,
  };
}

/** Role of a marker line, or null when the line is not a marker. */
export function roleMarker(line: string): Role | null {
  const m = ROLE_MARKER.exec(line);
  if (!m?.[1]) return null;
  const role = m[1].toLowerCase();
  return role === 'developer' ? 'system' : (role as Role);
}

/**
 * Messages of the body. Each template is the verbatim text after its marker line (leading
 * blank lines kept, so positions inside it map 1:1 to the file; trailing blank lines cut).
 */
export function splitPromptyBody(body: string, bodyLine: number): { sites: TemplateSite[]; diagnostics: PromptDiagnostic[] } {
  const lines = body.split('\n');
  const sites: TemplateSite[] = [];
  const diagnostics: PromptDiagnostic[] = [];
  let role: Role | null = null;
  let start = 0;
  const flush = (end: number): void => {
    let last = end - 1;
    while (last >= start && (lines[last] ?? '').trim() === '') last--;
    if (last < start) return;
    const firstText = lines.slice(start, last + 1).findIndex((l) => l.trim() !== '') + start;
    const line = bodyLine + start;
    const range = { line, col: 1, endLine: bodyLine + last, endCol: (lines[last] ?? '').length + 1 };
    if (role === null) {
      const at = { line: bodyLine + firstText, col: 1, endLine: bodyLine + firstText, endCol: (lines[firstText] ?? '').length + 1 };
      diagnostics.push(diagnostic('info', 'implicit-role', 'No role marker before this text: it is sent as a user message (add `system:` or `user:` above it to choose)', at));
    }
    sites.push({ message: { role: role ?? 'user', template: lines.slice(start, last + 1).join('\n'), range }, locate: verbatimLocator(line, 1) });
  };
  lines.forEach((text, i) => {
    const marker = roleMarker(text);
    if (!marker) return;
    flush(i);
    role = marker;
    start = i + 1;
  });
  flush(lines.length);
  return { sites, diagnostics };
}
