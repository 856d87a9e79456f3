/*
 * Microsoft Prompty `*.prompty`: YAML front matter (v1 or v2, see promptyModel and
 * promptyInputs) + a body split into messages by role markers (promptySections).
 *
 * `${env:VAR}` / `${env:VAR:default}` are resolved from ParseOptions.env (left as written
 * when env is undefined); `${file:…}` is never read. The only file ever read is a v1
 * `sample: file:…` inside the prompt's folder, through `readFile`.
 */
import * as fs from 'node:fs';
import { isMap } from 'yaml';
import { z } from 'zod';
import { OUR_KEYS, readCommonKeys } from './commonKeys';
import { resolveReferences } from './envReferences';
import { promptyTools } from './modelParameters';
import { contentHash, nameFromPath } from './promptIdentity';
import { readPromptyInputs } from './promptyInputs';
import type { ReadFile } from './promptyInputs';
import { readPromptyModel } from './promptyModel';
import { splitPromptyBody, splitPromptyFile } from './promptySections';
import { START_OF_FILE, compareDiagnostics, diagnostic } from './sourceRange';
import type { TemplateSite } from './commonKeys';
import type { ParseOptions, ParseResult, PromptDiagnostic, PromptFile } from './types';
import { analyzeVariables } from './variables';
import { YamlSource } from './yamlSource';

const PROMPTY_KEYS = ['name', 'description', 'version', 'authors', 'metadata', 'model', 'sample', 'inputs', 'outputs', 'template', 'base', 'tools', 'kind', 'id'];
const TOP_LEVEL_KEYS = new Set<string>([...PROMPTY_KEYS, ...OUR_KEYS]);
const SUPPORTED_FORMATS = new Set(['jinja2', 'jinja', 'nunjucks', 'mustache']);
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export type PromptyParseOptions = ParseOptions & { readFile?: ReadFile };

const readUtf8: ReadFile = (file) => fs.readFileSync(file, 'utf8');

export function parsePrompty(file: string, source: string, options: PromptyParseOptions = {}): ParseResult {
  const diagnostics: PromptDiagnostic[] = [];
  const sections = splitPromptyFile(source);
  if (!sections) {
    diagnostics.push(diagnostic('error', 'yaml-syntax', 'The front matter opened by --- is never closed by a --- line', START_OF_FILE));
    return { prompt: null, diagnostics };
  }
  const src = new YamlSource(sections.frontMatter ?? '', sections.frontMatterLine - 1);
  const done = (prompt: PromptFile | null): ParseResult => ({ prompt, diagnostics: [...src.diagnostics, ...diagnostics].sort(compareDiagnostics) });
  if (src.broken) return done(null);
  // Checked on the node: converting to JS now would freeze values before ${env:} substitution.
  if (src.doc.contents !== null && !isMap(src.doc.contents)) {
    src.report('error', 'wrong-type', 'The front matter must be a YAML map (name, model, inputs, …)', src.rangeAt([]));
    return done(null);
  }
  resolveReferences(src, options.env);
  src.warnUnknownKeys([], TOP_LEVEL_KEYS, 'the front matter');

  const body = splitPromptyBody(sections.body, sections.bodyLine);
  diagnostics.push(...body.diagnostics);
  if (body.sites.length === 0) {
    diagnostics.push(diagnostic('error', 'missing-key', 'The prompt has no message: write the template after the front matter', { line: sections.bodyLine, col: 1, endLine: sections.bodyLine, endCol: 1 }));
    return done(null);
  }

  const model = readPromptyModel(src);
  if (src.valueAt(['tools']) !== undefined) {
    const tools = promptyTools(src, ['tools']);
    if (tools.length > 0 && model.parameters.tools === undefined) model.parameters.tools = tools;
  }
  checkTemplateFormat(src, body.sites);
  const inputs = readPromptyInputs(src, file, options.readFile ?? readUtf8);
  const common = readCommonKeys(src, file);
  if (common.provider) model.provider = common.provider;
  const analysis = analyzeVariables([...body.sites, ...common.variantSites], inputs.declared, inputs.rows);
  diagnostics.push(...analysis.diagnostics);

  const metadata: Record<string, unknown> = { ...(common.metadata ?? {}) };
  const authors = src.check(z.array(text).optional(), ['authors']);
  if (authors) metadata.authors = authors;
  const version = src.check(text.optional(), ['version']);
  if (version !== undefined) metadata.version = version;
  const metadataTags = z.array(z.string()).safeParse(metadata.tags);

  return done({
    format: 'prompty',
    path: file,
    name: src.check(text.optional(), ['name']) ?? nameFromPath(file),
    description: src.check(text.optional(), ['description']) ?? null,
    model,
    messages: body.sites.map((s) => s.message),
    inputs: inputs.inputs,
    variables: analysis.variables,
    testData: inputs.testData,
    dataset: common.dataset,
    evaluators: [],
    variants: common.variants,
    tags: common.tags ?? (metadataTags.success ? metadataTags.data : []),
    metadata,
    quality: common.quality,
    assertions: common.assertions,
    contentHash: contentHash(source),
  });
}

/** v1 `template: jinja2`, v2 `template: {format: {kind: jinja2|mustache}, parser: …}`. */
function checkTemplateFormat(src: YamlSource, sites: readonly TemplateSite[]): void {
  const raw = src.valueAt(['template']);
  if (raw === undefined || raw === null) return;
  const format = typeof raw === 'string'
    ? raw
    : src.check(z.union([z.string(), z.object({ kind: z.string() })], { error: 'must be a format name or {kind}' }).optional(), ['template', 'format']);
  const kind = (typeof format === 'string' ? format : format?.kind)?.toLowerCase();
  if (!kind) return;
  const at = src.rangeAt(typeof raw === 'string' ? ['template'] : ['template', 'format']);
  if (!SUPPORTED_FORMATS.has(kind)) {
    src.report('warning', 'unsupported-template', `Template format '${kind}' is not supported: the template is rendered as Jinja2`, at);
  } else if (kind === 'mustache' && sites.some((s) => /\{\{\s*[#^/>]/.test(s.message.template))) {
    src.report('warning', 'unsupported-template', 'Mustache sections and partials are not supported: templates render as Jinja2, where only {{ name }} carries over', at);
  }
}
