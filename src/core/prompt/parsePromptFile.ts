/*
 * Entry point for any prompt file: dispatch on the extension, plus the helpers the CLI and
 * the extension share (which files are prompts, how a diagnostic prints).
 */
import { parsePromptYml } from './parsePromptYml';
import { parsePrompty } from './parsePrompty';
import type { PromptyParseOptions } from './parsePrompty';
import { START_OF_FILE, diagnostic } from './sourceRange';
import type { ParseResult, PromptDiagnostic } from './types';

const PROMPT_YML = /\.prompt\.ya?ml$/i;
const PROMPTY = /\.prompty$/i;

export function isPromptFile(file: string): boolean {
  return PROMPT_YML.test(file) || PROMPTY.test(file);
}

/**
 * Parses a prompt file. `readFile` serves a Prompty v1 `sample: file:…` (absolute path in,
 * text out; defaults to reading the local disk). `env` resolves `${env:…}`; leave it out in
 * Restricted Mode. Every PromptFile carries `contentHash`, the sha256 hex of `text`.
 */
export function parsePromptFile(file: string, text: string, options: PromptyParseOptions = {}): ParseResult {
  if (PROMPT_YML.test(file)) return parsePromptYml(file, text, options);
  if (PROMPTY.test(file)) return parsePrompty(file, text, options);
  return {
    prompt: null,
    diagnostics: [diagnostic('error', 'unsupported-file', 'Not a prompt file: use *.prompt.yml, *.prompt.yaml or *.prompty', START_OF_FILE)],
  };
}

/** `path:line:col: severity: message`, the shape editors and CI annotators recognise. */
export function formatDiagnostic(file: string, d: PromptDiagnostic): string {
  return `${file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}
