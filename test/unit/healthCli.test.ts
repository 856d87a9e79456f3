import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { Sanitizer } from '../../src/core/sanitize';
import { LocalStore } from '../../src/core/store';
import { sampleExecution, tempDir } from './helpers/fixtures';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  const code = await main(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

/** A database with `n` executions in the last few minutes, `failed` of them failed. */
async function dbWith(n: number, failed: number): Promise<string> {
  const dir = tempDir('pl-health-');
  const store = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    store.record(sampleExecution(i, { provider: 'acme', success: i >= failed, errorType: i < failed ? 'server' : null, latencyMs: 200, createdAt: new Date(now - 60_000 - i * 1000).toISOString() }));
  }
  await store.close();
  return dir;
}

describe('promptlab health', () => {
  it('lists health in the help text', async () => {
    const r = await cli('--help');
    assert.match(r.out, /health {2,}Run the health checks/);
    assert.match(r.out, /--window-minutes N/);
  });

  it('exits 0 on a healthy database and says what it checked', async () => {
    const dir = await dbWith(30, 1); // 3.3% errors: under 5%
    const r = await cli('health', '--db', dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^HEALTHY: 0 of 4 check\(s\) failing, 0 alert\(s\) firing/);
    assert.match(r.out, /All checks pass \(database, ingestion, analytics-cache, provider:acme\)/);
    const v = await cli('health', '--db', dir, '--verbose');
    assert.equal(v.code, 0);
    assert.match(v.out, /ok {3}provider:acme: breaker: not available \(no provider calls in this process\); 3\.3% errors in the last 60 min \(1 of 30\)/);
    assert.match(v.out, /ok {5}\[high\] Error rate 3\.3% \(threshold > 5\.0%; n=30, last 60 min\)/);
    assert.match(v.out, /write latency [\d.]+ ms \(one probe write\)/);
    assert.match(v.out, /\[medium\] Write latency \(p95\) .*only 1 write\(s\) measured/);
  });

  it('exits 1 naming the error-rate alert when more than 5% failed with enough executions', async () => {
    const dir = await dbWith(25, 5); // 20% errors, 25 ≥ 20 executions
    const r = await cli('health', '--db', dir);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^UNHEALTHY: /);
    assert.match(r.out, /FIRING \[high\] Error rate 20\.0% \(threshold > 5\.0%; n=25, last 60 min\)/);
    assert.match(r.out, /FAIL provider:acme \[medium\]: .*20\.0% errors/);
    const j = await cli('health', '--db', dir, '--json');
    assert.equal(j.code, 1);
    const report = JSON.parse(j.out) as { healthy: boolean; alerts: Array<{ ruleId: string; firing: boolean; value: number; n: number }> };
    assert.equal(report.healthy, false);
    const e = report.alerts.find((a) => a.ruleId === 'error-rate')!;
    assert.deepEqual([e.firing, e.value, e.n], [true, 0.2, 25]);
  });

  it('stays quiet below the minimum sample size: three executions, one failed, exit 0', async () => {
    const dir = await dbWith(3, 1);
    const r = await cli('health', '--db', dir, '--verbose');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Error rate 33\.3% \(threshold > 5\.0%; n=3, last 60 min\): only 3 executions in the window \(minimum 20\)/);
    const strict = await cli('health', '--db', dir, '--min-samples', '3');
    assert.equal(strict.code, 1, 'with --min-samples 3 the same data fires');
  });

  for (const [args, reason] of [
    [['health', 'extra'], /health takes no arguments/],
    [['health', '--window-minutes', '0'], /--window-minutes must be an integer from 1 to 10080/],
    [['health', '--bogus'], /Unknown option '--bogus'/],
    [['health', '--timeout', '0'], /--timeout must be an integer from 1 to 3600/],
  ] as Array<[string[], RegExp]>) {
    it(`exits 2 for: ${args.join(' ')}`, async () => {
      const r = await cli(...args, '--db', tempDir());
      assert.equal(r.code, 2);
      assert.match(r.err, reason);
    });
  }
});
