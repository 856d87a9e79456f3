import type { Database, SqlValue } from 'sql.js';
import { sqlNumber as num, sqlString as str, withStatement } from './sqlJs';

/*
 * The compare module's tables and samples: experiments (upserted from journal ops) and the
 * per-execution metric values its statistics run on. Functions over the sql.js database, like
 * qualityQueries.ts, so ExecutionDb keeps to rows, texts and history.
 */

/** A row of the `experiments` table (variants: the compare module's variant specs, as JSON). */
export interface ExperimentRow { id: string; name: string; design: string | null; seed: number | null; status: string; variants: unknown[]; createdAt: number }

export interface SampleFilter { experimentId?: string; promptId?: string; since?: number; until?: number; limit?: number }

/** One execution's metric values (dimension scores by name; evaluatorsPassed null when none was evaluated). */
export interface MetricSampleRow {
  variant: string | null; testCaseId: string | null; model: string | null; success: boolean; qualityScore: number | null;
  dimensions: Record<string, number | null>; evaluatorsPassed: boolean | null; latencyMs: number | null; costUsd: number | null;
  tokensIn: number | null; tokensOut: number | null; repeat: number | null; createdAt: number;
}

/** Insert or replace one experiment row (journalled by the caller as an 'experiment' op). */
export function upsertExperiment(db: Database, x: ExperimentRow): void {
  withStatement(db, `INSERT INTO experiments (id, name, design, seed, status, variants, created_at) VALUES (?,?,?,?,?,?,?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, design = excluded.design, seed = excluded.seed, status = excluded.status, variants = excluded.variants`, (st) => {
    st.run([x.id, x.name, x.design, x.seed, x.status, JSON.stringify(x.variants), x.createdAt]);
  });
}

/** Experiments, newest first (one when `id` is given, none if unknown); at most 1,000. */
export function listExperiments(db: Database, id?: string): ExperimentRow[] {
  return withStatement(db, `SELECT id, name, design, seed, status, variants, created_at FROM experiments${id === undefined ? '' : ' WHERE id = ?'} ORDER BY created_at DESC, id LIMIT 1000`, (st) => {
    if (id !== undefined) st.bind([id]);
    const out: ExperimentRow[] = [];
    while (st.step()) {
      const r = st.get();
      out.push({ id: String(r[0]), name: String(r[1]), design: str(r[2]), seed: num(r[3]), status: String(r[4]), variants: JSON.parse(String(r[5])) as unknown[], createdAt: Number(r[6]) });
    }
    return out;
  });
}

/**
 * Per-execution metric values for statistics: by experiment, or by prompt in [since, until).
 * Oldest first; at most `limit` (default 100,000) rows.
 */
export function metricSamples(db: Database, filter: SampleFilter): MetricSampleRow[] {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.experimentId !== undefined) { where.push('e.experiment_id = ?'); params.push(filter.experimentId); }
  if (filter.promptId !== undefined) { where.push('e.prompt_id = ?'); params.push(filter.promptId); }
  if (filter.since !== undefined) { where.push('e.created_at >= ?'); params.push(filter.since); }
  if (filter.until !== undefined) { where.push('e.created_at < ?'); params.push(filter.until); }
  params.push(Math.max(1, Math.min(filter.limit ?? 100_000, 1_000_000)));
  return withStatement(db, `SELECT e.variant, e.test_case_id, e.model, e.success, e.quality_score, json_extract(e.quality, '$.dimensions'),
    json_extract(e.quality, '$.evaluators'), e.latency_ms, e.cost_usd, e.tokens_in, e.tokens_out, json_extract(e.metadata, '$.repeat'), e.created_at
    FROM executions e${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY e.created_at, e.seq LIMIT ?`, (st) => {
    st.bind(params);
    const out: MetricSampleRow[] = [];
    while (st.step()) {
      const r = st.get();
      const dims: Record<string, number | null> = {};
      if (r[5] !== null) {
        for (const [k, v] of Object.entries(JSON.parse(String(r[5])) as Record<string, { score?: unknown } | null>)) dims[k] = typeof v?.score === 'number' ? v.score : null;
      }
      let evaluatorsPassed: boolean | null = null;
      if (r[6] !== null) {
        const statuses = (JSON.parse(String(r[6])) as Array<{ status?: unknown }>).map((e) => e.status);
        if (statuses.includes('fail')) evaluatorsPassed = false; else if (statuses.includes('pass')) evaluatorsPassed = true;
      }
      out.push({ variant: str(r[0]), testCaseId: str(r[1]), model: str(r[2]), success: Number(r[3]) === 1, qualityScore: num(r[4]), dimensions: dims,
        evaluatorsPassed, latencyMs: num(r[7]), costUsd: num(r[8]), tokensIn: num(r[9]), tokensOut: num(r[10]), repeat: num(r[11]), createdAt: Number(r[12]) });
    }
    return out;
  });
}
