import type { ChatMessage, ModelParameters } from '../prompt/types';
import type { ProviderError, Usage } from '../providers/types';

/** Result of one evaluator on one response. `not_evaluated` is never counted as a pass. */
export interface EvaluatorResult {
  name: string;
  status: 'pass' | 'fail' | 'not_evaluated' | 'error';
  score: number | null;
  reason: string;
  /** What an LLM judge cost for this result: kept apart, never added to the execution's cost. */
  judgeCostUsd?: number | null;
}

/** Measured facts of one response that assertions check (max-latency-ms, max-cost). */
export interface ResponseFacts { latencyMs: number | null; costUsd: number | null; finishReason: string | null }

/** Quality of one response as stored with its execution (quality_score + quality JSON). */
export interface QualitySummary {
  overall: number | null;
  dimensions: Record<string, { score: number | null; reason: string }>;
  weights?: Record<string, number>;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/** One unit of work in a run: a test case (optionally repeated) rendered for one variant. */
export interface RunCase {
  caseId: string;
  /** Shown in the results table: row number, test case name, or first variable value. */
  label: string;
  testCaseId: string | null;
  variant: string | null;
  messages: ChatMessage[];
  model: string;
  parameters: ModelParameters;
  /** Values the case was rendered with (the `expected` value feeds evaluators/accuracy). */
  variables: Record<string, unknown>;
  expected: string | null;
  repeat: number;
  /**
   * The prompt file this case was rendered from, when it is not the run's own (comparing two
   * prompt files runs them as one run): its executions are recorded under that file's id,
   * version and path, so history, Re-run and compare-periods find them under their own prompt.
   */
  source?: { promptId: string; promptVersion: string; promptPath: string | null };
}

export type RunEvent =
  | { type: 'queued'; caseId: string; label: string }
  | { type: 'started'; caseId: string; attempt: number }
  | { type: 'token'; caseId: string; delta: string }
  | { type: 'retrying'; caseId: string; attempt: number; delayMs: number; reason: string }
  | { type: 'done'; caseId: string; executionId: string; text: string; latencyMs: number; ttftMs: number | null; usage: Usage; costUsd: number | null; cached: boolean; evaluators: EvaluatorResult[]; quality?: QualitySummary | null }
  | { type: 'failed'; caseId: string; executionId: string | null; error: ProviderError; evaluators: EvaluatorResult[] }
  | { type: 'breaker'; providerId: string; state: BreakerState; reason: string }
  | { type: 'finished'; summary: RunSummary };

export interface RunSummary {
  runId: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  cached: number;
  evaluatorsPassed: number;
  evaluatorsFailed: number;
  evaluatorsNotEvaluated: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
  durationMs: number;
}
