import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip, Legend } from 'chart.js';
import type { ChartConfiguration, Plugin } from 'chart.js';
import type { ContinuousDistribution, LatencyCost, MetricDistribution, RateDistribution, SpreadSummary } from '../../src/core/compare/distributions';
import type { Stat } from '../../src/core/stats/stat';
import type { ChartTheme } from '../common/theme';
import { applyChartDefaults, readTheme, withAlpha } from '../common/theme';
import { el } from '../common/vscodeApi';
import { num } from './format';

/*
 * Distribution charts of the compare panel (chart.js, bars only): per metric a histogram per
 * variant on one shared axis, or the pass rate per variant with Wilson 95% whiskers; then
 * latency and cost (mean and p95 per variant). Each chart has an aria-label summary and a
 * data table as its text alternative. Colours come from the theme (read at draw time), and
 * the caller redraws everything when the theme changes. Animations are off.
 */

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

let charts: Chart[] = [];

export function destroyCharts(): void {
  for (const c of charts) c.destroy();
  charts = [];
}


const colourOf = (theme: ChartTheme, i: number) => theme.series[i % theme.series.length]!;

function fill(theme: ChartTheme, colour: string): { backgroundColor: string; borderColor: string; borderWidth: number } {
  return { backgroundColor: withAlpha(colour, theme.highContrast ? 1 : 0.75), borderColor: theme.highContrast ? theme.contrastBorder : colour, borderWidth: theme.highContrast ? 1 : 0 };
}

/** Text alternative: a plain table with the numbers the chart draws. */
function dataTable(caption: string, head: string[], rows: string[][]): HTMLElement {
  return el('details', { class: 'chart-data' },
    el('summary', {}, 'Data table'),
    el('table', { class: 'stat-table' },
      el('caption', { class: 'muted' }, caption),
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', { class: 'num' }, c))))))));
}

function chartCard(id: string, title: string, note: string, summary: string, table: HTMLElement, build: ((canvas: HTMLCanvasElement) => Chart) | null, why?: string, tall = false): HTMLElement {
  const canvas = el('canvas', { role: 'img', 'aria-label': summary }, summary);
  const box = el('div', { class: `chart-box ${tall ? 'trend' : 'small'}` }, canvas);
  const card = el('div', { class: 'chart-card', 'data-chart': id, 'data-testid': `compare-chart-${id}` }, el('h3', {}, title), el('p', { class: 'muted chart-note' }, note), box, table);
  if (!build) box.replaceChildren(el('p', { class: 'muted not-enough' }, why ?? 'Not available.'));
  else charts.push(build(canvas));
  return card;
}

function binLabel(edges: readonly number[], k: number): string {
  return `${num(edges[k]!)}–${num(edges[k + 1] ?? edges[k]!)}`;
}

function histogramCard(d: ContinuousDistribution, theme: ChartTheme): HTMLElement {
  const labels = d.edges.length > 1 ? d.edges.slice(0, -1).map((_, k) => binLabel(d.edges, k)) : [num(d.edges[0])];
  const summary = `${d.metric}: cases per bin, by variant. ` + d.variants.map((v) => `${v.variant} (n ${v.n}, mean ${num(v.mean)}): ${v.counts.map((c, k) => `${labels[k]} ${c}`).join(', ')}`).join('. ');
  const table = dataTable(`${d.metric}: cases per bin`, ['Bin', ...d.variants.map((v) => v.variant)], labels.map((l, k) => [l, ...d.variants.map((v) => String(v.counts[k] ?? 0))]));
  const note = `${d.better === 'higher' ? 'higher' : 'lower'} is better · ${d.variants.map((v) => `${v.variant}: mean ${num(v.mean)}, median ${num(v.median)}, n ${v.n}`).join(' · ')}`;
  return chartCard(d.metric, d.metric, note, summary, table, (canvas) => {
    const config: ChartConfiguration<'bar', number[], string> = {
      type: 'bar',
      data: { labels, datasets: d.variants.map((v, i) => ({ label: v.variant, data: v.counts, ...fill(theme, colourOf(theme, i)), categoryPercentage: 0.9, barPercentage: 1 })) },
      options: {
        scales: { x: { title: { display: true, text: d.metric }, ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'cases' } } },
        plugins: { legend: { display: true } },
      },
    };
    return new Chart(canvas, config);
  }, undefined, true);
}

/** Draws a vertical whisker (with caps) per bar from the intervals given, in the axis' units. */
function whiskers(intervals: Array<[number, number] | null>, colour: string): Plugin<'bar'> {
  return {
    id: 'ciWhiskers',
    afterDatasetsDraw(chart) {
      const meta = chart.getDatasetMeta(0);
      const y = chart.scales.y!;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      meta.data.forEach((bar, i) => {
        const ci = intervals[i];
        if (!ci) return;
        const x = bar.x, top = y.getPixelForValue(ci[1] * 100), bottom = y.getPixelForValue(ci[0] * 100), cap = 6;
        ctx.beginPath();
        ctx.moveTo(x, top); ctx.lineTo(x, bottom);
        ctx.moveTo(x - cap, top); ctx.lineTo(x + cap, top);
        ctx.moveTo(x - cap, bottom); ctx.lineTo(x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    },
  };
}

function rateCard(d: RateDistribution, theme: ChartTheme): HTMLElement {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = d.variants.map((v) => [v.variant, `${v.successes} / ${v.total}`, v.wilson.available ? pct(v.wilson.rate) : 'not available', v.wilson.available ? `${pct(v.wilson.ci95[0])} – ${pct(v.wilson.ci95[1])}` : `not available (${v.wilson.reason})`]);
  const summary = `${d.metric}: pass rate by variant with Wilson 95% interval. ` + rows.map((r) => `${r[0]}: ${r[2]} (${r[1]}), interval ${r[3]}`).join('. ');
  const table = dataTable(`${d.metric}: pass rate`, ['Variant', 'Passed / total', 'Rate', 'Wilson 95% CI'], rows);
  const any = d.variants.some((v) => v.wilson.available);
  return chartCard(d.metric, d.metric, 'pass rate; whiskers: Wilson 95% interval', summary, table, !any ? null : (canvas) => {
    const config: ChartConfiguration<'bar', Array<number | null>, string> = {
      type: 'bar',
      data: { labels: d.variants.map((v) => v.variant), datasets: [{ label: 'pass rate (%)', data: d.variants.map((v) => (v.wilson.available ? v.wilson.rate * 100 : null)),
        backgroundColor: d.variants.map((_, i) => fill(theme, colourOf(theme, i)).backgroundColor), borderColor: d.variants.map((_, i) => fill(theme, colourOf(theme, i)).borderColor), borderWidth: theme.highContrast ? 1 : 0 }] },
      options: {
        scales: { y: { min: 0, max: 100, title: { display: true, text: '% passed' } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => rows[item.dataIndex]!.slice(1).join(' · ') } } },
      },
      plugins: [whiskers(d.variants.map((v) => (v.wilson.available ? v.wilson.ci95 : null)), theme.foreground)],
    };
    return new Chart(canvas, config);
  }, `No group has executions: ${d.variants.map((v) => (v.wilson.available ? '' : `${v.variant}: ${v.wilson.reason}`)).filter(Boolean).join('; ')}`);
}

function spreadCard(id: string, title: string, unit: string, items: Array<{ variant: string; s: Stat<SpreadSummary> }>, theme: ChartTheme, fmt: (x: number) => string): HTMLElement {
  const rows = items.map(({ variant, s }) => (s.available ? [variant, String(s.n), fmt(s.mean), fmt(s.p95)] : [variant, '0', `not available (${s.reason})`, 'not available']));
  const summary = `${title} by variant: ` + rows.map((r) => `${r[0]}: mean ${r[2]}, p95 ${r[3]} (n ${r[1]})`).join('. ');
  const table = dataTable(`${title}: mean and 95th percentile`, ['Variant', 'Executions', 'Mean', 'p95'], rows);
  const have = items.filter((x) => x.s.available);
  const why = items.map(({ variant, s }) => (s.available ? '' : `${variant}: ${s.reason}`)).filter(Boolean).join('; ');
  return chartCard(id, title, `mean and 95th percentile over successful executions${why && have.length ? ` · ${why}` : ''}`, summary, table, !have.length ? null : (canvas) => {
    const val = (f: (s: SpreadSummary) => number) => items.map(({ s }) => (s.available ? f(s) : null));
    const base = colourOf(theme, 0), tail = colourOf(theme, 3);
    const config: ChartConfiguration<'bar', Array<number | null>, string> = {
      type: 'bar',
      data: { labels: items.map((x) => x.variant), datasets: [{ label: 'mean', data: val((s) => s.mean), ...fill(theme, base) }, { label: 'p95', data: val((s) => s.p95), ...fill(theme, tail) }] },
      options: {
        scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
        plugins: { legend: { display: true }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw === null ? 'not available' : fmt(item.raw as number)}` } } },
      },
    };
    return new Chart(canvas, config);
  }, why);
}

/** The charts section for an analysis (empty section when nothing can be drawn). */
export function renderCharts(target: HTMLElement, distributions: readonly MetricDistribution[], latencyCost: readonly LatencyCost[]): void {
  destroyCharts();
  const theme = readTheme();
  applyChartDefaults(Chart.defaults, theme, { legend: true });
  const dist = distributions.map((d) => (d.kind === 'binary' ? rateCard(d, theme) : histogramCard(d, theme)));
  const lc = latencyCost.length ? [
    spreadCard('latency', 'Latency', 'ms', latencyCost.map((x) => ({ variant: x.variant, s: x.latencyMs })), theme, (x) => `${Math.round(x)} ms`),
    spreadCard('cost', 'Cost per execution', 'USD', latencyCost.map((x) => ({ variant: x.variant, s: x.costUsd })), theme, (x) => `$${x.toPrecision(3)}`),
  ] : [];
  target.replaceChildren(
    el('h2', { id: 'charts-title' }, 'Distributions'),
    ...(dist.length ? [el('p', { class: 'muted' }, 'Per metric compared: cases per bin for each variant on one shared axis (the values the tests used: per-case means), or the pass rate with its Wilson 95% interval.'),
      el('div', { class: 'chart-grid', 'data-testid': 'compare-distributions' }, ...dist)] : [el('p', { class: 'muted' }, 'No metric has enough data to draw.')]),
    el('h2', { id: 'latency-cost-title' }, 'Latency and cost'),
    ...(lc.length ? [el('div', { class: 'chart-grid', 'data-testid': 'compare-latency-cost' }, ...lc)] : [el('p', { class: 'muted' }, 'Not available: no executions.')]));
}
