import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLabApi } from '../../src/extension/main';
import { startOpenAIServer } from '../unit/helpers/fakeServers';

/** Runs only in the Restricted-Mode pass of the harness (PROMPTLAB_UNTRUSTED=1). */
suite('Restricted Mode (untrusted workspace)', () => {
  let api: PromptLabApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
  });

  test('the workspace really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('prompt files are still parsed and validated (CodeLens, diagnostics)', async () => {
    const uri = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'prompts', 'summarise.prompt.yml'));
    await vscode.window.showTextDocument(uri);
    let lenses: vscode.CodeLens[] = [];
    for (let i = 0; i < 60 && lenses.length < 2; i++) {
      lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      if (lenses.length < 2) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(lenses.length >= 2, 'CodeLens shown in Restricted Mode');
  });

  test('Run Prompt sends nothing and records nothing', async () => {
    const server = await startOpenAIServer(() => ({ kind: 'json', text: 'should never be asked' }));
    try {
      await vscode.workspace.getConfiguration('promptLab').update('providers', [{ id: 'fixture', kind: 'openai-compatible', baseUrl: server.baseUrl }], vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('promptLab').update('defaultProvider', 'fixture', vscode.ConfigurationTarget.Global);
      const before = (await api.store.stats()).executions;
      const uri = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'prompts', 'summarise.prompt.yml'));
      const result = await vscode.commands.executeCommand('promptLab.runPrompt', uri);
      assert.equal(result, undefined);
      const sel = await vscode.commands.executeCommand('promptLab.runSelection');
      assert.equal(sel, undefined);
      assert.equal(server.requests.length, 0, 'no request reached the provider');
      assert.equal((await api.store.stats()).executions, before);
    } finally {
      await server.close();
    }
  });

  test('history stays browsable', async () => {
    await vscode.commands.executeCommand('promptLab.showHistory');
    const page = await api.store.history({ limit: 5 });
    assert.ok(Array.isArray(page.rows));
  });
});
