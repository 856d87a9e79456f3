import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareOutcome } from '../../src/extension/compareController';
import type { PromptLabApi } from '../../src/extension/main';
import type { HostToWebview } from '../../src/shared/compareProtocol';
import { startOpenAIServer } from '../unit/helpers/fakeServers';
import { waitFor } from './waitFor';

interface DomFrame {
  url: string; injected: boolean; hasCompare?: boolean; compareTitle?: string | null; compareMeta?: string | null; compareProgress?: string | null;
  compareStats?: string; compareRecommendation?: string | null; compareRowCount?: number; compareRows?: string[][]; compareDiffSpans?: number;
  compareRowsStatus?: string | null; compareCspLast?: string | null; cspViolations?: number;
}
interface Dom { frames: DomFrame[]; injectedAnywhere?: boolean; lastAction?: { id: string; ok: boolean; error?: string } | null }

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
  const domFile = process.env.PROMPTLAB_WEBVIEW_DOM_FILE;
  let last = '(no file yet)';
  const readDom = (): Dom | undefined => {
    if (!domFile) return undefined;
    try { last = fs.readFileSync(domFile, 'utf8'); return JSON.parse(last) as Dom; } catch { return undefined; }
  };
  const compareFrame = (pred: (f: DomFrame) => boolean) => readDom()?.frames.find((f) => f.hasCompare && pred(f));
  let actions = 0;
  const act = async (selector: string) => {
    const id = `compare-${++actions}`;
    fs.writeFileSync(`${domFile}.action.json`, JSON.stringify({ id, selector, action: 'click' }));
    const done = await waitFor(`click ${selector}`, 15_000, () => { const a = readDom()?.lastAction; return a?.id === id ? a : undefined; }, () => last.slice(-300));
    assert.ok(done.ok, `click ${selector} failed: ${done.error}`);
  };

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
      () => compareFrame((f) => f.compareRowCount === 6 && !!f.compareRecommendation && (f.compareStats ?? '').includes('tokens_out')), () => last.slice(0, 2000));
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
    const none = await waitFor('the failures filter', 15_000, () => compareFrame((f) => f.compareRowCount === 0 && /0 of 0/.test(f.compareRowsStatus ?? '')), () => last.slice(0, 1500));
    assert.match(none.compareRowsStatus ?? '', /6 in all/);
    await act('#filter-failures');
    await act('#filter-differ');
    await waitFor('only differing rows (all six differ)', 15_000, () => compareFrame((f) => f.compareRowCount === 6 && /6 of 6/.test(f.compareRowsStatus ?? '')));
    await act('#filter-differ');
  });
});
