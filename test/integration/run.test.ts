import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../src/core/runner/types';
import type { PromptLabApi } from '../../src/extension/main';
import { startOpenAIServer } from '../unit/helpers/fakeServers';
import { waitFor } from './waitFor';

interface DomFrame { resultsTitle?: string | null; resultsTotals?: string | null; resultsRows?: string[][] }


suite('Run a prompt file', () => {
  let api: PromptLabApi;
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  const ws = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
    // A local server speaking the OpenAI wire format, streamed with usage.
    server = await startOpenAIServer(() => ({ kind: 'stream', deltas: ['- Late delivery\n', '- Damaged box\n', '- Customer wants a refund'], usage: { input: 41, output: 17 } }));
    const cfg = vscode.workspace.getConfiguration('promptLab');
    await cfg.update('providers', [{ id: 'fixture', kind: 'openai-compatible', baseUrl: server.baseUrl, priceInPer1M: 0.15, priceOutPer1M: 0.6 }], vscode.ConfigurationTarget.Global);
    await cfg.update('defaultProvider', 'fixture', vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await server?.close();
  });

  test('the example file has no problems and shows its CodeLens', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'prompts', 'summarise.prompt.yml'));
    await vscode.window.showTextDocument(uri);
    const lenses = await waitFor('CodeLens', 15000, async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l && l.length >= 2 ? l : undefined;
    });
    assert.deepEqual(lenses.map((l) => l.command?.title), ['▶ Run', '▶ Run all test cases (2)']);
    const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => d.message), []);
  });

  test('Run Prompt sends every case to the server, shows results in the panel DOM and logs every execution', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'prompts', 'summarise.prompt.yml'));
    const before = server.requests.length;
    const summary = await vscode.commands.executeCommand<RunSummary>('promptLab.runPrompt', uri);
    assert.ok(summary, 'the command returned no summary (see the Prompt Lab log)');
    assert.equal(summary.succeeded, 2);
    assert.equal(summary.evaluatorsPassed, 4, 'both string evaluators pass on both cases');
    assert.equal(server.requests.length - before, 2);
    const body = server.requests[before]!.body as { model: string; stream: boolean; messages: Array<{ role: string; content: string }> };
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.stream, true);
    assert.match(body.messages[1]!.content, /Summarise this ticket in exactly 3 bullet points/);

    const run = api.resultsPanel()?.currentRun;
    assert.ok(run);
    assert.deepEqual(run.cases.map((c) => c.status), ['done', 'done']);
    assert.ok(run.cases.every((c) => c.text.includes('Customer wants a refund') && c.tokensIn === 41 && c.costUsd !== null));

    const page = await api.store.history({ runId: run.runId, limit: 10 });
    assert.equal(page.rows.length, 2, 'both executions are in the database');
    assert.ok(page.rows.every((r) => r.success && r.provider === 'fixture' && r.promptVersion && r.tokensOut === 17));

    const domFile = process.env.PROMPTLAB_WEBVIEW_DOM_FILE;
    if (!domFile) return; // @vscode/test-electron runs have no DOM bridge
    const frame = await waitFor('the results table in the webview DOM', 20000, () => {
      try {
        const dom = JSON.parse(fs.readFileSync(domFile, 'utf8')) as { frames: DomFrame[] };
        return dom.frames.find((f) => (f.resultsRows?.length ?? 0) >= 2 && f.resultsRows!.every((r) => r[1]?.startsWith('done')));
      } catch { return undefined; }
    });
    assert.match(frame.resultsTitle ?? '', /Summarise a support ticket/);
    assert.match(frame.resultsTotals ?? '', /2 case\(s\): 2 done, 0 failed/);
    assert.ok(frame.resultsRows!.every((r) => r.join(' ').includes('Customer wants a refund')));
  });

  test('Run Prompt with a test case id (History\'s Re-run) runs that one case, and says so when it is gone', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'prompts', 'summarise.prompt.yml'));
    const before = server.requests.length;
    const summary = await vscode.commands.executeCommand<RunSummary>('promptLab.runPrompt', uri, { testCaseId: 'row-2' });
    assert.ok(summary, 'the command returned no summary (see the Prompt Lab log)');
    assert.equal(summary.total, 1);
    assert.equal(server.requests.length - before, 1);
    const run = api.resultsPanel()?.currentRun;
    assert.ok(run);
    const page = await api.store.history({ runId: run.runId, limit: 10 });
    assert.deepEqual(page.rows.map((r) => r.testCaseId), ['row-2']);
    const missing = await vscode.commands.executeCommand<RunSummary | undefined>('promptLab.runPrompt', uri, { testCaseId: 'row-99' });
    assert.equal(missing, undefined, 'a test case that is not in the file runs nothing');
    assert.equal(server.requests.length - before, 1);
  });

  test('a broken prompt file gets a diagnostic at the offending line', async () => {
    const file = path.join(ws(), 'broken.prompt.yml');
    fs.writeFileSync(file, 'name: Broken\nmodelParameters:\n  temperature: hot\nmessages:\n  - role: user\n    content: Hello {{who}}\n');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const diag = await waitFor('a temperature diagnostic', 15000, () => vscode.languages.getDiagnostics(uri).find((d) => /temperature/.test(d.message)));
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diag.range.start.line, 2);
    const refused = await vscode.commands.executeCommand('promptLab.runPrompt', uri);
    assert.equal(refused, undefined, 'a file with errors is not run');
  });
});
