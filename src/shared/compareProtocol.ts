import { z } from 'zod';
import type { Advice } from '../core/compare/advisor';
import type { LatencyCost, MetricDistribution } from '../core/compare/distributions';
import type { CompareResult } from '../core/stats/compareTypes';

/*
 * Messages between the compare panel and the extension host. Both sides import this file;
 * the host validates every incoming message and logs a bad one. The host keeps the whole
 * state of the comparison and sends it as a `snapshot` when the webview (re)loads; while the
 * experiment runs it streams finished cases in batches (`outputs`), the status and progress,
 * and finally the analysis (same fields as `promptlab compare --json`).
 */

export type CompareStatus = 'running' | 'finished' | 'cancelled' | 'failed';

/** An arm as stored with the experiment (src/core/compare/runExperiment.ts VariantArm). */
export interface CompareArmInfo {
  name: string;
  promptVariant: string | null;
  model: string;
  /** The prompt file the arm renders; absent for time periods and experiments stored before. */
  file?: string;
  promptHash?: string;
  parameters?: Record<string, unknown>;
}

export interface CompareExperimentInfo {
  id: string;
  promptId: string;
  /** Prompt file name (or the prompt id when revived without the file). */
  title: string;
  design: 'paired' | 'unpaired';
  seed: number;
  repeat: number;
  status: CompareStatus;
  /** The first arm is the control. */
  variants: CompareArmInfo[];
  createdAt: number;
  /** A designed experiment, or logged executions of two date ranges (no design, seed or repeats). */
  kind?: 'experiment' | 'periods';
}

/** Outputs kept per case are cut to this many characters. */
export const COMPARE_TEXT_LIMIT = 8000;

export interface CompareCaseOutput {
  variant: string;
  testCaseId: string;
  /** 1-based. */
  repeat: number;
  status: 'done' | 'failed';
  /** Response text (at most COMPARE_TEXT_LIMIT characters); empty when failed. */
  text: string;
  truncated: boolean;
  quality: number | null;
  evaluators: Array<{ name: string; status: 'pass' | 'fail' | 'not_evaluated' | 'error'; reason: string }>;
  error: string | null;
}

export interface CompareRunTotals { total: number; succeeded: number; failed: number; cancelled: number; durationMs: number; costUsd: number | null }

export interface CompareAnalysis {
  run: CompareRunTotals | null;
  samples: Record<string, { executions: number; failed: number; cases: number }>;
  skippedMetrics: Array<{ name: string; reason: string }>;
  comparison: CompareResult | null;
  distributions: MetricDistribution[];
  latencyCost: LatencyCost[];
}

export interface CompareProgress { done: number; total: number }

export interface CompareSnapshot {
  experiment: CompareExperimentInfo;
  advisor: Advice | null;
  /** Test case ids in dataset order: the rows. */
  caseIds: string[];
  outputs: CompareCaseOutput[];
  progress: CompareProgress;
  analysis: CompareAnalysis | null;
  /** Shown under the header (e.g. why outputs are missing after a reload). */
  note: string | null;
}

export type HostToWebview =
  | { type: 'snapshot'; snapshot: CompareSnapshot | null }
  | { type: 'outputs'; outputs: CompareCaseOutput[]; progress: CompareProgress }
  | { type: 'status'; status: CompareStatus; progress: CompareProgress }
  | { type: 'analysis'; status: CompareStatus; analysis: CompareAnalysis }
  | { type: 'promoted'; variant: string; ok: boolean; message: string };

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), experimentId: z.string().min(1).max(200).nullable() }),
  z.object({ type: z.literal('cancel') }),
  /** "Promote variant": the host confirms with a modal, then edits the prompt file. */
  z.object({ type: z.literal('promote'), variant: z.string().min(1).max(500) }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

/** Webview state kept by setState: view state only, never data. */
export const compareViewStateSchema = z.object({
  experimentId: z.string().max(200).nullable(),
  onlyDiffering: z.boolean(),
  failuresOnly: z.boolean(),
  /** Only cases whose best-scored variant is not the comparison's winner (older states lack it). */
  winnerChanges: z.boolean().optional(),
});
export type CompareViewState = z.infer<typeof compareViewStateSchema>;
