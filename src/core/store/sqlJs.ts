import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import initSqlJs from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;
let wasmDirectory: string | undefined;

/**
 * Where sql-wasm.wasm sits. The build copies it next to the bundles (dist/); unit tests
 * and benches run from source and use the package's own copy. Never fetched from a network.
 */
export function setSqlWasmDirectory(dir: string): void {
  wasmDirectory = dir;
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    // Bundled: the wasm sits next to the bundle. From source: the package's own copy.
    const dir = wasmDirectory
      ?? (fs.existsSync(path.join(__dirname, 'sql-wasm.wasm')) ? __dirname : path.dirname(createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm')));
    loading = initSqlJs({ locateFile: (file: string) => path.join(dir, file) });
  }
  return loading;
}

/** Runs `fn` with a prepared statement and always frees it (an unfreed statement leaks WASM heap for good). */
export function withStatement<T>(db: Database, sql: string, fn: (st: Statement) => T): T {
  const st = db.prepare(sql);
  try { return fn(st); } finally { st.free(); }
}

/** Column value as string / number, SQL NULL as null. */
export const sqlString = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
export const sqlNumber = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
