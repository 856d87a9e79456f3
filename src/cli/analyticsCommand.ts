import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { AnalyticsQuery, AnalyticsReport, BreakdownRow, Delta, KpiName } from '../core/analytics/types';
import { formatCount, formatNumber, formatP } from '../core/stats/format';
import type { PromptLabStore } from '../core/store/localStore';
import { COMMON_OPTIONS, UsageError, failureExit } from './cliCommon';

export const ANALYTICS_HELP = `analytics                 KPIs of a time window against the previous window of the same
                            length: executions, success rate, mean and p95 latency, quality,
                            cost, cache hit rate; each change with its test (two-proportion z
                            for rates, Welch for means) or the reason there is none.
      --days N              Window length in days (default 7)
      --until ISO           End of the window (default: now)
      --prompt ID / --model M / --provider P / --variant V   Only these executions
      --detailed            Also breakdowns by prompt, model, provider, variant and the series
      --export FILE.json    Also write the full report as JSON to FILE.json`;

export interface AnalyticsEnv { defaultDbDir: string; openStore: (dir: string) => Promise<PromptLabStore> }


/** `promptlab analytics`. Exit codes: 0 ok, 1 failure, 2 usage. */
export async function analyticsMain(argv: string[], env: AnalyticsEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let store: PromptLabStore | undefined;
  try {
    const { values: o, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        ...COMMON_OPTIONS,
        days: { type: 'string' }, until: { type: 'string' }, prompt: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string' },
        variant: { type: 'string' }, detailed: { type: 'boolean', default: false }, export: { type: 'string' },
      },
    });
    if (o.help) { out.write(`  ${ANALYTICS_HELP}\n`); return 0; }
    if (positionals.length) throw new UsageError(`analytics takes no arguments (got "${positionals[0]}")`);
    const q: AnalyticsQuery = {};
    if (o.days !== undefined) {
      const d = Number(o.days);
      if (o.days.trim() === '' || !Number.isFinite(d) || d <= 0 || d > 3650) throw new UsageError(`--days must be a number of days from above 0 to 3650 (got "${o.days}")`);
      q.days = d;
    }
    if (o.until !== undefined) {
      const t = Date.parse(o.until);
      if (Number.isNaN(t)) throw new UsageError(`--until "${o.until}" is not an ISO date/time`);
      q.until = t;
    }
    if (o.prompt !== undefined) q.promptId = o.prompt;
    if (o.model !== undefined) q.model = o.model;
    if (o.provider !== undefined) q.provider = o.provider;
    if (o.variant !== undefined) q.variant = o.variant;
    if (o.export !== undefined && !o.export.trim()) throw new UsageError('--export needs a file name');
    const detailed = o.detailed === true || o.export !== undefined;
    if (!detailed) { q.breakdowns = false; q.series = false; }
    const dir = path.resolve(o.db ?? process.env.PROMPTLAB_DB ?? env.defaultDbDir);
    store = await env.openStore(dir);
    const report = await store.analytics(q);
    if (o.export !== undefined) {
      // Temp name + rename: an interrupted write never leaves a half report under FILE.
      const file = path.resolve(o.export);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
      fs.renameSync(tmp, file);
      if (!o.json) err.write(`promptlab: report written to ${file}\n`);
    }
    if (o.json) out.write(JSON.stringify(report) + '\n');
    else out.write(formatReport(report, o.detailed === true));
    return 0;
  } catch (e) {
    return failureExit(e, 'analytics', err);
  } finally {
    await store?.close();
  }
}

// ---- text output ----

const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? 'n/a' : `${formatNumber(Math.round(x * 10) / 10)} ms`);
const qual = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const usd = (x: number | null) => (x === null ? 'n/a' : `$${x.toFixed(4)}`);

const KPI_ROWS: Array<{ name: KpiName; label: string; fmt: (x: number | null) => string }> = [
  { name: 'executions', label: 'Executions', fmt: (x) => (x === null ? 'n/a' : formatCount(x)) },
  { name: 'successRate', label: 'Success rate', fmt: pct },
  { name: 'latencyMean', label: 'Latency mean', fmt: ms },
  { name: 'latencyP95', label: 'Latency p95', fmt: ms },
  { name: 'qualityMean', label: 'Quality mean', fmt: qual },
  { name: 'cost', label: 'Cost', fmt: usd },
  { name: 'cacheHitRate', label: 'Cache hit rate', fmt: pct },
];

function changeText(d: Delta): string {
  if (d.direction === null) return 'n/a';
  const arrow = d.direction === 'up' ? '↑' : d.direction === 'down' ? '↓' : '→';
  const rel = d.relativeChange === null ? `${d.change! > 0 ? '+' : ''}${formatNumber(d.change!)}` : `${d.relativeChange > 0 ? '+' : ''}${(d.relativeChange * 100).toFixed(1)}%`;
  const verdict = d.improved === null ? '' : d.improved ? ' better' : ' worse';
  return `${arrow} ${rel}${verdict}`;
}

function testText(d: Delta): string {
  if (!d.test) return `n/a: ${(d.reason ?? 'no test').replace(/^no test: /, '')}`;
  // Below double precision a p-value underflows to 0; say "<1e-15" rather than print a bare 0.
  return `p${d.test.p < 1e-15 ? '<1e-15' : `=${formatP(d.test.p)}`} (${d.test.name})${d.significant ? ' significant' : ''}`;
}

function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function scopeText(r: AnalyticsReport): string {
  const parts = Object.entries(r.scope).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : 'all executions';
}

function breakdownTable(title: string, rows: BreakdownRow[]): string[] {
  if (!rows.length) return [`${title}: no executions`];
  return [title, ...table(['Key', 'Executions', 'Success', 'Latency p95', 'Quality', 'Cost'],
    rows.map((g) => [g.key, formatCount(g.kpis.executions), pct(g.kpis.successRate), ms(g.kpis.latency.p95), qual(g.kpis.quality.mean), usd(g.kpis.cost.known ? g.kpis.cost.total : null)])).map((l) => `  ${l}`)];
}

export function formatReport(r: AnalyticsReport, detailed: boolean): string {
  const days = (r.window.until - r.window.since) / 86_400_000;
  const lines = [
    `Analytics ${iso(r.window.since)} to ${iso(r.window.until)} UTC (${formatNumber(days)} days) vs ${iso(r.previousWindow.since)} to ${iso(r.previousWindow.until)}`,
    `Scope: ${scopeText(r)}`,
    '',
    ...table(['KPI', 'Current', 'Previous', 'Change', 'Test'], KPI_ROWS.map(({ name, label, fmt }) => {
      const d = r.deltas[name];
      return [label, fmt(d.current), fmt(d.previous), changeText(d), testText(d)];
    })),
    '',
    `Latency percentiles: ${r.percentileMethod}.`,
  ];
  const dims = Object.entries(r.current.quality.dimensions);
  if (dims.length) lines.push(`Quality by dimension: ${dims.map(([k, v]) => `${k} ${qual(v.mean)} (n=${v.n})`).join(', ')}`);
  if (r.current.cost.known < r.current.executions) lines.push(`Cost is the sum over the ${formatCount(r.current.cost.known)} of ${formatCount(r.current.executions)} executions with a known cost.`);
  if (detailed && r.breakdowns) {
    lines.push('', ...breakdownTable('By prompt', r.breakdowns.byPrompt), '', ...breakdownTable('By model', r.breakdowns.byModel), '',
      ...breakdownTable('By provider', r.breakdowns.byProvider), '', ...breakdownTable('By variant', r.breakdowns.byVariant));
  }
  if (detailed && r.series) {
    lines.push('', `Series (${r.series.bucket === 'hour' ? 'hourly' : 'daily'} buckets, UTC)`, ...table(['Start', 'Executions', 'Success', 'p50', 'p95', 'p99', 'Quality', 'Cost'],
      r.series.points.map((p) => [iso(p.start), formatCount(p.executions), pct(p.successRate), ms(p.latencyP50), ms(p.latencyP95), ms(p.latencyP99), qual(p.qualityMean), usd(p.cost)])).map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}
