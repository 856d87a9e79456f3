import { z } from 'zod';

/*
 * Messages between the history panel and the extension host. Both sides import this file;
 * the host validates every incoming message and logs a bad one. Requests carry a requestId
 * and are answered with {ok, data | error}.
 */

export const historyFilterSchema = z.object({
  search: z.string().max(500).optional(),
  promptId: z.string().max(500).optional(),
  success: z.boolean().optional(),
  tag: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
}).strict();
export type HistoryViewFilter = z.infer<typeof historyFilterSchema>;

export const cursorSchema = z.object({ createdAt: z.number(), seq: z.number().int() });

export const historyRowSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  promptId: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  success: z.boolean(),
  latencyMs: z.number().nullable(),
  tokensIn: z.number().nullable(),
  tokensOut: z.number().nullable(),
  costUsd: z.number().nullable(),
  qualityScore: z.number().nullable(),
  errorType: z.string().nullable(),
  tags: z.array(z.string()),
  promptSnippet: z.string(),
  responseSnippet: z.string(),
});
export type HistoryRow = z.infer<typeof historyRowSchema>;

export const historyDetailSchema = historyRowSchema.extend({
  promptText: z.string(),
  responseText: z.string(),
  errorMessage: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /** Stored quality: {overall, dimensions: {name: {score, reason}}, weights, evaluators}. */
  quality: z.record(z.string(), z.unknown()).nullable(),
  textError: z.string().optional(),
});
export type HistoryDetail = z.infer<typeof historyDetailSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('query'), requestId: z.number().int(), filter: historyFilterSchema, after: cursorSchema.nullable() }),
  z.object({ type: z.literal('detail'), requestId: z.number().int(), id: z.string().max(200) }),
  /** Export what the table shows (its filter); the host asks for format and file itself. */
  z.object({ type: z.literal('export'), filter: historyFilterSchema }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export const pageSchema = z.object({ rows: z.array(historyRowSchema), next: cursorSchema.nullable(), total: z.number() });
export type HistoryPageData = z.infer<typeof pageSchema>;

export type HostToWebview =
  | { type: 'init'; total: number; dataLocation: string }
  | { type: 'changed' }
  /** Show this execution's detail (opened from another panel, e.g. quality's worst executions). */
  | { type: 'showDetail'; id: string }
  | { type: 'response'; requestId: number; ok: true; data: HistoryPageData | HistoryDetail }
  | { type: 'response'; requestId: number; ok: false; error: string };

/** Webview state kept by setState: view state only, never data. */
export const historyViewStateSchema = z.object({ filter: historyFilterSchema, selectedId: z.string().nullable() });
export type HistoryViewState = z.infer<typeof historyViewStateSchema>;
