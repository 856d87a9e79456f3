/*
 * Keys both formats share: GitHub-style message lists and Prompt Lab's own extra keys
 * (`variants`, `tags`, `metadata`, `quality`, `provider`, `dataset`), which `gh models`
 * ignores, so a file that uses them still runs there.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { AssertionSchema } from '../quality/assertionSchema';
import { readParameters } from './modelParameters';
import type { Locator } from './sourceRange';
import type { MessageTemplate, ModelSpec, Role, VariantSpec } from './types';
import type { YamlPath, YamlSource } from './yamlSource';

export const OUR_KEYS = ['variants', 'tags', 'metadata', 'quality', 'provider', 'dataset', 'assert'] as const;
export const QUALITY_DIMENSIONS = ['relevance', 'completeness', 'accuracy', 'clarity', 'safety'] as const;

/** A message template plus how to map a position inside it back to the file. */
export interface TemplateSite { message: MessageTemplate; locate: Locator }

const ROLES = new Set<Role>(['system', 'user', 'assistant']);
const MESSAGE_KEYS = new Set(['role', 'content', 'name']);
const VARIANT_KEYS = new Set(['name', 'description', 'messages', 'model', 'modelParameters', 'provider']);
const scalarText = z.union([z.string(), z.number(), z.boolean()], { error: 'must be text' }).transform(String);

/** `messages:` as GitHub writes it: a list of {role, content}. Undefined when unusable. */
export function readMessageList(src: YamlSource, at: YamlPath): TemplateSite[] | undefined {
  const items = src.check(z.array(z.unknown()), at);
  if (!items) return undefined;
  const sites: TemplateSite[] = [];
  items.forEach((_item, i) => {
    const p = [...at, i];
    if (!src.check(z.record(z.string(), z.unknown()), p)) return;
    src.warnUnknownKeys(p, MESSAGE_KEYS, 'a message');
    if (src.valueAt([...p, 'role']) === undefined) {
      src.report('error', 'missing-key', 'A message needs a role: system, user or assistant', src.rangeAt(p));
      return;
    }
    const roleText = src.check(z.string(), [...p, 'role']);
    const role = roleText?.toLowerCase() as Role | undefined;
    if (roleText !== undefined && !ROLES.has(role as Role)) {
      src.report('error', 'wrong-type', `'${roleText}' is not a role: use system, user or assistant`, src.rangeAt([...p, 'role']));
      return;
    }
    if (src.valueAt([...p, 'content']) === undefined) {
      src.report('error', 'missing-key', 'A message needs a content', src.rangeAt(p));
      return;
    }
    const content = src.check(scalarText, [...p, 'content']);
    if (!role || content === undefined) return;
    sites.push({ message: { role, template: content, range: src.rangeAt([...p, 'content']) }, locate: src.locatorAt([...p, 'content']) });
  });
  return sites;
}

export interface CommonKeys {
  variants: VariantSpec[];
  variantSites: TemplateSite[];
  tags: string[] | null;
  metadata: Record<string, unknown> | null;
  quality: Record<string, number> | null;
  provider: string | null;
  dataset: string | null;
  assertions: unknown[];
}

export function readCommonKeys(src: YamlSource, file: string): CommonKeys {
  const { variants, variantSites } = readVariants(src);
  const datasetText = src.check(z.string().min(1).optional(), ['dataset']);
  return {
    variants,
    variantSites,
    tags: src.check(z.array(scalarText).optional(), ['tags']) ?? null,
    metadata: src.check(z.record(z.string(), z.unknown()).optional(), ['metadata']) ?? null,
    quality: readQuality(src),
    provider: src.check(z.string().min(1).optional(), ['provider']) ?? null,
    dataset: datasetText ? path.resolve(path.dirname(file), datasetText) : null,
    assertions: readAssertions(src),
  };
}

/** `assert:` — each item checked here, so a typo shows in the Problems panel, not at run time. */
function readAssertions(src: YamlSource): unknown[] {
  const items = src.check(z.array(z.unknown()).optional(), ['assert']);
  if (!items) return [];
  const ok: unknown[] = [];
  items.forEach((item, i) => {
    const parsed = AssertionSchema.safeParse(item);
    if (parsed.success) ok.push(item);
    else src.report('error', 'wrong-type', `assertion ${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid'} (types: contains, icontains, regex, equals, starts-with, is-json, json-schema, max-length, max-latency-ms, max-cost, similar, llm-rubric)`, src.rangeAt(['assert', i]));
  });
  return ok;
}

function readQuality(src: YamlSource): Record<string, number> | null {
  if (src.valueAt(['quality']) === undefined) return null;
  if (!src.check(z.record(z.string(), z.unknown()), ['quality'])) return null;
  src.warnUnknownKeys(['quality'], new Set(QUALITY_DIMENSIONS), "'quality'", ` (dimensions: ${QUALITY_DIMENSIONS.join(', ')})`);
  const weights: Record<string, number> = {};
  for (const dim of QUALITY_DIMENSIONS) {
    const w = src.check(z.number().min(0).optional(), ['quality', dim]);
    if (w !== undefined) weights[dim] = w;
  }
  return weights;
}

/** `variants:` as a list of {name, …} or a map of name → {…}. */
function readVariants(src: YamlSource): { variants: VariantSpec[]; variantSites: TemplateSite[] } {
  const raw = src.valueAt(['variants']);
  const variants: VariantSpec[] = [];
  const variantSites: TemplateSite[] = [];
  if (raw === undefined || raw === null) return { variants, variantSites };
  const entries: Array<{ name: string | undefined; at: YamlPath }> = Array.isArray(raw)
    ? raw.map((item, i) => ({ name: typeof item?.name === 'string' ? item.name : undefined, at: ['variants', i] }))
    : src.check(z.record(z.string(), z.unknown()), ['variants'])
      ? Object.keys(raw as object).map((name) => ({ name, at: ['variants', name] }))
      : [];
  for (const { name, at } of entries) {
    if (!src.check(z.record(z.string(), z.unknown()), at)) continue;
    src.warnUnknownKeys(at, VARIANT_KEYS, `variant '${name ?? '?'}'`);
    if (!name) {
      src.report('error', 'missing-key', 'A variant needs a name', src.rangeAt(at));
      continue;
    }
    if (variants.some((v) => v.name === name)) {
      src.report('error', 'duplicate-key', `Variant '${name}' is defined twice`, src.rangeAt(at));
      continue;
    }
    const variant: VariantSpec = { name };
    if (src.valueAt([...at, 'messages']) !== undefined) {
      const sites = readMessageList(src, [...at, 'messages']);
      if (sites) {
        variant.messages = sites.map((s) => s.message);
        variantSites.push(...sites);
      }
    }
    const model = readVariantModel(src, at);
    if (model) variant.model = model;
    if (src.valueAt([...at, 'modelParameters']) !== undefined) variant.parameters = readParameters(src, [...at, 'modelParameters'], `variant '${name}'`);
    variants.push(variant);
  }
  return { variants, variantSites };
}

function readVariantModel(src: YamlSource, at: YamlPath): Partial<ModelSpec> | undefined {
  const model = src.check(z.union([z.string(), z.object({ id: z.string().optional(), provider: z.string().optional() })], { error: 'must be a model id or {id, provider}' }).optional(), [...at, 'model']);
  const provider = src.check(z.string().optional(), [...at, 'provider']);
  const out: Partial<ModelSpec> = {};
  if (typeof model === 'string') out.id = model;
  else if (model) {
    if (model.id !== undefined) out.id = model.id;
    if (model.provider !== undefined) out.provider = model.provider;
  }
  if (provider !== undefined) out.provider = provider;
  return Object.keys(out).length > 0 ? out : undefined;
}
