import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArchiveResult } from '../../src/core/store/archive';
import type { PromptLabApi } from '../../src/extension/main';

suite('Maintenance commands', () => {
  let api: PromptLabApi;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
  });

  test('Archive Old Executions moves only the old executions to an archive file', async function () {
    this.timeout(60_000);
    const day = 86_400_000;
    const old = api.store.record({ id: `itest-archive-old-${Date.now()}`, promptId: 'itest-archive', promptText: 'an old prompt', responseText: 'an old answer', success: true, createdAt: new Date(Date.now() - 400 * day).toISOString() });
    const recent = api.store.record({ id: `itest-archive-new-${Date.now()}`, promptId: 'itest-archive', promptText: 'a recent prompt', responseText: 'a recent answer', success: true, createdAt: new Date(Date.now() - 2 * day).toISOString() });
    const r = await vscode.commands.executeCommand<ArchiveResult | undefined>('promptLab.archiveExecutions', 365);
    assert.ok(r, 'the command returned no result (see the Prompt Lab log)');
    assert.ok(r.deleted >= 1, `nothing was archived: ${JSON.stringify(r)}`);
    assert.equal(await api.store.getExecution(old.id), null, 'the 400-day-old execution is still in the live database');
    assert.ok(await api.store.getExecution(recent.id), 'the recent execution was archived too');
    assert.ok(r.files.length >= 1 && r.files.every((f) => fs.existsSync(f) && path.dirname(f).endsWith('archive')), `archive files: ${r.files.join(', ')}`);
    const none = await vscode.commands.executeCommand<ArchiveResult | undefined>('promptLab.archiveExecutions', 365);
    assert.equal(none?.deleted, 0, 'a second archive finds nothing older');
  });
});
