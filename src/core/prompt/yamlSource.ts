/*
 * One parsed YAML text (a whole .prompt.yml, or a Prompty front matter) with the helpers
 * every validator needs: node and key ranges by path, zod checks that report at the
 * offending node, unknown-key warnings. Validation is per field, so one bad value drops
 * that value (with an error) instead of the whole file.
 */
import { LineCounter, isMap, isPair, isScalar, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import type { ZodType, core } from 'zod';
import { RangeMapper, START_OF_FILE, diagnostic } from './sourceRange';
import type { Locator } from './sourceRange';
import type { PromptDiagnostic, SourceRange } from './types';

export type YamlPath = ReadonlyArray<string | number>;

export class YamlSource {
  readonly doc: Document;
  readonly ranges: RangeMapper;
  readonly diagnostics: PromptDiagnostic[] = [];
  /** True when the YAML itself is broken (syntax errors): callers should not build a prompt. */
  readonly broken: boolean;
  private js: unknown;
  private jsReady = false;

  constructor(readonly yamlText: string, lineOffset = 0) {
    const lines = new LineCounter();
    this.doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    this.ranges = new RangeMapper(lines, lineOffset, yamlText);
    for (const e of this.doc.errors) this.report('error', 'yaml-syntax', cleanYamlMessage(e.message), this.ranges.range(e.pos[0], e.pos[1]));
    for (const w of this.doc.warnings) this.report('warning', 'yaml-syntax', cleanYamlMessage(w.message), this.ranges.range(w.pos[0], w.pos[1]));
    this.broken = this.doc.errors.length > 0;
  }

  report(severity: PromptDiagnostic['severity'], code: string, message: string, range: SourceRange): void {
    this.diagnostics.push(diagnostic(severity, code, message, range));
  }

  /** The document as plain JS, converted on first use so `${env:}` substitution can edit nodes first. */
  root(): unknown {
    if (!this.jsReady) {
      this.js = this.broken ? undefined : this.doc.toJS({ maxAliasCount: 100 });
      this.jsReady = true;
    }
    return this.js;
  }

  node(path: YamlPath): YamlNode | undefined {
    if (path.length === 0) return (this.doc.contents ?? undefined) as YamlNode | undefined;
    return this.doc.getIn(path, true) as YamlNode | undefined;
  }

  /** Range of the value at `path`, or of its closest existing ancestor. */
  rangeAt(path: YamlPath): SourceRange {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node?.range) return this.ranges.node(node);
    }
    return START_OF_FILE;
  }

  /** Range of the key of the map entry at `path` (where "unknown key" squiggles belong). */
  keyRangeAt(path: YamlPath): SourceRange {
    const pair = this.pairAt(path);
    return pair && isScalar(pair.key) ? this.ranges.node(pair.key) : this.rangeAt(path);
  }

  locatorAt(path: YamlPath): Locator {
    return this.ranges.scalarLocator(this.node(path), this.yamlText);
  }

  valueAt(path: YamlPath): unknown {
    let v = this.root();
    for (const k of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[k];
    }
    return v;
  }

  /** Keys of the map at `path`, in file order (empty when it is not a map). */
  keysAt(path: YamlPath): string[] {
    const node = this.node(path);
    if (!isMap(node)) return [];
    return node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  }

  /** Warns about keys of the map at `path` that are not in `allowed`. */
  warnUnknownKeys(path: YamlPath, allowed: ReadonlySet<string>, where: string, hint = ''): void {
    for (const key of this.keysAt(path)) {
      if (allowed.has(key)) continue;
      this.report('warning', 'unknown-key', `Unknown key '${key}' in ${where}${hint}`, this.keyRangeAt([...path, key]));
    }
  }

  /**
   * Validates the value at `path` with `schema`. On failure every issue becomes a
   * 'wrong-type' error at the offending node and `undefined` is returned.
   */
  check<T>(schema: ZodType<T>, path: YamlPath, severity: PromptDiagnostic['severity'] = 'error'): T | undefined {
    const value = this.valueAt(path);
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const at = [...path, ...(issue.path as Array<string | number>)];
      this.report(severity, 'wrong-type', `'${pathLabel(at)}' ${issueText(issue, this.valueAt(at))}`, this.rangeAt(at));
    }
    return undefined;
  }

  private pairAt(path: YamlPath): Pair | undefined {
    const parent = this.node(path.slice(0, -1));
    const key = path[path.length - 1];
    if (!isMap(parent)) return undefined;
    return parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  }
}

export function pathLabel(path: YamlPath): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

function issueText(issue: core.$ZodIssue, actual: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}, got ${describeValue(actual)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(actual)}`;
    case 'too_small':
      return issue.origin === 'number' ? `must be ≥ ${String(issue.minimum)}, got ${describeValue(actual)}` : `must have at least ${String(issue.minimum)} item(s)`;
    case 'too_big':
      return issue.origin === 'number' ? `must be ≤ ${String(issue.maximum)}, got ${describeValue(actual)}` : `has too many items`;
    default:
      return `${issue.message}, got ${describeValue(actual)}`;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = { string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false', array: 'a list', object: 'a map', record: 'a map' };
  return names[expected] ?? expected;
}

function cleanYamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
