/*
 * A TypeScript child process for crash tests (run with tsx), reading its stdout line by line:
 * "ready", "ack <id>" (an acknowledged execution), "done <json>", "error <message>".
 */
import { spawn } from 'node:child_process';

export interface Child {
  readonly pid: number;
  readonly acked: Set<string>;
  readonly lines: string[];
  /** Resolves at "ready" (or when the child exits first). */
  readonly ready: Promise<void>;
  /** Resolves when the child has exited, with its exit code and signal. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
  /** The JSON after "done ", once printed. */
  result: unknown;
  kill(): void;
}

export function startChild(script: string, args: readonly string[], env: Record<string, string> = {}): Child {
  const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const child: Child = {
    pid: p.pid ?? -1,
    acked: new Set<string>(),
    lines: [],
    ready,
    exited: false,
    result: undefined,
    done: new Promise((resolve) => p.on('close', (code, signal) => { child.exited = true; onReady(); resolve({ code, signal }); })),
    kill: () => { if (!child.exited) p.kill('SIGKILL'); },
  };
  let buf = '';
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      child.lines.push(l);
      if (l === 'ready') onReady();
      else if (l.startsWith('ack ')) child.acked.add(l.slice(4));
      else if (l.startsWith('done ')) child.result = JSON.parse(l.slice(5)) as unknown;
    }
  });
  return child;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it holds or `timeoutMs` passes; true when it held. */
export async function until(cond: () => boolean, timeoutMs: number, everyMs = 2): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(everyMs);
  }
  return cond();
}
