import { z } from 'zod';

/*
 * Results panel protocol. The host pushes run events (already reduced to what the table
 * shows); the webview only asks for the current state on `ready` and may ask to cancel.
 */

export const caseStatusSchema = z.enum(['queued', 'running', 'retrying', 'done', 'failed', 'cancelled']);
export type CaseStatus = z.infer<typeof caseStatusSchema>;

export interface EvaluatorView { name: string; status: 'pass' | 'fail' | 'not_evaluated' | 'error'; reason: string }

export interface CaseView {
  caseId: string;
  label: string;
  status: CaseStatus;
  /** Why: retry reason and delay, failure message. */
  detail: string;
  text: string;
  latencyMs: number | null;
  ttftMs: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  tokensEstimated: boolean;
  costUsd: number | null;
  cached: boolean;
  evaluators: EvaluatorView[];
  /** Overall quality 0..1 (null: not computable) and each dimension with its reason. */
  quality: { overall: number | null; dimensions: Array<{ name: string; score: number | null; reason: string }> } | null;
  executionId: string | null;
}

export interface RunView {
  runId: string;
  title: string;
  provider: string;
  model: string;
  state: 'running' | 'finished' | 'cancelled';
  startedAt: number;
  durationMs: number | null;
  breaker: string | null;
  cases: CaseView[];
}

export type ResultsHostToWebview =
  | { type: 'state'; run: RunView | null }
  | { type: 'caseUpdate'; runId: string; case: CaseView }
  | { type: 'token'; runId: string; caseId: string; delta: string }
  | { type: 'runUpdate'; runId: string; state: RunView['state']; durationMs: number | null; breaker: string | null };

export const resultsWebviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancel'), runId: z.string().max(200) }),
  z.object({ type: z.literal('openHistory'), executionId: z.string().max(200) }),
]);
export type ResultsWebviewToHost = z.infer<typeof resultsWebviewToHostSchema>;
