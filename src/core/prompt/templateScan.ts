/*
 * Which variables a template reads, found with nunjucks' own parser (so `{{ a.b }}`,
 * `{% for x in items %}`, `{% if c %}`, filters and macros are understood exactly as the
 * renderer will understand them, not approximated with a regex).
 *
 * A reference is "guarded" when the template copes with the variable being absent:
 * `{{ x | default('') }}`, `{% if x %}…{{ x }}…{% endif %}`, `{% if x is defined %}`.
 * Guarded variables are optional: they are never reported as missing.
 */
import * as nunjucks from 'nunjucks';

export interface TemplateRef {
  name: string;
  /** 0-based position inside the template. */
  line: number;
  col: number;
  guarded: boolean;
}

export interface TemplateScan {
  refs: TemplateRef[];
  /** `{% extends %}`, `{% include %}`, `{% import %}`: they would load other files, which we never do. */
  unsupported: Array<{ tag: string; line: number; col: number }>;
  /** A line such as `{{ item.role }}:` produces role markers at render time (Prompty chat history). */
  dynamicRoles: boolean;
  /** Syntax error, 0-based position. */
  error: { message: string; line: number; col: number } | null;
}

interface AstNode {
  typename: string;
  fields: string[];
  lineno: number;
  colno: number;
  value?: unknown;
  [field: string]: unknown;
}

const parser = (nunjucks as unknown as { parser: { parse(src: string): AstNode } }).parser;

/** Names the engine provides: never template inputs. */
const BUILTINS = new Set(['range', 'cycler', 'joiner', 'loop', 'caller', 'super', 'self', 'True', 'False', 'None', 'true', 'false', 'none']);
const GUARD_TESTS = new Set(['defined', 'undefined', 'none', 'null']);
const DEFAULT_FILTERS = new Set(['default', 'd']);
const DYNAMIC_ROLE_LINE = /^[ \t]*\{\{[^}]*\}\}[ \t]*:[ \t]*$/m;

const cache = new Map<string, TemplateScan>();

export function scanTemplate(template: string): TemplateScan {
  const hit = cache.get(template);
  if (hit) return hit;
  const scan: TemplateScan = { refs: [], unsupported: [], dynamicRoles: DYNAMIC_ROLE_LINE.test(template), error: null };
  try {
    new Walker(scan).walk(parser.parse(template), new Set(), new Set());
  } catch (e) {
    scan.error = syntaxError(e, template);
  }
  if (cache.size > 500) cache.clear();
  cache.set(template, scan);
  return scan;
}

/** Variable names in order of first use, and the subset that must be provided. */
export function templateVariables(templates: readonly string[]): { all: string[]; required: string[] } {
  const all: string[] = [];
  const required: string[] = [];
  for (const t of templates) {
    for (const ref of scanTemplate(t).refs) {
      if (!all.includes(ref.name)) all.push(ref.name);
      if (!ref.guarded && !required.includes(ref.name)) required.push(ref.name);
    }
  }
  return { all, required };
}

class Walker {
  constructor(private readonly scan: TemplateScan) {}

  walk(node: unknown, scope: Set<string>, guards: ReadonlySet<string>): void {
    if (!isNode(node)) return;
    switch (node.typename) {
      case 'Symbol': {
        const name = String(node.value);
        if (!scope.has(name) && !BUILTINS.has(name)) {
          this.scan.refs.push({ name, line: node.lineno, col: node.colno, guarded: guards.has(name) });
        }
        return;
      }
      case 'Filter':
      case 'FilterAsync': {
        const args = children(node.args);
        const filterName = isNode(node.name) ? String(node.name.value) : '';
        args.forEach((a, i) => this.walk(a, scope, i === 0 && DEFAULT_FILTERS.has(filterName) ? withRoot(guards, a) : guards));
        return;
      }
      case 'FunCall':
        // The callee of `range(3)` or `caller()` is a builtin; `foo()` still reads `foo`.
        this.walk(node.name, scope, guards);
        for (const a of children(node.args)) this.walk(a, scope, guards);
        return;
      case 'Is': {
        const test = isNode(node.right) ? node.right : undefined;
        const testName = test?.typename === 'Symbol' ? String(test.value) : '';
        this.walk(node.left, scope, GUARD_TESTS.has(testName) ? withRoot(guards, node.left) : guards);
        if (test?.typename === 'FunCall') for (const a of children(test.args)) this.walk(a, scope, guards);
        return;
      }
      case 'If':
      case 'IfAsync':
      case 'InlineIf': {
        const condGuards = new Set([...guards, ...conditionNames(node.cond)]);
        this.walk(node.cond, scope, condGuards);
        this.walk(node.body, scope, condGuards);
        this.walk(node.else_, scope, guards);
        return;
      }
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll': {
        this.walk(node.arr, scope, guards);
        const inner = new Set([...scope, ...symbolNames(node.name), 'loop']);
        this.walk(node.body, inner, guards);
        this.walk(node.else_, scope, guards);
        return;
      }
      case 'Set':
        this.walk(node.value, scope, guards);
        this.walk(node.body, scope, guards);
        for (const t of symbolNames(node.targets)) scope.add(t);
        return;
      case 'Macro':
      case 'Caller': {
        for (const n of symbolNames(node.name)) scope.add(n);
        const inner = new Set([...scope, 'caller']);
        for (const a of children(node.args)) {
          if (isNode(a) && a.typename === 'Symbol') inner.add(String(a.value));
          else if (isNode(a)) for (const p of children(a)) if (isNode(p) && isNode(p.key)) { inner.add(String(p.key.value)); this.walk(p.value, scope, guards); }
        }
        this.walk(node.body, inner, guards);
        return;
      }
      case 'Pair':
        // `{ key: value }` and keyword arguments: a Symbol key is a name, not a read.
        if (!(isNode(node.key) && node.key.typename === 'Symbol')) this.walk(node.key, scope, guards);
        this.walk(node.value, scope, guards);
        return;
      case 'Block':
        this.walk(node.body, scope, guards);
        return;
      case 'Extends':
      case 'Include':
      case 'Import':
      case 'FromImport':
        this.scan.unsupported.push({ tag: node.typename.toLowerCase(), line: node.lineno, col: node.colno });
        for (const n of node.typename === 'Import' ? symbolNames(node.target) : []) scope.add(n);
        return;
      default:
        // NodeLists keep their items in the `children` field; Switch keeps `cases` in an array.
        for (const f of node.fields) {
          const v = node[f];
          if (Array.isArray(v)) for (const c of v) this.walk(c, scope, guards);
          else this.walk(v, scope, guards);
        }
    }
  }
}

function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as AstNode).typename === 'string';
}

function children(node: unknown): unknown[] {
  const c = (node as { children?: unknown } | null | undefined)?.children;
  return Array.isArray(c) ? c : [];
}

function symbolNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(symbolNames);
  if (!isNode(node)) return [];
  if (node.typename === 'Symbol') return [String(node.value)];
  return children(node).flatMap(symbolNames);
}

/** Root variable of an expression (`a` for `a.b[0]`), used to mark it guarded. */
function rootName(node: unknown): string | null {
  if (!isNode(node)) return null;
  if (node.typename === 'Symbol') return String(node.value);
  if (node.typename === 'LookupVal') return rootName(node.target);
  return null;
}

function withRoot(guards: ReadonlySet<string>, expr: unknown): ReadonlySet<string> {
  const name = rootName(expr);
  return name ? new Set([...guards, name]) : guards;
}

/** Variables whose absence a condition tests: `x`, `x.y`, `x is defined`, `a and b`. */
function conditionNames(cond: unknown): string[] {
  if (!isNode(cond)) return [];
  if (cond.typename === 'And') return [...conditionNames(cond.left), ...conditionNames(cond.right)];
  if (cond.typename === 'Is') return isNode(cond.right) && GUARD_TESTS.has(String(cond.right.value)) ? conditionNames(cond.left) : [];
  const name = rootName(cond);
  return name ? [name] : [];
}

function syntaxError(e: unknown, template: string): { message: string; line: number; col: number } {
  const err = e as { message?: string; lineno?: number; colno?: number };
  const message = String(err.message ?? e).replace(/^\(unknown path\)\s*/, '').replace(/\s+/g, ' ').trim();
  if (typeof err.lineno === 'number' && typeof err.colno === 'number') {
    // The parser reports 1-based positions.
    return { message, line: Math.max(0, err.lineno - 1), col: Math.max(0, err.colno - 1) };
  }
  // No position means "at the end": point at the end of the last non-blank line.
  const lines = template.trimEnd().split('\n');
  return { message, line: lines.length - 1, col: (lines[lines.length - 1] ?? '').length };
}
