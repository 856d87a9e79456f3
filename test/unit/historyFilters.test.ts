import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionInput, HistoryFilter, LocalStore } from '../../src/core/store';
import { LocalStore as Store } from '../../src/core/store';
import { PAGE_SIZE } from '../../src/shared/historyProtocol';
import type { HistoryPageData } from '../../src/shared/historyProtocol';
import { MAX_PAGES, PagedRows } from '../../webview/history/pagedRows';
import { tempDir } from './helpers/fixtures';

/*
 * The history panel's filters and the Recent Runs query, each checked against a brute-force
 * evaluation of the same predicate over the inputs (pages walked by keyset cursor).
 */

/** Small deterministic PRNG so a failure is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = mulberry32(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const T0 = Date.UTC(2026, 9, 1);
const N = 900;

const inputs: ExecutionInput[] = [];
for (let i = 0; i < N; i++) {
  const cached = rnd() < 0.25;
  const scored = rnd() < 0.8;
  // Some rows share a timestamp, so the (created_at, seq) tie-break is exercised.
  const createdAt = new Date(T0 + Math.floor(i / 3) * 60_000).toISOString();
  inputs.push({
    id: `h-${i}`,
    promptId: pick(['alpha', 'beta', 'gamma']),
    promptVersion: pick(['v-aaa', 'v-bbb', null]),
    variant: pick(['control', 'terse', null]),
    experimentId: pick(['exp-1', 'exp-2', null]),
    runId: `run-${Math.floor(i / 50)}`,
    provider: pick(['openai', 'anthropic']),
    model: pick(['m-small', 'm-large']),
    success: rnd() < 0.85,
    qualityScore: scored ? Math.round(rnd() * 1000) / 1000 : null,
    tags: [...(cached ? ['cache-hit'] : []), pick(['task-a', 'task-b'])],
    promptText: `prompt ${i} ${pick(['apples', 'pears'])}`,
    responseText: `response ${i} ${pick(['red', 'green'])}`,
    createdAt,
  });
}

interface Case { name: string; filter: HistoryFilter; match: (x: ExecutionInput) => boolean }
const t = (x: ExecutionInput) => Date.parse(x.createdAt);
const q = (x: ExecutionInput) => x.qualityScore ?? null;
const cases: Case[] = [
  { name: 'prompt version', filter: { promptVersion: 'v-aaa' }, match: (x) => x.promptVersion === 'v-aaa' },
  { name: 'quality min', filter: { qualityMin: 0.5 }, match: (x) => q(x) !== null && q(x)! >= 0.5 },
  { name: 'quality max', filter: { qualityMax: 0.3 }, match: (x) => q(x) !== null && q(x)! <= 0.3 },
  { name: 'quality range', filter: { qualityMin: 0.25, qualityMax: 0.75 }, match: (x) => q(x) !== null && q(x)! >= 0.25 && q(x)! <= 0.75 },
  { name: 'cache hit', filter: { cacheHit: true }, match: (x) => x.tags!.includes('cache-hit') },
  { name: 'not a cache hit', filter: { cacheHit: false }, match: (x) => !x.tags!.includes('cache-hit') },
  { name: 'date range', filter: { since: T0 + 60 * 60_000, until: T0 + 120 * 60_000 }, match: (x) => t(x) >= T0 + 60 * 60_000 && t(x) < T0 + 120 * 60_000 },
  { name: 'variant + experiment', filter: { variant: 'terse', experimentId: 'exp-2' }, match: (x) => x.variant === 'terse' && x.experimentId === 'exp-2' },
  { name: 'run', filter: { runId: 'run-3' }, match: (x) => x.runId === 'run-3' },
  { name: 'provider + model + success', filter: { provider: 'anthropic', model: 'm-large', success: false }, match: (x) => x.provider === 'anthropic' && x.model === 'm-large' && !x.success },
  { name: 'everything new at once', filter: { promptId: 'beta', promptVersion: 'v-bbb', qualityMin: 0.1, qualityMax: 0.9, cacheHit: false, tag: 'task-a' },
    match: (x) => x.promptId === 'beta' && x.promptVersion === 'v-bbb' && q(x) !== null && q(x)! >= 0.1 && q(x)! <= 0.9 && !x.tags!.includes('cache-hit') && x.tags!.includes('task-a') },
  { name: 'search + cache hit', filter: { search: 'pears', cacheHit: true }, match: (x) => x.promptText!.includes('pears') && x.tags!.includes('cache-hit') },
];

/** Expected order: newest first, ties by insertion order reversed (seq DESC). */
function expected(match: (x: ExecutionInput) => boolean): string[] {
  return inputs.map((x, i) => ({ x, i })).filter(({ x }) => match(x)).sort((a, b) => t(b.x) - t(a.x) || b.i - a.i).map(({ x }) => x.id!);
}

async function all(store: LocalStore, filter: HistoryFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let page = await store.history({ ...filter, limit });
  ids.push(...page.rows.map((r) => r.id));
  while (page.next) {
    page = await store.history({ ...filter, limit, after: page.next });
    ids.push(...page.rows.map((r) => r.id));
  }
  return ids;
}

describe('history filters and recent runs', () => {
  let store: LocalStore;
  before(async () => {
    store = await Store.open({ dir: tempDir('pl-hist-'), sanitizer: new Sanitizer() });
    for (const x of inputs) store.record(x);
    // Most rows through FTS4, the tail through the pending LIKE path: compact, then add none.
    await store.compact();
  });
  after(async () => { await store.close(); });

  for (const c of cases) {
    it(`${c.name}: keyset pages equal brute force`, async () => {
      const want = expected(c.match);
      assert.ok(want.length > 0 && want.length < N, `the case should select some but not all rows (${want.length})`);
      assert.deepEqual(await all(store, c.filter, 37), want);
    });
  }

  it('recentRuns counts every execution of each run, newest run first', async () => {
    const runs = await store.recentRuns(5);
    const byRun = new Map<string, ExecutionInput[]>();
    for (const x of inputs) byRun.set(x.runId!, [...(byRun.get(x.runId!) ?? []), x]);
    const newest = [...byRun.entries()].sort((a, b) => Math.max(...b[1].map(t)) - Math.max(...a[1].map(t))).slice(0, 5);
    assert.deepEqual(runs.map((r) => r.runId), newest.map(([id]) => id));
    for (const r of runs) {
      const xs = byRun.get(r.runId)!;
      assert.equal(r.total, xs.length);
      assert.equal(r.succeeded, xs.filter((x) => x.success).length);
      assert.equal(r.failed, xs.filter((x) => !x.success).length);
      assert.equal(r.startedAt, Math.min(...xs.map(t)));
      assert.equal(r.finishedAt, Math.max(...xs.map(t)));
      assert.ok(xs.some((x) => x.promptId === r.promptId));
    }
  });

  it('recentRuns ignores executions without a run id and honours the limit', async () => {
    store.record({ ...inputs[0]!, id: 'no-run', runId: null, createdAt: new Date(T0 + 10 * 86400_000).toISOString() });
    const runs = await store.recentRuns(2);
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r) => r.runId !== 'null'));
    assert.equal(runs[0]!.runId, `run-${Math.floor((N - 1) / 50)}`);
  });

  it('the webview\'s page cache walks every row by cursor, holds at most MAX_PAGES pages and refetches evicted ones', async () => {
    const big = await Store.open({ dir: tempDir('pl-pages-'), sanitizer: new Sanitizer() });
    const n = PAGE_SIZE * (MAX_PAGES + 5) + 17;
    for (let i = 0; i < n; i++) big.record({ id: `p-${i}`, promptId: 'p', success: true, createdAt: new Date(T0 + i * 1000).toISOString() });
    let fetches = 0;
    const afters: Array<string | null> = [];
    const rows = new PagedRows(async (after) => {
      fetches++;
      afters.push(after ? `${after.createdAt}/${after.seq}` : null);
      const page = await big.history({ limit: PAGE_SIZE, ...(after ? { after } : {}) });
      // Store summaries carry every HistoryRow field (and more): the cache only reads ids here.
      return { rows: page.rows, next: page.next, total: n } as unknown as HistoryPageData;
    }, () => undefined);
    // Scroll to the bottom one screen at a time, as the table does.
    for (let at = 0; !rows.ended; at += 40) { rows.ensure(at, at + 40); await rows.idle(); }
    assert.equal(rows.count, n);
    assert.ok(rows.heldPages <= MAX_PAGES, `${rows.heldPages} pages held`);
    assert.equal(fetches, Math.ceil(n / PAGE_SIZE), 'each page fetched once on the way down');
    assert.equal(rows.row(n - 1)?.id, 'p-0', 'the oldest row is last');
    assert.equal(rows.row(0), undefined, 'the first page was evicted');
    // Back to the top: the first page comes again by its (null) cursor, with the same rows.
    rows.ensure(0, 40);
    await rows.idle();
    assert.equal(afters[afters.length - 1], null);
    assert.equal(rows.row(0)?.id, `p-${n - 1}`);
    assert.equal(rows.row(PAGE_SIZE - 1)?.id, `p-${n - PAGE_SIZE}`);
    assert.ok(rows.heldPages <= MAX_PAGES);
    await big.close();
  });
});
