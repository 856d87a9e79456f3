/*
 * The one nunjucks Environment that renders every template (GitHub `{{var}}` is a subset of
 * Jinja2), hardened because templates come from files in whatever repository is open.
 *
 * nunjucks is not a sandbox: stock, `{{ range.constructor("return process")() }}` runs
 * arbitrary code in the extension host. Every compiled template here runs against a copy of
 * the nunjucks runtime whose property and variable lookups refuse the paths to code:
 * - no property of a function (`.constructor`, `.call`, `.apply`, `.bind`…);
 * - never `constructor`, `__proto__`, `prototype` or the `__define/lookup…` accessors;
 * - only own properties of data, plus a list of side-effect-free string/array methods;
 * - no variable named like an Object.prototype member (`{{ constructor }}` would be Object),
 *   and only registered filters and tests (`x | __lookupGetter__` would call Object.prototype).
 * No loader is configured, so `{% include %}`/`{% extends %}`/`{% import %}` cannot read
 * files; the extra filter (`tojson`) and the capped `range` are pure functions. The copy
 * is passed per template (not patched into nunjucks), so other nunjucks users are unaffected.
 */
import * as nunjucks from 'nunjucks';

const BLOCKED_KEYS = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const STRING_METHODS = new Set([
  'toUpperCase', 'toLowerCase', 'trim', 'trimStart', 'trimEnd', 'split', 'slice', 'substring', 'indexOf', 'lastIndexOf',
  'includes', 'startsWith', 'endsWith', 'replace', 'replaceAll', 'padStart', 'padEnd', 'repeat', 'charAt', 'at', 'concat',
]);
const ARRAY_METHODS = new Set(['join', 'slice', 'indexOf', 'lastIndexOf', 'includes', 'at', 'concat']);
/** `range(1e9)` in a template would take the extension host's memory down with it. */
const MAX_RANGE = 100_000;

type Runtime = Record<string, unknown> & {
  memberLookup(obj: unknown, key: unknown): unknown;
  contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown;
};

const stockRuntime = (nunjucks as unknown as { runtime: Runtime }).runtime;

function safeMemberLookup(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null || typeof obj === 'function') return undefined;
  const k = typeof key === 'number' ? key : String(key);
  if (typeof k === 'string' && BLOCKED_KEYS.has(k)) return undefined;
  const own = Object.prototype.hasOwnProperty.call(Object(obj), k);
  const allowedMethod = typeof k === 'string'
    && ((typeof obj === 'string' && STRING_METHODS.has(k)) || (Array.isArray(obj) && ARRAY_METHODS.has(k)));
  if (!own && !allowedMethod) return undefined;
  return stockRuntime.memberLookup(obj, k);
}

function safeContextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown {
  if (name in Object.prototype) return undefined;
  return stockRuntime.contextOrFrameLookup(context, frame, name);
}

const safeRuntime: Runtime = { ...stockRuntime, memberLookup: safeMemberLookup, contextOrFrameLookup: safeContextOrFrameLookup };

const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });
env.addFilter('tojson', (value: unknown) => JSON.stringify(value));
// Filter and test tables are plain objects: `x | __defineGetter__` or `select("constructor")`
// would otherwise call Object.prototype members. Only registered names resolve.
const tables = env as unknown as { filters: object; tests: object; getFilter(n: string): unknown; getTest(n: string): unknown };
for (const [kind, table] of [['filter', tables.filters], ['test', tables.tests]] as const) {
  const stock = kind === 'filter' ? tables.getFilter.bind(env) : tables.getTest.bind(env);
  const guarded = (name: string): unknown => {
    if (!Object.prototype.hasOwnProperty.call(table, name)) throw new Error(`${kind} not found: ${name}`);
    return stock(name);
  };
  if (kind === 'filter') tables.getFilter = guarded;
  else tables.getTest = guarded;
}
env.addGlobal('range', (start: number, stop?: number, step = 1): number[] => {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const out: number[] = [];
  if (!step) return out;
  for (let i = from; step > 0 ? i < to : i > to; i += step) {
    if (out.length >= MAX_RANGE) throw new Error(`range() is limited to ${MAX_RANGE} items`);
    out.push(i);
  }
  return out;
});

interface InternalTemplate {
  render(ctx: object): string;
  compile(): void;
  rootRenderFunc: (env: unknown, context: unknown, frame: unknown, runtime: unknown, cb: unknown) => void;
}

export interface CompiledTemplate { render(values: Record<string, unknown>): string }

const compiled = new Map<string, CompiledTemplate>();

/** Compiles (cached per template text). Throws the nunjucks error on a syntax error. */
export function compileTemplate(source: string): CompiledTemplate {
  const hit = compiled.get(source);
  if (hit) return hit;
  const template = new nunjucks.Template(source, env) as unknown as InternalTemplate;
  template.compile();
  const root = template.rootRenderFunc;
  // Blocks, macros and loops receive the runtime from this call, so all of them use the safe copy.
  template.rootRenderFunc = (e, context, frame, _runtime, cb) => root(e, context, frame, safeRuntime, cb);
  const result: CompiledTemplate = { render: (values) => template.render(values) };
  if (compiled.size > 500) compiled.clear();
  compiled.set(source, result);
  return result;
}

/** nunjucks messages carry "(unknown path)" and multi-line layout; one clean line reads better. */
export function templateErrorMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\(unknown path\)\s*/g, '').replace(/^Template render error:\s*/, '').replace(/\s+/g, ' ').trim();
}
