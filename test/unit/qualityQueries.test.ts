import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionInput } from '../../src/core/store';
import { LocalStore } from '../../src/core/store';
import { bucketOf, quantile, qualityOverview, weakestDimension } from '../../src/core/store/qualityQueries';
import { sampleExecution, tempDir } from './helpers/fixtures';

const sanitizer = new Sanitizer();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1); // a UTC midnight
const WEIGHTS = { relevance: 0.3, completeness: 0.25, accuracy: 0.25, clarity: 0.15, safety: 0.05 };

type Dims = Partial<Record<'relevance' | 'completeness' | 'accuracy' | 'clarity' | 'safety', number | null>>;

/** A scored execution: overall `overall`, dimension scores `dims` (others 0.9), reasons naming the dimension. */
function scored(i: number, overall: number, at: number, over: Partial<ExecutionInput> & { dims?: Dims; weights?: Record<string, number> } = {}): ExecutionInput {
  const { dims = {}, weights = WEIGHTS, ...rest } = over;
  const all: Dims = { relevance: 0.9, completeness: 0.9, accuracy: 0.9, clarity: 0.9, safety: 0.9, ...dims };
  const dimensions = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, { score: v, reason: v === null ? `${k}: no reference answer` : `${k} reason ${i}` }]));
  return sampleExecution(i, { success: true, qualityScore: overall, quality: { overall, dimensions, weights, evaluators: [] }, createdAt: new Date(at).toISOString(), ...rest });
}

async function storeWith(inputs: ExecutionInput[]): Promise<LocalStore> {
  const s = await LocalStore.open({ dir: tempDir('pl-quality-'), sanitizer });
  for (const x of inputs) s.record(x);
  return s;
}

describe('quality queries', () => {
  it('buckets scores into tenths, 1.0 in the last one', () => {
    assert.deepEqual([0, 0.05, 0.1, 0.19999, 0.3, 0.7, 0.95, 1].map(bucketOf), [0, 0, 1, 1, 3, 7, 9, 9]);
  });

  it('computes quantiles by linear interpolation (R type 7)', () => {
    // R: quantile(c(1, 2, 3, 4, 10), c(.1, .9)) → 1.4, 7.6
    assert.ok(Math.abs(quantile([1, 2, 3, 4, 10], 0.1) - 1.4) < 1e-12);
    assert.ok(Math.abs(quantile([1, 2, 3, 4, 10], 0.9) - 7.6) < 1e-12);
    assert.equal(quantile([0.5], 0.1), 0.5);
  });

  it('answers an empty store with zeros, nulls and empty lists', async () => {
    const s = await storeWith([]);
    const o = await s.qualityOverview({});
    assert.equal(o.scored, 0);
    assert.equal(o.unscored, 0);
    assert.deepEqual(o.promptIds, []);
    assert.deepEqual(o.daily, []);
    assert.deepEqual(o.worst, []);
    assert.equal(o.weights, null);
    assert.equal(o.overall.mean, null);
    assert.deepEqual(o.dimensions.map((d) => [d.name, d.n, d.mean]), [['relevance', 0, null], ['completeness', 0, null], ['accuracy', 0, null], ['clarity', 0, null], ['safety', 0, null]]);
    assert.ok(o.dimensions.every((d) => d.histogram.length === 10 && d.histogram.every((c) => c === 0)));
    await s.close();
  });

  it('builds histograms, means and not-assessed counts per dimension and overall', async () => {
    const s = await storeWith([
      scored(1, 0.2, T0 + 1000, { dims: { relevance: 0.15, accuracy: null } }),
      scored(2, 0.55, T0 + 2000, { dims: { relevance: 1, accuracy: null } }),
      scored(3, 1, T0 + 3000, { dims: { relevance: 0.5, accuracy: 0.4 } }),
      sampleExecution(4, { success: false, createdAt: new Date(T0 + 4000).toISOString() }), // failed: unscored
      sampleExecution(5, { success: true, createdAt: new Date(T0 + 5000).toISOString() }), // never scored
    ]);
    const o = await s.qualityOverview();
    assert.equal(o.scored, 3);
    assert.equal(o.unscored, 2);
    assert.deepEqual(o.overall.histogram, [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
    assert.ok(Math.abs(o.overall.mean! - (0.2 + 0.55 + 1) / 3) < 1e-12);
    const rel = o.dimensions.find((d) => d.name === 'relevance')!;
    assert.deepEqual(rel.histogram, [0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert.equal(rel.n, 3);
    assert.ok(Math.abs(rel.mean! - (0.15 + 1 + 0.5) / 3) < 1e-12);
    const acc = o.dimensions.find((d) => d.name === 'accuracy')!;
    assert.equal(acc.n, 1, 'a null score is not a number: it is counted as not assessed');
    assert.equal(acc.unassessed, 2);
    assert.equal(acc.mean, 0.4);
    assert.deepEqual(o.weights, WEIGHTS);
    await s.close();
  });

  it('groups the overall score per UTC day with mean, sd and the p10–p90 band', async () => {
    const day1 = [0.2, 0.4, 0.6, 0.8, 1.0];
    const s = await storeWith([
      ...day1.map((v, i) => scored(10 + i, v, T0 + i * 3_600_000)),
      scored(20, 0.3, T0 + 2 * DAY + DAY - 1), // last ms of day 3
      scored(21, 0.5, T0 - 1), // last ms of the day before
    ]);
    const o = await s.qualityOverview();
    assert.deepEqual(o.daily.map((d) => [d.day, d.n]), [['2026-10-31', 1], ['2026-11-01', 5], ['2026-11-03', 1]]);
    const d1 = o.daily[1]!;
    assert.ok(Math.abs(d1.mean - 0.6) < 1e-12);
    assert.ok(Math.abs(d1.sd! - Math.sqrt(0.1)) < 1e-12, `sd ${d1.sd}`); // var = (.16+.04+0+.04+.16)/4
    assert.ok(Math.abs(d1.p10 - 0.28) < 1e-12, `p10 ${d1.p10}`); // R: quantile(c(.2,.4,.6,.8,1), .1) = 0.28
    assert.ok(Math.abs(d1.p90 - 0.92) < 1e-12, `p90 ${d1.p90}`);
    assert.equal(o.daily[0]!.sd, null, 'one value has no sd');
    assert.equal(o.daily[0]!.p10, 0.5);
    await s.close();
  });

  it('lists the worst executions with their weakest dimension and its reason', async () => {
    const s = await storeWith([
      scored(1, 0.7, T0 + 1000, { model: 'a' }),
      scored(2, 0.1, T0 + 2000, { model: 'b', dims: { clarity: 0.05, safety: 0.3, accuracy: null } }),
      scored(3, 0.3, T0 + 3000, { dims: { completeness: 0.2, relevance: 0.2 } }),
      scored(4, 0.9, T0 + 4000),
    ]);
    const o = await s.qualityOverview({ worst: 3 });
    assert.deepEqual(o.worst.map((w) => w.id), ['exec-2', 'exec-3', 'exec-1']);
    const w = o.worst[0]!;
    assert.equal(w.overall, 0.1);
    assert.equal(w.model, 'b');
    assert.equal(w.promptId, 'prompt-2');
    assert.equal(w.createdAt, new Date(T0 + 2000).toISOString());
    assert.deepEqual(w.weakest, { name: 'clarity', score: 0.05, reason: 'clarity reason 2' });
    assert.equal(o.worst[1]!.weakest?.name, 'relevance', 'a tie goes to the first dimension in panel order');
    assert.equal((await s.qualityOverview({ worst: 0 })).worst.length, 0);
    await s.close();
  });

  it('filters by prompt and by time window, and lists prompts with scores newest first', async () => {
    const s = await storeWith([
      scored(0, 0.5, T0 + 1000, { promptId: 'alpha', weights: { relevance: 1 } }),
      scored(1, 0.6, T0 + DAY, { promptId: 'beta' }),
      scored(2, 0.7, T0 + 2 * DAY, { promptId: 'alpha', weights: { relevance: 0.5, clarity: 0.5 } }),
      sampleExecution(3, { promptId: 'gamma', createdAt: new Date(T0 + 3 * DAY).toISOString() }), // no scores: not in the picker
      sampleExecution(4, { promptId: 'alpha', success: false, createdAt: new Date(T0 + 2 * DAY + 5).toISOString() }),
    ]);
    const all = await s.qualityOverview();
    assert.deepEqual(all.promptIds, ['alpha', 'beta']);
    const alpha = await s.qualityOverview({ promptId: 'alpha' });
    assert.equal(alpha.scored, 2);
    assert.equal(alpha.unscored, 1);
    assert.deepEqual(alpha.weights, { relevance: 0.5, clarity: 0.5 }, 'the newest execution of the selection');
    const windowed = await s.qualityOverview({ since: T0 + DAY, until: T0 + 2 * DAY });
    assert.equal(windowed.scored, 1);
    assert.equal(windowed.worst[0]?.id, 'exec-1');
    assert.equal(windowed.unscored, 0);
    const none = await s.qualityOverview({ promptId: 'gamma' });
    assert.equal(none.scored, 0);
    assert.equal(none.unscored, 1);
    assert.deepEqual(none.promptIds, ['alpha', 'beta'], 'the picker lists every scored prompt whatever the selection');
    await s.close();
  });

  it('survives odd stored quality (no dimensions, non-object dimensions, string scores)', async () => {
    const s = await storeWith([
      sampleExecution(1, { success: true, qualityScore: 0.4, quality: { overall: 0.4 }, createdAt: new Date(T0).toISOString() }),
      sampleExecution(2, { success: true, qualityScore: 0.5, quality: { overall: 0.5, dimensions: { relevance: 'high', clarity: { score: '0.3', reason: 7 }, safety: { score: 0.2 } } }, createdAt: new Date(T0 + 1).toISOString() }),
      sampleExecution(3, { success: true, qualityScore: 0.6, quality: { overall: 0.6, dimensions: [0.1, 0.2] }, createdAt: new Date(T0 + 2).toISOString() }),
    ]);
    const o = await s.qualityOverview();
    assert.equal(o.scored, 3);
    assert.equal(o.weights, null);
    const safety = o.dimensions.find((d) => d.name === 'safety')!;
    assert.equal(safety.n, 1);
    assert.equal(o.dimensions.find((d) => d.name === 'clarity')!.n, 0);
    assert.deepEqual(o.worst.map((w) => w.weakest), [null, { name: 'safety', score: 0.2, reason: '' }, null]);
    await s.close();
  });

  it('is a pure function of the database (the same answer through ExecutionDb and the store)', async () => {
    const s = await storeWith([scored(1, 0.4, T0), scored(2, 0.8, T0 + DAY)]);
    assert.deepEqual(qualityOverview(s.engine.database.db, { worst: 5 }), await s.qualityOverview({ worst: 5 }));
    assert.equal(weakestDimension(null), null);
    await s.close();
  });
});
