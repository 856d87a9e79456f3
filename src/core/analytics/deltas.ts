import { twoProportionZTest } from '../stats/proportions';
import { welchFromSummaries } from '../stats/welchSummaries';
import type { Delta, KpiName, Kpis } from './types';

/*
 * Each KPI of the current window against the previous one. Rates get a pooled two-proportion
 * z test, means a Welch test from (n, mean, sd); totals and percentiles get no test (a
 * percentile from a histogram has no sampling distribution we could honestly claim). Nothing
 * is filled in that was not computed: missing parts are null and `reason` says why.
 */

const ALPHA = 0.05;

/** Whether up is better (null: neither, as for volume). */
const UP_IS_GOOD: Record<KpiName, boolean | null> = {
  executions: null, successRate: true, latencyMean: false, latencyP95: false, qualityMean: true, cost: false, cacheHitRate: true,
};

type TestResult = { test: NonNullable<Delta['test']> } | { reason: string };

function delta(name: KpiName, current: number | null, previous: number | null, testResult: TestResult, missing: string[]): Delta {
  const change = current !== null && previous !== null ? current - previous : null;
  const relativeChange = change !== null && previous !== null && previous !== 0 ? change / Math.abs(previous) : null;
  const direction: Delta['direction'] = change === null ? null : change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  const good = UP_IS_GOOD[name];
  const improved = good === null || direction === null || direction === 'flat' ? null : (direction === 'up') === good;
  const out: Delta = { current, previous, change, relativeChange, direction, improved, test: null, significant: null };
  const reasons = [...missing];
  if ('test' in testResult) {
    out.test = testResult.test;
    out.significant = testResult.test.p < ALPHA;
  } else reasons.push(testResult.reason);
  if (reasons.length) out.reason = reasons.join('; ');
  return out;
}

function rateTest(what: string, cur: { hits: number; n: number }, prev: { hits: number; n: number }): TestResult {
  if (cur.n === 0 || prev.n === 0) return { reason: `no test: ${cur.n === 0 ? 'the current' : 'the previous'} window has no executions` };
  if (cur.hits + prev.hits === 0) return { reason: `no test: no ${what} in either window, so the z statistic is undefined` };
  if (cur.hits + prev.hits === cur.n + prev.n) return { reason: `no test: every execution was a ${what} in both windows, so the z statistic is undefined` };
  const z = twoProportionZTest({ successes: cur.hits, total: cur.n }, { successes: prev.hits, total: prev.n });
  return z.available ? { test: { name: 'two-proportion z', statistic: z.z, p: z.p } } : { reason: `no test: ${z.reason}` };
}

function meanTest(cur: { n: number; mean: number | null; sd: number | null }, prev: { n: number; mean: number | null; sd: number | null }): TestResult {
  if (cur.mean === null || prev.mean === null || cur.sd === null || prev.sd === null) {
    return { reason: `no test: Welch's t-test needs at least 2 values per window (have ${cur.n} and ${prev.n})` };
  }
  const w = welchFromSummaries({ n: cur.n, mean: cur.mean, sd: cur.sd }, { n: prev.n, mean: prev.mean, sd: prev.sd });
  return w.available ? { test: { name: 'welch', statistic: w.t, p: w.p } } : { reason: `no test: ${w.reason}` };
}

function missingReasons(label: string, cur: number | null, prev: number | null, why: string): string[] {
  const out: string[] = [];
  if (cur === null) out.push(`no ${label} in the current window (${why})`);
  if (prev === null) out.push(`no ${label} in the previous window (${why})`);
  return out;
}

export function computeDeltas(cur: Kpis, prev: Kpis): Record<KpiName, Delta> {
  const noTotalTest = { reason: 'no significance test for a total' };
  const costOf = (k: Kpis) => (k.cost.known ? k.cost.total : null);
  return {
    executions: delta('executions', cur.executions, prev.executions, noTotalTest, []),
    successRate: delta('successRate', cur.successRate, prev.successRate, rateTest('success', { hits: cur.successes, n: cur.executions }, { hits: prev.successes, n: prev.executions }),
      missingReasons('success rate', cur.successRate, prev.successRate, 'no executions')),
    latencyMean: delta('latencyMean', cur.latency.mean, prev.latency.mean, meanTest(cur.latency, prev.latency),
      missingReasons('mean latency', cur.latency.mean, prev.latency.mean, 'no execution with a latency')),
    latencyP95: delta('latencyP95', cur.latency.p95, prev.latency.p95, { reason: 'no significance test for a percentile' },
      missingReasons('p95 latency', cur.latency.p95, prev.latency.p95, 'no execution with a latency')),
    qualityMean: delta('qualityMean', cur.quality.mean, prev.quality.mean, meanTest(cur.quality, prev.quality),
      missingReasons('mean quality', cur.quality.mean, prev.quality.mean, 'no scored execution')),
    cost: delta('cost', costOf(cur), costOf(prev), noTotalTest, missingReasons('cost', costOf(cur), costOf(prev), 'no execution with a known cost')),
    cacheHitRate: delta('cacheHitRate', cur.cacheHitRate, prev.cacheHitRate, rateTest('cache hit', { hits: cur.cacheHits, n: cur.executions }, { hits: prev.cacheHits, n: prev.executions }),
      missingReasons('cache hit rate', cur.cacheHitRate, prev.cacheHitRate, 'no executions')),
  };
}
