/*
 * Model parameters in every spelling the formats use (GitHub `maxTokens`/`topP`, OpenAI
 * `max_tokens`/`top_p`, Prompty v2 `maxOutputTokens`/`stopSequences`) normalised to the
 * OpenAI names of ModelParameters, which providers then map. Keys we do not know are passed
 * through untouched (with an info note): a newer provider option must not need a release.
 */
import { z } from 'zod';
import type { ZodType } from 'zod';
import type { ModelParameters } from './types';
import type { YamlPath, YamlSource } from './yamlSource';

const ALIASES: Record<string, string> = {
  maxTokens: 'max_tokens',
  maxOutputTokens: 'max_tokens',
  maxCompletionTokens: 'max_completion_tokens',
  topP: 'top_p',
  topK: 'top_k',
  stopSequences: 'stop',
  frequencyPenalty: 'frequency_penalty',
  presencePenalty: 'presence_penalty',
  responseFormat: 'response_format',
  allowMultipleToolCalls: 'parallel_tool_calls',
  toolChoice: 'tool_choice',
  reasoningEffort: 'reasoning_effort',
};

const jsonMap = z.record(z.string(), z.unknown());
const positiveInt = z.number().int().min(1);

const SCHEMAS: Record<string, ZodType> = {
  temperature: z.number().min(0),
  max_tokens: positiveInt,
  max_completion_tokens: positiveInt,
  top_p: z.number().min(0).max(1),
  top_k: z.number().int().min(0),
  stop: z.union([z.string(), z.array(z.string())], { error: 'must be a string or a list of strings' }),
  seed: z.number().int(),
  frequency_penalty: z.number(),
  presence_penalty: z.number(),
  response_format: z.union([z.enum(['text', 'json_object']), jsonMap], { error: 'must be "text", "json_object" or a map' }),
  parallel_tool_calls: z.boolean(),
  tools: z.array(z.unknown()),
  tool_choice: z.union([z.string(), jsonMap], { error: 'must be a string or a map' }),
  n: positiveInt,
  logit_bias: jsonMap,
  logprobs: z.boolean(),
  top_logprobs: z.number().int().min(0),
  user: z.string(),
  reasoning_effort: z.string(),
};

/** Reads a parameters map (`modelParameters`, v1 `model.parameters`, v2 `model.options`). */
export function readParameters(src: YamlSource, path: YamlPath, where: string): ModelParameters {
  const out: ModelParameters = {};
  const raw = src.valueAt(path);
  if (raw === undefined || raw === null) return out;
  const map = src.check(jsonMap, path);
  if (!map) return out;
  for (const key of Object.keys(map)) {
    if (key === 'additionalProperties') {
      // Prompty v2 puts provider-specific options here; they go to the provider as they are.
      Object.assign(out, src.check(jsonMap, [...path, key]) ?? {});
      continue;
    }
    const canonical = ALIASES[key] ?? key;
    const schema = SCHEMAS[canonical];
    if (!schema) {
      src.report('info', 'unknown-key', `'${key}' in ${where} is not a parameter Prompt Lab knows; it is passed to the provider as is`, src.keyRangeAt([...path, key]));
      out[key] = map[key];
      continue;
    }
    const value = src.check(schema, [...path, key]);
    if (value === undefined) continue;
    if (canonical in out) {
      src.report('warning', 'duplicate-key', `'${key}' sets '${canonical}' again; the later value wins`, src.keyRangeAt([...path, key]));
    }
    out[canonical] = normaliseValue(canonical, value);
  }
  return out;
}

function normaliseValue(name: string, value: unknown): unknown {
  if (name === 'stop' && typeof value === 'string') return [value];
  if (name === 'response_format' && typeof value === 'string') return { type: value };
  return value;
}

/**
 * GitHub's top-level `responseFormat` + `jsonSchema` as an OpenAI `response_format`.
 * `jsonSchema` is accepted both as a map and as a JSON string (gh-models has shipped both),
 * either `{name, strict?, schema}` or a bare schema (then named "response").
 */
export function githubResponseFormat(src: YamlSource): unknown {
  const hasFormat = src.valueAt(['responseFormat']) !== undefined;
  const hasSchema = src.valueAt(['jsonSchema']) !== undefined;
  if (!hasFormat) {
    if (hasSchema) src.report('warning', 'ignored-key', "'jsonSchema' is ignored unless 'responseFormat' is json_schema", src.keyRangeAt(['jsonSchema']));
    return undefined;
  }
  const format = src.check(z.enum(['text', 'json_object', 'json_schema', 'guidance']), ['responseFormat']);
  if (format === undefined) return undefined;
  if (format !== 'json_schema') return { type: format };
  if (!hasSchema) {
    src.report('error', 'missing-key', "'jsonSchema' is required when 'responseFormat' is json_schema", src.rangeAt(['responseFormat']));
    return undefined;
  }
  let schema = src.check(z.union([z.string(), jsonMap], { error: 'must be a map or a JSON string' }), ['jsonSchema']);
  if (typeof schema === 'string') {
    try {
      schema = jsonMap.parse(JSON.parse(schema));
    } catch (e) {
      src.report('error', 'wrong-type', `'jsonSchema' is not a JSON object: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, src.rangeAt(['jsonSchema']));
      return undefined;
    }
  }
  if (!schema) return undefined;
  const named = typeof schema.name === 'string' && schema.schema !== undefined;
  const jsonSchema = named
    ? { name: schema.name, schema: schema.schema, ...(schema.strict !== undefined ? { strict: schema.strict } : {}), ...(schema.description !== undefined ? { description: schema.description } : {}) }
    : { name: 'response', schema };
  return { type: 'json_schema', json_schema: jsonSchema };
}

const JSON_TYPES: Record<string, string> = { string: 'string', integer: 'integer', int: 'integer', float: 'number', number: 'number', boolean: 'boolean', bool: 'boolean', array: 'array', object: 'object' };

/** Prompty v2 `tools:` (function tools with typed parameter lists) in the OpenAI tools format. */
export function promptyTools(src: YamlSource, path: YamlPath): unknown[] {
  const tools = src.check(z.array(jsonMap), path) ?? [];
  const out: unknown[] = [];
  tools.forEach((tool, i) => {
    const kind = typeof tool.kind === 'string' ? tool.kind : 'function';
    if (kind !== 'function' || typeof tool.name !== 'string') {
      src.report('warning', 'unsupported-tool', `Tool '${String(tool.name ?? i)}' of kind '${kind}' is not sent: only function tools are supported`, src.rangeAt([...path, i]));
      return;
    }
    const strict = tool.strict === true;
    out.push({
      type: 'function',
      function: {
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        parameters: parametersSchema(tool.parameters, strict),
        ...(strict ? { strict: true } : {}),
      },
    });
  });
  return out;
}

function parametersSchema(params: unknown, strict: boolean): Record<string, unknown> {
  const list: Array<Record<string, unknown>> = Array.isArray(params)
    ? params.filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null)
    : params && typeof params === 'object'
      ? Object.entries(params).map(([name, p]) => ({ name, ...(typeof p === 'object' && p ? p : { kind: 'string' }) }))
      : [];
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const p of list) {
    const name = String(p.name);
    properties[name] = {
      type: JSON_TYPES[String(p.kind ?? p.type ?? 'string').toLowerCase()] ?? 'string',
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      ...(Array.isArray(p.enumValues) ? { enum: p.enumValues } : {}),
    };
    // OpenAI strict mode requires every property to be listed as required.
    if (strict || p.required === true) required.push(name);
  }
  return { type: 'object', properties, required, ...(strict ? { additionalProperties: false } : {}) };
}
