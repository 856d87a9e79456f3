/*
 * Prompty `model:` in all its shapes, as one ModelSpec:
 * - v2 shorthand `model: gpt-4o-mini`;
 * - v2 `{id, provider, apiType, connection {kind, endpoint, apiKey…}, options {…}}`;
 * - v1 `{api, configuration {type, azure_endpoint, azure_deployment, api_version, name|model},
 *   parameters {…}}`.
 * API keys are never copied: a `${env:VAR}` key becomes `apiKeyEnv: 'VAR'`.
 */
import { z } from 'zod';
import { envVarName } from './envReferences';
import { readParameters } from './modelParameters';
import type { ModelSpec } from './types';
import type { YamlPath, YamlSource } from './yamlSource';

const MODEL_KEYS = new Set(['id', 'provider', 'apiType', 'connection', 'options', 'api', 'configuration', 'parameters', 'response']);
const map = z.record(z.string(), z.unknown());
const optionalText = z.string().optional();

type Connection = NonNullable<ModelSpec['connection']>;

export function readPromptyModel(src: YamlSource): ModelSpec {
  const spec: ModelSpec = { id: null, provider: null, api: 'chat', connection: null, parameters: {} };
  const raw = src.valueAt(['model']);
  if (raw === undefined || raw === null) return spec;
  if (typeof raw === 'string') return { ...spec, id: raw };
  if (!src.check(map, ['model'])) return spec;
  src.warnUnknownKeys(['model'], MODEL_KEYS, "'model'");

  const config = src.valueAt(['model', 'configuration']) === undefined ? undefined : src.check(map, ['model', 'configuration']);
  const id = src.check(optionalText, ['model', 'id']);
  const fromConfig = config ? firstText(config.azure_deployment, config.model, config.name) : undefined;
  spec.id = id ?? fromConfig ?? null;

  const api = src.check(optionalText, ['model', 'api']) ?? src.check(optionalText, ['model', 'apiType']);
  spec.api = api?.toLowerCase() === 'completion' ? 'completion' : 'chat';

  spec.parameters = {
    ...readParameters(src, ['model', 'parameters'], "'model.parameters'"),
    ...readParameters(src, ['model', 'options'], "'model.options'"),
  };

  const provider = src.check(optionalText, ['model', 'provider']);
  if (config) {
    spec.connection = v1Connection(src, config);
    spec.provider = normaliseProvider(provider ?? inferV1Provider(config));
  } else {
    spec.provider = provider ? normaliseProvider(provider) : null;
    const conn = src.valueAt(['model', 'connection']);
    // A `${file:…}` connection stays unresolved (reported by resolveReferences).
    if (conn !== undefined && typeof conn !== 'string') {
      const c = src.check(map, ['model', 'connection']);
      if (c) spec.connection = v2Connection(src, c);
    }
  }
  return spec;
}

function v1Connection(src: YamlSource, c: Record<string, unknown>): Connection {
  return compact({
    type: text(c.type),
    endpoint: firstText(c.azure_endpoint, c.base_url, c.endpoint),
    deployment: text(c.azure_deployment),
    apiVersion: text(c.api_version),
    apiKeyEnv: apiKeyEnv(src, ['model', 'configuration', 'api_key'], c.api_key),
  });
}

function v2Connection(src: YamlSource, c: Record<string, unknown>): Connection {
  return compact({
    type: text(c.kind) ?? text(c.type),
    endpoint: text(c.endpoint),
    deployment: text(c.deployment) ?? text(c.deploymentName),
    apiVersion: text(c.apiVersion),
    apiKeyEnv: apiKeyEnv(src, ['model', 'connection', 'apiKey'], c.apiKey),
  });
}

function apiKeyEnv(src: YamlSource, at: YamlPath, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const name = envVarName(value);
  if (name) return name;
  src.report('warning', 'literal-secret', 'An API key written in the prompt file is ignored: use ${env:VAR} (or a provider profile) so the key stays out of the repository', src.rangeAt(at));
  return undefined;
}

function inferV1Provider(c: Record<string, unknown>): string | undefined {
  const type = text(c.type);
  if (type) return type;
  return c.azure_deployment !== undefined || c.azure_endpoint !== undefined ? 'azure' : undefined;
}

/** v1 `azure_openai` and plain `azure` name the same provider profile kind. */
function normaliseProvider(p: string | undefined): string | null {
  if (!p) return null;
  const lower = p.toLowerCase();
  return lower === 'azure_openai' ? 'azure' : lower;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function firstText(...values: unknown[]): string | undefined {
  for (const v of values) if (text(v)) return v as string;
  return undefined;
}

function compact(c: Record<string, string | undefined>): Connection {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Connection;
}
