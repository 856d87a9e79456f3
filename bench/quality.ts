/*
 * Quality bench: word-vector load time and assessQuality latency on a ~2 KB response.
 * Prints figures only (targets from the issue: load < 300 ms, p50 < 5 ms); asserts nothing.
 *   node --import tsx bench/quality.ts
 * The word-vector table is built into node_modules/.cache/prompt-lab/ first if missing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage } from '../src/core/prompt/types';
import { assessQuality, configureWordVectors, decodeWordVectors, localVectors, WordVectorEmbedder } from '../src/core/quality';
import { lemma } from '../src/core/quality/textTokens';
import { quantile, ROOT } from './util';

const VECTORS = path.join(ROOT, 'node_modules', '.cache', 'prompt-lab', 'word-vectors.bin');
const RUNS = 500;
const WARMUP = 30;

const PROMPT: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful support assistant for Acme Cloud. Be concise and polite.' },
  { role: 'user', content: 'Our nightly backup job keeps failing with a timeout. Give me 5 things to check, explain how to raise the timeout, and keep it under 400 words.' },
];

const RESPONSE = [
  'Here are five things to check when the nightly backup job times out:',
  '',
  '1. **Data volume.** Compare the size of last night\'s backup with a week ago. A sudden jump (a new log table, uploaded media) is the most common cause.',
  '2. **Network throughput.** Run a transfer test between the database host and the backup target during the backup window; shared links are often saturated by other nightly jobs.',
  '3. **Locks and long transactions.** A long-running report or migration can block the snapshot. Look for sessions older than an hour when the job starts.',
  '4. **Storage health.** Check free space and I/O latency on the backup volume. A nearly full disk slows writes dramatically before it fails outright.',
  '5. **Schedule overlap.** Make sure the backup does not start while index maintenance or the analytics export is still running.',
  '',
  'To raise the timeout, open Settings > Backups > Advanced and set "Job timeout" to a value that covers your largest recent run plus a margin, for example 90 minutes instead of 45. If you use the CLI, run `acme backup config set --timeout 90m` and confirm with `acme backup config get`.',
  '',
  'Why timeouts creep up: backup duration grows with the data, but the timeout was set once, when the database was small. Most teams first notice it months later, when a busy week pushes the job past the limit for the first time. Keeping an eye on the job duration trend in the Backups dashboard gives you a warning well before that happens, and an alert at 80% of the timeout is a cheap safety net.',
  '',
  'A longer timeout only hides the symptom if the data keeps growing, so also consider incremental backups: they copy only changed blocks and usually finish in a fraction of the time. If the job still fails after these checks, send us the job id and the time it failed, and we will look at the server-side logs with you. We keep those logs for 30 days, so the sooner you send the details, the more we can see.',
  '',
  'Finally, test a restore now and then: a backup that finishes on time but cannot be restored is worse than a slow one. A quarterly restore drill into a scratch database takes an hour and tells you the real recovery time.',
].join('\n');

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const out = fn();
  return [out, performance.now() - t];
}

function main(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'buildWordVectors.mjs'), VECTORS], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const sizeMB = fs.statSync(VECTORS).size / 1048576;

  // Load = read + decode + the embedder's common direction; each decode is fresh (not cached).
  const loads: number[] = [];
  for (let i = 0; i < 15; i++) loads.push(time(() => new WordVectorEmbedder(decodeWordVectors(fs.readFileSync(VECTORS), VECTORS)))[1]);
  const [, lemmatizerMs] = time(() => lemma('running'));
  configureWordVectors(VECTORS);
  const [, firstLoadMs] = time(() => localVectors());

  const input = { prompt: PROMPT, response: RESPONSE, expected: null, finishReason: 'stop' };
  const [, firstCallMs] = time(() => assessQuality(input));
  for (let i = 0; i < WARMUP; i++) assessQuality(input);
  const plain: number[] = [];
  for (let i = 0; i < RUNS; i++) plain.push(time(() => assessQuality(input))[1]);
  const withRef = { ...input, expected: RESPONSE.slice(0, 900) };
  for (let i = 0; i < WARMUP; i++) assessQuality(withRef);
  const ref: number[] = [];
  for (let i = 0; i < RUNS; i++) ref.push(time(() => assessQuality(withRef))[1]);

  const rows: Array<[string, string, string]> = [
    ['word-vectors.bin size', `${sizeMB.toFixed(2)} MB`, 'a few MB'],
    ['word-vector load (read + decode + embedder), p50 of 15', `${fmt(quantile(loads, 0.5))} ms`, '< 300 ms'],
    ['word-vector load, first in process (localVectors())', `${fmt(firstLoadMs)} ms`, '< 300 ms'],
    ['wink-lemmatizer first use (one-off, lazy)', `${fmt(lemmatizerMs)} ms`, '—'],
    ['assessQuality first call (warms caches)', `${fmt(firstCallMs)} ms`, '—'],
    [`assessQuality p50, ${Buffer.byteLength(RESPONSE)} B response, no reference (${RUNS} runs)`, `${fmt(quantile(plain, 0.5))} ms`, '< 5 ms'],
    ['assessQuality p95, no reference', `${fmt(quantile(plain, 0.95))} ms`, '—'],
    [`assessQuality p50, with a ${Buffer.byteLength(withRef.expected)} B reference`, `${fmt(quantile(ref, 0.5))} ms`, '< 5 ms'],
    ['assessQuality p95, with a reference', `${fmt(quantile(ref, 0.95))} ms`, '—'],
  ];
  console.log('| metric | value | target |\n| --- | --- | --- |');
  for (const [m, v, t] of rows) console.log(`| ${m} | ${v} | ${t} |`);
}

main();
