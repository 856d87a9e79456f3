import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Tracker, standardTags } from '../../src/core/runner/track';
import { Sanitizer } from '../../src/core/sanitize';
import type { ExecutionInput, ExecutionRecord } from '../../src/core/store';
import { LocalStore, WorkerStore, prepareRecord } from '../../src/core/store';
import { tempDir } from './helpers/fixtures';

const sanitizer = new Sanitizer();
function memorySink() {
  const rows: ExecutionRecord[] = [];
  return { rows, record: (i: ExecutionInput) => { const r = prepareRecord(i, sanitizer); rows.push(r); return r; } };
}
const defaults = { userId: 'u1', sessionId: 's1', environment: 'Test Env' };
let t = 1_700_000_000_000;
const clock = { now: () => t, hr: () => t };

describe('track()', () => {
  it('records a success with latency, standard metadata and standard tags', async () => {
    const sink = memorySink();
    const tracker = new Tracker(sink, defaults, clock);
    const out = await tracker.track({ promptId: 'greet', promptText: 'Hi', model: 'GPT 4o', promptVersion: 'v2.1', experimentId: 'E7', domain: 'Support', task: 'summarise', segment: 'EU', tags: ['Custom Tag'] }, async (ex) => {
      t += 42;
      ex.responseText = 'Hello';
      ex.tokensIn = 3;
      return 'result';
    });
    assert.equal(out, 'result');
    const r = sink.rows[0]!;
    assert.equal(r.success, true);
    assert.equal(r.latencyMs, 42);
    assert.equal(r.responseText, 'Hello');
    assert.deepEqual(r.tags, ['domain-support', 'task-summarise', 'model-gpt-4o', 'env-test-env', 'exp-e7', 'v2.1', 'segment-eu', 'custom-tag']);
    assert.deepEqual({ ...r.metadata }, { user_id: 'u1', session_id: 's1', experiment: 'E7', version: 'v2.1', environment: 'Test Env', timestamp: new Date(1_700_000_000_000).toISOString() });
    assert.equal(r.createdAt, new Date(1_700_000_000_000).toISOString());
  });

  it('records a throw with error type and the first 200 characters, then rethrows', async () => {
    const sink = memorySink();
    const tracker = new Tracker(sink, defaults, clock);
    class ProviderTimeout extends Error { override name = 'ProviderTimeout'; }
    const long = 'x'.repeat(500);
    await assert.rejects(tracker.track({ promptId: 'p', promptText: 'q' }, async () => { throw new ProviderTimeout(long); }), ProviderTimeout);
    const r = sink.rows[0]!;
    assert.equal(r.success, false);
    assert.equal(r.errorType, 'ProviderTimeout');
    assert.equal(r.errorMessage!.length, 200);
    await assert.rejects(tracker.track({ promptId: 'p', promptText: 'q' }, () => { throw 'plain string'; }));
    assert.equal(sink.rows[1]!.errorType, 'string');
  });

  it('records a failure reported as data (no throw) as failed', async () => {
    const sink = memorySink();
    await new Tracker(sink, defaults, clock).track({ promptId: 'p', promptText: 'q' }, (ex) => { ex.failure = { type: 'rate_limit', message: '429 Too Many Requests' }; });
    assert.equal(sink.rows[0]!.success, false);
    assert.equal(sink.rows[0]!.errorType, 'rate_limit');
  });

  it('sanitizes secrets in an error message before it is stored', async () => {
    const sink = memorySink();
    const key = 'sk-' + 'ant-' + 'api03-' + 'Zz9'.repeat(15);
    await assert.rejects(new Tracker(sink, defaults, clock).track({ promptId: 'p', promptText: 'q' }, () => { throw new Error(`401 for key ${key}`); }));
    assert.ok(!sink.rows[0]!.errorMessage!.includes(key));
    assert.match(sink.rows[0]!.errorMessage!, /\[SECRET_REDACTED\]/);
  });

  it('builds only the standard tags it has values for', () => {
    assert.deepEqual(standardTags({ promptId: 'p', promptText: '' }, 'prod'), ['env-prod']);
  });

  it('works end to end through the worker-thread store (journal here, database in the worker)', async () => {
    const dir = tempDir();
    const store = await WorkerStore.open({ dir, sanitizer, workerScript: path.join(__dirname, 'helpers/storeWorkerBoot.cjs'), pollMs: 50 });
    const tracker = new Tracker(store, defaults);
    for (let i = 0; i < 20; i++) await tracker.track({ promptId: 'w', promptText: `prompt ${i}` }, (ex) => { ex.responseText = `answer ${i}`; });
    const page = await store.history({ limit: 100 });
    assert.equal(page.rows.length, 20);
    const d = await store.getExecution(page.rows[0]!.id);
    assert.equal(d!.responseText, 'answer 19');
    await store.close();
    const again = await LocalStore.open({ dir, sanitizer });
    assert.equal((await again.stats()).executions, 20, 'worker compacted on close');
    await again.close();
  });
});
