/*
 * Prompty inputs and sample data.
 * - v2 `inputs:` is a list of {name, kind, default, required, description, example|sample}
 *   or a map of name → {kind, …} or name → example value (Prompty's shorthand).
 * - v1 `inputs:` is a map of name → {type, description, default}; v1 `sample:` is a map, or
 *   `file:context.json` read (through the injected `readFile`) relative to the prompt file.
 * The sample becomes the single inline test case. As in the Prompty v1 runtime, sample
 * values also act as defaults, so rendering without variables reproduces the sample.
 */
import * as path from 'node:path';
import { z } from 'zod';
import type { InputSpec, SourceRange } from './types';
import type { DeclaredInput, TestRow } from './variables';
import type { YamlPath, YamlSource } from './yamlSource';

export type ReadFile = (file: string) => string;

export interface PromptyInputs {
  inputs: InputSpec[];
  declared: DeclaredInput[];
  testData: Array<Record<string, unknown>>;
  rows: TestRow[];
}

interface RawInput { name: string; at: YamlPath; body: Record<string, unknown>; range: SourceRange }

const map = z.record(z.string(), z.unknown());

export function readPromptyInputs(src: YamlSource, file: string, readFile: ReadFile): PromptyInputs {
  const raw = readRawInputs(src);
  const sample = readSample(src, file, readFile);
  const examples: Record<string, unknown> = {};
  const inputs: InputSpec[] = [];
  const declared: DeclaredInput[] = [];
  for (const { name, at, body, range } of raw) {
    const example = body.example ?? body.sample;
    if (example !== undefined) examples[name] = example;
    const def = body.default ?? sample?.values[name];
    const type = typeof body.kind === 'string' ? body.kind : typeof body.type === 'string' ? body.type : undefined;
    const required = src.check(z.boolean().optional(), [...at, 'required']) ?? def === undefined;
    inputs.push({
      name,
      required,
      ...(type !== undefined ? { type } : {}),
      ...(def !== undefined ? { default: def } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
    });
    declared.push({ name, ...(def !== undefined ? { default: def } : {}), range, fromSample: false });
  }
  for (const [name, value] of Object.entries(sample?.values ?? {})) {
    if (inputs.some((i) => i.name === name)) continue;
    inputs.push({ name, type: valueType(value), required: false, default: value });
    declared.push({ name, default: value, range: sample?.keyRange(name) ?? src.rangeAt(['sample']), fromSample: true });
  }
  const row = { ...examples, ...(sample?.values ?? {}) };
  const hasRow = Object.keys(row).length > 0;
  const rowAt: YamlPath = sample ? ['sample'] : ['inputs'];
  return {
    inputs,
    declared,
    testData: hasRow ? [row] : [],
    rows: hasRow ? [{ values: row, range: src.rangeAt(rowAt), label: sample ? 'The sample' : 'The input examples' }] : [],
  };
}

function readRawInputs(src: YamlSource): RawInput[] {
  const value = src.valueAt(['inputs']);
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    const out: RawInput[] = [];
    value.forEach((item, i) => {
      const at: YamlPath = ['inputs', i];
      if (typeof item === 'string') return void out.push({ name: item, at, body: {}, range: src.rangeAt(at) });
      const body = src.check(map, at);
      const name = body && src.check(z.string().min(1), [...at, 'name']);
      if (body && name) out.push({ name, at, body, range: src.rangeAt([...at, 'name']) });
    });
    return out;
  }
  if (!src.check(z.union([z.array(z.unknown()), map], { error: 'must be a list or a map of inputs' }), ['inputs'])) return [];
  return Object.entries(value as Record<string, unknown>).map(([name, body]) => ({
    name,
    at: ['inputs', name],
    range: src.keyRangeAt(['inputs', name]),
    body: body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : body === null ? {} : { example: body },
  }));
}

interface Sample { values: Record<string, unknown>; keyRange(name: string): ReturnType<YamlSource['rangeAt']> }

function readSample(src: YamlSource, file: string, readFile: ReadFile): Sample | null {
  const value = src.valueAt(['sample']);
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    // `${file:…}` is reported as "not resolved" by resolveReferences and is not read.
    if (value.trim().startsWith('${file:')) return null;
    const ref = /^file:(.+)$/.exec(value.trim());
    if (!ref?.[1]) {
      src.report('error', 'wrong-type', `'sample' must be a map or file:<path>, got "${value}"`, src.rangeAt(['sample']));
      return null;
    }
    const folder = path.dirname(path.resolve(file));
    const target = path.resolve(folder, ref[1].trim());
    // Like Prompty's loader: a prompt file may only pull data from its own folder tree, so a
    // cloned repository cannot make a run send ~/secrets.json to a model.
    if (path.relative(folder, target).startsWith('..') || path.isAbsolute(path.relative(folder, target))) {
      src.report('error', 'dataset-unreadable', `The sample file ${ref[1]} is outside the prompt's folder`, src.rangeAt(['sample']));
      return null;
    }
    try {
      const values = map.parse(JSON.parse(readFile(target)));
      return { values, keyRange: () => src.rangeAt(['sample']) };
    } catch (e) {
      // Never echo file content (a JSON.parse message quotes it).
      const why = e instanceof z.ZodError ? 'it is not a JSON object' : e instanceof SyntaxError ? 'it is not valid JSON' : e instanceof Error ? e.message.split('\n')[0] : String(e);
      src.report('error', 'dataset-unreadable', `Cannot read the sample file ${ref[1]}: ${why}`, src.rangeAt(['sample']));
      return null;
    }
  }
  const values = src.check(map, ['sample']);
  return values ? { values, keyRange: (name) => src.keyRangeAt(['sample', name]) } : null;
}

function valueType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}
