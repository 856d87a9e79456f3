import * as path from 'node:path';
import { contentHash } from '../prompt/promptIdentity';
import type { ModelParameters, PromptFile } from '../prompt/types';
import type { VariantArm } from './runExperiment';

/*
 * The arms of a comparison, built the same way by the CLI and the extension:
 * - variants of one file (`variants:` key),
 * - one prompt across models,
 * - two or more prompt files (each renders its own messages with the first file's dataset),
 * - a parameter sweep (`temperature=0,0.7`: one arm per value, on top of the file's parameters).
 * Each arm records the file it renders and that file's hash, so "Promote variant" can refuse
 * when the file changed since the experiment.
 */

export interface SweepSpec { parameter: string; values: Array<number | boolean | string> }

/** Model parameters a sweep may set, with their valid range (others pass through unchecked). */
const KNOWN: Record<string, (x: unknown) => string | null> = {
  temperature: (x) => (typeof x === 'number' && x >= 0 && x <= 2 ? null : 'a number from 0 to 2'),
  top_p: (x) => (typeof x === 'number' && x >= 0 && x <= 1 ? null : 'a number from 0 to 1'),
  max_tokens: (x) => (typeof x === 'number' && Number.isInteger(x) && x >= 1 ? null : 'a positive integer'),
  seed: (x) => (typeof x === 'number' && Number.isInteger(x) ? null : 'an integer'),
  presence_penalty: (x) => (typeof x === 'number' && x >= -2 && x <= 2 ? null : 'a number from -2 to 2'),
  frequency_penalty: (x) => (typeof x === 'number' && x >= -2 && x <= 2 ? null : 'a number from -2 to 2'),
};

function scalar(s: string): number | boolean | string {
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
  if (s === 'true' || s === 'false') return s === 'true';
  return s;
}

/** `temperature=0,0.7` (or the name and the values apart); an error text when invalid. */
export function parseSweep(spec: string, valuesText?: string): SweepSpec | { error: string } {
  let name = spec.trim(), list = valuesText;
  if (list === undefined) {
    const eq = spec.indexOf('=');
    if (eq < 0) return { error: 'a sweep is NAME=V1,V2 (e.g. temperature=0,0.7)' };
    name = spec.slice(0, eq).trim();
    list = spec.slice(eq + 1);
  }
  if (!/^[A-Za-z_][\w.-]*$/.test(name)) return { error: `"${name}" is not a model parameter name` };
  const raw = list.split(',').map((s) => s.trim()).filter(Boolean);
  const values = raw.map(scalar);
  if (values.length < 2) return { error: 'a sweep needs at least two values' };
  if (new Set(raw).size !== raw.length || new Set(values.map((v) => JSON.stringify(v))).size !== values.length) return { error: 'the sweep values must differ' };
  const check = KNOWN[name];
  for (const v of values) {
    const bad = check?.(v);
    if (bad) return { error: `${name} must be ${bad} (got ${JSON.stringify(v)})` };
  }
  return { parameter: name, values };
}

/** One arm per sweep value, named `parameter=value`, on the file's own messages and model. */
export function sweepArms(prompt: PromptFile, sweep: SweepSpec, model: string): VariantArm[] {
  return sweep.values.map((value) => ({
    name: `${sweep.parameter}=${String(value)}`, promptVariant: null, model, file: prompt.path, promptHash: prompt.contentHash,
    parameters: { [sweep.parameter]: value } as ModelParameters,
  }));
}

/** Arm names of prompt files: the file name without extension, made unique with the folder or a number. */
export function fileArmNames(files: readonly string[]): string[] {
  const base = files.map((f) => path.basename(f).replace(/\.(prompt\.ya?ml|prompty)$/i, ''));
  return base.map((b, i) => {
    if (base.filter((x) => x === b).length === 1) return b;
    const withDir = `${path.basename(path.dirname(files[i]!))}/${b}`;
    const dirsUnique = files.filter((_, j) => base[j] === b).map((f) => `${path.basename(path.dirname(f))}/${b}`);
    return new Set(dirsUnique).size === dirsUnique.length ? withDir : `${b}#${base.slice(0, i + 1).filter((x) => x === b).length}`;
  });
}

/** One arm per prompt file (the first is the control), each on its own model unless `model` is given. */
export function fileArms(prompts: readonly PromptFile[], models: readonly string[]): VariantArm[] {
  if (prompts.length < 2) throw new Error('comparing prompt files needs at least two files');
  if (new Set(prompts.map((p) => path.resolve(p.path))).size !== prompts.length) throw new Error('the same prompt file is named twice');
  const names = fileArmNames(prompts.map((p) => p.path));
  return prompts.map((p, i) => ({ name: names[i]!, promptVariant: null, model: models[i]!, file: p.path, promptHash: p.contentHash }));
}

/** Arms of a file's variants (the file and its hash recorded on each). */
export function variantArms(prompt: PromptFile, names: readonly string[], modelOf: (variant: string) => string): VariantArm[] {
  return names.map((n) => ({ name: n, promptVariant: n, model: modelOf(n), file: prompt.path, promptHash: prompt.contentHash }));
}

/** Arms of one prompt across models. */
export function modelArms(prompt: PromptFile, models: readonly string[]): VariantArm[] {
  return models.map((m) => ({ name: m, promptVariant: null, model: m, file: prompt.path, promptHash: prompt.contentHash }));
}

/** True when `text` is still the text the arm was rendered from (arms stored before hashes were kept: unknown → false). */
export function armFileUnchanged(arm: VariantArm, text: string): boolean {
  return arm.promptHash !== undefined && contentHash(text) === arm.promptHash;
}
