import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSamples } from '../../src/core/compare';
import { histogram, latencyCost, metricDistribution, quantileSorted, sharedEdges } from '../../src/core/compare/distributions';
import type { MetricSampleRow } from '../../src/core/store';

const row = (variant: string, i: number, over: Partial<MetricSampleRow> = {}): MetricSampleRow => ({
  variant, testCaseId: `c${i}`, model: 'm', success: true, qualityScore: 0.5, dimensions: {}, evaluatorsPassed: null,
  latencyMs: 100, costUsd: 0.001, tokensIn: 10, tokensOut: 20, repeat: 1, createdAt: i, ...over,
});

describe('compare distributions (chart data)', () => {
  it('p95 is numpy\'s linear-interpolation percentile', () => {
    // numpy.percentile([1..10], 95) = 9.55; [3, 1, 2] sorted → median 2
    assert.ok(Math.abs(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95) - 9.55) < 1e-12);
    assert.equal(quantileSorted([1, 2, 3], 0.5), 2);
    assert.equal(quantileSorted([7], 0.95), 7);
  });

  it('histograms share one axis across variants and count every value once', () => {
    const a = [1, 2, 2, 3, 10], b = [5, 6, 7, 8, 20];
    const edges = sharedEdges([a, b], false);
    assert.equal(edges[0], 1);
    assert.equal(edges.at(-1), 20);
    assert.equal(edges.length, 6, 'Sturges on n = 5 → ceil(log2 5 + 1) = 4, raised to the minimum of 5 bins');
    const ha = histogram(a, edges), hb = histogram(b, edges);
    assert.equal(ha.reduce((s, x) => s + x, 0), 5);
    assert.equal(hb.reduce((s, x) => s + x, 0), 5);
    assert.equal(hb.at(-1), 1, 'the top edge (20) falls in the last bin');
    assert.deepEqual(ha, [4, 0, 1, 0, 0]);
  });

  it('quality scores use tenths of 0–1; all-equal values one bin', () => {
    const d = metricDistribution({ name: 'quality', kind: 'continuous', better: 'higher' }, [{ variant: 'A', values: [0, 0.05, 0.95, 1] }, { variant: 'B', values: [0.5] }]);
    assert.equal(d.kind, 'continuous');
    if (d.kind !== 'continuous') return;
    assert.equal(d.edges.length, 11);
    assert.deepEqual(d.variants[0]!.counts, [2, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    assert.equal(d.variants[1]!.counts[5], 1);
    assert.deepEqual(sharedEdges([[3, 3], [3]], false), [3, 3]);
    assert.deepEqual(histogram([3, 3, 3], [3, 3]), [3]);
  });

  it('pass rates carry Wilson intervals; an empty group is not available with its reason', () => {
    const d = metricDistribution({ name: 'success', kind: 'binary', better: 'higher' }, [{ variant: 'A', values: [1, 1, 0, 1] }, { variant: 'B', values: [] }]);
    assert.equal(d.kind, 'binary');
    if (d.kind !== 'binary') return;
    const a = d.variants[0]!.wilson;
    assert.ok(a.available);
    if (a.available) {
      assert.equal(a.rate, 0.75);
      // scipy binomtest(3, 4).proportion_ci(method='wilson') = (0.3006418, 0.9544127)
      assert.ok(Math.abs(a.ci95[0] - 0.30064184) < 1e-6 && Math.abs(a.ci95[1] - 0.95441273) < 1e-6, String(a.ci95));
    }
    assert.equal(d.variants[1]!.wilson.available, false);
  });

  it('latency and cost use successful executions only; unpriced cost is not available', () => {
    const rows = [row('A', 1, { latencyMs: 100 }), row('A', 2, { latencyMs: 300 }), row('A', 3, { success: false, latencyMs: 9999 }), row('B', 1, { costUsd: null }), row('B', 2, { costUsd: null })];
    const [a, b] = latencyCost(rows, ['A', 'B']);
    assert.ok(a!.latencyMs.available && a!.latencyMs.mean === 200 && a!.latencyMs.n === 2 && a!.latencyMs.p95 === 290);
    assert.equal(b!.costUsd.available, false);
  });

  it('analyzeSamples returns the chart data of exactly the metrics compared', () => {
    const rows = [0, 1, 2, 3, 4, 5].flatMap((i) => [row('A', i, { qualityScore: 0.4 + i * 0.01 }), row('B', i, { qualityScore: 0.6 + i * 0.02, success: i !== 0 })]);
    const an = analyzeSamples(rows, ['A', 'B'], { design: 'paired', resamples: 0 });
    const names = an.comparison!.metrics.map((m) => m.name);
    assert.deepEqual(an.distributions.map((d) => d.metric), names);
    const q = an.distributions.find((d) => d.metric === 'quality');
    assert.ok(q && q.kind === 'continuous');
    if (q?.kind === 'continuous') assert.equal(q.variants[1]!.n, 5, 'paired: case 0 failed under B, so 5 pairs');
    assert.equal(an.latencyCost.length, 2);
  });
});
