import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Sanitizer } from '../../src/core/sanitize';
import { prepareRecord } from '../../src/core/store/recordPrep';
import type { PromptLabApi } from '../../src/extension/main';
import type { DashboardData, HostToWebview } from '../../src/shared/dashboardProtocol';
import { count, percent } from '../../webview/dashboard/format';
import { domBridge } from './domBridge';
import { waitFor } from './waitFor';

/** The generic fields of one webview frame, as test/run-in-code-server.mjs writes them. */
interface DomFrame { url: string; panel: string | null; testIds: Record<string, string>; bodyClass: string; canvasCount: number; canvasDrawn: number; cspViolations: number; cspLast: string | null; injected: boolean }

const PROMPT = 'dashboard-itest';
const MODEL = 'dash-model';
// HTML whose handler would set a global if the webview ever parsed it as markup.
const XSS_PROMPT = 'dash <img src=x onerror="window.__plXss=1">';
const DAY = 86_400_000;

function isData(m: HostToWebview): m is Extract<HostToWebview, { ok: true }> {
  return m.type === 'response' && m.ok;
}

suite('Dashboard panel', () => {
  let api: PromptLabApi;
  const { domFile, readDom, lastText, frame: dashFrame, act } = domBridge<DomFrame>('dashboard', (f) => f.panel === 'dashboard');
  const lastDash = () => JSON.stringify(readDom()?.frames.filter((f) => f.panel === 'dashboard').map((f) => ({ testIds: f.testIds, bodyClass: f.bodyClass, canvas: [f.canvasCount, f.canvasDrawn] })) ?? lastText().slice(0, 500)).slice(0, 3000);

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
  });

  test('with no executions at all, the empty state tells a new user how to get data', async function () {
    if (!domFile) this.skip();
    this.timeout(40_000);
    // Only a fresh database shows it: when other suites ran first, there is data already.
    if ((await api.store.stats()).executions > 0) this.skip();
    await vscode.commands.executeCommand('promptLab.showDashboard');
    const frame = await waitFor('the empty state', 20_000, () => dashFrame((f) => !!f.testIds['dashboard-empty']), lastDash);
    assert.match(frame.testIds['dashboard-empty']!, /Prompt Lab: Run Prompt/);
    assert.match(frame.testIds['dashboard-empty']!, /import a JSONL file/);
    assert.equal(frame.testIds['command-runPrompt'], 'Run Prompt…', 'the run command is offered as a button');
    assert.equal(frame.testIds['command-importExecutions'], 'Import Executions…');
    assert.equal(frame.testIds['kpi-executions'], undefined, 'no KPI cards without data');
    assert.equal(frame.canvasCount, 0);
  });

  test('KPIs, deltas and breakdowns show what the store computes, and follow new executions', async function () {
    if (!domFile) this.skip();
    this.timeout(90_000);
    // The previous 7-day window: four successes eight days ago (through the import path: track() records "now").
    const sanitizer = new Sanitizer();
    const now = Date.now();
    api.store.recordMany([1, 2, 3, 4].map((i) => prepareRecord({
      id: `dashboard-itest-past-${i}`, promptId: PROMPT, model: MODEL, provider: 'test', success: true, promptText: 'old', responseText: 'old',
      latencyMs: 100, createdAt: new Date(now - 8 * DAY - i * 60_000).toISOString(),
    }, sanitizer)));

    await vscode.commands.executeCommand('promptLab.showDashboard');
    const panel = await waitFor('the dashboard panel', 10_000, () => api.dashboardPanel());
    const base = { promptId: PROMPT, promptText: 'Summarise', model: MODEL, provider: 'test' };
    // Current window: 4 successes (scored, priced) and 2 failures; then one more success later.
    for (const q of [0.9, 0.7, 0.8, 0.6]) {
      await api.tracker.track(base, (ex) => { ex.responseText = 'ok'; ex.qualityScore = q; ex.costUsd = 0.002; return ex.id; });
    }
    for (let i = 0; i < 2; i++) {
      await assert.rejects(api.tracker.track(base, () => { throw new TypeError('provider refused'); }));
    }
    await api.tracker.track({ ...base, promptId: XSS_PROMPT, model: 'other-model' }, (ex) => { ex.responseText = 'ok'; return ex.id; });

    // Unfiltered: the webview shows exactly what the store computes for the same window.
    const expected = await api.store.analytics({ days: 7 });
    const all = await waitFor('the unfiltered KPIs', 20_000, () => dashFrame((f) => f.testIds['kpi-executions-value'] === count(expected.current.executions)), lastDash);
    assert.equal(all.testIds['kpi-successRate-value'], percent(expected.current.successRate));
    assert.equal(all.testIds['dashboard-scope'], 'Last 7 days · all prompts · all models');
    assert.ok(all.testIds['breakdown-prompt']?.includes(XSS_PROMPT), 'a prompt id with markup is shown literally');
    assert.ok(all.testIds['breakdown-model']?.includes(MODEL));
    assert.equal(all.canvasCount, 3, 'success-rate, latency and volume charts');
    const drawn = await waitFor('the charts laid out', 10_000, () => dashFrame((f) => f.canvasCount === 3 && f.canvasDrawn === 3), lastDash);
    assert.equal(drawn.cspViolations, 0, `the content security policy refused something: ${drawn.cspLast}`);
    assert.ok(drawn.testIds['alerts-none'] !== undefined || drawn.testIds['alerts-summary'] !== undefined, 'the alerts card says something');
    assert.match(drawn.testIds['percentile-method'] ?? '', /Percentiles: /);

    // Filtered to our prompt: known figures, and the delta against the four earlier successes.
    await act('#dashboard-prompt', 'select', PROMPT);
    const mine = await waitFor('the filtered KPIs', 20_000, () => dashFrame((f) => f.testIds['dashboard-scope']?.includes(PROMPT) === true && f.testIds['kpi-executions-value'] === '6'), lastDash);
    assert.equal(mine.testIds['kpi-successRate-value'], '66.7%');
    assert.equal(mine.testIds['kpi-qualityMean-value'], '0.75');
    assert.equal(mine.testIds['kpi-cost-value'], '$0.008');
    assert.match(mine.testIds['kpi-cost']!, /known for 4 of 6/);
    const rateDelta = mine.testIds['kpi-successRate-delta']!;
    assert.match(rateDelta, /▼ −33\.3 pp/, rateDelta);
    assert.match(rateDelta, /worse/);
    assert.match(rateDelta, /p = |p < |n\/a: /, 'significance is stated (or why not)');
    assert.match(mine.testIds['kpi-executions-delta']!, /▲ \+2 \(\+50\.0%\)/);
    const sent = panel.sent.filter(isData).map((m) => m.data as DashboardData).filter((d) => d.state.promptId === PROMPT);
    const d = sent[sent.length - 1]!;
    assert.equal(d.report.deltas.successRate.direction, 'down');
    assert.equal(d.report.deltas.successRate.improved, false);

    // A new execution re-queries the open panel (debounced notifyChanged).
    await api.tracker.track(base, (ex) => { ex.responseText = 'ok'; ex.qualityScore = 0.75; return ex.id; });
    const after = await waitFor('the KPIs after a new execution', 20_000, () => dashFrame((f) => f.testIds['kpi-executions-value'] === '7'), lastDash);
    assert.equal(after.testIds['kpi-successRate-value'], '71.4%');
    const dom = readDom()!;
    assert.deepEqual(dom.frames.filter((f) => f.injected).map((f) => f.url), [], 'the HTML payload ran in a webview frame');
  });

  test('a breakdown row opens History filtered to it; the dashboard comes back with its selection', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    await act(`#breakdown-model-rows tr[data-key="${MODEL}"]`, 'click');
    const history = await waitFor('the history panel', 15_000, () => api.historyPanel());
    const sentFilter = await waitFor('the filter sent to History', 15_000, () => {
      for (const m of history.sent) {
        if (m.type === 'init' && m.filter) return m.filter;
        if (m.type === 'setFilter') return m.filter;
      }
      return undefined;
    }, () => JSON.stringify(history.sent.map((m) => m.type)));
    const since = api.dashboardPanel()!.sent.filter(isData).map((m) => (m.data as DashboardData).report.window.since).pop()!;
    // Under the prompt filter, a model row means that prompt with that model, from the window's start.
    assert.deepEqual(sentFilter, { model: MODEL, promptId: PROMPT, since });
    // History took the dashboard's place, so its webview was torn down: shown again, it asks the host for its selection.
    await vscode.commands.executeCommand('promptLab.showDashboard');
    await waitFor('the dashboard back with its filter', 20_000, () => dashFrame((f) => f.testIds['dashboard-scope']?.includes(PROMPT) === true && f.testIds['kpi-executions-value'] === '7' && f.canvasDrawn === 3), lastDash);
  });

  test('the alerts card shows the health monitor\'s current report', async function () {
    if (!domFile) this.skip();
    this.timeout(40_000);
    const report = await api.health.check();
    const firing = report.alerts.filter((a) => a.firing);
    const failing = report.checks.filter((c) => !c.healthy);
    const expected = firing.length + failing.length === 0
      ? `No alerts firing; ${report.checks.length} check(s) healthy, ${report.alerts.length} rule(s) evaluated`
      : `${firing.length} alert(s) firing, ${failing.length} check(s) unhealthy`;
    const frame = await waitFor(`the alerts summary "${expected}…"`, 20_000, () => dashFrame((f) => f.testIds['alerts-summary']?.startsWith(expected) === true), lastDash);
    for (const a of firing) assert.ok(frame.testIds['alerts-list']?.includes(a.label), `${a.label} listed`);
    assert.equal(frame.testIds['alerts-none'], undefined, 'no "not run yet" once a report exists');
  });

  test('switching to a high-contrast theme re-themes the webview and the charts stay drawn', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const config = vscode.workspace.getConfiguration('workbench');
    const before = config.inspect<string>('colorTheme')?.globalValue;
    try {
      await config.update('colorTheme', 'Default High Contrast', vscode.ConfigurationTarget.Global);
      const hc = await waitFor('high contrast in the dashboard', 20_000, () => dashFrame((f) => /vscode-high-contrast/.test(f.bodyClass) && f.canvasCount === 3 && f.canvasDrawn === 3), lastDash);
      assert.equal(hc.cspViolations, 0);
      assert.equal(hc.testIds['kpi-executions-value'], '7', 'the data survives the redraw');
    } finally {
      await config.update('colorTheme', before, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the previous theme back', 20_000, () => dashFrame((f) => !/vscode-high-contrast/.test(f.bodyClass) && f.canvasDrawn === 3), lastDash);
  });

  test('the view state survives the serializer path (what a window reload runs)', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    await act('#dashboard-days', 'select', '30');
    await waitFor('the 30-day window', 20_000, () => dashFrame((f) => f.testIds['dashboard-scope']?.startsWith('Last 30 days') === true && f.testIds['kpi-executions-value'] === '11'), lastDash);
    const old = api.dashboardPanel()!;
    // What the webview saved by setState is what the host last queried with; VS Code hands the
    // same object to the serializer after a reload. The test host cannot reload the window,
    // so it closes the panel and calls the serializer's function with that state.
    const saved = old.viewState;
    assert.deepEqual(saved, { days: 30, promptId: PROMPT, model: null });
    old.panel.dispose();
    await waitFor('the panel disposed', 5_000, () => (api.dashboardPanel() ? undefined : true));
    await waitFor('the old webview gone', 10_000, () => (readDom()?.frames.some((f) => f.panel === 'dashboard') ? undefined : true), lastDash);

    const fresh = vscode.window.createWebviewPanel('promptLab.dashboard', 'Prompt Lab: Dashboard', vscode.ViewColumn.Active, { enableScripts: true });
    const revived = api.reviveDashboard(fresh, JSON.parse(JSON.stringify(saved)));
    assert.equal(api.dashboardPanel(), revived);
    const restored = await waitFor('the restored selection', 20_000, () => dashFrame((f) => f.testIds['dashboard-scope'] === `Last 30 days · prompt “${PROMPT}” · all models` && f.testIds['kpi-executions-value'] === '11'), lastDash);
    assert.equal(restored.cspViolations, 0);

    // A state from elsewhere (or an older version) that does not validate is dropped, not trusted.
    revived.panel.dispose();
    await waitFor('the old webview gone', 10_000, () => (readDom()?.frames.some((f) => f.panel === 'dashboard') ? undefined : true), lastDash);
    const other = vscode.window.createWebviewPanel('promptLab.dashboard', 'Prompt Lab: Dashboard', vscode.ViewColumn.Active, { enableScripts: true });
    api.reviveDashboard(other, { days: 14, promptId: '<b>x</b>', model: null });
    await waitFor('the default selection', 20_000, () => dashFrame((f) => f.testIds['dashboard-scope'] === 'Last 7 days · all prompts · all models'), lastDash);
  });

});
