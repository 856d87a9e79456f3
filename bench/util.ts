import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Helpers shared by the bench entry points: timing, statistics, child processes, sizes. */

export const ROOT = path.resolve(__dirname, '..');
export const MB = 1024 * 1024;
const started = performance.now();

export function log(msg: string): void {
  process.stderr.write(`[bench +${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
}

export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** Peak resident set size of this process (VmHWM), MB; null off Linux. */
export function peakRssMB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Total size of the files directly in `dir` whose names pass `keep` (bytes). */
export function filesSize(dir: string, keep: (name: string) => boolean = () => true): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return { bytes, files }; }
  for (const f of names) {
    if (!keep(f)) continue;
    try {
      const st = fs.statSync(path.join(dir, f));
      if (st.isFile()) { bytes += st.size; files++; }
    } catch { /* gone meanwhile */ }
  }
  return { bytes, files };
}

/** Runs `node [flags] --import tsx bench/<script> ...args` and returns the JSON on its last stdout line. */
export function runProbe<T>(script: string, args: string[], nodeFlags: string[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(ROOT, 'bench', script), ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) { reject(new Error(`${script} exited with ${code}: ${last.slice(0, 500)}`)); return; }
      try { resolve(JSON.parse(last) as T); } catch { reject(new Error(`${script} printed no JSON result: ${last.slice(0, 500)}`)); }
    });
  });
}

/** Formats a number for the table: no exponent, sensible digits. */
export function fmt(x: number | null | undefined, digits?: number): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Linear extrapolation through (x1, y1), (x2, y2) to x. */
export function extrapolate(x1: number, y1: number, x2: number, y2: number, x: number): number {
  return y2 + ((y2 - y1) / (x2 - x1)) * (x - x2);
}
