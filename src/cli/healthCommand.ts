import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ALERT_SETTINGS, describeAlert } from '../core/analytics/alertRules';
import type { HealthSettings } from '../core/analytics/health';
import { DEFAULT_INGESTION_BACKLOG_ROWS, runHealth } from '../core/analytics/health';
import type { HealthReport } from '../core/analytics/types';
import type { PromptLabStore } from '../core/store/localStore';
import { COMMON_OPTIONS, UsageError, failureExit } from './cliCommon';

export const HEALTH_HELP = `health                    Run the health checks against the database: writable, size,
                            journal backlog, last compaction, one probe write, ingestion,
                            analytics cache, providers seen in the window; then the alert
                            rules (error rate > 5%, p95 > 5,000 ms, quality < 0.7 over the
                            last 60 min with at least 20 executions; DB size > 300 MB).
                            Exit 0 healthy, 1 unhealthy (failing checks and alerts listed).
      --verbose             Every check with its metrics, and every alert rule
      --window-minutes N    Sliding window of the alert rules (default 60)
      --min-samples N       Executions needed before a rule may fire (default 20)
      --timeout S           Seconds each check may take (default 60: the first analytics
                            query after an import may fold many executions into rollups)`;

export interface HealthEnv { defaultDbDir: string; openStore: (dir: string) => Promise<PromptLabStore> }


const CLI_CHECK_TIMEOUT_MS = 60_000;

/** `promptlab health [--verbose] [--json]`. Exit codes: 0 healthy, 1 unhealthy, 2 usage. */
export async function healthMain(argv: string[], env: HealthEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let store: PromptLabStore | undefined;
  let json = false;
  try {
    const { values: o, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        ...COMMON_OPTIONS,
        verbose: { type: 'boolean', short: 'v', default: false }, 'window-minutes': { type: 'string' }, 'min-samples': { type: 'string' }, timeout: { type: 'string' },
      },
    });
    json = o.json === true;
    if (o.help) { out.write(`  ${HEALTH_HELP}\n`); return 0; }
    if (positionals.length) throw new UsageError(`health takes no arguments (got "${positionals[0]}")`);
    const int = (flag: string, v: string | undefined, min: number, max: number, dflt: number) => {
      if (v === undefined) return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}`);
      return n;
    };
    const settings: HealthSettings = {
      ...DEFAULT_ALERT_SETTINGS,
      windowMinutes: int('window-minutes', o['window-minutes'], 1, 10_080, DEFAULT_ALERT_SETTINGS.windowMinutes),
      minSamples: int('min-samples', o['min-samples'], 1, 1_000_000, DEFAULT_ALERT_SETTINGS.minSamples),
      // One-shot: waiting longer than the extension's scheduled checks do is better than a false "timed out".
      checkTimeoutMs: int('timeout', o.timeout, 1, 3600, CLI_CHECK_TIMEOUT_MS / 1000) * 1000, ingestionBacklogRows: DEFAULT_INGESTION_BACKLOG_ROWS,
    };
    const dir = path.resolve(o.db ?? process.env.PROMPTLAB_DB ?? env.defaultDbDir);
    let report: HealthReport;
    try {
      store = await env.openStore(dir);
    } catch (e) {
      // A database that cannot open is the unhealthiest answer, not a crash.
      report = { healthy: false, checks: [{ name: 'database', healthy: false, details: `cannot open the database in ${dir}: ${(e as Error).message}`, metrics: { writable: null }, severity: 'high' }], alerts: [], generatedAt: Date.now(), windowMinutes: settings.windowMinutes };
      print(report, o.verbose === true, json, dir, out);
      return 1;
    }
    // A fresh process has made no provider calls and recorded nothing: breakers are "not
    // available" and the write latency is one timed probe write.
    ({ report } = await runHealth({ store, dir, breakers: () => null, writeLatency: null }, settings, []));
    print(report, o.verbose === true, json, dir, out);
    return report.healthy ? 0 : 1;
  } catch (e) {
    return failureExit(e, 'health', err);
  } finally {
    await store?.close();
  }
}

function print(report: HealthReport, verbose: boolean, json: boolean, dir: string, out: NodeJS.WritableStream): void {
  if (json) { out.write(JSON.stringify({ dir, ...report }) + '\n'); return; }
  const lines: string[] = [];
  const failing = report.checks.filter((c) => !c.healthy);
  const firing = report.alerts.filter((a) => a.firing);
  // Info-level findings are listed but do not make the database unhealthy (see runHealth).
  const notices = failing.filter((c) => c.severity === 'info').length + firing.filter((a) => a.severity === 'info').length;
  const serious = (xs: Array<{ severity?: string }>) => xs.filter((x) => x.severity !== 'info').length;
  lines.push(`${report.healthy ? 'HEALTHY' : 'UNHEALTHY'}: ${serious(failing)} of ${report.checks.length} check(s) failing, ${serious(firing)} alert(s) firing${notices ? `, ${notices} notice(s)` : ''} (${dir})`);
  const checks = verbose ? report.checks : failing;
  if (checks.length) lines.push('', 'Checks:');
  for (const c of checks) {
    lines.push(`  ${c.healthy ? 'ok  ' : c.severity === 'info' ? 'NOTE' : 'FAIL'} ${c.name}${c.healthy ? '' : ` [${c.severity ?? 'high'}]`}: ${c.details}`);
    if (verbose) for (const [k, v] of Object.entries(c.metrics)) lines.push(`         ${k}: ${v === null ? 'n/a' : String(v)}`);
  }
  const alerts = verbose ? report.alerts : firing;
  if (alerts.length) lines.push('', 'Alerts:');
  for (const a of alerts) lines.push(`  ${a.firing ? (a.severity === 'info' ? 'NOTE  ' : 'FIRING') : 'ok    '} [${a.severity}] ${describeAlert(a, report.windowMinutes)}`);
  if (!verbose && !failing.length && !firing.length) lines.push(`All checks pass (${report.checks.map((c) => c.name).join(', ')}); no alert is firing. --verbose shows the figures.`);
  out.write(lines.join('\n') + '\n');
}
