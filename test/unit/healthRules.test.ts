import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertInputs } from '../../src/core/analytics/alertRules';
import { DEFAULT_ALERT_SETTINGS, alertRules, alertTransitions, describeAlert, evaluateAlerts } from '../../src/core/analytics/alertRules';
import type { AlertState, Kpis } from '../../src/core/analytics/types';

function kpis(o: { executions: number; successes: number; p95?: number | null; latencyN?: number; quality?: number | null; qualityN?: number }): Kpis {
  return {
    executions: o.executions, successes: o.successes, successRate: o.executions ? o.successes / o.executions : null,
    latency: { n: o.latencyN ?? o.executions, mean: null, sd: null, p50: null, p95: o.p95 ?? null, p99: null },
    quality: { n: o.qualityN ?? 0, mean: o.quality ?? null, sd: null, dimensions: {} },
    tokensIn: 0, tokensOut: 0, cost: { total: 0, known: 0 }, cacheHits: 0, cacheHitRate: o.executions ? 0 : null,
  };
}

function inputs(k: Kpis | null, over: Partial<AlertInputs> = {}): AlertInputs {
  return {
    window: k ? { kpis: k } : { kpis: null, reason: 'analytics failed: boom' },
    dbBytes: { value: 10e6 },
    writeLatency: { p95: 1, n: 50, source: 'last 50 recorded execution(s)' },
    journalBacklog: { value: 100 },
    ...over,
  };
}

const rules = alertRules(DEFAULT_ALERT_SETTINGS);
const byId = (states: AlertState[], id: AlertState['ruleId']) => states.find((s) => s.ruleId === id)!;

describe('alert rules: thresholds', () => {
  it('has the seed thresholds and severities by default', () => {
    const r = Object.fromEntries(rules.map((x) => [x.id, x]));
    assert.deepEqual([r['error-rate']!.comparator, r['error-rate']!.threshold, r['error-rate']!.severity], ['>', 0.05, 'high']);
    assert.deepEqual([r['latency-p95']!.threshold, r['quality-mean']!.comparator, r['quality-mean']!.threshold], [5000, '<', 0.7]);
    assert.equal(r['db-size']!.threshold, 300e6);
    assert.equal(r['error-rate']!.windowMinutes, 60);
    assert.equal(r['error-rate']!.minSamples, 20);
  });

  it('fires the error-rate rule above 5% and not at exactly 5%', () => {
    const above = byId(evaluateAlerts(rules, inputs(kpis({ executions: 100, successes: 94 })), [], 1), 'error-rate');
    assert.equal(above.firing, true);
    assert.ok(Math.abs(above.value! - 0.06) < 1e-12);
    assert.equal(above.n, 100);
    const at = byId(evaluateAlerts(rules, inputs(kpis({ executions: 100, successes: 95 })), [], 1), 'error-rate');
    assert.equal(at.firing, false);
  });

  it('fires p95 latency above 5,000 ms and mean quality below 0.7', () => {
    const s = evaluateAlerts(rules, inputs(kpis({ executions: 40, successes: 40, p95: 5200, quality: 0.65, qualityN: 30 })), [], 1);
    assert.equal(byId(s, 'latency-p95').firing, true);
    assert.equal(byId(s, 'latency-p95').value, 5200);
    assert.equal(byId(s, 'quality-mean').firing, true);
    assert.equal(byId(s, 'quality-mean').n, 30);
    const ok = evaluateAlerts(rules, inputs(kpis({ executions: 40, successes: 40, p95: 4999, quality: 0.7, qualityN: 30 })), [], 1);
    assert.equal(byId(ok, 'latency-p95').firing, false);
    assert.equal(byId(ok, 'quality-mean').firing, false);
  });

  it('does not fire below the minimum sample size and says why', () => {
    const s = evaluateAlerts(rules, inputs(kpis({ executions: 3, successes: 2, p95: 9000, quality: 0.1, qualityN: 3 })), [], 1);
    const e = byId(s, 'error-rate');
    assert.equal(e.firing, false);
    assert.equal(e.reason, 'only 3 executions in the window (minimum 20)');
    assert.ok(Math.abs(e.value! - 1 / 3) < 1e-12, 'the measured value is still shown');
    assert.equal(byId(s, 'latency-p95').firing, false);
    assert.equal(byId(s, 'quality-mean').firing, false);
    // Enough executions but few of them scored: quality still waits.
    const q = byId(evaluateAlerts(rules, inputs(kpis({ executions: 50, successes: 50, quality: 0.2, qualityN: 5 })), [], 1), 'quality-mean');
    assert.equal(q.firing, false);
    assert.equal(q.reason, 'only 5 scored executions in the window (minimum 20)');
  });

  it('respects configured thresholds and minimum samples', () => {
    const custom = alertRules({ ...DEFAULT_ALERT_SETTINGS, errorRateThreshold: 0.5, minSamples: 2 });
    assert.equal(byId(evaluateAlerts(custom, inputs(kpis({ executions: 3, successes: 2 })), [], 1), 'error-rate').firing, false);
    assert.equal(byId(evaluateAlerts(custom, inputs(kpis({ executions: 3, successes: 1 })), [], 1), 'error-rate').firing, true);
  });

  it('reports an unmeasurable value as null with the reason, never firing', () => {
    const e = byId(evaluateAlerts(rules, inputs(null), [], 1), 'error-rate');
    assert.deepEqual([e.firing, e.value, e.reason], [false, null, 'analytics failed: boom']);
    assert.match(describeAlert(e), /Error rate not available \(threshold > 5\.0%\): analytics failed: boom/);
  });

  it('monitors the monitor: DB size with archive advice, write latency p95, journal backlog', () => {
    const s = evaluateAlerts(rules, inputs(kpis({ executions: 0, successes: 0 }), {
      dbBytes: { value: 301e6 }, writeLatency: { p95: 400, n: 25, source: 'last 25 recorded execution(s)' }, journalBacklog: { value: 25_000 },
    }), [], 1);
    const db = byId(s, 'db-size');
    assert.equal(db.firing, true);
    assert.match(db.reason!, /promptlab cleanup --archive/);
    assert.match(describeAlert(db), /Database size 301\.0 MB \(threshold > 300\.0 MB\)/);
    assert.equal(byId(s, 'write-latency').firing, true);
    assert.equal(byId(s, 'journal-backlog').firing, true);
    assert.equal(byId(s, 'journal-backlog').severity, 'info');
    const few = byId(evaluateAlerts(rules, inputs(null, { writeLatency: { p95: 900, n: 1, source: 'one probe write' } }), [], 1), 'write-latency');
    assert.equal(few.firing, false);
    assert.match(few.reason!, /only 1 write\(s\) measured \(one probe write; minimum 20\)/);
  });
});

describe('alert state machine', () => {
  const bad = inputs(kpis({ executions: 40, successes: 20 }));
  const good = inputs(kpis({ executions: 40, successes: 40 }));

  it('fires once, stays quiet while firing, resolves once', () => {
    const s1 = evaluateAlerts(rules, bad, [], 1000);
    const t1 = alertTransitions([], s1, 1000);
    assert.deepEqual(t1.map((t) => [t.ruleId, t.kind, t.at]), [['error-rate', 'fired', 1000]]);
    assert.equal(t1[0]!.value, 0.5);
    assert.equal(t1[0]!.threshold, 0.05);
    const s2 = evaluateAlerts(rules, bad, s1, 2000);
    assert.deepEqual(alertTransitions(s1, s2, 2000), [], 'a second check of the same firing alert is not a transition');
    assert.equal(byId(s2, 'error-rate').since, 1000, 'since stays at the time it fired');
    const s3 = evaluateAlerts(rules, good, s2, 3000);
    const t3 = alertTransitions(s2, s3, 3000);
    assert.deepEqual(t3.map((t) => [t.ruleId, t.kind]), [['error-rate', 'resolved']]);
    assert.equal(byId(s3, 'error-rate').since, 3000);
    assert.deepEqual(alertTransitions(s3, evaluateAlerts(rules, good, s3, 4000), 4000), []);
  });

  it('a rule that was never firing gives no transition at the first check', () => {
    assert.deepEqual(alertTransitions([], evaluateAlerts(rules, good, [], 1), 1), []);
  });

  it('an unreadable value keeps the last state instead of resolving and firing again', () => {
    const s1 = evaluateAlerts(rules, bad, [], 1);
    const s2 = evaluateAlerts(rules, inputs(null), s1, 2);
    const e = byId(s2, 'error-rate');
    assert.deepEqual([e.firing, e.value, e.since], [true, null, 1]);
    assert.equal(e.reason, 'analytics failed: boom (state kept from the last check)');
    assert.deepEqual(alertTransitions(s1, s2, 2), []);
    const s3 = evaluateAlerts(rules, bad, s2, 3);
    assert.deepEqual(alertTransitions(s2, s3, 3), [], 'no second "fired" when the value is readable again');
    assert.equal(byId(evaluateAlerts(rules, inputs(null), [], 1), 'error-rate').firing, false, 'without a previous state it is not firing');
  });

  it('a firing alert stays firing while its window dips below the minimum sample, and resolves when the window empties', () => {
    // Low traffic at a steady 50% error rate: n goes 20 → 19 → 21 → 19; one "fired", no flapping.
    let prev: AlertState[] = [];
    const kinds: string[] = [];
    for (const [i, n] of [20, 19, 21, 19, 20, 18].entries()) {
      const next = evaluateAlerts(rules, inputs(kpis({ executions: n, successes: n - 10 })), prev, i + 1);
      kinds.push(...alertTransitions(prev, next, i + 1).filter((t) => t.ruleId === 'error-rate').map((t) => t.kind));
      prev = next;
    }
    assert.deepEqual(kinds, ['fired']);
    assert.match(byId(prev, 'error-rate').reason ?? '', /only 18 executions in the window \(minimum 20\) \(state kept from the last check\)/);
    const empty = evaluateAlerts(rules, inputs(kpis({ executions: 0, successes: 0 })), prev, 10);
    assert.deepEqual(alertTransitions(prev, empty, 10).map((t) => t.kind), ['resolved']);
    // Too few samples never fire an alert that was quiet.
    assert.equal(byId(evaluateAlerts(rules, inputs(kpis({ executions: 5, successes: 0 })), [], 1), 'error-rate').firing, false);
  });
});
