/*
 * GitHub Models `*.prompt.yml` / `*.prompt.yaml`. A file written for `gh models eval` parses
 * unchanged: every documented spelling is accepted (maxTokens / max_tokens, topP / top_p,
 * responseFormat + jsonSchema as a map or a JSON string), keys gh-models ignores are only
 * warned about, and Prompt Lab's own keys (variants, tags, metadata, quality, provider,
 * dataset) are ignored by gh-models in turn.
 *
 * `prompt` is null only when the file cannot be understood (broken YAML, not a map, no
 * usable messages). Otherwise bad values are dropped with an error: callers must not run
 * a prompt whose diagnostics contain an error.
 */
import { z } from 'zod';
import { OUR_KEYS, readCommonKeys, readMessageList } from './commonKeys';
import { readEvaluators } from './evaluatorKeys';
import { githubResponseFormat, readParameters } from './modelParameters';
import { contentHash, nameFromPath } from './promptIdentity';
import { START_OF_FILE, compareDiagnostics } from './sourceRange';
import type { ParseOptions, ParseResult, PromptDiagnostic, PromptFile } from './types';
import { analyzeVariables } from './variables';
import type { TestRow } from './variables';
import { YamlSource } from './yamlSource';

const GITHUB_KEYS = ['name', 'description', 'model', 'modelParameters', 'responseFormat', 'jsonSchema', 'messages', 'testData', 'evaluators'];
const TOP_LEVEL_KEYS = new Set<string>([...GITHUB_KEYS, ...OUR_KEYS]);
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export function parsePromptYml(file: string, source: string, _options: ParseOptions = {}): ParseResult {
  const src = new YamlSource(source);
  const done = (prompt: PromptFile | null, extra: PromptDiagnostic[] = []): ParseResult => ({
    prompt,
    diagnostics: [...src.diagnostics, ...extra].sort(compareDiagnostics),
  });
  if (src.broken) return done(null);
  const root = src.root();
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    src.report('error', 'wrong-type', 'A prompt file is a YAML map with at least `messages:`', src.rangeAt([]));
    return done(null);
  }
  src.warnUnknownKeys([], TOP_LEVEL_KEYS, 'a .prompt.yml file');

  if (src.valueAt(['messages']) === undefined) {
    src.report('error', 'missing-key', "A prompt file needs 'messages': a list of {role, content}", START_OF_FILE);
    return done(null);
  }
  const sites = readMessageList(src, ['messages']);
  if (!sites) return done(null);
  if (sites.length === 0) {
    // Messages that are there but wrong have been reported one by one.
    if ((src.valueAt(['messages']) as unknown[]).length === 0) src.report('error', 'missing-key', "'messages' is empty", src.rangeAt(['messages']));
    return done(null);
  }

  const parameters = readParameters(src, ['modelParameters'], "'modelParameters'");
  const responseFormat = githubResponseFormat(src);
  if (responseFormat !== undefined) {
    if (parameters.response_format !== undefined) src.report('warning', 'duplicate-key', "'responseFormat' overrides 'modelParameters' response_format", src.keyRangeAt(['responseFormat']));
    parameters.response_format = responseFormat;
  }

  const testData: Array<Record<string, unknown>> = [];
  const rows: TestRow[] = [];
  const rowList = src.check(z.array(z.unknown()).optional(), ['testData']) ?? [];
  rowList.forEach((_row, i) => {
    const values = src.check(z.record(z.string(), z.unknown()), ['testData', i]);
    if (!values) return;
    testData.push(values);
    rows.push({ values, range: src.rangeAt(['testData', i]), label: `testData row ${i + 1}` });
  });

  const common = readCommonKeys(src, file);
  const analysis = analyzeVariables([...sites, ...common.variantSites], [], rows);
  const modelId = src.check(z.string().optional(), ['model']);

  const prompt: PromptFile = {
    format: 'prompt.yml',
    path: file,
    name: src.check(text.optional(), ['name']) ?? nameFromPath(file),
    description: src.check(text.optional(), ['description']) ?? null,
    model: { id: modelId ?? null, provider: common.provider, api: 'chat', connection: null, parameters },
    messages: sites.map((s) => s.message),
    inputs: [],
    variables: analysis.variables,
    testData,
    dataset: common.dataset,
    evaluators: readEvaluators(src),
    variants: common.variants,
    tags: common.tags ?? [],
    metadata: common.metadata ?? {},
    quality: common.quality,
    assertions: common.assertions,
    contentHash: contentHash(source),
  };
  return done(prompt, analysis.diagnostics);
}
