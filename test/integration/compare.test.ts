import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareOutcome } from '../../src/extension/compareController';
import type { PromptLabApi } from '../../src/extension/main';
import type { CompareAnalysis, HostToWebview } from '../../src/shared/compareProtocol';
import { startOpenAIServer } from '../unit/helpers/fakeServers';
import { domBridge } from './domBridge';
import { waitFor } from './waitFor';

interface DomFrame {
  url: string; injected: boolean; hasCompare?: boolean; compareTitle?: string | null; compareMeta?: string | null; compareProgress?: string | null;
  compareStats?: string; compareRecommendation?: string | null; compareRowCount?: number; compareRows?: string[][]; compareDiffSpans?: number;
  compareRowsStatus?: string | null; compareCspLast?: string | null; cspViolations?: number;
  testIds?: Record<string, string>; canvasCount?: number; canvasDrawn?: number;
}

const XSS = '<img src=x onerror="window.__plXss=1">';
const TOPICS = ['billing', 'shipping', 'returns', 'warranty', 'login', 'refunds'];
const PROMPT = `name: compare-itest
provider: cmpfixture
model: cmp-model
messages:
  - role: system
    content: "Answer briefly. [arm:plain]"
  - role: user
    content: "Summarise the {{topic}} policy."
variants:
  - name: plain
    modelParameters: {temperature: 0.1}
  - name: fancy
    messages:
      - role: system
        content: "Answer at length. [arm:fancy]"
      - role: user
        content: "Summarise the {{topic}} policy."
testData:
${TOPICS.map((t) => `  - topic: ${t}`).join('\n')}
`;


suite('Compare variants', () => {
  let api: PromptLabApi;
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  let uri: vscode.Uri;
  let outcome: CompareOutcome | undefined;
  const { domFile, readDom, lastText, frame: compareFrame, act: browserAct, screenshot } = domBridge<DomFrame>('compare', (f) => f.hasCompare === true);
  const act = (selector: string) => browserAct(selector, 'click');

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
    // Answers differ per variant, recognised by the marker in the system message.
    server = await startOpenAIServer((req) => {
      const body = req.body as { messages: Array<{ role: string; content: string }> };
      const fancy = body.messages.some((m) => m.role === 'system' && m.content.includes('[arm:fancy]'));
      const topic = /the (\w+) policy/.exec(body.messages.at(-1)?.content ?? '')?.[1] ?? 'unknown';
      // Token counts vary by case, so the paired difference has a spread (a test can be computed).
      const i = Math.max(0, TOPICS.indexOf(topic));
      return fancy
        ? { kind: 'stream', deltas: [`The ${topic} policy is explained in great detail here `, XSS], usage: { input: 30, output: 40 + 2 * i } }
        : { kind: 'stream', deltas: [`The ${topic} policy is explained here.`], usage: { input: 25, output: 10 + i } };
    });
    const cfg = vscode.workspace.getConfiguration('promptLab');
    await cfg.update('providers', [{ id: 'cmpfixture', kind: 'openai-compatible', baseUrl: server.baseUrl }], vscode.ConfigurationTarget.Global);
    const file = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'compare-itest.prompt.yml');
    fs.writeFileSync(file, PROMPT);
    uri = vscode.Uri.file(file);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('promptLab').update('providers', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
  });

  test('a prompt file with two variants shows the compare CodeLens', async () => {
    await vscode.window.showTextDocument(uri);
    const lenses = await waitFor('the compare CodeLens', 15_000, async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l?.some((x) => x.command?.title === '⇄ Compare variants') ? l : undefined;
    });
    const lens = lenses.find((x) => x.command?.title === '⇄ Compare variants')!;
    assert.equal(lens.command!.command, 'promptLab.compareVariants');
    assert.equal((lens.command!.arguments![0] as vscode.Uri).fsPath, uri.fsPath);
  });

  test('Compare Variants runs a paired experiment through the core and sends the analysis to the panel', async function () {
    this.timeout(60_000);
    const before = server.requests.length;
    outcome = await vscode.commands.executeCommand<CompareOutcome | undefined>('promptLab.compareVariants', { uri, variants: ['plain', 'fancy'], design: 'paired', repeat: 1, seed: 42, skipConfirm: true });
    assert.ok(outcome, 'the command returned nothing (see the Prompt Lab log)');
    assert.equal(outcome.status, 'finished');
    assert.equal(outcome.summary.total, 12);
    assert.equal(outcome.summary.succeeded, 12);
    const reqs = server.requests.slice(before).map((r) => JSON.stringify(r.body));
    assert.equal(reqs.length, 12);
    assert.equal(reqs.filter((b) => b.includes('[arm:fancy]')).length, 6);
    assert.deepEqual(outcome.analysis.samples.fancy, { executions: 6, failed: 0, cases: 6 });
    const tokens = outcome.analysis.comparison?.metrics.find((m) => m.name === 'tokens_out');
    assert.ok(tokens, `metrics: ${outcome.analysis.comparison?.metrics.map((m) => m.name).join(', ')}`);
    assert.equal(tokens.paired, true);
    assert.equal(tokens.comparisons[0]!.verdict, 'worse', 'fancy answers with more tokens than the control');

    const panel = await waitFor('the compare panel', 10_000, () => api.comparePanel());
    const analysis = await waitFor('the analysis message', 10_000, () => panel.sent.find((m): m is Extract<HostToWebview, { type: 'analysis' }> => m.type === 'analysis'));
    assert.equal(analysis.status, 'finished');
    assert.ok(analysis.analysis.comparison?.recommendation);
    // Finished cases stream in 'outputs' batches; those pending when the page loads arrive in its snapshot instead.
    const outputs = panel.state?.outputs ?? [];
    assert.equal(outputs.length, 12, 'every finished case reached the panel');
    assert.ok(outputs.some((o) => o.variant === 'fancy' && o.text.includes(XSS)));

    const [exp] = await api.store.experiments(outcome.experimentId);
    assert.equal(exp?.status, 'finished');
    assert.equal(exp?.seed, 42);
    assert.equal(exp?.design, 'paired');
  });

  test('the webview shows statistics, one row per case and word diffs, with model output as text', async function () {
    if (!domFile) this.skip();
    this.timeout(40_000);
    const frame = await waitFor('the compare panel DOM with the analysis and six rows', 20_000,
      () => compareFrame((f) => f.compareRowCount === 6 && !!f.compareRecommendation && (f.compareStats ?? '').includes('tokens_out')), () => lastText().slice(0, 2000));
    assert.match(frame.compareMeta ?? '', new RegExp(`Experiment ${outcome!.experimentId} · paired · seed 42 · repeat 1 · finished`));
    assert.match(frame.compareTitle ?? '', /plain vs fancy/);
    assert.match(frame.compareStats ?? '', /Difference \[95% CI\]/);
    assert.match(frame.compareStats ?? '', /Holm p/);
    assert.match(frame.compareStats ?? '', /worse/);
    assert.match(frame.compareProgress ?? '', /12 execution\(s\), 12 ok/);
    assert.ok((frame.compareDiffSpans ?? 0) > 0, 'the variant column highlights words added against the control');
    const cells = frame.compareRows!.map((r) => r.join(' | '));
    assert.ok(cells.some((c) => c.includes(XSS)), `the payload is shown literally: ${cells[0]}`);
    assert.equal(frame.cspViolations, 0, `refused by the content security policy: ${frame.compareCspLast}`);
    const dom = readDom()!;
    assert.deepEqual(dom.frames.filter((f) => f.injected).map((f) => f.url), [], 'the HTML payload ran in a webview frame');
    assert.notEqual(dom.injectedAnywhere, true);

    await act('#filter-failures');
    const none = await waitFor('the failures filter', 15_000, () => compareFrame((f) => f.compareRowCount === 0 && /0 of 0/.test(f.compareRowsStatus ?? '')), () => lastText().slice(0, 1500));
    assert.match(none.compareRowsStatus ?? '', /6 in all/);
    await act('#filter-failures');
    await act('#filter-differ');
    await waitFor('only differing rows (all six differ)', 15_000, () => compareFrame((f) => f.compareRowCount === 6 && /6 of 6/.test(f.compareRowsStatus ?? '')));
    await act('#filter-differ');
  });

  test('the panel draws distribution, latency and cost charts with text alternatives, and offers Promote on the variant only', async function () {
    if (!domFile) this.skip();
    this.timeout(30_000);
    const frame = await waitFor('the compare charts drawn', 20_000,
      () => compareFrame((f) => 'compare-chart-tokens_out' in (f.testIds ?? {}) && 'compare-chart-latency' in (f.testIds ?? {}) && (f.canvasDrawn ?? 0) >= 3), () => lastText().slice(0, 2000));
    const ids = frame.testIds!;
    for (const id of ['compare-charts', 'compare-distributions', 'compare-chart-tokens_out', 'compare-chart-quality', 'compare-chart-success', 'compare-latency-cost', 'compare-chart-latency', 'compare-chart-cost']) assert.ok(id in ids, `missing ${id}: ${Object.keys(ids).join(', ')}`);
    // The canvas' fallback text is the chart's summary (its aria-label): numbers per variant.
    assert.match(ids['compare-chart-tokens_out']!, /plain \(n 6, mean 12\.5\)/);
    assert.match(ids['compare-chart-success']!, /plain: 100\.0% \(6 \/ 6\)/);
    assert.equal(frame.canvasCount, frame.canvasDrawn, 'every chart canvas has a size (chart.js drew it)');
    assert.match(ids['compare-charts']!, /Data table/);
    assert.ok('promote-fancy' in ids, 'a Promote button for the variant');
    assert.ok(!('promote-plain' in ids), 'no Promote button for the control');
    assert.equal(frame.cspViolations, 0);
    await screenshot('#compare-charts', 'compare-charts.png');
  });

  test('Promote applies the variant to the prompt file as one undoable edit, and refuses once the file changed', async function () {
    this.timeout(30_000);
    const panel = api.comparePanel()!;
    const info = panel.state!.experiment;
    const doc = await vscode.workspace.openTextDocument(uri);
    const original = doc.getText();
    const r = await api.compare.promote(info, 'fancy', { skipConfirm: true });
    assert.ok(r.ok, r.message);
    const promoted = doc.getText();
    assert.match(promoted, /^messages:\n  - role: system\n    content: "Answer at length\. \[arm:fancy\]"\n/m);
    assert.ok(!/^ {4}content: "Answer briefly/m.test(promoted), 'the control\'s system message is replaced');
    assert.ok(promoted.endsWith(original.slice(original.indexOf('variants:'))), 'variants and testData are untouched');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore the file', 5000, () => (doc.getText() === original ? true : undefined));
    assert.equal((await api.compare.promote(info, 'plain', { skipConfirm: true })).ok, false, 'the control cannot be promoted');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '# edited after the experiment\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const refused = await api.compare.promote(info, 'fancy', { skipConfirm: true });
    assert.equal(refused.ok, false);
    assert.match(refused.message, /changed since experiment .* prompt hash differs/);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo of the comment', 5000, () => (doc.getText() === original ? true : undefined));
    await doc.save();
  });

  test('a parameter sweep compares temperature 0 and 0.7 through the same core', async function () {
    this.timeout(60_000);
    const before = server.requests.length;
    const sweep = await vscode.commands.executeCommand<CompareOutcome | undefined>('promptLab.compareVariants', { uri, sweep: 'temperature=0,0.7', design: 'paired', seed: 7, skipConfirm: true });
    assert.ok(sweep, 'the sweep returned nothing (see the Prompt Lab log)');
    assert.equal(sweep.status, 'finished');
    assert.equal(sweep.summary.total, 12);
    const temps = server.requests.slice(before).map((q) => (q.body as { temperature?: number }).temperature);
    assert.deepEqual([...temps].sort(), [0, 0, 0, 0, 0, 0, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]);
    assert.deepEqual(Object.keys(sweep.analysis.samples), ['temperature=0', 'temperature=0.7']);
    const [exp] = await api.store.experiments(sweep.experimentId);
    assert.deepEqual((exp!.variants as Array<{ parameters?: unknown }>).map((v) => v.parameters), [{ temperature: 0 }, { temperature: 0.7 }]);
  });

  test('Open Experiment reopens a stored experiment from its samples', async function () {
    this.timeout(30_000);
    const id = await vscode.commands.executeCommand<string | undefined>('promptLab.openExperiment', outcome!.experimentId);
    assert.equal(id, outcome!.experimentId);
    const state = api.comparePanel()!.state!;
    assert.equal(state.experiment.id, outcome!.experimentId);
    assert.deepEqual(state.experiment.variants.map((v) => v.name), ['plain', 'fancy']);
    assert.match(state.note ?? '', /Reopened/);
    const tokens = state.analysis?.comparison?.metrics.find((m) => m.name === 'tokens_out');
    assert.equal(tokens?.comparisons[0]?.verdict, 'worse', 'same verdict as when it ran');
    assert.equal(await vscode.commands.executeCommand('promptLab.openExperiment', 'exp-does-not-exist'), undefined);
  });

  test('Compare Time Periods compares logged executions of two date ranges in the panel', async function () {
    this.timeout(30_000);
    const today = new Date().toISOString().slice(0, 10);
    const analysis = await vscode.commands.executeCommand<CompareAnalysis | undefined>('promptLab.compareTimePeriods', { promptId: 'compare-itest', a: '2020-01-01..2020-01-07', b: `${today}..${today}` });
    assert.ok(analysis);
    const names = Object.keys(analysis.samples);
    assert.deepEqual(names, ['2020-01-01..2020-01-07', `${today}..${today}`]);
    assert.equal(analysis.samples[names[0]!]!.executions, 0);
    assert.ok(analysis.samples[names[1]!]!.executions >= 24, JSON.stringify(analysis.samples));
    assert.ok(analysis.skippedMetrics.some((m) => m.name === 'quality' && /at least 2/.test(m.reason)), 'an empty period is reported, not compared');
    const state = api.comparePanel()!.state!;
    assert.equal(state.experiment.kind, 'periods');
    const bad = await vscode.commands.executeCommand('promptLab.compareTimePeriods', { promptId: 'compare-itest', a: '2020-02-30', b: `${today}..${today}` });
    assert.equal(bad, undefined);
  });
});
