import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PromptLabApi } from '../../src/extension/main';
import type { HistoryPageData, HostToWebview } from '../../src/shared/historyProtocol';
import { waitFor } from './waitFor';

/** One frame of the webview DOM as test/run-in-code-server.mjs writes it (every 500 ms). */
interface WebviewDomFrame { url: string; summary: string | null; rowCount: number; detailText: string; injected: boolean }
interface WebviewDom { frames: WebviewDomFrame[]; injectedAnywhere?: boolean; clickedRow?: boolean }

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

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab');
    assert.ok(ext, 'extension promptlab.prompt-lab is not installed');
    api = await ext.activate();
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
    const domFile = process.env.PROMPTLAB_WEBVIEW_DOM_FILE;
    if (!domFile) this.skip();
    this.timeout(40_000);
    const total = (await api.store.stats()).executions;
    let last = '(no file yet)';
    const read = (): WebviewDom | undefined => {
      try { last = fs.readFileSync(domFile, 'utf8'); return JSON.parse(last) as WebviewDom; } catch { return undefined; }
    };
    // The runner clicks the first row once it appears, so the detail shows a full response.
    const frame = await waitFor('the history table and a row detail in the webview DOM', 20_000, () => read()?.frames.find((f) =>
      f.rowCount >= ids.length && (f.summary ?? '').includes(`of ${total} execution`) && f.detailText.includes('onerror')), () => last.slice(0, 1500));
    assert.ok(frame.detailText.includes(XSS), `the response is not shown literally: ${frame.detailText.slice(0, 300)}`);
    const dom = read();
    assert.ok(dom, 'the webview DOM file became unreadable');
    assert.deepEqual(dom.frames.filter((f) => f.injected).map((f) => f.url), [], 'the HTML payload ran in a webview frame');
    assert.notEqual(dom.injectedAnywhere, true, 'the HTML payload ran in some frame');
  });
});
