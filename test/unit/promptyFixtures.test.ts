/*
 * Every real .prompty file from microsoft/prompty (shared/fixtures/prompty, read in place)
 * loads with no error and the fields it states. Skipped, saying why, where that folder is
 * absent (a fresh clone outside the shared workspace).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePromptFile, renderMessages } from '../../src/core/prompt';
import type { ParseOptions, ParseResult, PromptFile } from '../../src/core/prompt';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/prompty');
const present = fs.existsSync(FIXTURES);
const skip = present ? false : `Prompty fixtures not found at ${FIXTURES} (they live in the shared workspace, beside the repository)`;

function load(rel: string, options: ParseOptions = { env: {} }): ParseResult {
  const file = path.join(FIXTURES, rel);
  return parsePromptFile(file, fs.readFileSync(file, 'utf8'), { ...options, readFile: (p) => fs.readFileSync(p, 'utf8') });
}

function prompt(rel: string, options?: ParseOptions): PromptFile {
  const r = load(rel, options);
  assert.ok(r.prompt, `${rel} did not load: ${JSON.stringify(r.diagnostics)}`);
  return r.prompt;
}

const roles = (p: PromptFile): string[] => p.messages.map((m) => m.role);
const codes = (r: ParseResult): string[] => r.diagnostics.map((d) => `${d.severity}:${d.code}`);
const defaults = (p: PromptFile): Record<string, unknown> => Object.fromEntries(p.inputs.map((i) => [i.name, i.default]));

describe('every Prompty fixture loads', { skip }, () => {
  const files = present
    ? ['v1', 'v2'].flatMap((v) => fs.readdirSync(path.join(FIXTURES, v)).filter((f) => f.endsWith('.prompty')).map((f) => `${v}/${f}`))
    : [];
  test('there are 20 fixture files (8 v1, 12 v2)', () => assert.equal(files.length, 20));
  for (const rel of files) {
    test(`${rel}: non-null, no errors, with and without an environment`, () => {
      for (const options of [{ env: {} }, {}] as ParseOptions[]) {
        const r = load(rel, options);
        assert.ok(r.prompt, rel);
        assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], rel);
        assert.match(r.prompt.contentHash, /^[0-9a-f]{64}$/);
        assert.equal(r.prompt.format, 'prompty');
      }
    });
  }
});

describe('Prompty v1 fixtures', { skip }, () => {
  test('basic: azure deployment, sample as test case and defaults', () => {
    const p = prompt('v1/basic.prompty');
    assert.equal(p.name, 'Basic Prompt');
    assert.equal(p.description, 'A basic prompt that uses the GPT-3 chat API to answer questions');
    assert.deepEqual(p.model, { id: 'gpt-35-turbo', provider: 'azure', api: 'chat', connection: { deployment: 'gpt-35-turbo' }, parameters: {} });
    assert.deepEqual(roles(p), ['system', 'user']);
    assert.deepEqual(p.metadata.authors, ['sethjuarez', 'jietong']);
    assert.deepEqual(p.testData, [{ firstName: 'Jane', lastName: 'Doe', question: 'What is the meaning of life?' }]);
    assert.deepEqual(defaults(p), { firstName: 'Jane', lastName: 'Doe', question: 'What is the meaning of life?' });
    assert.deepEqual(p.variables, ['firstName', 'lastName', 'question']);
    const r = renderMessages(p, {});
    assert.match(r.messages[0]?.content ?? '', /You are helping Jane Doe to find answers/);
    assert.equal(r.messages[1]?.content, 'What is the meaning of life?');
  });

  test('basic_json_output: no configuration, so no model id', () => {
    const p = prompt('v1/basic_json_output.prompty');
    assert.equal(p.model.id, null);
    assert.equal(p.model.provider, null);
    assert.match(p.messages[0]?.template ?? '', /Return the response in JSON format/);
  });

  test('chat: chat_history loop renders role markers into messages', () => {
    const p = prompt('v1/chat.prompty');
    assert.deepEqual(defaults(p).chat_history, []);
    assert.deepEqual(p.variables, ['firstName', 'lastName', 'chat_history', 'input']);
    assert.deepEqual(renderMessages(p, {}).messages.map((m) => m.role), ['system', 'user']);
    const r = renderMessages(p, { chat_history: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello!' }] });
    assert.deepEqual(r.messages.map((m) => [m.role, m.content.slice(0, 12)]), [['system', 'You are an A'], ['user', 'hi'], ['assistant', 'hello!'], ['user', 'What is the ']]);
  });

  test('context: sample: file:context.json is read through readFile, relative to the prompt', () => {
    const read: string[] = [];
    const file = path.join(FIXTURES, 'v1/context.prompty');
    const r = parsePromptFile(file, fs.readFileSync(file, 'utf8'), { readFile: (p) => (read.push(p), fs.readFileSync(p, 'utf8')) });
    assert.deepEqual(read, [path.join(FIXTURES, 'v1/context.json')]);
    const p = r.prompt;
    assert.ok(p);
    const sample = p.testData[0] as { customer: { firstName: string }; documentation: unknown[]; question: string };
    assert.equal(sample.customer.firstName, 'Sally');
    assert.equal(sample.documentation.length, 3);
    assert.deepEqual(p.variables, ['documentation', 'customer', 'question']);
    const system = renderMessages(p, {}).messages[0]?.content ?? '';
    assert.match(system, /catalog: 17\nitem: RainGuard Hiking Jacket\nprice: 110/);
    assert.match(system, /You are helping Sally Davis/);
  });

  test('context: an unreadable sample file is a dataset-unreadable error at the sample', () => {
    const file = path.join(FIXTURES, 'v1/context.prompty');
    const r = parsePromptFile(file, fs.readFileSync(file, 'utf8'), { readFile: () => { throw new Error('ENOENT: no such file'); } });
    const d = r.diagnostics.find((x) => x.code === 'dataset-unreadable');
    assert.ok(d && r.prompt);
    assert.deepEqual([d.severity, d.line, d.col], ['error', 11, 9]);
    assert.match(d.message, /context\.json: ENOENT/);
    assert.deepEqual(r.prompt.testData, []);
  });

  test('evaluation: parameters and a body with no role marker (one user message)', () => {
    const r = load('v1/evaluation.prompty');
    const p = r.prompt;
    assert.ok(p);
    assert.deepEqual(p.model.parameters, { temperature: 0, max_tokens: 200, top_p: 1 });
    assert.equal(p.model.id, 'gpt-4');
    assert.deepEqual(roles(p), ['user']);
    assert.deepEqual(p.variables, ['name', 'input', 'output']);
    assert.deepEqual(codes(r), ['info:implicit-role']);
    assert.equal(r.diagnostics[0]?.line, 15);
  });

  test('faithfulness: {% extends %} is flagged, and rendering reports it instead of reading a file', () => {
    const r = load('v1/faithfulness.prompty');
    assert.deepEqual(codes(r), ['info:implicit-role', 'warning:unsupported-template']);
    const p = r.prompt;
    assert.ok(p);
    assert.deepEqual(Object.keys(defaults(p)), ['name', 'input', 'output', 'context']);
    const out = renderMessages(p, {});
    assert.match(out.errors[0] ?? '', /template not found: evaluation\.prompty/);
  });

  test('functions: OpenAI tools pass through model.parameters', () => {
    const p = prompt('v1/functions.prompty');
    const tools = p.model.parameters.tools as Array<{ function: { name: string } }>;
    assert.deepEqual(tools.map((t) => t.function.name), ['get_current_weather', 'create_a_picture']);
    assert.deepEqual(p.metadata.authors, ['Seth Juarez']);
    assert.equal(defaults(p).question, "What's the weather like in San Francisco, Tokyo, and Paris?");
  });

  test('groundedness: capitalised System:/User: markers; an unused sample key is only info', () => {
    const r = load('v1/groundedness.prompty');
    const p = r.prompt;
    assert.ok(p);
    assert.deepEqual(roles(p), ['system', 'user']);
    assert.deepEqual(p.variables, ['context', 'answer']);
    assert.deepEqual(codes(r), ['info:unused-variable']);
    assert.match(r.diagnostics[0]?.message ?? '', /'question'/);
  });
});

describe('Prompty v2 fixtures', { skip }, () => {
  test('anthropic_chat: provider, options mapped to OpenAI names, map-style inputs', () => {
    const p = prompt('v2/anthropic_chat.prompty');
    assert.deepEqual(p.model, { id: 'claude-sonnet-4-5-20250929', provider: 'anthropic', api: 'chat', connection: { type: 'reference' }, parameters: { temperature: 0.7, max_tokens: 512 } });
    assert.deepEqual(p.inputs, [{ name: 'question', type: 'string', required: false, default: 'What is the meaning of life?' }]);
    assert.equal(renderMessages(p, {}).messages[1]?.content, 'What is the meaning of life?');
  });

  test('basic: ${env:} endpoint resolved, API key kept as a variable name only', () => {
    const env = { AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com/', AZURE_OPENAI_API_KEY: 'not-a-real-key-1234' };
    const r = load('v2/basic.prompty', { env });
    const p = r.prompt;
    assert.ok(p);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(p.model.connection, { type: 'key', endpoint: 'https://contoso.openai.azure.com/', apiKeyEnv: 'AZURE_OPENAI_API_KEY' });
    assert.equal(p.model.provider, 'foundry');
    assert.deepEqual(p.model.parameters, { temperature: 0.7, max_tokens: 1000 });
    assert.deepEqual(p.metadata.authors, ['testauthor']);
    assert.deepEqual(defaults(p), { firstName: 'Jane', lastName: 'Doe', question: 'What is the meaning of life?' });
    assert.ok(!JSON.stringify(p).includes(env.AZURE_OPENAI_API_KEY), 'the key value never enters the prompt');
  });

  test('config_cascade: ${file:} connection is not read, with an info note at the reference', () => {
    const r = load('v2/config_cascade.prompty');
    assert.equal(r.prompt?.model.connection, null);
    assert.equal(r.prompt?.model.id, 'gpt-4');
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.col]), [['file-reference', 'info', 7, 15]]);
  });

  test('env_default: the default applies only when the variable is missing', () => {
    assert.equal(prompt('v2/env_default.prompty', { env: {} }).model.connection?.endpoint, 'https://fallback.openai.azure.com/');
    assert.equal(prompt('v2/env_default.prompty', { env: { NONEXISTENT_ENDPOINT: 'https://real.example/' } }).model.connection?.endpoint, 'https://real.example/');
    assert.equal(prompt('v2/env_default.prompty', {}).model.connection?.endpoint, '${env:NONEXISTENT_ENDPOINT:https://fallback.openai.azure.com/}');
  });

  test('env_test: missing variables are warnings at the reference; no env → silent and unresolved', () => {
    const r = load('v2/env_test.prompty', { env: { TEST_ENDPOINT: 'https://t.example/' } });
    assert.equal(r.prompt?.model.connection?.endpoint, 'https://t.example/');
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.col, d.endCol]), [['missing-env', 'warning', 9, 13, 32]]);
    const none = load('v2/env_test.prompty', {});
    assert.deepEqual(none.diagnostics, []);
    assert.equal(none.prompt?.model.connection?.endpoint, '${env:TEST_ENDPOINT}');
  });

  test('minimal', () => {
    const p = prompt('v2/minimal.prompty');
    assert.deepEqual([p.name, p.model.id, p.description], ['minimal', 'gpt-4', null]);
    assert.deepEqual(renderMessages(p, {}).messages, [{ role: 'system', content: 'Hello world.' }]);
  });

  test('rich_metadata: metadata kept, its tags become the prompt tags', () => {
    const p = prompt('v2/rich_metadata.prompty');
    assert.deepEqual(p.tags, ['production', 'v2']);
    assert.deepEqual(p.metadata, { authors: ['alice', 'bob'], tags: ['production', 'v2'], version: '2.0', custom_field: 'hello' });
  });

  test('shorthand_body_only: no front matter, one user message, name from the file', () => {
    const r = load('v2/shorthand_body_only.prompty');
    const p = r.prompt;
    assert.ok(p);
    assert.equal(p.name, 'shorthand_body_only');
    assert.deepEqual(renderMessages(p, {}).messages, [{ role: 'user', content: 'You are a helpful assistant that answers questions concisely.' }]);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.col]), [['implicit-role', 1, 1]]);
  });

  test('shorthand_model_string: model: gpt-4o', () => {
    const p = prompt('v2/shorthand_model_string.prompty');
    assert.deepEqual(p.model, { id: 'gpt-4o', provider: null, api: 'chat', connection: null, parameters: {} });
    assert.deepEqual(renderMessages(p, {}).missing, ['question']);
  });

  test('shorthand_quick: list-style inputs with defaults', () => {
    const p = prompt('v2/shorthand_quick.prompty');
    assert.equal(p.model.id, 'gpt-4o-mini');
    assert.deepEqual(p.inputs, [{ name: 'topic', type: 'string', required: false, default: 'Python' }]);
    assert.equal(renderMessages(p, {}).messages[1]?.content, 'Write a one-paragraph summary of Python.');
  });

  test('threaded: a thread input is spliced in as messages', () => {
    const p = prompt('v2/threaded.prompty');
    assert.deepEqual(p.inputs.map((i) => [i.name, i.type, i.required]), [['question', 'string', false], ['conversation', 'thread', true]]);
    const r = renderMessages(p, { conversation: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello, how can I help?' }] });
    assert.deepEqual(r.messages.map((m) => `${m.role}:${m.content}`), ['system:You are a helpful assistant.', 'user:Hi', 'assistant:Hello, how can I help?', 'user:Hello']);
    assert.deepEqual(r.missing, []);
  });

  test('tools_function: v2 tools become OpenAI function tools', () => {
    const p = prompt('v2/tools_function.prompty');
    const [weather, picture] = p.model.parameters.tools as Array<{ type: string; function: Record<string, unknown> }>;
    assert.deepEqual(weather, {
      type: 'function',
      function: {
        name: 'get_current_weather',
        description: 'Get the current weather in a given location',
        parameters: {
          type: 'object',
          properties: {
            location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
            unit: { type: 'string', description: 'Temperature unit', enum: ['celsius', 'fahrenheit'] },
          },
          required: ['location', 'unit'],
          additionalProperties: false,
        },
        strict: true,
      },
    });
    assert.equal(picture?.function.name, 'create_a_picture');
  });
});
