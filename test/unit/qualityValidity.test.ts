/*
 * Validity of the quality scorers against a labelled set of 168 pairwise judgements
 * (test/fixtures/quality/pairs.jsonl): for each pair the better response must score strictly
 * higher on the pair's dimension, and on overall. The set was written before the scorers, as a
 * careful human judge would, and the scorers were not tuned to individual cases; the printed
 * table (with the misses) is the honest result. The lexical-only table (no word vectors) is
 * printed for information and not asserted.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QualityAssessment, QualityDimension, QualityOptions } from '../../src/core/quality';
import { assessQuality, configureWordVectors, QUALITY_DIMENSIONS } from '../../src/core/quality';
import type { QualityPair } from '../fixtures/quality/qualityPairs';
import { ensureWordVectors, loadPairs } from '../fixtures/quality/qualityPairs';

interface Tally { pairs: number; dimension: number; overall: number; missed: string[] }

function evaluate(pairs: readonly QualityPair[], options: QualityOptions): Map<QualityDimension | 'all', Tally> {
  const tallies = new Map<QualityDimension | 'all', Tally>();
  const bump = (key: QualityDimension | 'all', dimOk: boolean, overallOk: boolean, id: string): void => {
    const t = tallies.get(key) ?? { pairs: 0, dimension: 0, overall: 0, missed: [] };
    t.pairs++;
    if (dimOk) t.dimension++;
    if (overallOk) t.overall++;
    if (!dimOk || !overallOk) t.missed.push(`${id}${dimOk ? '' : ' [dimension]'}${overallOk ? '' : ' [overall]'}`);
    tallies.set(key, t);
  };
  for (const p of pairs) {
    const score = (response: string, finishReason: string | undefined): QualityAssessment =>
      assessQuality({ prompt: p.prompt, response, expected: p.expected ?? null, finishReason: finishReason ?? null }, options);
    const b = score(p.better, p.betterFinishReason);
    const w = score(p.worse, p.worseFinishReason);
    const bd = b.dimensions[p.dimension].score;
    const wd = w.dimensions[p.dimension].score;
    const dimOk = bd !== null && wd !== null && bd > wd;
    const overallOk = b.overall !== null && w.overall !== null && b.overall > w.overall;
    bump(p.dimension, dimOk, overallOk, p.id);
    bump('all', dimOk, overallOk, p.id);
  }
  return tallies;
}

function pct(n: number, d: number): string {
  return `${((100 * n) / d).toFixed(1)}% (${n}/${d})`;
}

function table(title: string, tallies: Map<QualityDimension | 'all', Tally>): string {
  const rows = [title, `${'dimension'.padEnd(14)}${'pairs'.padStart(6)}  ${'dimension score'.padEnd(18)}  overall score`];
  for (const key of [...QUALITY_DIMENSIONS, 'all' as const]) {
    const t = tallies.get(key);
    if (t) rows.push(`${key.padEnd(14)}${String(t.pairs).padStart(6)}  ${pct(t.dimension, t.pairs).padEnd(18)}  ${pct(t.overall, t.pairs)}`);
  }
  const missed = tallies.get('all')?.missed ?? [];
  if (missed.length > 0) rows.push(`misses: ${missed.join(', ')}`);
  return rows.join('\n');
}

describe('quality scorers: pairwise validity', () => {
  const pairs = loadPairs();
  let withVectors: Map<QualityDimension | 'all', Tally>;

  before(() => {
    configureWordVectors(ensureWordVectors());
    withVectors = evaluate(pairs, {});
    console.log(`\n${table('Pairwise ordering accuracy (word vectors + lexical):', withVectors)}\n`);
    console.log(`${table('For information — lexical only (no word vectors):', evaluate(pairs, { embedder: null }))}\n`);
  });

  test('the labelled set has at least 150 pairs and 30 per dimension, with unique ids', () => {
    assert.ok(pairs.length >= 150, `${pairs.length} pairs`);
    assert.equal(new Set(pairs.map((p) => p.id)).size, pairs.length);
    for (const d of QUALITY_DIMENSIONS) assert.ok(pairs.filter((p) => p.dimension === d).length >= 30, d);
    for (const p of pairs.filter((x) => x.dimension === 'accuracy')) assert.ok(p.expected, `${p.id} needs a reference`);
  });

  test('overall ordering is right for at least 85% of all pairs', () => {
    const all = withVectors.get('all');
    assert.ok(all);
    assert.ok(all.overall / all.pairs >= 0.85, pct(all.overall, all.pairs));
  });

  for (const d of QUALITY_DIMENSIONS) {
    test(`${d}: the dimension orders at least 80% of its pairs`, () => {
      const t = withVectors.get(d);
      assert.ok(t);
      assert.ok(t.dimension / t.pairs >= 0.8, pct(t.dimension, t.pairs));
    });
  }
});
