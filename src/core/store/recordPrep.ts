import type { Sanitizer } from '../sanitize';
import type { ExecutionInput, ExecutionPatch, ExecutionRecord } from './executionRecord';
import { describeZodError, executionPatchSchema, executionRecordSchema } from './executionRecord';

/**
 * The one door into the store: validate, normalise and sanitize. Nothing reaches a journal,
 * the database or an export without passing here, so no secret or PII is ever written.
 */
export function prepareRecord(input: ExecutionInput | unknown, sanitizer: Sanitizer): ExecutionRecord {
  const parsed = executionRecordSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid execution: ${describeZodError(parsed.error)}`);
  const r = parsed.data;
  const text = (s: string) => sanitizer.sanitizeText(s).text;
  const nullableText = (s: string | null) => (s === null ? null : text(s));
  const obj = (o: Record<string, unknown>) => sanitizer.sanitizeValue(o) as Record<string, unknown>;
  return {
    ...r,
    modelConfig: obj(r.modelConfig),
    promptText: text(r.promptText),
    responseText: text(r.responseText),
    errorMessage: nullableText(r.errorMessage),
    quality: r.quality === null ? null : obj(r.quality),
    metadata: obj(r.metadata),
    tags: [...new Set(r.tags.map((t) => text(t)))],
    // One canonical form (UTC, ms) so export → import → export is byte-identical.
    createdAt: new Date(Date.parse(r.createdAt)).toISOString(),
  };
}

/** Same door for later changes (scores added after a run). */
export function preparePatch(patch: unknown, sanitizer: Sanitizer): ExecutionPatch {
  const parsed = executionPatchSchema.safeParse(patch);
  if (!parsed.success) throw new Error(`invalid patch: ${describeZodError(parsed.error)}`);
  const p = parsed.data;
  return {
    ...p,
    ...(p.quality ? { quality: sanitizer.sanitizeValue(p.quality) as Record<string, unknown> } : {}),
    ...(p.metadata ? { metadata: sanitizer.sanitizeValue(p.metadata) as Record<string, unknown> } : {}),
    ...(p.tags ? { tags: p.tags.map((t) => sanitizer.sanitizeText(t).text) } : {}),
  };
}
