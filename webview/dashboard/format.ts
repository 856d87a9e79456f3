import type { AlertState, DashboardDays, DashboardViewState, Delta, KpiName, Kpis } from '../../src/shared/dashboardProtocol';

/*
 * Text for the dashboard's figures: units on every number, "n/a" with a reason for what
 * cannot be computed, and deltas that say direction, better/worse and significance in words
 * (so nothing depends on colour alone). Pure functions: unit-tested in Node.
 */

export const NA = 'n/a';

/*
 * The protocol's DASHBOARD_WINDOWS and DEFAULT_DASHBOARD_STATE, as types only: importing the
 * protocol's values would bundle zod, whose eval probe the webview's CSP refuses. The types
 * keep these valid and a unit test keeps them equal.
 */
export const WINDOWS: readonly DashboardDays[] = [1, 7, 30, 90];
export const DEFAULT_STATE: Readonly<DashboardViewState> = { days: 7, promptId: null, model: null };

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export function count(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** A 0–1 rate as a percentage with one decimal. */
export function percent(v: number | null): string {
  return finite(v) ? `${(v * 100).toFixed(1)}%` : NA;
}

/** Milliseconds: "0.12 ms" and "850 ms" below a second, "1.25 s" from there on. */
export function duration(ms: number | null): string {
  if (!finite(ms)) return NA;
  const a = Math.abs(ms);
  // Cache hits and local work take well under a millisecond: "0 ms" would hide them.
  if (a > 0 && a < 10) return `${Number(ms.toPrecision(2))} ms`;
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function score(v: number | null): string {
  return finite(v) ? v.toFixed(2) : NA;
}

/** US dollars; sub-cent amounts keep significant digits instead of showing $0.00. */
export function usd(v: number | null): string {
  if (!finite(v)) return NA;
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a === 0) return '$0.00';
  if (a < 0.01) return `${sign}$${Number(a.toPrecision(2))}`;
  return `${sign}$${a.toFixed(2)}`;
}

export function bytes(v: number | null): string {
  if (!finite(v)) return NA;
  if (v < 1024) return `${v} B`;
  if (v < 1024 ** 2) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 ** 2).toFixed(1)} MB`;
  return `${(v / 1024 ** 3).toFixed(2)} GB`;
}

export function pValue(p: number): string {
  // Two significant digits: 0.012 stays 0.012 (not 0.01), 0.27 stays 0.27.
  return p < 0.001 ? 'p < 0.001' : `p = ${Number(p.toPrecision(2))}`;
}

const plus = (v: number) => (v > 0 ? '+' : v < 0 ? '−' : '±');

/** How each KPI is read from the window's Kpis, shown, and why it can be missing. */
export interface KpiSpec {
  name: KpiName;
  label: string;
  value(k: Kpis): number | null;
  format(v: number | null): string;
  /** An absolute change in the KPI's own units (percentage points for rates). */
  change(c: number): string;
  /** Why the value is null (only asked when it is). */
  missing(k: Kpis): string;
  /** A short line under the value. */
  note(k: Kpis): string;
}

export const KPI_SPECS: KpiSpec[] = [
  {
    name: 'successRate', label: 'Success rate', value: (k) => k.successRate, format: percent,
    change: (c) => `${plus(c)}${Math.abs(c * 100).toFixed(1)} pp`,
    missing: () => 'no executions in this window',
    note: (k) => `${count(k.successes)} of ${count(k.executions)} succeeded`,
  },
  {
    name: 'latencyMean', label: 'Avg response time', value: (k) => k.latency.mean, format: duration,
    change: (c) => `${plus(c)}${duration(Math.abs(c))}`,
    missing: () => 'no execution with a response time in this window',
    note: (k) => `mean of ${count(k.latency.n)} execution(s)`,
  },
  {
    name: 'latencyP95', label: 'p95 response time', value: (k) => k.latency.p95, format: duration,
    change: (c) => `${plus(c)}${duration(Math.abs(c))}`,
    missing: () => 'no execution with a response time in this window',
    note: (k) => `p50 ${duration(k.latency.p50)} · p99 ${duration(k.latency.p99)}`,
  },
  {
    name: 'qualityMean', label: 'Quality', value: (k) => k.quality.mean, format: score,
    change: (c) => `${plus(c)}${Math.abs(c).toFixed(2)}`,
    missing: () => 'no scored executions in this window',
    note: (k) => `mean of ${count(k.quality.n)} scored execution(s), 0–1`,
  },
  {
    name: 'executions', label: 'Total executions', value: (k) => k.executions, format: (v) => (finite(v) ? count(v) : NA),
    change: (c) => `${plus(c)}${count(Math.abs(c))}`,
    missing: () => 'not counted',
    note: (k) => `${count(k.executions - k.successes)} failed · ${count(k.cacheHits)} from cache`,
  },
  {
    name: 'cost', label: 'Cost', value: (k) => (k.cost.known > 0 ? k.cost.total : null), format: usd,
    change: (c) => `${plus(c)}${usd(Math.abs(c))}`,
    missing: (k) => (k.executions === 0 ? 'no executions in this window' : 'no execution in this window has a known cost (model price unknown or not reported)'),
    note: (k) => (k.executions === 0 ? 'no executions' : `known for ${count(k.cost.known)} of ${count(k.executions)} execution(s)`),
  },
];

export type Verdict = 'better' | 'worse' | 'neutral' | 'na';

export interface DeltaText {
  verdict: Verdict;
  /** ▲ ▼ → or empty when there is no delta. */
  arrow: string;
  /** Words for the arrow (screen readers, and anyone who does not read arrows). */
  direction: string;
  /** e.g. "+2.5 pp (+3.1%)". */
  change: string;
  /** "significant, p = 0.03 (welch)", "not significant, p = 0.41" or "n/a: reason". */
  significance: string;
  /** "was 80.0%": the previous window's value ('' when there is none). */
  previous: string;
  /** The whole line as one string (what a test or a tooltip reads). */
  text: string;
}

/**
 * One KPI's delta against the previous window. Nothing is inferred that the report does not
 * say: no change → "n/a" with the report's reason; no test → the reason, not a guess.
 */
export function describeDelta(spec: KpiSpec, d: Delta, previousLabel: string): DeltaText {
  if (d.change === null || d.current === null || d.previous === null || d.direction === null) {
    const reason = d.reason ?? (d.previous === null ? `nothing to compare with in the ${previousLabel}` : 'not computable');
    const significance = `n/a: ${reason}`;
    return { verdict: 'na', arrow: '', direction: 'no comparison', change: '', significance, previous: '', text: `vs ${previousLabel}: ${significance}` };
  }
  const arrow = d.direction === 'up' ? '▲' : d.direction === 'down' ? '▼' : '→';
  const verdict: Verdict = d.direction === 'flat' || d.improved === null ? 'neutral' : d.improved ? 'better' : 'worse';
  const direction = d.direction === 'flat' ? 'unchanged' : `${d.direction}${verdict === 'better' ? ', better' : verdict === 'worse' ? ', worse' : ''}`;
  const rel = finite(d.relativeChange) ? ` (${plus(d.relativeChange)}${Math.abs(d.relativeChange * 100).toFixed(1)}%)` : '';
  const change = `${spec.change(d.change)}${rel}`;
  let significance: string;
  if (d.test && d.significant !== null) significance = d.significant ? `significant, ${pValue(d.test.p)} (${d.test.name})` : `not significant, ${pValue(d.test.p)}`;
  else significance = `n/a: ${d.reason ?? 'no significance test for this figure'}`;
  const text = `${arrow} ${change} ${direction} vs ${previousLabel} (${spec.format(d.previous)}); ${significance}`;
  return { verdict, arrow, direction, change, significance, previous: `was ${spec.format(d.previous)}`, text };
}

/** An alert's measured value in the unit of its rule. */
export function alertValue(ruleId: AlertState['ruleId'], v: number | null): string {
  if (!finite(v)) return NA;
  switch (ruleId) {
    case 'error-rate': return percent(v);
    case 'latency-p95': case 'write-latency': return duration(v);
    case 'quality-mean': return score(v);
    case 'db-size': return bytes(v);
    case 'journal-backlog': return `${count(v)} rows`;
  }
}

const WINDOW_LABELS: Record<number, [string, string]> = {
  1: ['Last 24 hours', 'previous 24 hours'],
  7: ['Last 7 days', 'previous 7 days'],
  30: ['Last 30 days', 'previous 30 days'],
  90: ['Last 90 days', 'previous 90 days'],
};

export function windowLabel(days: number): string { return WINDOW_LABELS[days]?.[0] ?? `Last ${days} days`; }
export function previousLabel(days: number): string { return WINDOW_LABELS[days]?.[1] ?? `previous ${days} days`; }

/** A bucket start (UTC) as an axis label: "2026-11-27" for days, "11-27 14:00" for hours. */
export function bucketLabel(start: number, bucket: 'hour' | 'day'): string {
  const iso = new Date(start).toISOString();
  return bucket === 'day' ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}
