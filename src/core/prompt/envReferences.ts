/*
 * `${env:VAR}`, `${env:VAR:default}` and `${file:path}` in Prompty front matter.
 *
 * Substitution edits the YAML nodes in place before the document is converted to JS, so
 * every diagnostic still points at the string it is about. Prompty itself only expands a
 * value that is entirely one reference; we also expand references inside longer strings
 * (a superset: every file Prompty accepts means the same here).
 *
 * Secrets never enter the parsed prompt: values of `apiKey`/`api_key` keep their reference
 * text (the connection records the variable name), and a literal key is warned about.
 */
import { isPair, isScalar, visit } from 'yaml';
import type { Scalar } from 'yaml';
import type { YamlSource } from './yamlSource';

const REFERENCE = /\$\{(env|file):([^}]*)\}/g;
const ENV_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::([\s\S]*))?$/;
export const SECRET_KEYS = new Set(['apiKey', 'api_key', 'key', 'token', 'password', 'secret']);

/** Name of the environment variable a `${env:VAR}` / `${env:VAR:default}` value reads, else null. */
export function envVarName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}$/.exec(value.trim());
  return m?.[1] ?? null;
}

/**
 * Resolves references in every string value of the document.
 * `env` undefined (Restricted Mode, or a caller that must not read the environment) leaves
 * `${env:}` references untouched and silent.
 */
export function resolveReferences(src: YamlSource, env: Record<string, string | undefined> | undefined): void {
  visit(src.doc, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const parent = path[path.length - 1];
      const fieldName = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : '';
      resolveScalar(src, node as Scalar<string>, env, SECRET_KEYS.has(fieldName));
    },
  });
}

function resolveScalar(src: YamlSource, node: Scalar<string>, env: Record<string, string | undefined> | undefined, secret: boolean): void {
  const locate = src.ranges.scalarLocator(node, src.yamlText);
  const value = node.value;
  const resolved = value.replace(REFERENCE, (whole, protocol: string, body: string, offset: number) => {
    const at = locate(0, offset, whole.length);
    if (protocol === 'file') {
      // `${file:}` with no path is prose (a description mentioning the syntax), not a reference.
      if (body.trim() === '') return whole;
      src.report('info', 'file-reference', `${whole} is not resolved: Prompt Lab does not read files named in front matter (configure the connection in a provider profile)`, at);
      return whole;
    }
    const m = ENV_BODY.exec(body);
    if (!m?.[1]) {
      src.report('warning', 'missing-env', `${whole} is not a valid environment reference`, at);
      return whole;
    }
    if (!env) return whole;
    const name = m[1];
    const fallback = m[2];
    const found = env[name];
    if (found === undefined && fallback === undefined) {
      src.report('warning', 'missing-env', `Environment variable ${name} is not set and ${whole} has no default`, at);
      return whole;
    }
    // A secret is only checked for presence: its value must not land in the parsed prompt.
    if (secret) return whole;
    return found ?? fallback ?? whole;
  });
  if (resolved !== value) node.value = resolved;
}
