import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import type { AnalyticsReport } from '../../src/core/analytics/types';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { sampleExecution, tempDir } from './helpers/fixtures';

const DAY = 86_400_000;
const UNTIL = Date.UTC(2026, 10, 20, 12, 30);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

/** 60 executions in the current week (90% success), 60 in the previous one (60% success). */
async function seeded(): Promise<string> {
  const dir = tempDir('pl-analytics-cli-');
  const s = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  for (let i = 0; i < 120; i++) {
    const current = i < 60;
    const t = UNTIL - (current ? 1 : 8) * DAY + (i % 60) * 60_000;
    s.record(sampleExecution(i, { success: current ? i % 10 !== 0 : i % 10 < 6, latencyMs: 100 + (i % 7) * 10, qualityScore: current ? 0.8 : 0.6, costUsd: 0.001, createdAt: new Date(t).toISOString() }));
  }
  await s.close();
  return dir;
}

describe('promptlab analytics', () => {
  it('prints the KPI table with deltas, tests and reasons', async () => {
    const db = await seeded();
    const r = await cli('analytics', '--db', db, '--until', new Date(UNTIL).toISOString());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Executions\s+60\s+60\s+→ 0\.0%\s+n\/a: no significance test for a total/);
    assert.match(r.out, /Success rate\s+90\.0%\s+60\.0%\s+↑ \+50\.0% better\s+p=\S+ \(two-proportion z\) significant/);
    assert.match(r.out, /Quality mean\s+0\.800\s+0\.600\s+↑ \+33\.3% better\s+n\/a: both groups have zero variance/, 'two constants: no Welch test from rounding noise');
    assert.match(r.out, /Cache hit rate\s+0\.0%\s+0\.0%\s+→ 0\s+n\/a: no cache hit in either window/);
    assert.match(r.out, /Latency p95 .* n\/a: no significance test for a percentile/);
    assert.match(r.out, /nearest-rank over a log histogram/);
    assert.ok(!r.out.includes('By model'), 'breakdowns only with --detailed');
  });

  it('--detailed, --json, --export and scope flags', async () => {
    const db = await seeded();
    const until = new Date(UNTIL).toISOString();
    const d = await cli('analytics', '--db', db, '--until', until, '--detailed', '--days', '2');
    assert.equal(d.code, 0, d.err);
    for (const w of ['By prompt', 'By model', 'gpt-4o-mini', 'By provider', 'By variant', '(none)', 'Series (hourly buckets, UTC)']) assert.ok(d.out.includes(w), w);
    const j = await cli('analytics', '--db', db, '--until', until, '--model', 'llama3', '--json');
    const rep = JSON.parse(j.out) as AnalyticsReport;
    assert.deepEqual(rep.scope, { model: 'llama3' });
    assert.equal(rep.current.executions, 30);
    assert.equal(rep.breakdowns, undefined, 'the summary only, without --detailed');
    const file = path.join(tempDir(), 'report.json');
    const e = await cli('analytics', '--db', db, '--until', until, '--export', file);
    assert.equal(e.code, 0);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as AnalyticsReport;
    assert.equal(exported.current.executions, 60);
    assert.ok(exported.breakdowns && exported.series, 'the exported report is the detailed one');
    assert.match(e.err, /report written to/);
  });

  for (const [args, reason] of [
    [['--days', 'seven'], /--days must be a number/],
    [['--until', 'soon'], /--until "soon" is not an ISO date/],
    [['--bogus'], /Unknown option '--bogus'/],
  ] as Array<[string[], RegExp]>) {
    it(`exits 2 with a one-line reason for: analytics ${args.join(' ')}`, async () => {
      const r = await cli('analytics', ...args, '--db', tempDir());
      assert.equal(r.code, 2);
      assert.match(r.err, reason);
      assert.equal(r.err.trim().split('\n').length, 1);
    });
  }

  it('is listed in the main help', async () => {
    const r = await cli('--help');
    assert.match(r.out, /analytics\s+KPIs of a time window/);
    assert.match(r.out, /--detailed/);
  });
});
