import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLabApi } from '../../src/extension/main';
import type { HistoryPageData, HostToWebview } from '../../src/shared/historyProtocol';
import { domBridge } from './domBridge';
import { waitFor } from './waitFor';

/** One frame of the webview DOM as test/run-in-code-server.mjs writes it (every 500 ms). */
interface WebviewDomFrame { url: string; panel: string | null; testIds: Record<string, string>; bodyClass?: string; cspViolations: number; cspLast: string | null; summary: string | null; rowCount: number; detailText: string; injected: boolean }

// HTML whose handler would set a global if the webview ever parsed it as markup.
const XSS = 'Hello <b>Bob</b> <img src=x onerror="window.__plXss=1">';
const PROMPT = 'Say hello to bob@example.com';
const base = { promptId: 'itest-prompt', promptText: PROMPT, model: 'test-model', provider: 'test' };


function isPageResponse(m: HostToWebview): m is Extract<HostToWebview, { ok: true }> & { data: HistoryPageData } {
  return m.type === 'response' && m.ok && 'rows' in m.data;
}

suite('History panel', () => {
  let api: PromptLabApi;
  const ids: string[] = [];
  let failedId = '';
  const { domFile, readDom, lastText, frame: historyFrame, act } = domBridge<WebviewDomFrame>('history', (f) => f.panel === 'history');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab');
    assert.ok(ext, 'extension promptlab.prompt-lab is not installed');
    api = await ext.activate();
    // Suites that ran before may have left History open with their own filter (the dashboard's
    // breakdown rows open it filtered): start from a fresh panel, as a user opening it anew would.
    api.historyPanel()?.dispose();
  });

  test('tracked executions are stored sanitized, failures included', async () => {
    for (let i = 0; i < 3; i++) {
      const id = await api.tracker.track(base, async (ex) => { ex.responseText = XSS; return ex.id; });
      ids.push(id);
    }
    const boom = new TypeError('provider refused: quota exceeded');
    // The partial response carries the same payload, so whichever row the runner clicks shows it.
    await assert.rejects(api.tracker.track(base, async (ex) => { failedId = ex.id; ex.responseText = XSS; throw boom; }), (e) => e === boom);
    ids.push(failedId);

    for (const id of ids) {
      const d = await api.store.getExecution(id);
      assert.ok(d, `execution ${id} was not stored`);
      assert.ok(d.promptText.includes('[EMAIL_REDACTED]'), `prompt not redacted: ${d.promptText}`);
      assert.ok(!d.promptText.includes('bob@example.com'), 'the email reached the store');
      assert.equal(d.responseText, XSS);
    }
    const failed = await api.store.getExecution(failedId);
    assert.ok(failed);
    assert.equal(failed.success, false);
    assert.equal(failed.errorType, 'TypeError');
    assert.equal(failed.errorMessage, 'provider refused: quota exceeded');
  });

  test('Show History sends the recorded rows to the webview', async function () {
    this.timeout(40_000);
    assert.equal(ids.length, 4, 'the previous test did not record its executions');
    await vscode.commands.executeCommand('promptLab.showHistory');
    // The host only answers the webview's queries, so a page with our ids proves the round trip.
    const page = await waitFor('a history page with the recorded ids', 20_000, () => {
      const sent = api.historyPanel()?.sent ?? [];
      return sent.filter(isPageResponse).find((m) => ids.every((id) => m.data.rows.some((r) => r.id === id)));
    }, () => JSON.stringify(api.historyPanel()?.sent.map((m) => m.type) ?? 'no panel'));
    const failedRow = page.data.rows.find((r) => r.id === failedId);
    assert.equal(failedRow?.success, false);
    assert.equal(failedRow?.errorType, 'TypeError');
  });

  test('the real webview renders the rows, as text only', async function () {
    // Only the code-server runner can read the browser's DOM; elsewhere (test-electron) skip.
    if (!domFile) this.skip();
    this.timeout(40_000);
    const total = (await api.store.stats()).executions;
    // The runner clicks the first row once it appears, so the detail shows a full response.
    const frame = await waitFor('the history table and a row detail in the webview DOM', 20_000, () => readDom()?.frames.find((f) =>
      f.rowCount >= ids.length && (f.summary ?? '').includes(`of ${total} execution`) && f.detailText.includes('onerror')), () => lastText().slice(0, 1500));
    assert.ok(frame.detailText.includes(XSS), `the response is not shown literally: ${frame.detailText.slice(0, 300)}`);
    const dom = readDom();
    assert.ok(dom, 'the webview DOM file became unreadable');
    assert.deepEqual(dom.frames.filter((f) => f.injected).map((f) => f.url), [], 'the HTML payload ran in a webview frame');
    assert.notEqual(dom.injectedAnywhere, true, 'the HTML payload ran in some frame');
  });

  // ---- filters, state restore, virtualization, tree views (read through the webview DOM) ----

  /** Texts of the table rows in the DOM, top to bottom. */
  const rowTexts = (f: WebviewDomFrame) => Object.entries(f.testIds).filter(([k]) => k.startsWith('history-row-'))
    .sort((a, b) => Number(a[0].slice(12)) - Number(b[0].slice(12))).map(([, v]) => v);

  // Five executions of one prompt on three days, with and without quality and cache hits.
  const FILTER_PROMPT = 'itest-filters';
  const day = (d: number, h = 12) => new Date(2026, 2, d, h).toISOString();
  const filterRows = [
    { marker: 'FROW-A', q: 0.9, cached: true, at: day(10) },
    { marker: 'FROW-B', q: 0.2, cached: false, at: day(10, 13) },
    { marker: 'FROW-C', q: 0.6, cached: true, at: day(12) },
    { marker: 'FROW-D', q: null, cached: true, at: day(12, 13) },
    { marker: 'FROW-E', q: 0.8, cached: false, at: day(15) },
  ];
  const markersIn = (f: WebviewDomFrame) => rowTexts(f).map((t) => /FROW-[A-E]/.exec(t)?.[0] ?? '?');

  test('filters by quality range, cache hit and date show exactly the matching rows', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    for (const r of filterRows) {
      api.store.record({ id: `itest-${r.marker}`, promptId: FILTER_PROMPT, model: 'test-model', provider: 'test', success: true, promptText: `filters ${r.marker}`,
        responseText: `${r.marker} answer`, qualityScore: r.q, tags: r.cached ? ['cache-hit'] : [], createdAt: r.at });
    }
    await vscode.commands.executeCommand('promptLab.showHistory');
    const panel = api.historyPanel();
    assert.ok(panel, 'no history panel');
    // The tree view's path: the host pushes a filter into the open panel.
    panel.setFilter({ promptId: FILTER_PROMPT, qualityMin: 0.5 });
    await waitFor('rows with quality >= 0.5', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-E,FROW-C,FROW-A'), () => lastText().slice(0, 1500));
    // The cache select through a real browser select + change event.
    await act('#cache', 'select', 'true');
    const cached = await waitFor('cache hits with quality >= 0.5', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-C,FROW-A'), () => lastText().slice(0, 1500));
    assert.match(cached.testIds['history-active-filters'] ?? '', /cache hits/);
    assert.match(cached.testIds['history-active-filters'] ?? '', /quality 0\.5–1/);
    // Date range: the 10th only (until is exclusive at the next midnight).
    panel.setFilter({ promptId: FILTER_PROMPT, since: new Date(2026, 2, 10).getTime(), until: new Date(2026, 2, 11).getTime() });
    await waitFor('rows of 10 March', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-B,FROW-A'), () => lastText().slice(0, 1500));
    panel.setFilter({ promptId: FILTER_PROMPT, qualityMax: 0.7, cacheHit: false });
    await waitFor('uncached rows with quality <= 0.7', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-B'), () => lastText().slice(0, 1500));
  });

  test('the keyboard moves through the rows and Enter opens the one under the cursor', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const panel = api.historyPanel();
    assert.ok(panel, 'no history panel');
    panel.setFilter({ promptId: FILTER_PROMPT });
    await waitFor('the five filter rows', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-E,FROW-D,FROW-C,FROW-B,FROW-A'), () => lastText().slice(0, 1500));
    // Real key presses on the focused grid: Home → first row, two ArrowDowns → third, End → last, ArrowUp → fourth.
    await act('#history', 'press', 'Home');
    await act('#history', 'press', 'ArrowDown');
    await act('#history', 'press', 'ArrowDown');
    await act('#history', 'press', 'Enter');
    await waitFor('the third row\'s detail (FROW-C)', 20_000, () => historyFrame((f) => (f.testIds['history-response'] ?? '').includes('FROW-C answer')), () => lastText().slice(0, 1500));
    await act('#history', 'press', 'End');
    await act('#history', 'press', 'ArrowUp');
    await act('#history', 'press', 'Enter');
    await waitFor('the fourth row\'s detail (FROW-B)', 20_000, () => historyFrame((f) => (f.testIds['history-response'] ?? '').includes('FROW-B answer')), () => lastText().slice(0, 1500));
  });

  test('the filter is restored when the webview is torn down and loaded again', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const panel = api.historyPanel();
    assert.ok(panel, 'no history panel');
    panel.setFilter({ promptId: FILTER_PROMPT, qualityMin: 0.5, cacheHit: true });
    await waitFor('the filtered rows', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-C,FROW-A'), () => lastText().slice(0, 1500));
    // Hidden without retainContextWhenHidden, the webview is destroyed; shown again it starts
    // from its saved state (the same path as a panel revived after a window reload).
    const doc = await vscode.workspace.openTextDocument({ content: 'hide the history panel', language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn ?? vscode.ViewColumn.Active, preview: false });
    await waitFor('the history webview to go away', 20_000, () => (readDom() && !historyFrame(() => true) ? true : undefined), () => lastText().slice(0, 500));
    panel.panel.reveal();
    const back = await waitFor('the restored filter and rows', 20_000, () => historyFrame((f) => markersIn(f).join() === 'FROW-C,FROW-A'), () => lastText().slice(0, 1500));
    assert.match(back.testIds['history-active-filters'] ?? '', new RegExp(`prompt = ${FILTER_PROMPT}`));
    assert.match(back.testIds['history-active-filters'] ?? '', /cache hits/);
  });

  test('with 2,000+ executions the table keeps far fewer rows in the DOM than it has loaded', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 2100; i++) {
      api.store.record({ id: `itest-bulk-${i}`, promptId: 'itest-bulk', model: 'bulk-model', provider: 'test', success: i % 7 !== 0, promptText: `bulk ${i}`,
        responseText: `bulk response ${i}`, latencyMs: 100 + i, createdAt: new Date(t0 + i * 1000).toISOString() });
    }
    await vscode.commands.executeCommand('promptLab.showHistory');
    const panel = api.historyPanel();
    assert.ok(panel, 'no history panel');
    panel.setFilter({ promptId: 'itest-bulk' });
    const frame = await waitFor('the first page of bulk rows', 30_000, () => historyFrame((f) => /^200 loaded of [\d,]+ executions/.test(f.testIds['history-summary'] ?? '') && rowTexts(f).length > 0),
      () => lastText().slice(0, 1500));
    const total = (await api.store.stats()).executions;
    assert.ok(total >= 2100, `only ${total} executions stored`);
    assert.ok(frame.rowCount > 5, `too few rows rendered: ${frame.rowCount}`);
    assert.equal(frame.cspViolations, 0, `refused by the content security policy: ${frame.cspLast}`);
    assert.ok(frame.rowCount <= 80, `${frame.rowCount} rows in the DOM for 200 loaded: the table is not virtualized`);
    assert.ok(rowTexts(frame)[0]!.includes('bulk response 2099'), `newest first: ${rowTexts(frame)[0]}`);
    assert.match(frame.testIds['history-summary'] ?? '', /how many match is not counted/);

    // Scroll by clicking the lowest row in the DOM (the browser scrolls it into view first):
    // the next page is fetched by cursor once the window nears the end of the loaded rows.
    let scrolled: WebviewDomFrame | undefined;
    for (let i = 0; i < 40 && !scrolled; i++) {
      const f = historyFrame(() => true);
      const last = Math.max(...Object.keys(f?.testIds ?? {}).filter((k) => k.startsWith('history-row-')).map((k) => Number(k.slice(12))));
      await act(`#hrow-${last}`, 'click');
      const moved = await waitFor('the table to move', 5_000, () => historyFrame((g) => /^400 loaded of/.test(g.testIds['history-summary'] ?? '')
        || Object.keys(g.testIds).some((k) => k.startsWith('history-row-') && Number(k.slice(12)) > last)), () => lastText().slice(0, 800));
      if (/^400 loaded of/.test(moved.testIds['history-summary'] ?? '')) scrolled = moved;
    }
    assert.ok(scrolled, `the second page never loaded: ${lastText().slice(0, 800)}`);
    assert.ok(scrolled.rowCount <= 80, `${scrolled.rowCount} rows in the DOM for 400 loaded`);
    const indexes = Object.keys(scrolled.testIds).filter((k) => k.startsWith('history-row-')).map((k) => Number(k.slice(12)));
    assert.ok(Math.min(...indexes) > 100, `the DOM still holds the top rows (${Math.min(...indexes)}): rows are not recycled`);
  });

  test('the tree views list the run and the experiment, and open the history filtered to them', async function () {
    this.timeout(60_000);
    const runId = 'itest-run-1';
    const now = Date.now();
    for (let i = 0; i < 4; i++) {
      api.store.record({ id: `itest-run-row-${i}`, promptId: 'itest-tree', runId, experimentId: 'itest-exp', model: 'm', provider: 'test', success: i !== 3,
        promptText: `tree ${i}`, responseText: `TREE-ROW-${i}`, createdAt: new Date(now + i).toISOString() });
    }
    api.store.saveExperiment({ id: 'itest-exp', name: 'Itest experiment', design: 'paired', seed: 7, status: 'done', variants: [{ id: 'a' }, { id: 'b' }], createdAt: now });
    const trees = api.trees();
    assert.ok(trees, 'the tree views were not created');
    // The activity-bar container is contributed (VS Code derives this command from its id).
    await vscode.commands.executeCommand('workbench.view.extension.promptLab');
    const runs = await trees.runs.getChildren();
    const run = runs.find((r) => r.kind === 'run' && r.run.runId === runId);
    assert.ok(run, `run ${runId} not in Recent Runs: ${JSON.stringify(runs).slice(0, 500)}`);
    assert.equal(runs[0], run, 'the newest run is listed first');
    const runItem = trees.runs.getTreeItem(run);
    assert.equal(runItem.description, '3 ok, 1 failed');
    assert.match(String(runItem.label), /^itest-tree · /);
    const exps = await trees.experiments.getChildren();
    const exp = exps.find((x) => x.kind === 'experiment' && x.experiment.id === 'itest-exp');
    assert.ok(exp, 'experiment not listed');
    const expItem = trees.experiments.getTreeItem(exp);
    assert.equal(expItem.label, 'Itest experiment');
    assert.equal(expItem.contextValue, 'promptLab.experiment');

    // Clicking runs the item's command: the history shows that run only.
    const cmd = runItem.command!;
    await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
    if (!domFile) return;
    await waitFor('the run in the history', 20_000, () => historyFrame((f) => (f.testIds['history-active-filters'] ?? '').includes(`run = ${runId}`)
      && rowTexts(f).length === 4 && rowTexts(f)[0]!.includes('TREE-ROW-3')), () => lastText().slice(0, 1500));
    if (!(await vscode.commands.getCommands(true)).includes('promptLab.openExperiment')) {
      // Without a compare command for experiments, "Open Comparison" falls back to the history.
      await vscode.commands.executeCommand('promptLab.openExperimentComparison', exp);
      await waitFor('the experiment in the history', 20_000, () => historyFrame((f) => (f.testIds['history-active-filters'] ?? '').includes('experiment = itest-exp')
        && rowTexts(f).length === 4), () => lastText().slice(0, 1500));
    }
  });

  test('detail actions: open the prompt file (same or changed version), copy as JSON, re-run refusal, compare two side by side', async function () {
    if (!domFile) this.skip();
    this.timeout(90_000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder');
    const file = path.join(folder.uri.fsPath, 'prompts', 'summarise.prompt.yml');
    const text = fs.readFileSync(file, 'utf8');
    const promptId = /^name:\s*(.+)$/m.exec(text)?.[1]?.trim();
    assert.ok(promptId, 'the example prompt has no name');
    const hash = createHash('sha256').update(text, 'utf8').digest('hex');
    const now = Date.now();
    api.store.record({ id: 'itest-act-same', promptId, promptVersion: hash, model: 'm', provider: 'test', success: true, promptText: 'p', responseText: 'The cat sat on the mat', createdAt: new Date(now).toISOString() });
    api.store.record({ id: 'itest-act-changed', promptId, promptVersion: 'f'.repeat(64), model: 'm', provider: 'test', success: true, promptText: 'p', responseText: 'The dog sat on the mat', createdAt: new Date(now + 1).toISOString() });
    api.store.record({ id: 'itest-act-nofile', promptId: 'itest-no-file', model: 'm', provider: 'test', success: true, promptText: 'p', responseText: 'x', testCaseId: 'row-2', createdAt: new Date(now + 2).toISOString() });
    await vscode.commands.executeCommand('promptLab.showHistory');
    const panel = api.historyPanel();
    assert.ok(panel, 'no history panel');
    panel.setFilter({ promptId });
    await waitFor('the two executions of the example prompt', 20_000, () => historyFrame((f) => rowTexts(f).length === 2 && rowTexts(f)[0]!.includes('dog')), () => lastText().slice(0, 1500));
    const status = (re: RegExp) => waitFor(`action status ${re}`, 20_000, () => historyFrame((f) => re.test(f.testIds['history-action-status'] ?? '')), () => lastText().slice(0, 2000));

    await act('#hrow-0', 'click');
    await waitFor('the changed execution\'s detail', 20_000, () => historyFrame((f) => (f.testIds['history-response'] ?? '').includes('dog')));
    await act('#action-openPrompt', 'click');
    await status(/summarise\.prompt\.yml: the file changed since this execution/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'the prompt file was not opened');

    await act('#hrow-1', 'click');
    await waitFor('the same-version execution\'s detail', 20_000, () => historyFrame((f) => (f.testIds['history-response'] ?? '').includes('cat')));
    await act('#action-openPrompt', 'click');
    await status(/it is the version this execution ran/);

    await act('#action-copyJson', 'click');
    const copied = await status(/Copied execution itest-act-same as JSON|Failed/);
    assert.match(copied.testIds['history-action-status'] ?? '', /^Copied/, 'the clipboard write failed');
    const json = JSON.parse(await vscode.env.clipboard.readText()) as { id: string; responseText: string };
    assert.equal(json.id, 'itest-act-same');
    assert.equal(json.responseText, 'The cat sat on the mat');

    // Tick both rows and compare: two columns, each with its own response.
    await act('#hrow-0 input[type=checkbox]', 'click');
    await act('#hrow-1 input[type=checkbox]', 'click');
    await act('#compare-selected', 'click');
    const cmp = await waitFor('the side-by-side comparison', 20_000, () => historyFrame((f) => (f.testIds['history-compare-left'] ?? '').includes('dog')
      && (f.testIds['history-compare-right'] ?? '').includes('cat')), () => lastText().slice(0, 2000));
    assert.match(cmp.testIds['history-compare-note'] ?? '', /struck through/);

    // Re-run of an execution whose prompt file is not in the workspace explains why nothing ran.
    panel.setFilter({ promptId: 'itest-no-file' });
    await waitFor('the execution without a file', 20_000, () => historyFrame((f) => rowTexts(f).length === 1));
    await act('#hrow-0', 'click');
    await waitFor('its detail', 20_000, () => historyFrame((f) => (f.testIds['history-detail-title'] ?? '').startsWith('itest-no-file')));
    await act('#action-rerun', 'click');
    await status(/No prompt file with the id "itest-no-file" was found in this workspace\. Nothing was run\./);
  });

  test('the panel follows a switch to High Contrast and back, keeping its rows', async function () {
    if (!process.env.PROMPTLAB_WEBVIEW_DOM_FILE) this.skip();
    this.timeout(60_000);
    const config = vscode.workspace.getConfiguration('workbench');
    const before = config.inspect<string>('colorTheme')?.globalValue;
    try {
      await config.update('colorTheme', 'Default High Contrast', vscode.ConfigurationTarget.Global);
      const hc = await waitFor('high contrast in the history panel', 20_000, () => historyFrame((f) => /vscode-high-contrast/.test(f.bodyClass ?? '') && f.rowCount > 0), () => lastText().slice(0, 800));
      assert.equal(hc.cspViolations, 0);
    } finally {
      await config.update('colorTheme', before, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the previous theme back', 20_000, () => historyFrame((f) => !/vscode-high-contrast/.test(f.bodyClass ?? '') && f.rowCount > 0), () => lastText().slice(0, 800));
  });
});
