/*
 * Raw sql.js ceiling, in a fresh process: the same rows (read from the bench's JSONL file),
 * full text in the row, in the reference's schema (shared/reference/sqljs-measurements/
 * common.js), batched INSERT in transactions of 1000 with page_size 16384, after a 1000-row
 * warm-up in a throwaway database (as the reference's bench-insert.js does). Only the
 * BEGIN..COMMIT blocks are timed, not reading or parsing the file.
 * With `query`, then times the panel's "latest 100" queries on that table with indexes.
 *
 * Usage: node --import tsx bench/rawProbe.ts <rows.jsonl> <n> [query]
 * Prints one JSON line.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Database, SqlValue } from 'sql.js';
import type { ExecutionRecord } from '../src/core/store/executionRecord';
import { loadSqlJs } from '../src/core/store/sqlJs';
import { RAW_COLS, toRawParams } from './rows';
import { median } from './util';

const SCHEMA = `CREATE TABLE executions (id TEXT PRIMARY KEY, prompt_id TEXT NOT NULL, prompt_version INTEGER NOT NULL,
  variant TEXT, provider TEXT NOT NULL, model TEXT NOT NULL, model_config TEXT, prompt_text TEXT, response_text TEXT,
  tokens_in INTEGER, tokens_out INTEGER, latency_ms INTEGER, success INTEGER NOT NULL, error TEXT, quality_score REAL,
  scores TEXT, tags TEXT, metadata TEXT, created_at INTEGER NOT NULL);
  CREATE INDEX idx_exec_created ON executions(created_at);
  CREATE INDEX idx_exec_prompt_created ON executions(prompt_id, created_at);`;
const INSERT = `INSERT INTO executions (${RAW_COLS.join(',')}) VALUES (${RAW_COLS.map(() => '?').join(',')})`;
const BATCH = 1000;

async function* batches(file: string, n: number): AsyncGenerator<SqlValue[][]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let batch: SqlValue[][] = [];
  let read = 0;
  for await (const line of lines) {
    if (read >= n) break;
    read++;
    batch.push(toRawParams(JSON.parse(line) as ExecutionRecord));
    if (batch.length === BATCH) { yield batch; batch = []; }
  }
  lines.close();
  if (batch.length) yield batch;
}

function insertTimed(db: Database, rows: SqlValue[][]): number {
  const st = db.prepare(INSERT);
  try {
    const t0 = performance.now();
    db.run('BEGIN');
    for (const r of rows) st.run(r);
    db.run('COMMIT');
    return performance.now() - t0;
  } finally {
    st.free();
  }
}

async function main(): Promise<void> {
  const [file, nArg, mode] = process.argv.slice(2);
  if (!file || !nArg) throw new Error('usage: rawProbe.ts <rows.jsonl> <n> [query]');
  const n = Number(nArg);
  const SQL = await loadSqlJs();

  // Warm-up (JIT, WASM tier-up) in a throwaway database.
  const warm = new SQL.Database();
  warm.run('PRAGMA page_size = 16384');
  warm.exec(SCHEMA);
  for await (const b of batches(file, 1000)) insertTimed(warm, b);
  warm.close();

  const db = new SQL.Database();
  db.run('PRAGMA page_size = 16384');
  db.exec(SCHEMA);
  let insertMs = 0;
  let rows = 0;
  for await (const b of batches(file, n)) { insertMs += insertTimed(db, b); rows += b.length; }
  const pages = db.exec('PRAGMA page_count')[0]!.values[0]![0] as number;
  const result: Record<string, unknown> = { n: rows, insertMs, rowsPerSec: rows / (insertMs / 1000), dbMB: (pages * 16384) / 1048576 };

  if (mode === 'query') {
    db.exec('CREATE INDEX idx_exec_success_created ON executions(success, created_at)');
    const list = 'id, prompt_id, prompt_version, variant, provider, model, model_config, tokens_in, tokens_out, latency_ms, success, error, quality_score, scores, tags, metadata, created_at';
    const queries: Record<string, [string, SqlValue[]]> = {
      latestNoFilter: [`SELECT ${list} FROM executions ORDER BY created_at DESC LIMIT 100`, []],
      latestPromptId: [`SELECT ${list} FROM executions WHERE prompt_id = ? ORDER BY created_at DESC LIMIT 100`, ['prompt-3']],
      latestFailed: [`SELECT ${list} FROM executions WHERE success = 0 ORDER BY created_at DESC LIMIT 100`, []],
    };
    const q: Record<string, { ms: number; rows: number }> = {};
    for (const [name, [sql, params]] of Object.entries(queries)) {
      const run = () => {
        const st = db.prepare(sql);
        try {
          st.bind(params);
          let c = 0;
          while (st.step()) { st.get(); c++; }
          return c;
        } finally { st.free(); }
      };
      let got = run(); // warm-up
      const ts: number[] = [];
      for (let k = 0; k < 20; k++) { const t = performance.now(); got = run(); ts.push(performance.now() - t); }
      q[name] = { ms: median(ts), rows: got };
    }
    result.queries = q;
  }
  db.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
