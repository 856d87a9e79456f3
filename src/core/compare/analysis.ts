import { compareMetrics } from '../stats/compareMetrics';
import type { CompareResult, MetricSpec, VariantSamples } from '../stats/compareTypes';
import type { MetricSampleRow } from '../store/executionDb';
import type { Design } from './design';
import type { LatencyCost, MetricDistribution } from './distributions';
import { latencyCost, metricDistribution } from './distributions';

/*
 * From stored executions to compareMetrics' samples.
 *
 * Metrics: quality (overall score, higher better), each quality dimension that has scores
 * (quality.<dimension>), latency_ms and cost_usd (lower better), tokens_out (lower better),
 * success (binary) and evaluators (binary: 1 when every evaluated evaluator passed, 0 when
 * one failed; executions without an evaluated evaluator do not count). Continuous metrics use
 * successful executions only; success counts every execution.
 *
 * Units: a test case is the unit of analysis. Repeats of a case under a variant are averaged
 * (continuous metrics), so K repeats reduce noise but are not K independent cases.
 * Paired design: continuous metrics are paired by test case, keeping the cases that have a
 * value under every variant; binary metrics are paired (McNemar) when every case has exactly
 * one execution per variant, otherwise compared unpaired over all executions (a mean over
 * repeats is not 0/1). Unpaired design: one sample per case (continuous) or per execution
 * (binary). `perExecution` (compare-periods) makes every execution its own unit.
 * The first variant is the control; Holm across variants is done by compareMetrics.
 */

export interface AnalysisOptions {
  design: Design;
  /** Every execution its own unit (no grouping by test case). */
  perExecution?: boolean;
  /** Only these metric names (default: all). */
  metrics?: readonly string[];
  seed?: number;
  resamples?: number;
}

export interface Analysis {
  samples: Record<string, { executions: number; failed: number; cases: number }>;
  skippedMetrics: Array<{ name: string; reason: string }>;
  comparison: CompareResult | null;
  /** Per metric compared: what the panel's distribution charts draw (same values as the tests). */
  distributions: MetricDistribution[];
  /** Mean and p95 of latency and cost per variant over successful executions. */
  latencyCost: LatencyCost[];
}

type Getter = (r: MetricSampleRow) => number | null;
interface MetricDef { spec: Omit<MetricSpec, 'paired'>; get: Getter }

function metricDefs(rows: readonly MetricSampleRow[]): MetricDef[] {
  const defs: MetricDef[] = [
    { spec: { name: 'quality', better: 'higher', kind: 'continuous' }, get: (r) => (r.success ? r.qualityScore : null) },
  ];
  const dims = new Set<string>();
  for (const r of rows) for (const [k, v] of Object.entries(r.dimensions)) if (v !== null) dims.add(k);
  for (const d of dims) defs.push({ spec: { name: `quality.${d}`, better: 'higher', kind: 'continuous' }, get: (r) => (r.success ? r.dimensions[d] ?? null : null) });
  defs.push(
    { spec: { name: 'latency_ms', better: 'lower', kind: 'continuous' }, get: (r) => (r.success ? r.latencyMs : null) },
    { spec: { name: 'cost_usd', better: 'lower', kind: 'continuous' }, get: (r) => (r.success ? r.costUsd : null) },
    { spec: { name: 'tokens_out', better: 'lower', kind: 'continuous' }, get: (r) => (r.success ? r.tokensOut : null) },
    { spec: { name: 'success', better: 'higher', kind: 'binary' }, get: (r) => (r.success ? 1 : 0) },
    { spec: { name: 'evaluators', better: 'higher', kind: 'binary' }, get: (r) => (r.evaluatorsPassed === null ? null : r.evaluatorsPassed ? 1 : 0) },
  );
  return defs;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** `rows` with `variant` set to one of `variants` (others are ignored); the first variant is the control. */
export function analyzeSamples(rows: readonly MetricSampleRow[], variants: readonly string[], o: AnalysisOptions): Analysis {
  const byVariant = new Map<string, MetricSampleRow[]>(variants.map((v) => [v, []]));
  for (const r of rows) if (r.variant !== null) byVariant.get(r.variant)?.push(r);
  const keyOf = (r: MetricSampleRow, i: number) => (o.perExecution || r.testCaseId === null ? `#${i}` : r.testCaseId);
  const samples: Analysis['samples'] = {};
  for (const [v, rs] of byVariant) samples[v] = { executions: rs.length, failed: rs.filter((r) => !r.success).length, cases: new Set(rs.map(keyOf)).size };

  const skippedMetrics: Analysis['skippedMetrics'] = [];
  const specs: MetricSpec[] = [];
  const values: Record<string, Record<string, number[]>> = Object.fromEntries(variants.map((v) => [v, {}]));
  for (const def of metricDefs(rows)) {
    if (o.metrics && !o.metrics.includes(def.spec.name)) continue;
    // per variant: unit key → values
    const groups = variants.map((v) => {
      const m = new Map<string, number[]>();
      byVariant.get(v)!.forEach((r, i) => {
        const x = def.get(r);
        if (x === null || !Number.isFinite(x)) return;
        const k = keyOf(r, i);
        const list = m.get(k);
        if (list) list.push(x); else m.set(k, [x]);
      });
      return m;
    });
    let paired = false;
    let cols: number[][];
    const oneEach = groups.every((g) => [...g.values()].every((l) => l.length === 1));
    if (o.design === 'paired' && !o.perExecution && (def.spec.kind === 'continuous' || oneEach)) {
      const keys = [...groups[0]!.keys()].filter((k) => groups.every((g) => g.has(k))).sort();
      paired = true;
      cols = groups.map((g) => keys.map((k) => mean(g.get(k)!)));
    } else if (def.spec.kind === 'continuous') {
      cols = groups.map((g) => [...g.values()].map(mean));
    } else {
      cols = groups.map((g) => [...g.values()].flat());
    }
    const short = cols.findIndex((c) => c.length < 2);
    if (short >= 0) {
      skippedMetrics.push({ name: def.spec.name, reason: `${paired ? 'pairs' : 'values'} for variant ${variants[short]}: ${cols[short]!.length} (at least 2 needed)` });
      continue;
    }
    specs.push({ ...def.spec, paired });
    variants.forEach((v, i) => { values[v]![def.spec.name] = cols[i]!; });
  }
  const comparison = specs.length
    ? compareMetrics(specs, variants.map((v): VariantSamples => ({ name: v, values: values[v]! })), { ...(o.seed !== undefined ? { seed: o.seed >>> 0 } : {}), ...(o.resamples !== undefined ? { resamples: o.resamples } : {}) })
    : null;
  const distributions = specs.map((spec) => metricDistribution(spec, variants.map((v) => ({ variant: v, values: values[v]![spec.name]! }))));
  return { samples, skippedMetrics, comparison, distributions, latencyCost: latencyCost(rows.filter((r) => r.variant !== null && byVariant.has(r.variant)), variants) };
}
