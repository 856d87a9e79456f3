import { z } from 'zod';
import type { QualityOverview } from '../core/store/qualityQueries';

/*
 * Messages between the quality panel and the extension host. Both sides import this file;
 * the host validates every incoming message and logs a bad one. Requests carry a requestId
 * and are answered with {ok, data | error}.
 */

export type { DailyQuality, QualityOverview, ScoreDistribution, WorstExecution } from '../core/store/qualityQueries';

/** Time windows the panel offers, in days; null = all time. */
export const QUALITY_WINDOWS = [7, 30, 90, null] as const;

export const qualityDaysSchema = z.union([z.literal(7), z.literal(30), z.literal(90), z.null()]);
export type QualityDays = z.infer<typeof qualityDaysSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('query'), requestId: z.number().int(), promptId: z.string().min(1).max(500).nullable(), days: qualityDaysSchema }),
  z.object({ type: z.literal('openExecution'), executionId: z.string().min(1).max(200) }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

/** What a query returns: the overview plus the start of the window it covers (epoch ms, a UTC midnight; null: all time). */
export interface QualityData extends QualityOverview { since: number | null }

export type HostToWebview =
  | { type: 'changed' }
  | { type: 'response'; requestId: number; ok: true; data: QualityData }
  | { type: 'response'; requestId: number; ok: false; error: string };

/** Webview state kept by setState: view state only, never data. */
export const qualityViewStateSchema = z.object({ promptId: z.string().max(500).nullable(), days: qualityDaysSchema });
export type QualityViewState = z.infer<typeof qualityViewStateSchema>;

const DAY_MS = 86_400_000;

/**
 * The window of `days` UTC days ending today: from the start of the UTC day `days - 1` ago
 * (so "7 days" is today and the six days before, seven whole bars in the trend).
 */
export function qualitySince(days: QualityDays, now: number): number | null {
  return days === null ? null : Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}
