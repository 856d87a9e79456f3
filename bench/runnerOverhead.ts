/*
 * Runner overhead: the full path of one execution (runner → provider → SSE parse →
 * track() → sanitize → journal, engine in a worker thread) against a server that answers
 * instantly, compared in the same run with plain fetch calls that read the same stream.
 * Figures only; nothing here asserts on time.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProvider } from '../src/core/providers';
import { CircuitBreaker } from '../src/core/runner/circuitBreaker';
import { ConcurrencyLimiter } from '../src/core/runner/limiter';
import { runPrompt } from '../src/core/runner/runPrompt';
import { Tracker } from '../src/core/runner/track';
import type { RunCase } from '../src/core/runner/types';
import { Sanitizer } from '../src/core/sanitize';
import { WorkerStore } from '../src/core/store/workerStore';

const N = Number(process.env.RUNNER_BENCH_N ?? 1000);
const messages = [{ role: 'system' as const, content: 'You are terse.' }, { role: 'user' as const, content: 'Say hello to the world in two words.' }];

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'instantServer.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}/v1`, stop: () => child.kill() };
}

async function plainFetch(url: string, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < N) {
      next++;
      const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'bench', messages, stream: true, stream_options: { include_usage: true } }) });
      const text = await res.text();
      // Same work a client must do at minimum: split events and parse each JSON chunk.
      for (const line of text.split('\n')) if (line.startsWith('data: {')) JSON.parse(line.slice(6));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - t0;
}

/** A sink that keeps nothing: isolates the runner's own cost from persistence. */
const nullSink = { record: (input: Parameters<WorkerStore['record']>[0]) => input as ReturnType<WorkerStore['record']> };

async function viaRunner(url: string, concurrency: number, store: Pick<WorkerStore, 'record'>): Promise<number> {
  const profile = { id: 'bench', kind: 'openai-compatible' as const, baseUrl: url };
  const cases: RunCase[] = Array.from({ length: N }, (_, i) => ({ caseId: String(i), label: String(i), testCaseId: null, variant: null, messages, model: 'bench', parameters: {}, variables: {}, expected: null, repeat: 1 }));
  const tracker = new Tracker(store, { userId: 'bench', sessionId: 'bench', environment: 'bench' });
  const t0 = performance.now();
  const s = await runPrompt({ promptId: 'bench', promptVersion: 'v', cases, provider: createProvider(profile, undefined), profile, tracker,
    limiter: new ConcurrencyLimiter({ maxConcurrency: concurrency }), breaker: new CircuitBreaker({ providerId: 'bench' }), maxPending: concurrency * 2, onEvent: () => {} });
  const ms = performance.now() - t0;
  if (s.succeeded !== N) throw new Error(`runner: ${s.succeeded}/${N} succeeded`);
  return ms;
}

void (async () => {
  const server = await startServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-runner-'));
  const store = await WorkerStore.open({ dir, sanitizer: new Sanitizer(), workerScript: path.join(__dirname, '../dist/storeWorker.js'), wasmDir: path.join(__dirname, '../dist'), pollMs: 1000 });
  try {
    await plainFetch(server.url, 4); // warm up connections and JIT
    await viaRunner(server.url, 4, store);
    console.log(`\n## Runner overhead (${N} executions × ${process.env.RUNNER_BENCH_ROUNDS ?? 4} rounds per row, server answers instantly in another process)\n`);
    console.log('| concurrency | plain fetch µs/exec | runner, no persistence µs/exec | overhead | runner + store µs/exec | overhead | plain fetch exec/s | runner + store exec/s | target (< 10% at 16) |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    // Rounds alternate plain fetch and the runner so that warm-up, GC and the machine's other
    // load fall on both alike; the first round of each concurrency is discarded.
    const ROUNDS = Number(process.env.RUNNER_BENCH_ROUNDS ?? 4);
    for (const c of [1, 4, 16]) {
      let base = 0, bare = 0, run = 0;
      for (let r = 0; r <= ROUNDS; r++) {
        const b = await plainFetch(server.url, c);
        const y = await viaRunner(server.url, c, nullSink);
        const x = await viaRunner(server.url, c, store);
        if (r > 0) { base += b; bare += y; run += x; }
      }
      const n = N * ROUNDS;
      const us = (ms: number) => ((ms * 1000) / n).toFixed(0);
      const pct = (ms: number) => `${((ms / base - 1) * 100).toFixed(0)}%`;
      const verdict = c === 16 ? `runner ${bare / base - 1 < 0.1 ? 'meets' : 'misses'}; with store ${run / base - 1 < 0.1 ? 'meets' : 'misses'}` : '—';
      console.log(`| ${c} | ${us(base)} | ${us(bare)} | ${pct(bare)} | ${us(run)} | ${pct(run)} | ${((n * 1000) / base).toFixed(0)} | ${((n * 1000) / run).toFixed(0)} | ${verdict} |`);
    }
    console.log('\n"runner, no persistence": limiter, breaker, retry bookkeeping, the provider\'s SSE parsing, track() into a sink that keeps nothing. "runner + store": the same plus validating, sanitizing and journalling each record on this thread and the sql.js insert in the store worker; on this 2-core machine the worker, this thread and the server process share two cores, so persistence shows up as overhead here, while against a real provider (hundreds of ms per call) it is invisible.');
  } finally {
    await store.close();
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();
