import type { MetricSampleRow } from '../store/executionDb';
import type { Analysis } from './analysis';
import { analyzeSamples } from './analysis';

/*
 * Time periods: a prompt's logged executions in two date ranges, compared with the same
 * statistics as an experiment. Nothing was randomized, so every execution is its own unit
 * (unpaired, no grouping by test case), the earlier-named period is the control, and the
 * verdict says what changed between the periods, not why.
 */

export interface Period { start: number; end: number }

export const PERIOD_METRICS: Readonly<Record<'quality' | 'latency' | 'success', string>> = { quality: 'quality', latency: 'latency_ms', success: 'success' };

export function analyzePeriods(a: readonly MetricSampleRow[], b: readonly MetricSampleRow[], o: { names?: [string, string]; metrics?: readonly string[] } = {}): Analysis {
  const [na, nb] = o.names ?? ['A', 'B'];
  const rows = [...a.map((r) => ({ ...r, variant: na })), ...b.map((r) => ({ ...r, variant: nb }))];
  return analyzeSamples(rows, [na, nb], { design: 'unpaired', perExecution: true, ...(o.metrics ? { metrics: o.metrics } : {}) });
}

const DAY_MS = 86_400_000;

/**
 * `YYYY-MM-DD..YYYY-MM-DD` (both days included, UTC) → [start, end) in epoch ms; or an error.
 * One day alone (`YYYY-MM-DD`) is that day.
 */
export function parseDayRange(text: string): Period | { error: string } {
  const parts = text.trim().split(/\s*(?:\.\.|…|\s+to\s+)\s*/);
  if (parts.length < 1 || parts.length > 2 || !parts[0]) return { error: 'Enter a range as YYYY-MM-DD..YYYY-MM-DD' };
  // Date.parse rolls 2026-02-30 over to March: only a date that reads back the same is one.
  const day = (s: string) => {
    const t = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : Number.NaN;
    return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s ? Number.NaN : t;
  };
  const start = day(parts[0]), last = day(parts[1] ?? parts[0]);
  if (Number.isNaN(start) || Number.isNaN(last)) return { error: 'Dates must be YYYY-MM-DD (UTC days), e.g. 2026-11-01..2026-11-07' };
  if (last < start) return { error: 'The first day must not be after the last' };
  return { start, end: last + DAY_MS };
}

export function formatDayRange(p: Period): string {
  const d = (t: number) => new Date(t).toISOString().slice(0, 10);
  return `${d(p.start)}..${d(p.end - DAY_MS)}`;
}

/** Last 7 full UTC days up to and including today, and the 7 days before them. */
export function defaultPeriods(now: number): { a: Period; b: Period } {
  const tomorrow = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const b = { start: tomorrow - 7 * DAY_MS, end: tomorrow };
  return { a: { start: b.start - 7 * DAY_MS, end: b.start }, b };
}
