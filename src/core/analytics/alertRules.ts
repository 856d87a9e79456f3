import type { AlertRule, AlertState, AlertTransition, Kpis } from './types';

/*
 * Alert rules and their state machine. Rules compare one measured value with a threshold;
 * execution-based rules look at a sliding window and stay quiet below a minimum sample size
 * (three executions, one of them failed, are not a 33% error rate worth waking anyone for).
 * Transitions are the only thing that notifies: evaluating the same firing rule twice yields
 * one 'fired', and one 'resolved' when it clears.
 */

export interface AlertSettings {
  /** Sliding window of the execution-based rules (minutes). */
  windowMinutes: number;
  /** Fewer executions in the window than this: execution-based rules do not fire. */
  minSamples: number;
  /** Error rate (0–1) above which 'error-rate' fires. */
  errorRateThreshold: number;
  /** p95 latency (ms) above which 'latency-p95' fires. */
  p95LatencyMsThreshold: number;
  /** Mean overall quality (0–1) below which 'quality-mean' fires. */
  qualityThreshold: number;
  /** Database size (MB, 10^6 bytes) above which 'db-size' fires. */
  dbSizeWarnMB: number;
  /** p95 of the last recorded writes (ms) above which 'write-latency' fires. */
  writeLatencyP95MsThreshold: number;
  /** Executions waiting in journals (not yet in a snapshot) above which 'journal-backlog' fires. */
  journalBacklogRows: number;
}

/*
 * Defaults: the seed's thresholds (5% errors, 5 s p95, quality 0.7); 300 MB because sql.js is
 * comfortable to ~100–200 MB and impractical from ~500 MB (DESIGN.md measurements); a journal
 * write is ~35 µs plus sanitizing, so 250 ms p95 means the disk or the host thread is in
 * trouble; 20,000 journalled rows take ~7 s to replay at startup (33 s per 100k measured),
 * four times the normal compaction interval of 5,000 rows.
 */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  windowMinutes: 60,
  minSamples: 20,
  errorRateThreshold: 0.05,
  p95LatencyMsThreshold: 5000,
  qualityThreshold: 0.7,
  dbSizeWarnMB: 300,
  writeLatencyP95MsThreshold: 250,
  journalBacklogRows: 20_000,
};

/** Writes measured before the write-latency rule may fire (its own minimum sample). */
export const WRITE_LATENCY_MIN_SAMPLES = 20;

export const ARCHIVE_ADVICE = 'sql.js slows down past ~500 MB: archive old executions (Prompt Lab: Archive Old Executions…, promptlab cleanup --archive --days N, or the setting promptLab.retentionDays)';

export function alertRules(s: AlertSettings): AlertRule[] {
  const window = { windowMinutes: s.windowMinutes, minSamples: s.minSamples };
  return [
    { id: 'error-rate', label: 'Error rate', severity: 'high', comparator: '>', threshold: s.errorRateThreshold, ...window },
    { id: 'latency-p95', label: 'p95 response time', severity: 'medium', comparator: '>', threshold: s.p95LatencyMsThreshold, ...window },
    { id: 'quality-mean', label: 'Mean quality', severity: 'medium', comparator: '<', threshold: s.qualityThreshold, ...window },
    { id: 'db-size', label: 'Database size', severity: 'medium', comparator: '>', threshold: s.dbSizeWarnMB * 1e6 },
    { id: 'write-latency', label: 'Write latency (p95)', severity: 'medium', comparator: '>', threshold: s.writeLatencyP95MsThreshold, minSamples: WRITE_LATENCY_MIN_SAMPLES },
    { id: 'journal-backlog', label: 'Journal backlog', severity: 'info', comparator: '>', threshold: s.journalBacklogRows },
  ];
}

/** What the rules measure. A part that could not be measured is null with the reason. */
export interface AlertInputs {
  /** KPIs of the sliding window (all executions). */
  window: { kpis: Kpis } | { kpis: null; reason: string };
  /** snapshotBytes + journalBytes. */
  dbBytes: { value: number } | { value: null; reason: string };
  /** p95 of the last writes and how many writes it covers. */
  writeLatency: { p95: number | null; n: number; source: string } | { p95: null; n: null; reason: string };
  /** Executions journalled but not yet in a snapshot. */
  journalBacklog: { value: number } | { value: null; reason: string };
}

/** `failed`: the input could not be read at all (as opposed to too few samples). */
interface Measured { value: number | null; n: number | null; reason?: string; enough: boolean; failed?: boolean }

function measure(rule: AlertRule, inputs: AlertInputs): Measured {
  const min = rule.minSamples ?? 0;
  const tooFew = (n: number, what: string): Measured => ({ value: null, n, enough: false, reason: `${n ? `only ${n}` : 'no'} ${what} in the window (minimum ${min})` });
  switch (rule.id) {
    case 'error-rate':
    case 'latency-p95':
    case 'quality-mean': {
      if (inputs.window.kpis === null) return { value: null, n: null, enough: false, failed: true, reason: inputs.window.reason };
      const k = inputs.window.kpis;
      if (rule.id === 'error-rate') {
        // From counts, not 1 − successRate: 1 − 0.95 is 0.050000000000000044, which is "> 5%".
        const rate = k.executions ? (k.executions - k.successes) / k.executions : null;
        if (k.executions < min) return { ...tooFew(k.executions, 'executions'), value: rate };
        if (rate === null) return { value: null, n: 0, enough: false, reason: 'no executions in the window' };
        return { value: rate, n: k.executions, enough: true };
      }
      if (rule.id === 'latency-p95') {
        if (k.executions < min) return { ...tooFew(k.executions, 'executions'), value: k.latency.p95 };
        if (k.latency.n < min) return { ...tooFew(k.latency.n, 'executions with a latency'), value: k.latency.p95 };
        if (k.latency.p95 === null) return { value: null, n: k.latency.n, enough: false, reason: 'no latency recorded in the window' };
        return { value: k.latency.p95, n: k.latency.n, enough: true };
      }
      if (k.executions < min) return { ...tooFew(k.executions, 'executions'), value: k.quality.mean };
      if (k.quality.n < min) return { ...tooFew(k.quality.n, 'scored executions'), value: k.quality.mean };
      if (k.quality.mean === null) return { value: null, n: k.quality.n, enough: false, reason: 'no quality scores in the window' };
      return { value: k.quality.mean, n: k.quality.n, enough: true };
    }
    case 'db-size':
      return inputs.dbBytes.value === null ? { value: null, n: null, enough: false, failed: true, reason: inputs.dbBytes.reason } : { value: inputs.dbBytes.value, n: null, enough: true };
    case 'write-latency': {
      const w = inputs.writeLatency;
      if (w.n === null) return { value: null, n: null, enough: false, failed: true, reason: w.reason };
      if (w.n < min) return { value: w.p95, n: w.n, enough: false, reason: `only ${w.n} write(s) measured (${w.source}; minimum ${min})` };
      return { value: w.p95, n: w.n, enough: w.p95 !== null };
    }
    case 'journal-backlog':
      return inputs.journalBacklog.value === null ? { value: null, n: null, enough: false, failed: true, reason: inputs.journalBacklog.reason } : { value: inputs.journalBacklog.value, n: null, enough: true };
  }
}

export function breaches(comparator: '>' | '<', value: number, threshold: number): boolean {
  return comparator === '>' ? value > threshold : value < threshold;
}

/** What a firing rule tells the user to do (for rules where something specific helps). */
export function alertAdvice(ruleId: AlertRule['id']): string | undefined {
  if (ruleId === 'db-size') return ARCHIVE_ADVICE;
  if (ruleId === 'journal-backlog') return 'compaction is falling behind: run Prompt Lab: Compact Database Now (promptlab compact)';
  if (ruleId === 'write-latency') return 'recording executions is slow: check the disk holding the database';
  return undefined;
}

/**
 * Evaluates every rule. `previous` carries each rule's `since` forward while its state does
 * not change, so `since` is when it last fired or resolved.
 */
export function evaluateAlerts(rules: readonly AlertRule[], inputs: AlertInputs, previous: readonly AlertState[], now: number): AlertState[] {
  const before = new Map(previous.map((s) => [s.ruleId, s]));
  return rules.map((rule) => {
    const m = measure(rule, inputs);
    const prior = before.get(rule.id);
    // A value that could not be read says nothing about the alert: keep its state rather than
    // resolve it now and fire (and notify) again at the next check that can read it.
    // Likewise a firing alert whose window dipped below the minimum sample size (but is not
    // empty) stays firing: n going 20 → 19 → 21 must not resolve and re-fire (and re-notify).
    const kept = prior !== undefined && (m.failed === true || (prior.firing && !m.enough && (m.n ?? 0) > 0));
    const firing = kept ? prior.firing : m.enough && m.value !== null && breaches(rule.comparator, m.value, rule.threshold);
    const since = prior && prior.firing === firing ? prior.since : now;
    const advice = firing && !kept ? alertAdvice(rule.id) : undefined;
    const reason = kept ? `${m.reason} (state kept from the last check)` : m.reason ?? advice;
    return { ruleId: rule.id, label: rule.label, severity: rule.severity, firing, value: m.value, threshold: rule.threshold, comparator: rule.comparator, n: m.n, since, ...(reason ? { reason } : {}) };
  });
}

/**
 * The changes between two evaluations. A rule seen for the first time counts as having been
 * quiet, so an alert already firing at the first check fires once; one that was never firing
 * yields nothing.
 */
export function alertTransitions(previous: readonly AlertState[], next: readonly AlertState[], now: number): AlertTransition[] {
  const before = new Map(previous.map((s) => [s.ruleId, s.firing]));
  const out: AlertTransition[] = [];
  for (const s of next) {
    const was = before.get(s.ruleId) ?? false;
    if (was === s.firing) continue;
    out.push({ ruleId: s.ruleId, label: s.label, severity: s.severity, kind: s.firing ? 'fired' : 'resolved', value: s.value, threshold: s.threshold, at: now });
  }
  return out;
}

/** Value of a rule for people: percentages for rates, ms for latencies, MB for sizes. */
export function formatAlertValue(ruleId: AlertRule['id'], v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'not available';
  switch (ruleId) {
    case 'error-rate': return `${(v * 100).toFixed(1)}%`;
    case 'latency-p95': case 'write-latency': return `${v < 10 ? v.toFixed(2) : Math.round(v).toLocaleString('en-US')} ms`;
    case 'quality-mean': return v.toFixed(3);
    case 'db-size': return `${(v / 1e6).toFixed(1)} MB`;
    case 'journal-backlog': return `${Math.round(v).toLocaleString('en-US')} executions`;
  }
}

/** One line: "Error rate 12.0% (threshold > 5.0%; n=40, last 60 min)" plus the reason, if any. */
export function describeAlert(s: AlertState, windowMinutes?: number): string {
  const scope = [s.n !== null ? `n=${s.n}` : '', windowMinutes && ['error-rate', 'latency-p95', 'quality-mean'].includes(s.ruleId) ? `last ${windowMinutes} min` : ''].filter(Boolean).join(', ');
  return `${s.label} ${formatAlertValue(s.ruleId, s.value)} (threshold ${s.comparator} ${formatAlertValue(s.ruleId, s.threshold)}${scope ? `; ${scope}` : ''})${s.reason ? `: ${s.reason}` : ''}`;
}
