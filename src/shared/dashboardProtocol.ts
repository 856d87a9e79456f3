import { z } from 'zod';
import type { AnalyticsReport, HealthReport } from '../core/analytics/types';

/*
 * Messages between the dashboard panel and the extension host. Both sides import this file;
 * the host validates every incoming message and logs a bad one. Requests carry a requestId
 * and are answered with {ok, data | error}. Analytics types are type-only imports: the
 * webview bundle gets no core code from here.
 */

export type { AnalyticsReport, BreakdownRow, Delta, HealthReport, KpiName, Kpis, SeriesPoint, AlertState } from '../core/analytics/types';

/** Time windows the dashboard offers, in days (1 = the last 24 hours, hourly buckets). */
export const DASHBOARD_WINDOWS = [1, 7, 30, 90] as const;
export const dashboardDaysSchema = z.union([z.literal(1), z.literal(7), z.literal(30), z.literal(90)]);
export type DashboardDays = z.infer<typeof dashboardDaysSchema>;

const key = z.string().min(1).max(500);

/** The dashboard's selection: window and optional prompt/model filter. This is all that persists. */
export const dashboardViewStateSchema = z.object({
  days: dashboardDaysSchema,
  promptId: key.nullable(),
  model: key.nullable(),
}).strict();
export type DashboardViewState = z.infer<typeof dashboardViewStateSchema>;

export const DEFAULT_DASHBOARD_STATE: DashboardViewState = { days: 7, promptId: null, model: null };

/**
 * Commands the webview may ask the host to run (empty-state and alert buttons). A closed list:
 * a webview never names an arbitrary command id.
 */
export const dashboardCommandSchema = z.enum(['runPrompt', 'importExecutions', 'showHealth', 'checkHealth']);
export type DashboardCommand = z.infer<typeof dashboardCommandSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('query'), requestId: z.number().int(), state: dashboardViewStateSchema }),
  /** Open the history panel filtered to one prompt and/or model, from the start of the dashboard's window (epoch ms). */
  z.object({ type: z.literal('openHistory'), promptId: key.optional(), model: key.optional(), since: z.number().int().nonnegative().optional() }),
  /** Re-query now and re-send the current health report. */
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('command'), command: dashboardCommandSchema }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

/** What a query returns. */
export interface DashboardData {
  state: DashboardViewState;
  report: AnalyticsReport;
  /** Prompt ids and models with executions in the window, unfiltered (for the filter pickers). */
  choices: { prompts: string[]; models: string[] };
  /** Executions in the whole database: tells "no data at all" from "nothing in this window". */
  totalExecutions: number;
  /** The breakdown key of executions without that field (e.g. no model recorded): not a filter value. */
  noValueKey: string;
}

export type HostToWebview =
  /**
   * Answer to `ready`: the view state the panel was revived with (null: use the webview's own),
   * the current health report (null: health checks have not run yet, or no monitor), and which
   * of the dashboard's commands exist in this VS Code.
   */
  | { type: 'init'; state: DashboardViewState | null; health: HealthReport | null; healthAvailable: boolean; commands: DashboardCommand[] }
  | { type: 'health'; report: HealthReport }
  /** Data changed (new executions): re-query. */
  | { type: 'changed' }
  | { type: 'response'; requestId: number; ok: true; data: DashboardData }
  | { type: 'response'; requestId: number; ok: false; error: string };

/** Saved state from any version: what is valid is kept, the rest falls back to the defaults. */
export function parseDashboardState(raw: unknown): DashboardViewState | null {
  const parsed = dashboardViewStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
