import { z } from 'zod';
import type { ExperimentRow } from './executionDb';

/**
 * One execution as the store keeps it and as JSONL export/import carries it (the lossless
 * interchange format). Everything in it has already been sanitized.
 */
const jsonObject = z.record(z.string(), z.unknown());

export const executionRecordSchema = z.object({
  id: z.string().min(1).max(200),
  promptId: z.string().min(1).max(500),
  promptVersion: z.string().max(200).nullable().default(null),
  promptHash: z.string().max(200).nullable().default(null),
  variant: z.string().max(200).nullable().default(null),
  experimentId: z.string().max(200).nullable().default(null),
  runId: z.string().max(200).nullable().default(null),
  testCaseId: z.string().max(200).nullable().default(null),
  provider: z.string().max(200).nullable().default(null),
  model: z.string().max(200).nullable().default(null),
  modelConfig: jsonObject.default({}),
  promptText: z.string().default(''),
  responseText: z.string().default(''),
  tokensIn: z.number().int().nonnegative().nullable().default(null),
  tokensOut: z.number().int().nonnegative().nullable().default(null),
  costUsd: z.number().nonnegative().nullable().default(null),
  latencyMs: z.number().nonnegative().nullable().default(null),
  timeToFirstTokenMs: z.number().nonnegative().nullable().default(null),
  success: z.boolean(),
  errorType: z.string().max(200).nullable().default(null),
  errorMessage: z.string().max(2000).nullable().default(null),
  qualityScore: z.number().min(0).max(1).nullable().default(null),
  quality: jsonObject.nullable().default(null),
  tags: z.array(z.string().min(1).max(200)).default([]),
  metadata: jsonObject.default({}),
  userId: z.string().max(200).nullable().default(null),
  sessionId: z.string().max(200).nullable().default(null),
  environment: z.string().max(200).nullable().default(null),
  createdAt: z.iso.datetime({ offset: true }),
});

export type ExecutionRecord = z.output<typeof executionRecordSchema>;
export type ExecutionInput = z.input<typeof executionRecordSchema>;

/** Later changes to an execution (scores added after a run), journalled as upserts. */
export const executionPatchSchema = z.object({
  id: z.string().min(1),
  qualityScore: z.number().min(0).max(1).nullable().optional(),
  quality: jsonObject.nullable().optional(),
  tags: z.array(z.string().min(1).max(200)).optional(),
  metadata: jsonObject.optional(),
});
export type ExecutionPatch = z.output<typeof executionPatchSchema>;

/** A journal operation. `v` lets a later version read older journals. */
export type JournalOp =
  | { v: 1; op: 'insert'; rec: ExecutionRecord }
  | { v: 1; op: 'patch'; patch: ExecutionPatch }
  /** An experiment of `promptlab compare` (upsert by id): journalled like executions, so it survives a crash and reaches other processes. */
  | { v: 1; op: 'experiment'; experiment: ExperimentRow };

/** Short description of a zod failure for "line N: …" style reports. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`)
    .join('; ');
}
