import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { applyChanges, promoteVariant, setTopLevelModel, setTopLevelParameters } from '../../src/core/compare/promote';
import { parsePromptFile, renderMessages, variantModel } from '../../src/core/prompt';

const EXAMPLE = path.join(__dirname, '../../examples/prompts/summarise.prompt.yml');
const example = fs.readFileSync(EXAMPLE, 'utf8');

/** The example file with a variants: block appended (the example has none of its own). */
const withVariants = example + `# Variants tried in review (keep this comment)
variants:
  - name: terse
    # shorter system message
    messages:
      - role: system
        content: Be terse.   # inline comment stays
      - role: user
        content: |
          Summarise in 3 bullets:

          {{ticket}}
    modelParameters: {temperature: 0.7, top_p: 0.9}
    model: openai/gpt-4.1-mini
  - name: warm
    modelParameters:
      temperature: 1
  - name: empty-one
    description: nothing overridden
`;

const parse = (text: string) => {
  const r = parsePromptFile('/tmp/x.prompt.yml', text, {});
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(r.diagnostics));
  return r.prompt!;
};

describe('promote variant (.prompt.yml)', () => {
  it('the variant\'s messages, parameters and model become the top level; the file stays valid', () => {
    const before = parse(withVariants);
    const r = promoteVariant(withVariants, 'terse');
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const text = applyChanges(withVariants, r.changes);
    const after = parse(text);
    const vars = { ticket: 'The blender is broken.' };
    assert.deepEqual(renderMessages(after, vars).messages, renderMessages(before, vars, 'terse').messages);
    assert.deepEqual(after.model.parameters, variantModel(before, 'terse').parameters, 'temperature overridden, max_tokens kept, top_p added');
    assert.equal(after.model.id, 'openai/gpt-4.1-mini');
    // The variants themselves, testData and evaluators are untouched.
    const strip = (p: typeof before) => JSON.stringify(p.variants, (k, x: unknown) => (k === 'range' ? undefined : x));
    assert.equal(strip(after), strip(before));
    assert.deepEqual(after.testData, before.testData);
    assert.deepEqual(after.evaluators.map((e) => e.name), before.evaluators.map((e) => e.name));
  });

  it('only the ranges concerned change: comments and formatting elsewhere stay byte for byte', () => {
    const r = promoteVariant(withVariants, 'terse');
    assert.ok(r.ok);
    const text = applyChanges(withVariants, r.changes);
    for (const kept of ['# Variants tried in review (keep this comment)', '# shorter system message', 'description: Three-bullet summary of a customer message\n',
      'testData:\n  - ticket: "My order #48213', '  max_tokens: 300\n']) assert.ok(text.includes(kept), `lost: ${kept}`);
    assert.ok(text.includes('messages:\n  - role: system\n    content: Be terse.   # inline comment stays\n  - role: user\n    content: |\n      Summarise in 3 bullets:\n\n      {{ticket}}\ntestData:'), text);
    // Everything after the top-level messages (testData … variants) is identical.
    const tail = withVariants.slice(withVariants.indexOf('testData:'));
    assert.ok(text.endsWith(tail));
    assert.ok(!text.includes('You summarise customer support tickets'), 'the control\'s system message is replaced');
    // One change per concern, ascending and not overlapping (one undoable edit in the editor).
    for (let i = 1; i < r.changes.length; i++) assert.ok(r.changes[i]!.start >= r.changes[i - 1]!.end);
  });

  it('a parameters-only variant changes only modelParameters', () => {
    const r = promoteVariant(withVariants, 'warm');
    assert.ok(r.ok);
    assert.deepEqual(r.summary, ['modelParameters.temperature set to 1']);
    const text = applyChanges(withVariants, r.changes);
    assert.equal(text, withVariants.replace('  temperature: 0.2\n', '  temperature: 1\n'));
  });

  it('adds modelParameters / model when the file has none', () => {
    const bare = 'name: bare\nmessages:\n  - role: user\n    content: hi {{x}}\nvariants:\n  b:\n    model: {id: m2, provider: ollama}\n    modelParameters:\n      temperature: 0\n      stop: ["\\n"]\n';
    const r = promoteVariant(bare, 'b');
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const promoted = applyChanges(bare, r.changes);
    assert.ok(promoted.startsWith('name: bare\nmodelParameters:\n  temperature: 0\n'), promoted);
    assert.ok(promoted.includes('model: m2\nprovider: ollama\nmessages:\n'), promoted);
    const after = parse(promoted);
    assert.equal(after.model.id, 'm2');
    assert.equal(after.model.provider, 'ollama');
    assert.deepEqual(after.model.parameters, { temperature: 0, stop: ['\n'] });
  });

  it('refuses clearly: unknown variant, nothing to promote, broken YAML', () => {
    const unknown = promoteVariant(withVariants, 'nope');
    assert.equal(unknown.ok, false);
    assert.match(unknown.ok ? '' : unknown.reason, /no variant "nope"/);
    const empty = promoteVariant(withVariants, 'empty-one');
    assert.match(empty.ok ? '' : empty.reason, /overrides nothing/);
    const broken = promoteVariant('messages: [\n', 'x');
    assert.match(broken.ok ? '' : broken.reason, /YAML errors/);
  });

  it('a model-only arm sets the top-level model: and nothing else', () => {
    const r = setTopLevelModel(example, 'gpt-4.1-mini');
    assert.ok(r.ok);
    assert.equal(applyChanges(example, r.changes), example.replace('model: openai/gpt-4o-mini\n', 'model: gpt-4.1-mini\n'));
    const spaced = setTopLevelModel(example, 'my model');
    assert.ok(spaced.ok);
    assert.equal(parse(applyChanges(example, spaced.changes)).model.id, 'my model');
  });
});

describe('promote a parameter-sweep arm', () => {
  it('sets the swept parameter in the existing block and keeps the others', () => {
    const r = setTopLevelParameters(example, { temperature: 0.7, top_p: 0.5 });
    assert.ok(r.ok);
    const text = applyChanges(example, r.changes);
    assert.equal(text, example.replace('  temperature: 0.2\n  max_tokens: 300\n', '  temperature: 0.7\n  max_tokens: 300\n  top_p: 0.5\n'));
    const bare = 'name: b\nmessages:\n  - role: user\n    content: hi\n';
    const r2 = setTopLevelParameters(bare, { temperature: 0 });
    assert.ok(r2.ok);
    assert.deepEqual(parse(applyChanges(bare, r2.changes)).model.parameters, { temperature: 0 });
  });
});
