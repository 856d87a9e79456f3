/*
 * GitHub Models .prompt.yml parsing: realistic files written the way GitHub documents them,
 * every documented spelling, Prompt Lab's extra keys, and diagnostics at exact positions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, isPromptFile, parsePromptFile, variantModel, variantParameters } from '../../src/core/prompt';
import type { EvaluatorSpecWithLlm, ParseResult, PromptDiagnostic } from '../../src/core/prompt';

const PROMPTS = path.resolve(__dirname, '../fixtures/prompts');

function fixture(name: string): ParseResult {
  const file = path.join(PROMPTS, name);
  return parsePromptFile(file, fs.readFileSync(file, 'utf8'));
}

const parse = (text: string, file = 'inline.prompt.yml'): ParseResult => parsePromptFile(file, text);
const at = (d: PromptDiagnostic | undefined): [string, string, number, number] | undefined => (d ? [d.severity, d.code, d.line, d.col] : undefined);
const byCode = (r: ParseResult, code: string): PromptDiagnostic[] => r.diagnostics.filter((d) => d.code === code);

describe('realistic .prompt.yml files', () => {
  test('text-summarizer: GitHub spellings, testData, string and uses evaluators', () => {
    const r = fixture('text-summarizer.prompt.yml');
    assert.deepEqual(r.diagnostics, []);
    const p = r.prompt;
    assert.ok(p);
    assert.equal(p.format, 'prompt.yml');
    assert.equal(p.name, 'Text Summarizer');
    assert.equal(p.description, 'Summarizes input text concisely');
    assert.deepEqual(p.model, { id: 'openai/gpt-4o-mini', provider: null, api: 'chat', connection: null, parameters: { temperature: 0.5, max_tokens: 300, top_p: 0.9 } });
    assert.deepEqual(p.messages.map((m) => m.role), ['system', 'user']);
    assert.equal(p.messages[1]?.template, 'Summarize the given text, beginning with "Summary -":\n<text>\n{{input}}\n</text>\n');
    assert.deepEqual(p.messages[1]?.range, { line: 12, col: 14, endLine: 16, endCol: 14 });
    assert.deepEqual(p.variables, ['input']);
    assert.equal(p.testData.length, 2);
    assert.equal(p.testData[0]?.expected, 'Summary - A fox jumped over a lazy, unresponsive dog.');
    assert.deepEqual(p.evaluators.map((e) => [e.name, e.string ?? e.uses]), [
      ["Output should start with 'Summary -'", { startsWith: 'Summary -' }],
      ['Mentions the subject', { contains: '{{subject}}' }],
      ['Similarity to expected', 'github/similarity'],
      ['Coherence', 'github/coherence'],
      ['Fluency', 'github/fluency'],
    ]);
    assert.deepEqual(p.evaluators[0]?.range, { line: 28, col: 5, endLine: 30, endCol: 30 });
    assert.deepEqual([p.dataset, p.variants, p.tags, p.metadata, p.quality, p.inputs], [null, [], [], {}, null, []]);
    assert.match(p.contentHash, /^[0-9a-f]{64}$/);
  });

  test('person-info: responseFormat json_schema + jsonSchema become response_format', () => {
    const r = fixture('person-info.prompt.yml');
    assert.deepEqual(r.diagnostics, []);
    const rf = r.prompt?.model.parameters.response_format as { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[] } } };
    assert.equal(rf.type, 'json_schema');
    assert.equal(rf.json_schema.name, 'person');
    assert.equal(rf.json_schema.strict, true);
    assert.deepEqual(rf.json_schema.schema.required, ['name', 'age', 'email']);
    assert.deepEqual(r.prompt?.model.parameters.max_tokens, 200);
    assert.deepEqual(r.prompt?.variables, ['text']);
  });

  test("ticket-triage: Prompt Lab's own keys", () => {
    const r = fixture('ticket-triage.prompt.yml');
    const p = r.prompt;
    assert.ok(p);
    assert.equal(p.model.provider, 'github-models');
    assert.equal(p.dataset, path.join(PROMPTS, '../datasets/tickets.csv'));
    assert.deepEqual(p.tags, ['support', 'triage']);
    assert.deepEqual(p.metadata, { owner: 'support-tools', revision: 3 });
    assert.deepEqual(p.quality, { relevance: 0.4, completeness: 0.2, accuracy: 0.2, clarity: 0.15, safety: 0.05 });
    assert.deepEqual(p.model.parameters, { temperature: 0.2, max_tokens: 400, stop: ['###'], seed: 7 });
    assert.deepEqual(p.variants.map((v) => v.name), ['terse', 'haiku']);
    assert.deepEqual(variantParameters(p, 'terse'), { temperature: 0, max_tokens: 120, stop: ['###'], seed: 7 });
    const haiku = variantModel(p, 'haiku');
    assert.deepEqual([haiku.id, haiku.provider, haiku.parameters.temperature], ['anthropic/claude-3-5-haiku', 'anthropic', 0.2]);
    assert.equal(p.variants[1]?.messages?.[0]?.role, 'user');
    assert.deepEqual(p.variables, ['product', 'tone', 'ticket']);
    // `tone` is optional ({% if tone %}) and declared nowhere: a hint, not a warning.
    assert.deepEqual(r.diagnostics.map(at), [['info', 'undeclared-variable', 27, 13]]);
    assert.throws(() => variantParameters(p, 'nope'), /Unknown variant 'nope'.*terse, haiku/);
  });

  test("GitHub's documentation example parses unchanged, with no diagnostics", () => {
    const r = parse([
      'name: Text Summarizer',
      'description: Summarizes input text concisely',
      'model: gpt-4o-mini',
      'modelParameters:',
      '  temperature: 0.5',
      'messages:',
      '  - role: system',
      '    content: You are a text summarizer. Your only job is to summarize text given to you.',
      '  - role: user',
      '    content: |',
      '      Summarize the given text, beginning with "Summary -":',
      '      <text>',
      '      {{input}}',
      '      </text>',
      'testData:',
      '  - input: |',
      '      The quick brown fox jumped over the lazy dog.',
      '      The dog was too tired to react.',
      '    expected: Summary - A fox jumped over a lazy, unresponsive dog.',
      'evaluators:',
      "  - name: Output should start with 'Summary -'",
      '    string:',
      "      startsWith: 'Summary -'",
      '',
    ].join('\n'), 'summarizer.prompt.yaml');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.prompt?.model.id, 'gpt-4o-mini');
  });
});

describe('spellings and shapes', () => {
  const base = 'messages:\n  - role: user\n    content: hi\n';

  test('max_tokens / top_p and maxTokens / topP mean the same; stop string becomes a list', () => {
    const a = parse(`modelParameters:\n  max_tokens: 10\n  top_p: 0.5\n  stop: END\n  seed: 3\n${base}`);
    const b = parse(`modelParameters:\n  maxTokens: 10\n  topP: 0.5\n  stop: [END]\n  seed: 3\n${base}`);
    assert.deepEqual(a.prompt?.model.parameters, { max_tokens: 10, top_p: 0.5, stop: ['END'], seed: 3 });
    assert.deepEqual(b.prompt?.model.parameters, a.prompt?.model.parameters);
    assert.deepEqual([...a.diagnostics, ...b.diagnostics], []);
  });

  test('both spellings of one parameter: a warning, later wins', () => {
    const r = parse(`modelParameters:\n  maxTokens: 10\n  max_tokens: 20\n${base}`);
    assert.equal(r.prompt?.model.parameters.max_tokens, 20);
    assert.deepEqual(r.diagnostics.map(at), [['warning', 'duplicate-key', 3, 3]]);
  });

  test('an unknown model parameter is passed through with an info note', () => {
    const r = parse(`modelParameters:\n  logprobs: true\n  frobnicate: 3\n${base}`);
    assert.deepEqual(r.prompt?.model.parameters, { logprobs: true, frobnicate: 3 });
    assert.deepEqual(r.diagnostics.map(at), [['info', 'unknown-key', 3, 3]]);
  });

  test('jsonSchema as a JSON string, and as a bare schema', () => {
    const asString = parse(`responseFormat: json_schema\njsonSchema: '{"name": "reply", "schema": {"type": "object"}}'\n${base}`);
    assert.deepEqual(asString.prompt?.model.parameters.response_format, { type: 'json_schema', json_schema: { name: 'reply', schema: { type: 'object' } } });
    const bare = parse(`responseFormat: json_schema\njsonSchema:\n  type: object\n  properties:\n    a: {type: string}\n${base}`);
    assert.deepEqual(bare.prompt?.model.parameters.response_format, { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object', properties: { a: { type: 'string' } } } } });
    assert.deepEqual([...asString.diagnostics, ...bare.diagnostics], []);
  });

  test('responseFormat json_object; json_schema without jsonSchema is an error; bad JSON too', () => {
    assert.deepEqual(parse(`responseFormat: json_object\n${base}`).prompt?.model.parameters.response_format, { type: 'json_object' });
    assert.deepEqual(parse(`responseFormat: json_schema\n${base}`).diagnostics.map(at), [['error', 'missing-key', 1, 17]]);
    assert.deepEqual(parse(`responseFormat: json_schema\njsonSchema: '{nope'\n${base}`).diagnostics.map(at), [['error', 'wrong-type', 2, 13]]);
    assert.deepEqual(parse(`responseFormat: yaml\n${base}`).diagnostics.map(at), [['error', 'wrong-type', 1, 17]]);
  });

  test('variants as a list; llm evaluators are kept for the judge', () => {
    const r = parse([
      'variants:',
      '  - name: cold',
      '    modelParameters: {temperature: 0}',
      '  - name: mini',
      '    model: openai/gpt-4.1-mini',
      'evaluators:',
      '  - name: polite',
      '    llm:',
      '      modelId: openai/gpt-4o',
      '      prompt: "Is this polite? {{completion}}"',
      '      choices:',
      '        - choice: "yes"',
      '          score: 1',
      '        - choice: "no"',
      '          score: 0',
      base,
    ].join('\n'));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.prompt?.variants, [{ name: 'cold', parameters: { temperature: 0 } }, { name: 'mini', model: { id: 'openai/gpt-4.1-mini' } }]);
    const judge = r.prompt?.evaluators[0] as EvaluatorSpecWithLlm;
    assert.deepEqual(judge.llm, { modelId: 'openai/gpt-4o', prompt: 'Is this polite? {{completion}}', choices: [{ choice: 'yes', score: 1 }, { choice: 'no', score: 0 }] });
  });

  test('roles are case-insensitive, as in gh-models', () => {
    const r = parse('messages:\n  - role: System\n    content: a\n  - role: USER\n    content: b\n');
    assert.deepEqual(r.prompt?.messages.map((m) => m.role), ['system', 'user']);
  });
});

describe('diagnostics at exact positions', () => {
  const bad = [
    'name: Bad prompt', // 1
    'model: openai/gpt-4o-mini', // 2
    'modelParameters:', // 3
    '  temperature: "hot"', // 4
    '  maxTokens: 1.5', // 5
    'colour: blue', // 6
    'messages:', // 7
    '  - role: narrator', // 8
    '    content: Hello', // 9
    '  - role: user', // 10
    '    content: "Tell me about {{topic}} and {{ extra }}"', // 11
    'testData:', // 12
    '  - topic: cats', // 13
    '  - other: 1', // 14
    '',
  ].join('\n');
  const r = parse(bad);

  test('the prompt still loads, without the bad values', () => {
    assert.ok(r.prompt);
    assert.deepEqual(r.prompt.model.parameters, {});
    assert.deepEqual(r.prompt.messages.map((m) => m.role), ['user']);
  });

  test('wrong type: temperature: "hot" and a fractional maxTokens', () => {
    const [temp, max] = byCode(r, 'wrong-type');
    assert.deepEqual(temp, { severity: 'error', code: 'wrong-type', message: `'modelParameters.temperature' must be a number, got string "hot"`, line: 4, col: 16, endLine: 4, endCol: 21 });
    assert.deepEqual(at(max), ['error', 'wrong-type', 5, 14]);
    assert.match(max?.message ?? '', /must be an integer, got number 1\.5/);
  });

  test('unknown top-level key: a warning on the key', () => {
    assert.deepEqual(byCode(r, 'unknown-key').map((d) => [d.severity, d.line, d.col, d.endCol, d.message]), [['warning', 6, 1, 7, "Unknown key 'colour' in a .prompt.yml file"]]);
  });

  test('an unknown role is an error at the role', () => {
    assert.deepEqual(at(byCode(r, 'wrong-type')[2]), ['error', 'wrong-type', 8, 11]);
  });

  test('undeclared variable: at the variable itself inside the quoted content', () => {
    assert.deepEqual(byCode(r, 'undeclared-variable').map((d) => [d.severity, d.line, d.col, d.endCol]), [['warning', 11, 46, 51]]);
  });

  test('missing input: an error at each testData row that lacks a needed variable', () => {
    assert.deepEqual(byCode(r, 'missing-input').map((d) => [d.line, d.col, d.endLine, d.endCol, d.message]), [
      [13, 5, 13, 16, "testData row 1 has no value for 'extra', which the template needs (no default)"],
      [14, 5, 14, 13, "testData row 2 has no value for 'topic', 'extra', which the template needs (no default)"],
    ]);
  });

  test('diagnostics come sorted by position and print as path:line:col: severity: message', () => {
    assert.deepEqual(r.diagnostics.map((d) => d.line), [4, 5, 6, 8, 11, 13, 14]);
    assert.equal(formatDiagnostic('p.prompt.yml', r.diagnostics[0] as PromptDiagnostic), `p.prompt.yml:4:16: error: 'modelParameters.temperature' must be a number, got string "hot"`);
  });

  test('undeclared variable inside a literal block maps line and column', () => {
    const t = parse('messages:\n  - role: user\n    content: |\n      Hello {{ name }},\n        about {{ subject }}\ntestData:\n  - name: Ann\n    subject: x\n  - name: Bo\n');
    assert.deepEqual(t.diagnostics.map(at), [['error', 'missing-input', 9, 5]]);
    const u = parse('messages:\n  - role: user\n    content: |\n      Hello {{ name }},\n        about {{ subject }}\ntestData:\n  - name: Ann\n');
    assert.deepEqual(u.diagnostics.map((d) => [d.code, d.line, d.col, d.endCol]), [['undeclared-variable', 5, 18, 25], ['missing-input', 7, 5, 14]]);
  });

  test('YAML syntax errors: error at their position, no prompt', () => {
    const unclosed = parse('name: broken\nmessages: [\n  {role: user, content: hi}\n');
    assert.equal(unclosed.prompt, null);
    assert.deepEqual(unclosed.diagnostics.map(at), [['error', 'yaml-syntax', 4, 1]]);
    const dup = parse('name: x\nname: y\nmessages:\n  - role: user\n    content: hi\n');
    assert.deepEqual(dup.diagnostics.map((d) => [d.code, d.line, d.col, d.message]), [['yaml-syntax', 2, 1, 'Map keys must be unique']]);
    const tab = parse('messages:\n  - role: user\n\tcontent: hi\n');
    assert.equal(tab.prompt, null);
    assert.equal(tab.diagnostics[0]?.code, 'yaml-syntax');
    assert.equal(tab.diagnostics[0]?.line, 3);
  });

  test('missing messages, a list at the root, empty messages: errors and no prompt', () => {
    const none = parse('name: nothing\nmodel: openai/gpt-4o\n');
    assert.equal(none.prompt, null);
    assert.deepEqual(none.diagnostics.map(at), [['error', 'missing-key', 1, 1]]);
    assert.deepEqual(parse('- role: user\n').diagnostics.map(at), [['error', 'wrong-type', 1, 1]]);
    assert.deepEqual(parse('messages: []\n').diagnostics.map(at), [['error', 'missing-key', 1, 11]]);
    assert.deepEqual(parse('messages:\n  - role: user\n').diagnostics.map(at), [['error', 'missing-key', 2, 5]]);
    assert.deepEqual(parse('messages:\n  - content: hi\n').diagnostics.map((d) => [d.code, d.line, d.col, d.message]), [['missing-key', 2, 5, 'A message needs a role: system, user or assistant']]);
  });

  test('template syntax error: at its position in the file', () => {
    const t = parse('messages:\n  - role: user\n    content: |\n      Line one {{ a }}\n      {% for x in items %}{{ x.name }}{% endfor %}\n      {{ broken\n');
    // The parser stops at the end of the text: the error points just after `broken`.
    assert.deepEqual(t.diagnostics.map(at), [['error', 'template-syntax', 6, 16]]);
    assert.match(t.diagnostics[0]?.message ?? '', /expected variable end/);
  });

  test('quality: unknown dimension warned, negative weight rejected', () => {
    const q = parse(`quality:\n  relevance: 1\n  vibes: 2\n  safety: -1\nmessages:\n  - role: user\n    content: hi\n`);
    assert.deepEqual(q.prompt?.quality, { relevance: 1 });
    assert.deepEqual(q.diagnostics.map(at), [['warning', 'unknown-key', 3, 3], ['error', 'wrong-type', 4, 11]]);
  });

  test('evaluators: no check, several checks, unknown check key', () => {
    const e = parse([
      'messages:', '  - role: user', '    content: hi',
      'evaluators:',
      '  - name: empty',
      '  - name: both',
      '    string:',
      '      contains: a',
      '      endsWith: b',
      '  - name: typo',
      '    string:',
      '      startswith: x',
      '',
    ].join('\n'));
    assert.deepEqual(e.diagnostics.map(at), [
      ['error', 'missing-key', 5, 5],
      ['warning', 'ignored-key', 8, 7],
      ['error', 'missing-key', 12, 7],
      ['warning', 'unknown-key', 12, 7],
    ]);
    assert.deepEqual(e.prompt?.evaluators.map((x) => x.name), ['both']);
  });
});

describe('parsePromptFile dispatch', () => {
  test('isPromptFile', () => {
    for (const f of ['a.prompt.yml', 'b.prompt.yaml', 'C.PROMPT.YML', 'd.prompty', '/x/y/e.Prompty']) assert.ok(isPromptFile(f), f);
    for (const f of ['a.yml', 'prompt.yml', 'b.yaml', 'c.prompty.txt', 'd.json']) assert.ok(!isPromptFile(f), f);
  });

  test('other files are refused with an error; contentHash is the sha256 of the text', () => {
    assert.deepEqual(parsePromptFile('notes.md', '# hi').diagnostics.map(at), [['error', 'unsupported-file', 1, 1]]);
    const text = 'messages:\n  - role: user\n    content: hi\n';
    const r = parse(text);
    assert.equal(r.prompt?.contentHash, createHash('sha256').update(text).digest('hex'));
    assert.notEqual(parse('messages:\n  - role: user\n    content: hi!\n').prompt?.contentHash, r.prompt?.contentHash);
  });
});
