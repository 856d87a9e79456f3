import { randomUUID } from 'node:crypto';
import type { ExecutionInput, ExecutionRecord } from '../store/executionRecord';

/*
 * The seed's `track_prompt` context manager as a function: it times the work, records the
 * execution whether it succeeds or throws (error type + first 200 characters), and rethrows.
 */

export interface TrackContext {
  promptId: string;
  promptText: string;
  modelConfig?: Record<string, unknown>;
  tags?: string[];
  metadata?: Record<string, unknown>;
  provider?: string;
  model?: string;
  promptVersion?: string;
  promptHash?: string;
  variant?: string;
  experimentId?: string;
  runId?: string;
  testCaseId?: string;
  /** Standard tag parts: domain-, task-, segment-. */
  domain?: string;
  task?: string;
  segment?: string;
}

export interface TrackDefaults { userId: string; sessionId: string; environment: string }

/** What the tracked function fills in while it runs. */
export class TrackedExecution {
  readonly id = randomUUID();
  responseText = '';
  tokensIn: number | null = null;
  tokensOut: number | null = null;
  costUsd: number | null = null;
  timeToFirstTokenMs: number | null = null;
  qualityScore: number | null = null;
  quality: Record<string, unknown> | null = null;
  /** Set when the work "failed" without throwing (a provider error returned as data). */
  failure: { type: string; message: string } | null = null;
  readonly extraTags: string[] = [];
  readonly extraMetadata: Record<string, unknown> = {};
}

export interface ExecutionSink { record(input: ExecutionInput): ExecutionRecord }

export const ERROR_MESSAGE_CHARS = 200;

/** `tag-like value` → `tag-like-value`: lower case, no spaces, so filters match reliably. */
export function normaliseTagPart(v: string): string {
  return v.trim().toLowerCase().replace(/\s+/g, '-').replace(/[^\p{L}\p{N}._:/-]/gu, '');
}

export function standardTags(ctx: TrackContext, environment: string): string[] {
  const t: string[] = [];
  const add = (prefix: string, v: string | undefined) => { if (v && normaliseTagPart(v)) t.push(prefix + normaliseTagPart(v)); };
  add('domain-', ctx.domain);
  add('task-', ctx.task);
  add('model-', ctx.model);
  add('env-', environment);
  add('exp-', ctx.experimentId);
  if (ctx.promptVersion) add('v', ctx.promptVersion.replace(/^v/i, ''));
  add('segment-', ctx.segment);
  return t;
}

export class Tracker {
  constructor(
    private readonly sink: ExecutionSink,
    private readonly defaults: TrackDefaults,
    private readonly clock: { now(): number; hr(): number } = { now: () => Date.now(), hr: () => performance.now() },
  ) {}

  async track<T>(ctx: TrackContext, fn: (execution: TrackedExecution) => Promise<T> | T): Promise<T> {
    const execution = new TrackedExecution();
    const startedAt = this.clock.now();
    const t0 = this.clock.hr();
    let result: T;
    try {
      result = await fn(execution);
    } catch (error) {
      this.write(ctx, execution, startedAt, this.clock.hr() - t0, describeError(error));
      throw error;
    }
    this.write(ctx, execution, startedAt, this.clock.hr() - t0, execution.failure);
    return result;
  }

  private write(ctx: TrackContext, ex: TrackedExecution, startedAt: number, latencyMs: number, failure: { type: string; message: string } | null): ExecutionRecord {
    const environment = this.defaults.environment;
    const tags = [...new Set([...standardTags(ctx, environment), ...(ctx.tags ?? []).map(normaliseTagPart), ...ex.extraTags.map(normaliseTagPart)])].filter(Boolean);
    const timestamp = new Date(startedAt).toISOString();
    return this.sink.record({
      id: ex.id,
      promptId: ctx.promptId,
      promptVersion: ctx.promptVersion ?? null,
      promptHash: ctx.promptHash ?? null,
      variant: ctx.variant ?? null,
      experimentId: ctx.experimentId ?? null,
      runId: ctx.runId ?? null,
      testCaseId: ctx.testCaseId ?? null,
      provider: ctx.provider ?? null,
      model: ctx.model ?? null,
      modelConfig: ctx.modelConfig ?? {},
      promptText: ctx.promptText,
      responseText: ex.responseText,
      tokensIn: ex.tokensIn,
      tokensOut: ex.tokensOut,
      costUsd: ex.costUsd,
      latencyMs: Math.max(0, latencyMs),
      timeToFirstTokenMs: ex.timeToFirstTokenMs,
      success: failure === null,
      errorType: failure?.type ?? null,
      errorMessage: failure ? failure.message.slice(0, ERROR_MESSAGE_CHARS) : null,
      qualityScore: ex.qualityScore,
      quality: ex.quality,
      tags,
      // Standard metadata first, caller's keys may add to it but not remove it.
      metadata: {
        ...(ctx.metadata ?? {}), ...ex.extraMetadata,
        user_id: this.defaults.userId, session_id: this.defaults.sessionId, experiment: ctx.experimentId ?? null,
        version: ctx.promptVersion ?? null, environment, timestamp,
      },
      userId: this.defaults.userId,
      sessionId: this.defaults.sessionId,
      environment,
      createdAt: timestamp,
    });
  }
}

export function describeError(error: unknown): { type: string; message: string } {
  if (error instanceof Error) return { type: error.name && error.name !== 'Error' ? error.name : error.constructor.name, message: error.message };
  return { type: typeof error === 'string' ? 'string' : typeof error, message: String(error) };
}
