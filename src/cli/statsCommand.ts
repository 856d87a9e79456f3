import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ComparisonEvidence, Counts, MetricSpec, Stat } from '../core/stats';
import {
  DEFAULT_RESAMPLES, DEFAULT_SEED, abSummary, cohensH, compareMetrics, effectSizeLabel, fisherExact, formatCount, formatInterval, formatNumber, formatP,
  formatSigned, proportionDifference, proportionsPower, proportionsSampleSize, twoProportionZTest, twoSampleSampleSize, verdictOf, wilsonInterval,
} from '../core/stats';

/*
 * `promptlab stats ab | rates | power`. JSON output: what cannot be computed is null, and the
 * object holding that null gets a `notAvailable` map of key → reason (only when something is
 * missing), e.g. { "welch": null, …, "notAvailable": { "welch": "both groups have zero
 * variance…" } } or { "a": { "n": 1, "sd": null, "notAvailable": { "sd": "…" } } }.
 */

export const STATS_HELP = `Usage: promptlab stats <ab|rates|power> [options] [--json]
  ab --a FILE --b FILE      Compare two samples (one number per line; blank lines ignored)
      --paired              Same cases in the same order in both files
      --alpha A             Significance level for the recommendation (default 0.05)
      --seed N              Bootstrap seed, 0 to 4294967295 (default ${DEFAULT_SEED}; ${formatCount(DEFAULT_RESAMPLES)} resamples)
  rates --a-success N --a-total N --b-success N --b-total N [--alpha A]
                            Compare two pass rates
  power --effect-size D [--alpha A] [--power P]
                            Cases per group for a two-sided two-sample t-test`;

class StatsUsageError extends Error {}

const FLAGS: Record<string, string[]> = {
  ab: ['a', 'b', 'paired', 'alpha', 'seed'],
  rates: ['a-success', 'a-total', 'b-success', 'b-total', 'alpha'],
  power: ['effect-size', 'alpha', 'power'],
};

function probability(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !(x > 0 && x < 1)) throw new StatsUsageError(`--${flag} must be a number between 0 and 1 (got "${v}")`);
  return x;
}

function integer(flag: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined) throw new StatsUsageError(`--${flag} is required`);
  const x = Number(v);
  if (v.trim() === '' || !Number.isInteger(x) || x < min || x > max) throw new StatsUsageError(`--${flag} must be an integer from ${min} to ${max} (got "${v}")`);
  return x;
}

function readNumbers(file: string): number[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new StatsUsageError(`cannot read ${file}: ${(e as Error).message}`); }
  const values: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.trim();
    if (s === '') return;
    const x = Number(s);
    if (!Number.isFinite(x)) throw new StatsUsageError(`${file}:${i + 1}: not a number`);
    values.push(x);
  });
  if (values.length === 0) throw new StatsUsageError(`${file}: no numbers`);
  return values;
}

/** Stat → its fields (without `available`) or null, recording the reason in `missing`. */
function field<T extends object, R>(s: Stat<T>, key: string, missing: Record<string, string>, pick: (v: T) => R): R | null {
  if (s.available) return pick(s);
  missing[key] = s.reason;
  return null;
}

function withMissing<T extends object>(obj: T, missing: Record<string, string>): T & { notAvailable?: Record<string, string> } {
  return Object.keys(missing).length ? { ...obj, notAvailable: missing } : obj;
}

function summaryJson(g: { n: number; mean: number | null; sd: number | null; median: number | null }) {
  const missing: Record<string, string> = {};
  if (g.sd === null) missing.sd = `a standard deviation needs at least 2 values (have ${g.n})`;
  return withMissing({ n: g.n, mean: g.mean, sd: g.sd, median: g.median }, missing);
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : formatNumber(x));
const row = (label: string, text: string) => `${label.padEnd(22)}${text}`;

function ab(v: Record<string, string | boolean | undefined>): { json: unknown; human: string } {
  for (const flag of ['a', 'b']) if (v[flag] === undefined) throw new StatsUsageError(`--${flag} FILE is required`);
  const a = readNumbers(v.a as string), b = readNumbers(v.b as string);
  const paired = v.paired === true;
  if (paired && a.length !== b.length) throw new StatsUsageError(`--paired needs the same number of values in --a and --b (have ${a.length} and ${b.length})`);
  const alpha = probability('alpha', v.alpha as string | undefined, 0.05);
  const seed = v.seed === undefined ? DEFAULT_SEED : integer('seed', v.seed as string, 0, 0xffffffff);
  const spec: MetricSpec = { name: 'value', better: 'higher', kind: 'continuous', paired };
  const result = compareMetrics([spec], [{ name: 'a', values: { value: a } }, { name: 'b', values: { value: b } }], { alpha, seed });
  const metric = result.metrics[0]!, c = metric.comparisons[0]!;
  const missing: Record<string, string> = {};
  const test = field(c.test, paired ? 'pairedT' : 'welch', missing, (t) => ({ t: t.statistic!, df: t.df!, p: t.p }));
  const rank = c.alternativeTest ? field(c.alternativeTest, paired ? 'wilcoxon' : 'mannWhitney', missing, (r) => ({ value: r.statistic!, p: r.p })) : null;
  const recommendation = abSummary(spec, c, verdictOf(spec, c, alpha), { alpha, power: 0.8, adjusted: false });
  const json = withMissing({
    a: summaryJson(metric.control), b: summaryJson(c.group),
    difference: field(c.difference, 'difference', missing, (d) => ({ mean: d.value, ci95: d.ci95 })),
    ...(paired ? { pairedT: test, wilcoxon: rank && { statistic: rank.value, p: rank.p } } : { welch: test, mannWhitney: rank && { u: rank.value, p: rank.p } }),
    cohensD: field(c.effectSize, 'cohensD', missing, (e) => e.value),
    hedgesG: field(c.effectSize, 'hedgesG', missing, (e) => e.hedgesG),
    bootstrap: c.bootstrap ? field(c.bootstrap, 'bootstrap', missing, (bs) => ({ ci95: bs.ci95, resamples: result.bootstrap!.resamples, seed })) : null,
    recommendation,
  }, missing);
  const group = (name: string, g: typeof metric.control) => `${name.padEnd(6)}${String(g.n).padStart(8)}${fmt(g.mean).padStart(12)}${fmt(g.sd).padStart(12)}${fmt(g.median).padStart(12)}`;
  const na = (key: string) => `n/a (${missing[key]})`;
  const lines = [
    `${''.padEnd(6)}${'n'.padStart(8)}${'mean'.padStart(12)}${'sd'.padStart(12)}${'median'.padStart(12)}`, group('a', metric.control), group('b', c.group), '',
    row(`difference (b - a)`, c.difference.available ? `${formatSigned(c.difference.value)}   95% CI ${formatInterval(c.difference.ci95)}` : na('difference')),
    row(paired ? 'paired t' : 'Welch t', test ? `t = ${formatNumber(test.t)}, df = ${formatNumber(test.df)}, p = ${formatP(test.p)}` : na(paired ? 'pairedT' : 'welch')),
    row(paired ? 'Wilcoxon signed-rank' : 'Mann-Whitney U', rank ? `${paired ? 'W' : 'U'} = ${formatNumber(rank.value)}, p = ${formatP(rank.p)}` : na(paired ? 'wilcoxon' : 'mannWhitney')),
    row(`Cohen's d`, c.effectSize.available ? `${formatNumber(c.effectSize.value)} (${c.effectSize.label})   Hedges' g ${fmt(c.effectSize.hedgesG)}` : na('cohensD')),
    row('bootstrap 95% CI', c.bootstrap?.available ? `${formatInterval(c.bootstrap.ci95)}   (${formatCount(DEFAULT_RESAMPLES)} resamples, seed ${seed})` : na('bootstrap')),
    '', recommendation,
  ];
  return { json, human: lines.join('\n') };
}

function rates(v: Record<string, string | boolean | undefined>): { json: unknown; human: string } {
  const total = (flag: string) => integer(flag, v[flag] as string | undefined, 1, Number.MAX_SAFE_INTEGER);
  const count = (flag: string, of: number) => integer(flag, v[flag] as string | undefined, 0, of);
  const aTotal = total('a-total'), bTotal = total('b-total');
  const a: Counts = { successes: count('a-success', aTotal), total: aTotal };
  const b: Counts = { successes: count('b-success', bTotal), total: bTotal };
  const alpha = probability('alpha', v.alpha as string | undefined, 0.05);
  const missing: Record<string, string> = {};
  const z = twoProportionZTest(a, b), f = fisherExact(a, b), wa = wilsonInterval(a), wb = wilsonInterval(b), d = proportionDifference(a, b);
  const pa = a.successes / a.total, pb = b.successes / b.total, h = cohensH(a, b);
  const achieved = proportionsPower(pa, pb, a.total, b.total, alpha), needed = proportionsSampleSize(pa, pb, { alpha });
  const evidence: ComparisonEvidence = {
    test: f.available ? { available: true, name: 'fisher-exact', statistic: null, df: null, p: f.p, pAdjusted: f.p } : f,
    difference: d.available ? { ...d, relative: pa ? d.value / pa : null } : d,
    effectSize: { available: true, name: 'cohens-h', value: h, label: effectSizeLabel(h), hedgesG: null },
    power: achieved.available ? { available: true, achieved: achieved.power, effectSize: h } : achieved,
    sampleSize: needed.available ? { available: true, nPerVariant: needed.nPerGroup, additionalPerVariant: Math.max(0, needed.nPerGroup - Math.min(a.total, b.total)) } : needed,
  };
  const spec: MetricSpec = { name: 'pass rate', better: 'higher', kind: 'binary' };
  const recommendation = abSummary(spec, evidence, verdictOf(spec, evidence, alpha), { alpha, power: 0.8, adjusted: false });
  const json = withMissing({
    twoProportion: field(z, 'twoProportion', missing, (t) => ({ z: t.z, p: t.p })),
    fisher: field(f, 'fisher', missing, (t) => ({ p: t.p })),
    wilson: { a: wa.available ? wa.ci95 : null, b: wb.available ? wb.ci95 : null },
    difference: field(d, 'difference', missing, (t) => ({ value: t.value, ci95: t.ci95 })),
    recommendation,
  }, missing);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rate = (name: string, c: Counts, w: typeof wa) => row(name, `${c.successes}/${c.total} = ${pct(c.successes / c.total)}   Wilson 95% CI ${w.available ? `${pct(w.ci95[0])} to ${pct(w.ci95[1])}` : 'n/a'}`);
  const lines = [
    rate('a', a, wa), rate('b', b, wb), '',
    row('difference (b - a)', d.available ? `${formatSigned(d.value * 100)} pp   95% CI ${formatSigned(d.ci95[0] * 100)} to ${formatSigned(d.ci95[1] * 100)} pp (Newcombe)` : `n/a (${missing.difference})`),
    row('two-proportion z', z.available ? `z = ${formatNumber(z.z)}, p = ${formatP(z.p)}` : `n/a (${missing.twoProportion})`),
    row('Fisher exact', f.available ? `p = ${formatP(f.p)}` : `n/a (${missing.fisher})`),
    '', recommendation,
  ];
  return { json, human: lines.join('\n') };
}

function power(v: Record<string, string | boolean | undefined>): { json: unknown; human: string } {
  const raw = v['effect-size'] as string | undefined;
  if (raw === undefined) throw new StatsUsageError('--effect-size is required');
  const d = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(d) || d === 0) throw new StatsUsageError(`--effect-size must be a nonzero number (got "${raw}")`);
  const alpha = probability('alpha', v.alpha as string | undefined, 0.05);
  const target = probability('power', v.power as string | undefined, 0.8);
  if (target <= alpha / 2) throw new StatsUsageError('--power must exceed alpha/2');
  const s = twoSampleSampleSize(d, { alpha, power: target });
  const missing: Record<string, string> = {};
  const json = withMissing({
    nPerGroup: field(s, 'nPerGroup', missing, (x) => x.nPerGroup),
    nPerGroupNormal: field(s, 'nPerGroupNormal', missing, (x) => x.nPerGroupNormal),
    nExact: field(s, 'nExact', missing, (x) => x.nExact),
  }, missing);
  const head = `two-sided two-sample t-test, d = ${formatNumber(Math.abs(d))}, alpha = ${alpha}, power = ${target}`;
  const human = s.available
    ? [head, row('cases per group', `${formatCount(s.nPerGroup)}   (noncentral t, exact n = ${s.nExact.toFixed(2)})`), row('normal approximation', formatCount(s.nPerGroupNormal))].join('\n')
    : `${head}\nnot available: ${s.reason}`;
  return { json, human };
}

/** `promptlab stats …`: 0 ok, 2 usage error (one line on err). */
export async function statsCommand(args: string[], json: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        a: { type: 'string' }, b: { type: 'string' }, paired: { type: 'boolean' }, alpha: { type: 'string' }, seed: { type: 'string' },
        'a-success': { type: 'string' }, 'a-total': { type: 'string' }, 'b-success': { type: 'string' }, 'b-total': { type: 'string' },
        'effect-size': { type: 'string' }, power: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) { out.write(STATS_HELP + '\n'); return 0; }
    const [sub, ...extra] = positionals;
    if (!sub) throw new StatsUsageError('stats needs a subcommand: ab, rates or power');
    const allowed = FLAGS[sub];
    if (!allowed) throw new StatsUsageError(`unknown stats subcommand "${sub}" (ab, rates or power)`);
    if (extra.length) throw new StatsUsageError(`unexpected argument "${extra[0]}"`);
    const stray = Object.keys(values).find((k) => k !== 'json' && !allowed.includes(k));
    if (stray) throw new StatsUsageError(`--${stray} does not apply to stats ${sub}`);
    const r = sub === 'ab' ? ab(values) : sub === 'rates' ? rates(values) : power(values);
    out.write((json || values.json ? JSON.stringify(r.json) : r.human) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof StatsUsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`promptlab: ${(e as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    throw e;
  }
}
