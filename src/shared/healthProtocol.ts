import { z } from 'zod';
import type { AlertState, AlertTransition, HealthReport } from '../core/analytics/types';

/*
 * Messages between the Health panel and the extension host. Both sides import this file; the
 * host validates every incoming message and logs a bad one. The host pushes the whole view
 * (it is small) on `ready` and whenever the monitor's report changes; actions are requests
 * answered with {ok, data | error}.
 */

export type { AlertState, AlertTransition, HealthCheckResult, HealthReport } from '../core/analytics/types';

/** One provider's circuit breaker in this VS Code window. */
export interface BreakerView {
  profileId: string;
  state: 'closed' | 'open' | 'half_open';
  consecutiveFailures: number;
  failureThreshold: number;
  /** When the next trial request is allowed (epoch ms), while open. */
  retryAt: number | null;
  lastFailure: string | null;
}

/** Values formatted by the host (percent, ms, MB), so the webview shows what the CLI and notifications show. */
export interface Formatted { valueText: string; thresholdText: string }
export type AlertRow = AlertState & Formatted;
export type HistoryRow = AlertTransition & Formatted;

export interface HealthViewData {
  /** null until the first check has run. */
  report: HealthReport | null;
  /** The report's alerts with formatted values (empty before the first check). */
  alerts: AlertRow[];
  /** Alert transitions, newest first (the last 200 are kept). */
  history: HistoryRow[];
  breakers: BreakerView[];
  /** A check is running now. */
  running: boolean;
  /** 0: checks run only on demand. */
  intervalSeconds: number;
  /** Why the last check could not run at all, if it could not. */
  lastError: string | null;
}

/** Profile ids: letters, digits, ".", "_" and "-" (promptLab.providers), plus built-in ids like "vscode-lm". */
const profileIdSchema = z.string().min(1).max(200).regex(/^[\w.:-]+$/);

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('runChecks'), requestId: z.number().int() }),
  z.object({ type: z.literal('resetBreaker'), requestId: z.number().int(), profileId: profileIdSchema }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export type HostToWebview =
  | { type: 'state'; data: HealthViewData }
  | { type: 'response'; requestId: number; ok: true; data: HealthViewData }
  | { type: 'response'; requestId: number; ok: false; error: string };
