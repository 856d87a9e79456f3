import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
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
