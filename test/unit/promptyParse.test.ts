/*
 * Prompty parsing beyond the shared fixtures: role markers, env substitution, sample files,
 * and diagnostics at exact positions (front matter lines are offset by the opening ---).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parsePromptFile, renderMessages } from '../../src/core/prompt';
import type { ParseOptions, ParseResult, PromptDiagnostic } from '../../src/core/prompt';

const FILE = path.resolve('/work/prompts/demo.prompty');
const parse = (text: string, options: ParseOptions & { readFile?: (p: string) => string } = {}): ParseResult => parsePromptFile(FILE, text, options);
const at = (d: PromptDiagnostic): [string, string, number, number] => [d.severity, d.code, d.line, d.col];

describe('body and role markers', () => {
  test('markers are case-insensitive; `# system:` is a heading; developer is system; attributes ignored', () => {
    const r = parse('---\nname: roles\n---\nSystem:\nYou help.\n# system:\nstill system text\nUSER:\nHi\nassistant:\nHello\nuser[name="Ann"]:\nAgain\ndeveloper:\nBe brief.\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.prompt?.messages.map((m) => [m.role, m.template]), [
      ['system', 'You help.\n# system:\nstill system text'],
      ['user', 'Hi'],
      ['assistant', 'Hello'],
      ['user', 'Again'],
      ['system', 'Be brief.'],
    ]);
    assert.deepEqual(r.prompt?.messages[0]?.range, { line: 5, col: 1, endLine: 7, endCol: 18 });
  });

  test('text before the first marker is a user message, with an info note', () => {
    const r = parse('---\nname: x\n---\n\nIntro text\nsystem:\nRules\n');
    assert.deepEqual(r.prompt?.messages.map((m) => m.role), ['user', 'system']);
    assert.deepEqual(r.diagnostics.map(at), [['info', 'implicit-role', 5, 1]]);
  });

  test('CRLF files, a BOM, and blank lines around the front matter', () => {
    const r = parse('\uFEFF\r\n---\r\nname: crlf\r\n---\r\nsystem:\r\nHello {{who}}\r\n');
    assert.equal(r.prompt?.name, 'crlf');
    assert.deepEqual(r.prompt?.messages, [{ role: 'system', template: 'Hello {{who}}', range: { line: 6, col: 1, endLine: 6, endCol: 14 } }]);
  });

  test('unclosed front matter and an empty body are errors', () => {
    assert.deepEqual(parse('---\nname: x\nsystem:\nhi\n').diagnostics.map(at), [['error', 'yaml-syntax', 1, 1]]);
    const empty = parse('---\nname: x\n---\n\n');
    assert.equal(empty.prompt, null);
    assert.deepEqual(empty.diagnostics.map(at), [['error', 'missing-key', 4, 1]]);
  });
});

describe('front matter diagnostics (lines offset by the opening ---)', () => {
  test('YAML syntax error in front matter', () => {
    const r = parse('---\nname: x\nmodel: {id: gpt-4\n---\nuser:\nhi\n');
    assert.equal(r.prompt, null);
    assert.equal(r.diagnostics[0]?.code, 'yaml-syntax');
    assert.equal(r.diagnostics[0]?.line, 3);
  });

  test('wrong type and unknown key', () => {
    const r = parse('---\nname: x\nmodel:\n  id: gpt-4\n  options:\n    temperature: hot\nflavour: vanilla\n---\nuser:\nhi\n');
    assert.deepEqual(r.diagnostics.map(at), [['error', 'wrong-type', 6, 18], ['warning', 'unknown-key', 7, 1]]);
    assert.deepEqual(r.prompt?.model.parameters, {});
  });

  const withInputs = [
    '---', // 1
    'name: inputs', // 2
    'inputs:', // 3
    '  - name: topic', // 4
    '    kind: string', // 5
    '  - name: audience', // 6
    '    kind: string', // 7
    '    default: kids', // 8
    '  - name: unused_one', // 9
    '    kind: string', // 10
    '    default: x', // 11
    'sample:', // 12
    '  audience: adults', // 13
    '---', // 14
    'system:', // 15
    'Explain {{ topic }} to {{ audience }} in a {{ tone }} tone.', // 16
    '',
  ].join('\n');

  test('unused input: a warning at its name', () => {
    const r = parse(withInputs);
    const d = r.diagnostics.find((x) => x.code === 'unused-variable');
    assert.deepEqual(d && [...at(d), d.endCol, d.message], ['warning', 'unused-variable', 9, 11, 21, "Input 'unused_one' is declared but no template uses it"]);
  });

  test('undeclared variable: a warning at the variable in the body', () => {
    const d = parse(withInputs).diagnostics.find((x) => x.code === 'undeclared-variable');
    assert.deepEqual(d && [...at(d), d.endCol], ['warning', 'undeclared-variable', 16, 47, 51]);
  });

  test('missing input: the sample lacks a required variable (tone, topic) that has no default', () => {
    const d = parse(withInputs).diagnostics.find((x) => x.code === 'missing-input');
    assert.deepEqual(d && [...at(d), d.message], ['error', 'missing-input', 13, 3, "The sample has no value for 'topic', 'tone', which the template needs (no default)"]);
  });

  test('an input is required unless it has a default or says required: false', () => {
    const p = parse(withInputs).prompt;
    assert.deepEqual(p?.inputs.map((i) => [i.name, i.required, i.default]), [['topic', true, undefined], ['audience', false, 'kids'], ['unused_one', false, 'x']]);
    assert.deepEqual(p?.testData, [{ audience: 'adults' }]);
  });

  test('a literal API key is warned about and never kept', () => {
    const r = parse('---\nmodel:\n  id: gpt-4\n  connection:\n    kind: key\n    apiKey: abc123-literal\n---\nuser:\nhi\n');
    assert.deepEqual(r.diagnostics.map(at), [['warning', 'literal-secret', 6, 13]]);
    assert.ok(!JSON.stringify(r.prompt).includes('abc123-literal'));
  });
});

describe('${env:} and ${file:}', () => {
  const text = '---\nname: ${env:PROMPT_NAME:fallback name}\ndescription: For ${env:TEAM} in ${env:REGION:eu}\nmodel:\n  id: ${env:DEPLOYMENT}\n---\nuser:\nhi\n';

  test('resolved anywhere in a string; default used only when missing', () => {
    const r = parse(text, { env: { TEAM: 'support', DEPLOYMENT: 'gpt-4o' } });
    assert.deepEqual([r.prompt?.name, r.prompt?.description, r.prompt?.model.id], ['fallback name', 'For support in eu', 'gpt-4o']);
    assert.deepEqual(r.diagnostics, []);
  });

  test('a missing variable without default: warning at the reference, text kept', () => {
    const r = parse(text, { env: { DEPLOYMENT: 'gpt-4o' } });
    assert.equal(r.prompt?.description, 'For ${env:TEAM} in eu');
    assert.deepEqual(r.diagnostics.map((d) => [...at(d), d.endCol]), [['warning', 'missing-env', 3, 18, 29]]);
  });

  test('env undefined (Restricted Mode): nothing resolved, nothing reported', () => {
    const r = parse(text);
    assert.equal(r.prompt?.model.id, '${env:DEPLOYMENT}');
    assert.deepEqual(r.diagnostics, []);
  });

  test('${file:} is never read: info at the reference', () => {
    let reads = 0;
    const r = parse('---\nname: f\nsample: ${file:data.json}\n---\nuser:\n{{ q }}\n', { readFile: () => (reads++, '{}') });
    assert.equal(reads, 0);
    assert.deepEqual(r.diagnostics.map(at), [['info', 'file-reference', 3, 9]]);
  });
});

describe('sample: file:', () => {
  const text = '---\nname: s\nsample: file:data/sample.json\n---\nuser:\n{{ question }}\n';

  test('read through readFile relative to the prompt file', () => {
    const seen: string[] = [];
    const r = parse(text, { readFile: (p) => (seen.push(p), '{"question": "Why?"}') });
    assert.deepEqual(seen, [path.join(path.dirname(FILE), 'data/sample.json')]);
    assert.deepEqual(r.prompt?.testData, [{ question: 'Why?' }]);
    assert.deepEqual(renderMessages(r.prompt!, {}).messages, [{ role: 'user', content: 'Why?' }]);
  });

  test('not JSON, not an object, outside the folder: dataset-unreadable at the sample', () => {
    for (const [body, why] of [['{nope', /not valid JSON/], ['[1]', /not a JSON object/]] as const) {
      const r = parse(text, { readFile: () => body });
      assert.deepEqual(r.diagnostics.map(at), [['error', 'dataset-unreadable', 3, 9]]);
      assert.match(r.diagnostics[0]?.message ?? '', why);
    }
    let reads = 0;
    const out = parse('---\nsample: file:../../etc/passwd\n---\nuser:\nhi\n', { readFile: () => (reads++, '{}') });
    assert.equal(reads, 0);
    assert.match(out.diagnostics[0]?.message ?? '', /outside the prompt's folder/);
  });
});

describe('template formats', () => {
  test('mustache sections are flagged; unknown formats too', () => {
    const m = parse('---\ntemplate:\n  format:\n    kind: mustache\n---\nuser:\n{{#items}}{{.}}{{/items}}\n');
    assert.deepEqual(m.diagnostics.filter((d) => d.code === 'unsupported-template').map(at), [['warning', 'unsupported-template', 4, 5]]);
    const h = parse('---\ntemplate: handlebars\n---\nuser:\nhi\n');
    assert.deepEqual(h.diagnostics.map(at), [['warning', 'unsupported-template', 2, 11]]);
  });

  test("our own keys work in Prompty too (provider, variants, quality)", () => {
    const r = parse('---\nmodel: gpt-4o\nprovider: local-ollama\nquality:\n  safety: 1\nvariants:\n  - name: small\n    model: llama3.2\n---\nuser:\nhi\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.prompt?.model.provider, 'local-ollama');
    assert.deepEqual(r.prompt?.variants, [{ name: 'small', model: { id: 'llama3.2' } }]);
    assert.deepEqual(r.prompt?.quality, { safety: 1 });
  });
});
