/*
 * Rendering: loops, conditions, missing variables, variants, errors, and the hardening that
 * keeps templates from a cloned repository away from Node.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromptFile, renderMessages, renderText, scanTemplate, templateVariables, variantModel, variantParameters } from '../../src/core/prompt';
import type { PromptFile } from '../../src/core/prompt';

function yml(text: string): PromptFile {
  const r = parsePromptFile('render.prompt.yml', text);
  assert.ok(r.prompt, JSON.stringify(r.diagnostics));
  return r.prompt;
}

const oneMessage = (content: string): PromptFile => yml(`messages:\n  - role: user\n    content: ${JSON.stringify(content)}\n`);
const render = (content: string, vars: Record<string, unknown> = {}): { text: string; missing: string[]; errors: string[] } => {
  const r = renderMessages(oneMessage(content), vars);
  return { text: r.messages[0]?.content ?? '', missing: r.missing, errors: r.errors };
};

describe('renderMessages', () => {
  test('GitHub {{var}} placeholders, with and without spaces', () => {
    assert.equal(render('Hi {{name}}, {{ name }}!', { name: 'Ann' }).text, 'Hi Ann, Ann!');
  });

  test('loops, loop variables and attributes', () => {
    const out = render('{% for d in docs %}{{ loop.index }}. {{ d.title }} ({{ d.tags | join(", ") }})\n{% endfor %}', {
      docs: [{ title: 'Kettle', tags: ['hot', 'steel'] }, { title: 'Mixer', tags: [] }],
    });
    assert.equal(out.text, '1. Kettle (hot, steel)\n2. Mixer ()\n');
    assert.deepEqual([out.missing, out.errors], [[], []]);
  });

  test('conditions, else, and a variable guarded by if is optional', () => {
    const t = '{% if vip %}Dear valued {{ name }}{% else %}Hello {{ name }}{% endif %}{% if note %} ({{ note }}){% endif %}';
    assert.deepEqual(render(t, { vip: true, name: 'Ann' }), { text: 'Dear valued Ann', missing: [], errors: [] });
    assert.deepEqual(render(t, { name: 'Bo', note: 'new' }), { text: 'Hello Bo (new)', missing: [], errors: [] });
  });

  test('missing variables render empty and are listed once, in order of use', () => {
    assert.deepEqual(render('{{ a }} {{ b.c }} {{ a }} {{ d | default("x") }}'), { text: '   x', missing: ['a', 'b'], errors: [] });
  });

  test('input defaults fill in, given variables win', () => {
    const p = parsePromptFile('d.prompty', '---\ninputs:\n  tone:\n    kind: string\n    default: warm\n---\nuser:\nBe {{ tone }}.\n').prompt;
    assert.ok(p);
    assert.equal(renderMessages(p, {}).messages[0]?.content, 'Be warm.');
    assert.equal(renderMessages(p, { tone: 'dry' }).messages[0]?.content, 'Be dry.');
  });

  test('autoescape is off: prompts are not HTML', () => {
    assert.equal(render('{{ q }}', { q: '<b>"R&D"</b>' }).text, '<b>"R&D"</b>');
  });

  test('variable values are data: template syntax inside them is not evaluated', () => {
    assert.equal(render('{{ q }}', { q: '{{ 7 * 6 }} {% if true %}x{% endif %}' }).text, '{{ 7 * 6 }} {% if true %}x{% endif %}');
  });

  test('numbers and lists print as Jinja would; tojson gives JSON', () => {
    assert.equal(render('{{ n }} {{ xs }} {{ o | tojson }}', { n: 3.5, xs: [1, 2], o: { a: 1 } }).text, '3.5 1,2 {"a":1}');
  });

  test('a template error is reported with the file line; the message renders empty', () => {
    const out = render('{{ items | nosuchfilter }}', { items: [] });
    assert.equal(out.text, '');
    assert.match(out.errors[0] ?? '', /^render\.prompt\.yml:3: user message: .*nosuchfilter/);
  });

  test('prompt.yml content is sent as written (no trimming); Prompty trims blank edges', () => {
    const p = yml('messages:\n  - role: user\n    content: |\n      Hello\n\n');
    assert.equal(renderMessages(p, {}).messages[0]?.content, 'Hello\n');
    const q = parsePromptFile('t.prompty', '---\nname: t\n---\nuser:\n\n\n  Hello  \n\n').prompt;
    assert.equal(q && renderMessages(q, {}).messages[0]?.content, '  Hello');
  });
});

describe('variants', () => {
  const p = yml([
    'model: openai/gpt-4o-mini',
    'modelParameters: {temperature: 0.7, max_tokens: 100}',
    'messages:',
    '  - role: user',
    '    content: "Summarise: {{ text }}"',
    'variants:',
    '  bullets:',
    '    messages:',
    '      - role: system',
    '        content: Answer in {{ n }} bullets.',
    '      - role: user',
    '        content: "{{ text }}"',
    '    modelParameters: {temperature: 0}',
    '  big:',
    '    model: openai/gpt-4o',
    '',
  ].join('\n'));

  test('a variant replaces the messages; without messages it keeps the base ones', () => {
    assert.deepEqual(renderMessages(p, { text: 'T', n: 3 }, 'bullets').messages, [{ role: 'system', content: 'Answer in 3 bullets.' }, { role: 'user', content: 'T' }]);
    assert.deepEqual(renderMessages(p, { text: 'T' }, 'big').messages, [{ role: 'user', content: 'Summarise: T' }]);
    assert.deepEqual(renderMessages(p, { text: 'T' }, 'bullets').missing, ['n']);
  });

  test('parameters and model merge, variant on top', () => {
    assert.deepEqual(variantParameters(p, 'bullets'), { temperature: 0, max_tokens: 100 });
    assert.deepEqual(variantParameters(p), { temperature: 0.7, max_tokens: 100 });
    assert.deepEqual([variantModel(p, 'big').id, variantModel(p, 'big').parameters], ['openai/gpt-4o', { temperature: 0.7, max_tokens: 100 }]);
    assert.equal(variantModel(p).id, 'openai/gpt-4o-mini');
  });

  test('an unknown variant is an error, not the base prompt', () => {
    assert.deepEqual(renderMessages(p, { text: 'T' }, 'nope'), { messages: [], missing: [], errors: ["Unknown variant 'nope'"] });
  });
});

describe('template hardening', () => {
  const escapes = [
    '{{ range.constructor("return process.version")() }}',
    '{{ "".constructor.constructor("return 1")() }}',
    '{{ cycler.constructor("return 1")() }}',
    '{{ joiner.call.call(joiner) }}',
    '{% set f = range.constructor %}{{ f("return 1")() }}',
    '{{ x.__proto__.constructor.constructor("return 1")() }}',
    '{{ x["constr" ~ "uctor"]["constr" ~ "uctor"]("return 1")() }}',
    '{{ constructor.constructor("return 1")() }}',
    '{{ toString.constructor("return 1")() }}',
    '{% set g = "__proto__" | __lookupGetter__ %}{{ g() }}',
    '{{ "x" | constructor }}',
    '{{ [1] | select("constructor") }}',
  ];
  for (const t of escapes) {
    test(`cannot reach Function: ${t}`, () => {
      const out = render(t, { x: {} });
      assert.ok(!/v\d+\.\d+|^1$/.test(out.text), `escaped: ${out.text}`);
      assert.ok(out.errors.length > 0 || out.text.trim() === '', out.text);
    });
  }

  test('data access still works: own properties, string and array helpers', () => {
    assert.equal(render('{{ name.toUpperCase() }}|{{ tags.join("/") }}|{{ tags.length }}|{{ user.address.city }}|{{ tags[1] }}', {
      name: 'ann', tags: ['a', 'b'], user: { address: { city: 'Oslo' } },
    }).text, 'ANN|a/b|2|Oslo|b');
  });

  test('no file access: include/import/extends fail as errors', () => {
    for (const t of ['{% include "/etc/passwd" %}', '{% import "x.njk" as x %}', '{% extends "base.prompty" %}']) {
      const out = render(t);
      assert.match(out.errors[0] ?? '', /template not found/, t);
    }
  });

  test('range is capped so a template cannot exhaust memory', () => {
    assert.match(render('{{ range(1000000) | length }}').errors[0] ?? '', /limited to 100000/);
    assert.equal(render('{{ range(2, 8, 3) | join(",") }}').text, '2,5');
  });

  test('renderText uses the same engine', () => {
    assert.equal(renderText('Expected {{ label }}', { label: 'billing' }), 'Expected billing');
  });
});

describe('scanTemplate / templateVariables', () => {
  test('loop variables are not inputs; the iterated list is', () => {
    const s = scanTemplate('{% for item in chat_history %}{{ item.role }}: {{ item.content }}{% endfor %}{{ input }}');
    assert.deepEqual(s.refs.map((r) => r.name), ['chat_history', 'input']);
  });

  test('set, macro arguments, builtins and filter names are not inputs', () => {
    const s = scanTemplate('{% set x = 1 %}{{ x }}{% macro m(a, b=fallback) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }}{{ range(3) | length }}{{ True }}');
    assert.deepEqual(s.refs.map((r) => r.name), ['fallback', 'c']);
  });

  test('guards: default filter, if, is defined, and-conditions', () => {
    const v = templateVariables(['{{ a | default("") }}{% if b is defined %}{{ b }}{% endif %}{% if c and d %}{{ c }}{% endif %}{{ e }}']);
    assert.deepEqual(v, { all: ['a', 'b', 'c', 'd', 'e'], required: ['e'] });
  });

  test('positions are 0-based line and column of the name', () => {
    const s = scanTemplate('line one\n  {{ who }} and {{ what.x }}');
    assert.deepEqual(s.refs.map((r) => [r.name, r.line, r.col]), [['who', 1, 5], ['what', 1, 19]]);
  });

  test('dynamic role lines and syntax errors are detected', () => {
    assert.equal(scanTemplate('{% for m in h %}\n{{ m.role }}:\n{{ m.content }}\n{% endfor %}').dynamicRoles, true);
    assert.equal(scanTemplate('Note: {{ x }}:').dynamicRoles, false);
    assert.deepEqual(scanTemplate('ok\n{% for %}').error, { message: 'unexpected token: %}', line: 1, col: 7 });
  });
});
