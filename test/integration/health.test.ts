import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PromptLabApi } from '../../src/extension/main';
import { domBridge } from './domBridge';
import { waitFor } from './waitFor';

/** The generic fields of one webview frame, as test/run-in-code-server.mjs writes them. */
interface DomFrame { url: string; panel: string | null; testIds: Record<string, string>; cspViolations?: number; bodyClass?: string }

const PROVIDER = 'health-itest';
const FAILURES = 40;
const SUCCESSES = 10;

suite('Health monitor, status bar and panel', () => {
  let api: PromptLabApi;
  let startedAt = Date.now();
  const { domFile, readDom, lastText, frame: healthFrame, act } = domBridge<DomFrame>('health', (f) => f.panel === 'health');
  const base = { promptId: 'health-itest', promptText: 'Say hello', provider: PROVIDER, model: 'test-model' };
  /** Adds successes until failures are at most 5% of the window (other suites' rows included); returns how many. */
  const dilute = async (): Promise<number> => {
    const a = (await api.health.check()).alerts.find((x) => x.ruleId === 'error-rate')!;
    if (a.value === null || a.n === null) return 0;
    const failures = Math.round(a.value * a.n);
    const needed = Math.max(0, 20 * failures - a.n) + 10;
    for (let i = 0; i < needed; i++) await api.tracker.track(base, (ex) => { ex.responseText = 'hello'; });
    return needed;
  };
  const firedSinceStart = () => api.health.history().filter((t) => t.ruleId === 'error-rate' && t.kind === 'fired' && t.at >= startedAt);

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
    // Earlier suites may have left failures in the window: start from a quiet error-rate rule.
    if ((await api.health.check()).alerts.find((a) => a.ruleId === 'error-rate')!.firing) {
      await dilute();
      assert.equal((await api.health.check()).alerts.find((a) => a.ruleId === 'error-rate')!.firing, false);
    }
    startedAt = Date.now();
  });

  test('many failures fire the error-rate alert once, and the status bar shows it', async function () {
    this.timeout(60_000);
    for (let i = 0; i < FAILURES; i++) {
      await api.tracker.track(base, (ex) => { ex.failure = { type: 'server', message: 'HTTP 503 from the test provider' }; });
    }
    for (let i = 0; i < SUCCESSES; i++) await api.tracker.track(base, (ex) => { ex.responseText = 'hello'; });

    const first = await api.health.check();
    const second = await api.health.check();
    const alert = second.alerts.find((a) => a.ruleId === 'error-rate')!;
    assert.equal(alert.firing, true, JSON.stringify(alert));
    assert.ok(alert.value! > 0.05 && (alert.n ?? 0) >= FAILURES + SUCCESSES, JSON.stringify(alert));
    assert.equal(second.healthy, false);
    assert.ok(first.alerts.find((a) => a.ruleId === 'error-rate')!.firing);
    assert.equal(firedSinceStart().length, 1, `one transition after two checks: ${JSON.stringify(api.health.history().slice(0, 5))}`);

    const provider = second.checks.find((c) => c.name === `provider:${PROVIDER}`)!;
    assert.equal(provider.healthy, false, provider.details);
    assert.match(provider.details, /errors in the last 60 min/);
    const db = second.checks.find((c) => c.name === 'database')!;
    assert.equal(db.healthy, true, db.details);
    assert.ok(Number(db.metrics.writeSamples) >= FAILURES + SUCCESSES, `write latency measured around store.record(): ${JSON.stringify(db.metrics)}`);

    const bar = api.health.statusBar();
    assert.match(bar.text, /^\$\(error\) \d+ alerts?/);
    assert.match(bar.tooltip, /Error rate \d+\.\d% \(threshold > 5\.0%; n=\d+, last 60 min\)/);
    assert.equal(api.health.current(), second, 'current() is the latest report');
  });

  test('the Health panel shows the firing alert and the checks, as text', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    await vscode.commands.executeCommand('promptLab.showHealth');
    await waitFor('the health panel', 10_000, () => api.healthPanel());
    const frame = await waitFor('the health panel DOM with the firing alert', 30_000,
      () => healthFrame((f) => f.testIds['alert-state-error-rate'] === 'FIRING' && !!f.testIds['check-database']), () => lastText().slice(0, 1500));
    assert.match(frame.testIds['alert-error-rate']!, /Error rate/);
    assert.match(frame.testIds['alert-error-rate']!, /> 5\.0%/);
    assert.match(frame.testIds['check-database']!, /writable/);
    assert.match(frame.testIds[`check-status-provider:${PROVIDER}`] ?? '', /unhealthy/);
    assert.match(frame.testIds['health-summary']!, /^Unhealthy: /);
    assert.match(frame.testIds['health-history'] ?? '', /Error ratehighfired/);
    assert.equal(frame.cspViolations ?? 0, 0);
  });

  test('a panel revived by the serializer (what a window reload runs) shows the current report again', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const old = api.healthPanel()!;
    old.panel.dispose();
    await waitFor('the old webview gone', 10_000, () => (readDom()?.frames.some((f) => f.panel === 'health') ? undefined : true), () => lastText().slice(0, 500));
    // The test host cannot reload the window: it calls the serializer's function with a new panel.
    const fresh = vscode.window.createWebviewPanel('promptLab.health', 'Prompt Lab: Health', vscode.ViewColumn.Active, { enableScripts: true });
    const revived = api.reviveHealth(fresh);
    assert.equal(api.healthPanel(), revived);
    const frame = await waitFor('the revived panel with the firing alert', 20_000,
      () => healthFrame((f) => f.testIds['alert-state-error-rate'] === 'FIRING' && !!f.testIds['check-database']), () => lastText().slice(0, 1500));
    assert.equal(frame.cspViolations ?? 0, 0);
  });

  test('the Health panel follows a switch to High Contrast and back, keeping its content', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const config = vscode.workspace.getConfiguration('workbench');
    const before = config.inspect<string>('colorTheme')?.globalValue;
    try {
      await config.update('colorTheme', 'Default High Contrast', vscode.ConfigurationTarget.Global);
      const hc = await waitFor('high contrast in the health panel', 20_000,
        () => healthFrame((f) => /vscode-high-contrast/.test(f.bodyClass ?? '') && f.testIds['alert-state-error-rate'] === 'FIRING'), () => lastText().slice(0, 800));
      assert.equal(hc.cspViolations ?? 0, 0);
    } finally {
      await config.update('colorTheme', before, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the previous theme back', 20_000, () => healthFrame((f) => !/vscode-high-contrast/.test(f.bodyClass ?? '')), () => lastText().slice(0, 800));
  });

  test('an open breaker shows in the panel and "Reset breaker" closes it', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const { breaker } = api.runs.providerGuards().for(PROVIDER);
    for (let i = 0; i < breaker.failureThreshold; i++) {
      const a = breaker.tryAcquire();
      assert.ok(a.ok);
      breaker.record(a.permit, { ok: false, error: { kind: 'server', status: 503, message: 'test outage' } });
    }
    assert.equal(breaker.state, 'open');
    await vscode.commands.executeCommand('promptLab.checkHealth');
    await waitFor('the open breaker in the panel', 20_000, () => healthFrame((f) => f.testIds[`breaker-state-${PROVIDER}`] === 'open'), () => lastText().slice(0, 1500));
    await act(`[data-testid="reset-breaker-${PROVIDER}"]`, 'click');
    await waitFor('the breaker closed', 10_000, () => (breaker.state === 'closed' ? true : undefined));
    await waitFor('the closed breaker in the panel', 20_000, () => healthFrame((f) => f.testIds[`breaker-state-${PROVIDER}`] === 'closed'), () => lastText().slice(0, 1500));
    assert.equal(firedSinceStart().length, 1, 'more checks did not fire the alert again');
  });

  test('enough successes resolve the alert once, and the status bar follows', async function () {
    this.timeout(120_000);
    assert.ok(api.health.current()!.alerts.find((a) => a.ruleId === 'error-rate')!.firing);
    // Failures stay in the window: successes bring them to at most 5% of it.
    assert.ok(await dilute() > 0);
    const report = await api.health.check();
    const after = report.alerts.find((a) => a.ruleId === 'error-rate')!;
    assert.equal(after.firing, false, JSON.stringify(after));
    await api.health.check();
    const resolved = api.health.history().filter((t) => t.ruleId === 'error-rate' && t.kind === 'resolved' && t.at >= startedAt);
    assert.equal(resolved.length, 1, 'resolved once, not on every check');
    assert.equal(firedSinceStart().length, 1);
    assert.doesNotMatch(api.health.statusBar().tooltip, /Error rate/, 'the status bar no longer lists the alert');
  });
});
