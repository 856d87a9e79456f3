import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLabApi } from '../../src/extension/main';

const EXTENSION_ID = 'promptlab.prompt-lab';

interface ContributedCommand { command: string; title: string; category?: string }

suite('Prompt Lab activation', () => {
  let ext: vscode.Extension<PromptLabApi>;
  let api: PromptLabApi;

  suiteSetup(async () => {
    const found = vscode.extensions.getExtension<PromptLabApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not installed in this VS Code`);
    ext = found;
    api = await ext.activate();
  });

  test('the extension is present and active', () => {
    assert.equal(ext.isActive, true);
    assert.equal(ext.packageJSON.publisher, 'promptlab');
    assert.equal(ext.packageJSON.name, 'prompt-lab');
  });

  test('the store opens in the configured promptLab.databasePath', async () => {
    // The runners write this setting before VS Code starts, so the tests never touch a real database.
    const configured = vscode.workspace.getConfiguration('promptLab').get<string>('databasePath');
    assert.ok(configured, 'promptLab.databasePath is not set: the test runner should have written it to settings.json');
    assert.equal(api.dataDir, path.resolve(configured));
    const stats = await api.store.stats();
    assert.equal(typeof stats.executions, 'number');
    assert.equal(path.resolve(stats.dir), path.resolve(configured));
  });

  test('every command in package.json is registered', async () => {
    const contributed = (ext.packageJSON.contributes?.commands ?? []) as ContributedCommand[];
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
