import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Advice, Analysis, Design, VariantArm } from '../core/compare';
import { PERIOD_METRICS, adviseSampleSize, analyzePeriods, analyzeSamples, fileArms, modelArms, parseSweep, pastFacts, plannedCases, renderArms, runExperiment, sweepArms, variantArms } from '../core/compare';
import { formatDiagnostic, loadTestCases, parsePromptFile, readDataset } from '../core/prompt';
import type { DatasetRow, PromptFile } from '../core/prompt/types';
import { createProvider } from '../core/providers';
import { ProviderGuards, chooseProfile, promptIdOf } from '../core/runner/promptRun';
import type { RunSummary } from '../core/runner/types';
import type { CompareResult } from '../core/stats';
import { formatInterval, formatNumber, formatP } from '../core/stats';
import type { ExperimentRow, PromptLabStore } from '../core/store';
import { CliUsageError, adHocProfiles, apiKeyFor, cliTracker } from './runCommand';
import { COMMON_OPTIONS } from './cliCommon';

/*
 * `promptlab compare` and `promptlab compare-periods`.
 *
 * JSON output of compare (--json), schema "promptlab.compare/1"; fields are only added:
 * {
 *   schema: "promptlab.compare/1",
 *   experiment: { id, promptId, design: "paired"|"unpaired", seed, status: "running"|"finished"|"cancelled",
 *                 variants: [{ name, promptVariant: string|null, model }], createdAt: ISO },
 *   advisor: { design, alpha, comparisonAlpha, targetPower,
 *              effectSize: { value, source: "given"|"past-variance"|"assumed", qualitySd, minDifference },
 *              neededPerVariant: Stat<{n}>, availablePerVariant, achievablePower: Stat<{power}>, executions,
 *              estimate: { tokensIn|tokensOut|costUsd|durationMs: Stat<{ total, perExecution }> }, warnings: [string] },
 *   run: { total, succeeded, failed, cancelled, durationMs, costUsd } | null,   // null with --dry-run
 *   skipped: [string],                              // rows that could not render under some variant
 *   samples: { <variant>: { executions, failed, cases } },   // every sample of the experiment, all runs
 *   skippedMetrics: [{ name, reason }],
 *   comparison: CompareResult | null,               // schema "promptlab.stats.compare/1" (src/core/stats/compareTypes.ts)
 *   distributions: [{ metric, kind: "continuous", better, edges: [number], variants: [{ variant, n, counts: [int], mean, median }] }
 *                 | { metric, kind: "binary", better, variants: [{ variant, successes, total, wilson: Stat<{ rate, ci95 }> }] }],
 *   latencyCost: [{ variant, latencyMs: Stat<{ n, mean, p95, total }>, costUsd: Stat<{ n, mean, p95, total }> }]
 * }
 * compare-periods (--json), schema "promptlab.compare-periods/1":
 * { schema, promptId, periods: [{ name: "A"|"B", start: ISO, end: ISO, executions }], metrics: [string] | null,
 *   samples, skippedMetrics, comparison: CompareResult | null, distributions, latencyCost }
 * A Stat is { available: true, …fields } or { available: false, reason }.
 */

export const COMPARE_HELP = `compare FILE [FILE…]     Compare variants of a prompt with a designed experiment (logged).
      --variants a,b        Variants from the file's variants: key (default: all of them)
      --models m1,m2        Or: the one prompt across these models
      --sweep NAME=V1,V2    Or: one arm per value of a model parameter (e.g. temperature=0,0.7)
      FILE FILE…            Or: two or more prompt files as arms (the first is the control;
                            every file renders the first file's test cases; each file's
                            executions are logged under its own prompt id, variant = its name)
      --repeat K            Runs per case and variant (default 1; repeats are averaged per case)
      --paired              Every case under every variant, blocks in seeded random order (default)
      --unpaired            Seeded random split of the cases between the variants
      --seed N              Seed of the assignment/order (default: random, printed; stored)
      --experiment ID       Add samples to an existing experiment (same prompt and variants)
      --effect-size D       Effect size for the advisor (default: from past quality scores, else 0.5)
      --min-difference X    Smallest quality difference worth finding (default 0.05) for the advisor
      --dry-run             Print the sample-size advisor only
      --provider, --base-url, --dataset, --concurrency, --timeout, --tag: as for run
      Statistics: per metric (quality, quality.<dimension>, latency_ms, cost_usd, tokens_out,
      success, evaluators) means per variant, difference vs the first variant with 95% CI, p,
      Holm-adjusted p, effect size, power and verdict; then the recommendation.
      --json: {schema:"promptlab.compare/1", experiment, advisor, run, skipped, samples,
      skippedMetrics, comparison} (comparison: schema "promptlab.stats.compare/1").
  compare-periods           Compare logged executions of a prompt in two date ranges (unpaired).
      --prompt ID           Prompt id
      --a START,END         First period (ISO dates; END exclusive), the control
      --b START,END         Second period
      --metric M            quality, latency or success (default: every metric)
      --json: {schema:"promptlab.compare-periods/1", promptId, periods, metrics, samples,
      skippedMetrics, comparison}`;

export interface CompareEnv { defaultDbDir: string; openStore: (dir: string) => Promise<PromptLabStore> }

const EXP_SCHEMA = 'promptlab.compare/1';

interface ExperimentVariants { arms: VariantArm[] }

function experimentArms(row: ExperimentRow): VariantArm[] {
  return row.variants as VariantArm[];
}

function fmtStat(s: { available: boolean; reason?: string }, f: () => string): string { return s.available ? f() : `not available (${s.reason})`; }

export function formatAdvice(a: Advice): string {
  const lines = [
    `Sample-size advisor (${a.design}, alpha ${a.comparisonAlpha === a.alpha ? a.alpha : `${a.comparisonAlpha.toPrecision(3)} per comparison`}, power ${a.targetPower}):`,
    `  effect size d = ${a.effectSize.value.toFixed(3)} (${a.effectSize.source === 'past-variance' ? `quality difference ${a.effectSize.minDifference} / past SD ${a.effectSize.qualitySd?.toFixed(4)}` : a.effectSize.source})`,
    `  cases per variant needed: ${fmtStat(a.neededPerVariant, () => String((a.neededPerVariant as { n: number }).n))}; available: ${a.availablePerVariant}; power with them: ${fmtStat(a.achievablePower, () => (a.achievablePower as { power: number }).power.toFixed(3))}`,
    `  executions: ${a.executions}`,
  ];
  const e = a.estimate;
  const tot = (s: Advice['estimate']['tokensIn'], f: (x: number) => string) => fmtStat(s, () => f((s as { total: number }).total));
  lines.push(`  estimate: tokens in ${tot(e.tokensIn, (x) => String(Math.round(x)))}, out ${tot(e.tokensOut, (x) => String(Math.round(x)))}; cost ${tot(e.costUsd, (x) => '$' + x.toFixed(4))}; time ${tot(e.durationMs, (x) => (x / 1000).toFixed(1) + ' s')}`);
  for (const w of a.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export function formatComparison(c: CompareResult | null, analysis: Pick<Analysis, 'samples' | 'skippedMetrics'>): string {
  const lines: string[] = [];
  lines.push('samples: ' + Object.entries(analysis.samples).map(([v, s]) => `${v} ${s.executions} execution(s) / ${s.cases} case(s)${s.failed ? `, ${s.failed} failed` : ''}`).join('; '));
  if (!c) { lines.push('no metric has enough data to compare'); return lines.join('\n'); }
  lines.push(`${'metric'.padEnd(22)} ${'variant'.padEnd(14)} ${'control'.padStart(10)} ${'variant'.padStart(10)}  ${'difference [95% CI]'.padEnd(34)} ${'p'.padStart(8)} ${'p adj'.padStart(8)} ${'effect'.padStart(14)} ${'power'.padStart(6)}  verdict`);
  for (const m of c.metrics) {
    for (const k of m.comparisons) {
      const diff = k.difference.available ? `${formatNumber(k.difference.value)} ${formatInterval(k.difference.ci95)}` : 'n/a';
      const eff = k.effectSize.available ? `${k.effectSize.name === 'cohens-d' ? 'd' : 'h'}=${k.effectSize.value.toFixed(2)} ${k.effectSize.label}` : 'n/a';
      lines.push(`${(m.name + (m.paired ? ' (p)' : '')).padEnd(22).slice(0, 22)} ${k.variant.padEnd(14).slice(0, 14)} ${(m.control.mean === null ? '-' : formatNumber(m.control.mean)).padStart(10)} ${(k.group.mean === null ? '-' : formatNumber(k.group.mean)).padStart(10)}  ${diff.padEnd(34)} ${(k.test.available ? formatP(k.test.p) : 'n/a').padStart(8)} ${(k.test.available ? formatP(k.test.pAdjusted) : 'n/a').padStart(8)} ${eff.padStart(14)} ${(k.power.available ? k.power.achieved.toFixed(2) : 'n/a').padStart(6)}  ${k.verdict}`);
    }
  }
  for (const s of analysis.skippedMetrics) lines.push(`(${s.name}: not compared, ${s.reason})`);
  lines.push('', `winner: ${c.winner ?? 'none'}`, c.recommendation);
  return lines.join('\n');
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function intFlag(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliUsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

async function collect(rows: AsyncIterable<DatasetRow>): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/** Routes `compare` / `compare-periods` (argv without the subcommand). Exit 0 ok, 1 a failed case, 2 usage. */
export async function compareMain(sub: 'compare' | 'compare-periods', argv: string[], env: CompareEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let store: PromptLabStore | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv, allowPositionals: true, strict: true,
        options: {
          ...COMMON_OPTIONS,
          variants: { type: 'string' }, models: { type: 'string' }, repeat: { type: 'string' }, paired: { type: 'boolean', default: false },
          unpaired: { type: 'boolean', default: false }, seed: { type: 'string' }, sweep: { type: 'string' }, experiment: { type: 'string' }, provider: { type: 'string' },
          'base-url': { type: 'string' }, dataset: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, concurrency: { type: 'string' },
          timeout: { type: 'string' }, tag: { type: 'string', multiple: true }, 'effect-size': { type: 'string' }, 'min-difference': { type: 'string' },
          prompt: { type: 'string' }, a: { type: 'string' }, b: { type: 'string' }, metric: { type: 'string' },
        },
      });
    } catch (e) { throw new CliUsageError((e as Error).message.split('\n')[0]!); }
    const { values: o, positionals } = parsed;
    if (o.help) { out.write(COMPARE_HELP + '\n'); return 0; }
    const dir = path.resolve(o.db ?? process.env.PROMPTLAB_DB ?? env.defaultDbDir);
    if (sub === 'compare-periods') {
      if (positionals.length) throw new CliUsageError('compare-periods takes no positional arguments');
      if (!o.prompt) throw new CliUsageError('compare-periods needs --prompt ID');
      const period = (flag: 'a' | 'b', v: string | undefined) => {
        const parts = (v ?? '').split(',');
        const t = parts.map((p) => Date.parse(p.trim()));
        if (parts.length !== 2 || t.some(Number.isNaN) || !(t[0]! < t[1]!)) throw new CliUsageError(`--${flag} must be START,END (ISO dates, START before END)`);
        return { start: t[0]!, end: t[1]! };
      };
      const pa = period('a', o.a), pb = period('b', o.b);
      const metricMap: Record<string, string> = PERIOD_METRICS;
      if (o.metric !== undefined && !metricMap[o.metric]) throw new CliUsageError('--metric must be quality, latency or success');
      store = await env.openStore(dir);
      const [ra, rb] = await Promise.all([store.metricSamples({ promptId: o.prompt, since: pa.start, until: pa.end }), store.metricSamples({ promptId: o.prompt, since: pb.start, until: pb.end })]);
      const analysis = analyzePeriods(ra, rb, o.metric ? { metrics: [metricMap[o.metric]!] } : {});
      const periods = [{ name: 'A', start: new Date(pa.start).toISOString(), end: new Date(pa.end).toISOString(), executions: ra.length }, { name: 'B', start: new Date(pb.start).toISOString(), end: new Date(pb.end).toISOString(), executions: rb.length }];
      if (o.json) out.write(JSON.stringify({ schema: 'promptlab.compare-periods/1', promptId: o.prompt, periods, metrics: o.metric ? [metricMap[o.metric]] : null, ...analysis }) + '\n');
      else out.write(`${o.prompt}: A = ${periods[0]!.start} … ${periods[0]!.end} (${ra.length}), B = ${periods[1]!.start} … ${periods[1]!.end} (${rb.length})\n${formatComparison(analysis.comparison, analysis)}\n`);
      return 0;
    }

    if (positionals.length < 1) throw new CliUsageError('compare needs a prompt FILE (or two or more to compare files)');
    if (o.paired && o.unpaired) throw new CliUsageError('--paired and --unpaired exclude each other');
    if ([o.variants, o.models, o.sweep, positionals.length > 1 || undefined].filter((x) => x !== undefined).length > 1) throw new CliUsageError('--variants, --models, --sweep and several FILEs exclude each other');
    const repeat = intFlag('repeat', o.repeat, 1, 1000) ?? 1;
    const seedFlag = intFlag('seed', o.seed, 0, 4294967295);
    const concurrency = intFlag('concurrency', o.concurrency, 1, 64) ?? 4;
    const timeout = intFlag('timeout', o.timeout, 1, 3600);
    const num = (flag: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!(n > 0 && Number.isFinite(n))) throw new CliUsageError(`--${flag} must be a positive number`);
      return n;
    };
    const effectSize = num('effect-size', o['effect-size']), minDifference = num('min-difference', o['min-difference']);

    const load = (arg: string): PromptFile => {
      const file = path.resolve(arg);
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new CliUsageError(`cannot read ${arg}: ${(e as Error).message}`); }
      const parsedFile = parsePromptFile(file, text, { env: process.env, readFile: (p) => fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8') });
      for (const d of parsedFile.diagnostics) if (d.severity !== 'info') err.write(formatDiagnostic(arg, d) + '\n');
      if (!parsedFile.prompt || parsedFile.diagnostics.some((d) => d.severity === 'error')) throw new CliUsageError(`${arg} has errors (listed above)`);
      return parsedFile.prompt;
    };
    const filePrompts = positionals.map(load);
    const prompt = filePrompts[0]!;
    const promptId = promptIdOf(prompt);

    // Arms and the one profile they share.
    const adHoc = adHocProfiles({ ...(o.provider ? { provider: o.provider } : {}), ...(o['base-url'] ? { baseUrl: o['base-url'] } : {}) });
    const pick = (opts: { model?: string; variant?: string | null }) => {
      const c = chooseProfile(prompt, adHoc, { ...(o.provider || o['base-url'] ? { providerId: o.provider ?? 'custom' } : {}), ...opts });
      if ('error' in c) throw new CliUsageError(c.error);
      return c;
    };
    let arms: VariantArm[];
    const choices: Array<ReturnType<typeof pick>> = [];
    const models = list(o.models);
    if (filePrompts.length > 1) {
      // Each file chooses its own model (as a run of that file would); one provider for all.
      const fileChoices = filePrompts.map((p) => {
        const c = chooseProfile(p, adHoc, { ...(o.provider || o['base-url'] ? { providerId: o.provider ?? 'custom' } : {}) });
        if ('error' in c) throw new CliUsageError(`${p.path}: ${c.error}`);
        return c;
      });
      choices.push(...fileChoices);
      try { arms = fileArms(filePrompts, fileChoices.map((c) => c.model)); } catch (e) { throw new CliUsageError((e as Error).message); }
    } else if (o.sweep !== undefined) {
      const sweep = parseSweep(o.sweep);
      if ('error' in sweep) throw new CliUsageError(`--sweep: ${sweep.error}`);
      const c = pick({});
      choices.push(c);
      arms = sweepArms(prompt, sweep, c.model);
    } else if (models) {
      if (models.length < 2 || new Set(models).size !== models.length) throw new CliUsageError('--models needs at least two different model ids');
      for (const m of models) choices.push(pick({ model: m }));
      arms = modelArms(prompt, models);
    } else {
      const names = list(o.variants) ?? prompt.variants.map((v) => v.name);
      for (const n of names) if (!prompt.variants.some((v) => v.name === n)) throw new CliUsageError(`unknown variant "${n}" (variants: ${prompt.variants.map((v) => v.name).join(', ') || 'none'})`);
      if (names.length < 2 || new Set(names).size !== names.length) throw new CliUsageError(`compare needs at least two variants: the file's variants: key or --models m1,m2 (file has ${prompt.variants.length})`);
      const byName = new Map(names.map((n) => { const c = pick({ variant: n }); choices.push(c); return [n, c.model] as const; }));
      arms = variantArms(prompt, names, (n) => byName.get(n)!);
    }
    const profile0 = choices[0]!.profile;
    if (choices.some((c) => c.profile.id !== profile0.id)) throw new CliUsageError(`the variants use different providers (${[...new Set(choices.map((c) => c.profile.id))].join(', ')}): not supported yet`);
    const profile = o['base-url'] ? { ...profile0, baseUrl: o['base-url'] } : profile0;

    store = await env.openStore(dir);
    let design: Design = o.unpaired ? 'unpaired' : 'paired';
    let seed = seedFlag ?? randomBytes(4).readUInt32LE(0);
    let experiment: ExperimentRow;
    if (o.experiment) {
      const found = (await store.experiments(o.experiment))[0];
      if (!found) throw new CliUsageError(`no experiment "${o.experiment}" in ${dir}`);
      if (found.name !== promptId) throw new CliUsageError(`experiment ${o.experiment} is of prompt "${found.name}", not "${promptId}"`);
      const stored = experimentArms(found);
      if (stored.map((a) => `${a.name}|${a.model}`).join(',') !== arms.map((a) => `${a.name}|${a.model}`).join(',')) {
        throw new CliUsageError(`experiment ${o.experiment} compares ${stored.map((a) => a.name).join(', ')}; this run would compare ${arms.map((a) => a.name).join(', ')}`);
      }
      if ((o.paired || o.unpaired) && found.design !== design) throw new CliUsageError(`experiment ${o.experiment} is ${found.design}`);
      if (seedFlag !== undefined && seedFlag !== found.seed) throw new CliUsageError(`experiment ${o.experiment} has seed ${found.seed}`);
      design = (found.design ?? 'paired') as Design;
      seed = found.seed ?? seed;
      experiment = found;
    } else {
      experiment = { id: `exp-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`, name: promptId, design, seed, status: 'running', variants: arms satisfies ExperimentVariants['arms'], createdAt: Date.now() };
    }

    const rows = await collect(o.dataset ? readDataset(path.resolve(o.dataset)) : loadTestCases(prompt));
    const rendered = await renderArms(prompt, rows, arms, new Map(filePrompts.map((p) => [p.path, p])));
    for (const s of rendered.skipped) err.write(`${o.dataset ?? positionals[0]}: ${s} (left out for every variant)\n`);
    const past = pastFacts(await store.metricSamples({ promptId, limit: 5000 }));
    const advice = adviseSampleSize({ design, variants: arms.length, datasetCases: rendered.caseIds.length, repeat, concurrency, past, ...(effectSize !== undefined ? { effectSize } : {}), ...(minDifference !== undefined ? { minDifference } : {}) });
    const expJson = (x: ExperimentRow) => ({ id: x.id, promptId: x.name, design: x.design, seed: x.seed, status: x.status, variants: x.variants, createdAt: new Date(x.createdAt).toISOString() });
    if (!o.json) err.write(`experiment ${experiment.id} · ${promptId} · ${design} · seed ${seed} · ${arms.map((a) => `${a.name}${a.promptVariant && a.model ? ` (${a.model})` : ''}`).join(' vs ')}\n${formatAdvice(advice)}\n`);
    if (o['dry-run']) {
      if (o.json) out.write(JSON.stringify({ schema: EXP_SCHEMA, experiment: expJson(experiment), advisor: advice, run: null, skipped: rendered.skipped, samples: {}, skippedMetrics: [], comparison: null, distributions: [], latencyCost: [] }) + '\n');
      return 0;
    }
    if (!rendered.caseIds.length) throw new CliUsageError('no test case renders under every variant');

    let provider;
    try { provider = createProvider(profile, apiKeyFor(profile, process.env)); } catch (e) { throw new CliUsageError((e as Error).message); }
    experiment = { ...experiment, status: 'running' };
    store.saveExperiment(experiment);
    const ac = new AbortController();
    const onSigint = () => { err.write('\ncancelling…\n'); ac.abort(); };
    process.once('SIGINT', onSigint);
    let summary: RunSummary;
    let done = 0;
    const cases = plannedCases(rendered, arms, design, repeat, seed);
    try {
      summary = await runExperiment({
        prompt, cases, choice: { profile, model: arms[0]!.model }, provider, tracker: cliTracker(store), guards: new ProviderGuards({ concurrency, failureThreshold: 5, recoveryTimeoutMs: 60_000 }),
        experimentId: experiment.id, tags: o.tag ?? [], signal: ac.signal, ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
        onEvent: (e) => {
          if (o.json) return;
          if (e.type === 'done' || e.type === 'failed') err.write(`[${++done}/${cases.length}] ${e.type === 'done' ? 'done  ' : 'FAILED'} ${e.caseId}${e.type === 'failed' ? `: ${e.error.message}` : ''}\n`);
          if (e.type === 'retrying') err.write(`retry ${e.caseId}: ${e.reason}, in ${Math.ceil(e.delayMs / 1000)} s\n`);
          if (e.type === 'breaker') err.write(`circuit ${e.state} for ${e.providerId}: ${e.reason}\n`);
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    experiment = { ...experiment, status: summary.cancelled > 0 && ac.signal.aborted ? 'cancelled' : 'finished' };
    store.saveExperiment(experiment);

    const samples = await store.metricSamples({ experimentId: experiment.id });
    const analysis = analyzeSamples(samples, arms.map((a) => a.name), { design, seed });
    const run = { total: summary.total, succeeded: summary.succeeded, failed: summary.failed, cancelled: summary.cancelled, durationMs: summary.durationMs, costUsd: summary.costUsd };
    if (o.json) out.write(JSON.stringify({ schema: EXP_SCHEMA, experiment: expJson(experiment), advisor: advice, run, skipped: rendered.skipped, ...analysis }) + '\n');
    else out.write(`\nexperiment ${experiment.id} (${experiment.status}): ${run.total} execution(s) this run, ${run.succeeded} ok, ${run.failed} failed, ${run.cancelled} cancelled\n${formatComparison(analysis.comparison, analysis)}\n`);
    return summary.failed > 0 || summary.cancelled > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof CliUsageError) { err.write(`promptlab: ${e.message} (see promptlab ${sub} --help)\n`); return 2; }
    err.write(`promptlab: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}
