import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Delta } from '../../src/core/analytics/types';
import { DASHBOARD_WINDOWS, DEFAULT_DASHBOARD_STATE, parseDashboardState, webviewToHostSchema } from '../../src/shared/dashboardProtocol';
import { DEFAULT_STATE, KPI_SPECS, WINDOWS, alertValue, bucketLabel, describeDelta, duration, percent, usd } from '../../webview/dashboard/format';

const spec = (name: string) => KPI_SPECS.find((s) => s.name === name)!;
const delta = (d: Partial<Delta>): Delta => ({
  current: null, previous: null, change: null, relativeChange: null, direction: null, improved: null, test: null, significant: null, ...d,
});

test('numbers carry units and missing values read n/a', () => {
  assert.equal(percent(0.8125), '81.3%');
  assert.equal(percent(null), 'n/a');
  assert.equal(duration(850.4), '850 ms');
  assert.equal(duration(0.123), '0.12 ms');
  assert.equal(duration(0), '0 ms');
  assert.equal(duration(1250), '1.25 s');
  assert.equal(duration(null), 'n/a');
  assert.equal(usd(0), '$0.00');
  assert.equal(usd(0.000123), '$0.00012');
  assert.equal(usd(12.345), '$12.35');
  assert.equal(alertValue('error-rate', 0.25), '25.0%');
  assert.equal(alertValue('latency-p95', 6200), '6.20 s');
  assert.equal(alertValue('db-size', 3 * 1024 * 1024), '3.0 MB');
  assert.equal(alertValue('quality-mean', null), 'n/a');
  assert.equal(bucketLabel(Date.UTC(2026, 10, 27, 14), 'hour'), '11-27 14:00');
  assert.equal(bucketLabel(Date.UTC(2026, 10, 27), 'day'), '2026-11-27');
});

test('a significant improvement in success rate says so in words, points and p', () => {
  const d = describeDelta(spec('successRate'), delta({
    current: 0.9, previous: 0.8, change: 0.1, relativeChange: 0.125, direction: 'up', improved: true,
    test: { name: 'two-proportion z', statistic: 2.5, p: 0.0124 }, significant: true,
  }), 'previous 7 days');
  assert.equal(d.verdict, 'better');
  assert.equal(d.arrow, '▲');
  assert.equal(d.change, '+10.0 pp (+12.5%)');
  assert.equal(d.significance, 'significant, p = 0.012 (two-proportion z)');
  assert.equal(d.previous, 'was 80.0%');
  assert.match(d.text, /up, better vs previous 7 days \(80\.0%\)/);
});

test('slower latency is worse; a non-significant change says not significant', () => {
  const d = describeDelta(spec('latencyMean'), delta({
    current: 1200, previous: 1000, change: 200, relativeChange: 0.2, direction: 'up', improved: false,
    test: { name: 'welch', statistic: 1.1, p: 0.27 }, significant: false,
  }), 'previous 7 days');
  assert.equal(d.verdict, 'worse');
  assert.equal(d.change, '+200 ms (+20.0%)');
  assert.equal(d.significance, 'not significant, p = 0.27');
});

test('no previous data: n/a with the report\'s reason, never a number', () => {
  const d = describeDelta(spec('qualityMean'), delta({ current: 0.8, reason: 'no scored executions in the previous window' }), 'previous 30 days');
  assert.equal(d.verdict, 'na');
  assert.equal(d.change, '');
  assert.equal(d.significance, 'n/a: no scored executions in the previous window');
});

test('volume has no better/worse and no test: neutral with the reason', () => {
  const d = describeDelta(spec('executions'), delta({
    current: 12, previous: 10, change: 2, relativeChange: 0.2, direction: 'up', improved: null, reason: 'totals are not tested',
  }), 'previous 24 hours');
  assert.equal(d.verdict, 'neutral');
  assert.equal(d.change, '+2 (+20.0%)');
  assert.equal(d.significance, 'n/a: totals are not tested');
  const cost = describeDelta(spec('cost'), delta({ current: 1, previous: 2, change: -1, relativeChange: -0.5, direction: 'down', improved: true }), 'previous 7 days');
  assert.equal(cost.change, '−$1.00 (−50.0%)');
  assert.equal(cost.significance, 'n/a: no significance test for this figure');
});

test('the protocol accepts the dashboard\'s windows and filters and rejects anything else', () => {
  assert.deepEqual(WINDOWS, [...DASHBOARD_WINDOWS], 'the webview offers the protocol\'s windows');
  assert.deepEqual(DEFAULT_STATE, DEFAULT_DASHBOARD_STATE);
  assert.deepEqual(parseDashboardState({ days: 30, promptId: 'p', model: null }), { days: 30, promptId: 'p', model: null });
  assert.equal(parseDashboardState({ days: 14, promptId: null, model: null }), null);
  assert.equal(parseDashboardState({ days: 7, promptId: '', model: null }), null);
  assert.equal(parseDashboardState({ days: 7, promptId: null, model: null, extra: 1 }), null);
  assert.equal(parseDashboardState(undefined), null);
  assert.ok(webviewToHostSchema.safeParse({ type: 'query', requestId: 1, state: { days: 1, promptId: null, model: 'gpt' } }).success);
  assert.ok(!webviewToHostSchema.safeParse({ type: 'command', command: 'workbench.action.reloadWindow' }).success, 'only the closed list of commands');
  assert.ok(webviewToHostSchema.safeParse({ type: 'command', command: 'importExecutions' }).success);
  assert.ok(!webviewToHostSchema.safeParse({ type: 'openHistory', promptId: 'x'.repeat(501) }).success);
});
