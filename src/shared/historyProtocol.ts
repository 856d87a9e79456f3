import { z } from 'zod';

/*
 * Messages between the history panel and the extension host. Both sides import this file;
 * the host validates every incoming message and logs a bad one. Requests carry a requestId
 * and are answered with {ok, data | error}.
 */

const id = z.string().max(500);
/** Every filter of the history table; dates are epoch ms, since inclusive, until exclusive. */
export const historyFilterSchema = z.object({
  search: z.string().max(500).optional(),
  promptId: id.optional(),
  promptVersion: z.string().max(200).optional(),
  variant: z.string().max(200).optional(),
  experimentId: z.string().max(200).optional(),
  runId: z.string().max(200).optional(),
  provider: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  tag: z.string().max(200).optional(),
  success: z.boolean().optional(),
  cacheHit: z.boolean().optional(),
  since: z.number().int().optional(),
  until: z.number().int().optional(),
  qualityMin: z.number().min(0).max(1).optional(),
  qualityMax: z.number().min(0).max(1).optional(),
}).strict();
export type HistoryViewFilter = z.infer<typeof historyFilterSchema>;

/** True when some filter is set (the summary then cannot name a matching count). */
export function isFiltered(f: HistoryViewFilter): boolean {
  return Object.values(f).some((v) => v !== undefined && v !== '');
}

export const cursorSchema = z.object({ createdAt: z.number(), seq: z.number().int() });
export type HistoryCursorData = z.infer<typeof cursorSchema>;

export const historyRowSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  promptId: z.string(),
  promptVersion: z.string().nullable(),
  variant: z.string().nullable(),
  experimentId: z.string().nullable(),
  runId: z.string().nullable(),
  testCaseId: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  success: z.boolean(),
  latencyMs: z.number().nullable(),
  timeToFirstTokenMs: z.number().nullable(),
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
  modelConfig: z.record(z.string(), z.unknown()),
  /** Stored quality: {overall, dimensions: {name: {score, reason}}, weights, evaluators}. */
  quality: z.record(z.string(), z.unknown()).nullable(),
  textError: z.string().optional(),
});
export type HistoryDetail = z.infer<typeof historyDetailSchema>;

/** Actions on one execution that the host carries out (clipboard, editor, run command). */
export const detailActionSchema = z.enum(['copyJson', 'openPrompt', 'rerun']);
export type DetailAction = z.infer<typeof detailActionSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('query'), requestId: z.number().int(), filter: historyFilterSchema, after: cursorSchema.nullable() }),
  z.object({ type: z.literal('detail'), requestId: z.number().int(), id: z.string().max(200) }),
  z.object({ type: z.literal('action'), requestId: z.number().int(), action: detailActionSchema, id: z.string().max(200) }),
  /** Export what the table shows (its filter); the host asks for format and file itself. */
  z.object({ type: z.literal('export'), filter: historyFilterSchema }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export const PAGE_SIZE = 200;
export const pageSchema = z.object({ rows: z.array(historyRowSchema), next: cursorSchema.nullable(), total: z.number() });
export type HistoryPageData = z.infer<typeof pageSchema>;

/** What an action did, in words the panel shows as is (ok false: why it could not). */
export interface ActionResult { ok: boolean; message: string }

export type HostToWebview =
  /** filter: set when the panel was opened for a run or an experiment (replaces the saved filter). */
  | { type: 'init'; total: number; dataLocation: string; filter?: HistoryViewFilter }
  | { type: 'changed' }
  /** Opened again from the tree view: show this filter. */
  | { type: 'setFilter'; filter: HistoryViewFilter }
  /** Show this execution's detail (opened from another panel, e.g. quality's worst executions). */
  | { type: 'showDetail'; id: string }
  | { type: 'response'; requestId: number; ok: true; data: HistoryPageData | HistoryDetail | ActionResult }
  | { type: 'response'; requestId: number; ok: false; error: string };

/** Webview state kept by setState: view state only, never data. */
export const historyViewStateSchema = z.object({
  filter: historyFilterSchema,
  selectedId: z.string().nullable(),
  /** Executions ticked for side-by-side comparison (at most two). */
  compareIds: z.array(z.string()).max(2).optional(),
});
export type HistoryViewState = z.infer<typeof historyViewStateSchema>;
