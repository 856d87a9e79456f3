import '../common/cspSelfCheck';
import { BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { ChartConfiguration } from 'chart.js';
import type { DailyQuality, HostToWebview, QualityData, QualityDays, QualityViewState, ScoreDistribution, WorstExecution } from '../../src/shared/qualityProtocol';
import { connect, el } from '../common/vscodeApi';
import type { ChartTheme } from '../common/theme';
import { applyChartDefaults, onThemeChange, readTheme, withAlpha } from '../common/theme';

/*
 * Quality panel: for one prompt (or all) and a time window, the score distribution of each
 * dimension, the daily trend of the overall score with its 10th–90th percentile band, and the
 * worst executions with the reason of their weakest dimension. Every string from the
 * database is set as text; chart colours come from the theme and follow its changes.
 */

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Filler, Tooltip, Legend);


const host = connect<QualityViewState, HostToWebview>((m) => {
  if (m.type === 'changed') void query();
});

const saved = host.api.getState();
// Saved state comes from an older version too: keep only what still makes sense.
let promptId: string | null = typeof saved?.promptId === 'string' ? saved.promptId : null;
let days: QualityDays = saved?.days === null || saved?.days === 7 || saved?.days === 90 ? saved.days : 30;
let data: QualityData | null = null;
let charts: Chart[] = [];

const DAY_LABELS: Array<[QualityDays, string]> = [[7, 'Last 7 days'], [30, 'Last 30 days'], [90, 'Last 90 days'], [null, 'All time']];
const DIMENSION_HINTS: Record<string, string> = {
  accuracy: 'needs an expected answer in the test case',
};

const app = document.getElementById('app')!;
const promptSelect = el('select', { id: 'quality-prompt', 'aria-label': 'Prompt' });
const daysSelect = el('select', { id: 'quality-days', 'aria-label': 'Time window' },
  ...DAY_LABELS.map(([d, label]) => el('option', { value: d === null ? 'all' : String(d) }, label)));
const refresh = el('button', { id: 'quality-refresh', type: 'button', title: 'Refresh' }, 'Refresh');
const status = el('p', { id: 'quality-status', class: 'muted', role: 'status' }, 'Loading…');
const cards = el('div', { id: 'quality-cards', class: 'cards' });
const content = el('div', { id: 'quality-content' });

daysSelect.value = days === null ? 'all' : String(days);
app.replaceChildren(el('div', { class: 'toolbar', id: 'quality' }, promptSelect, daysSelect, refresh), status, cards, content);
app.setAttribute('aria-busy', 'false');

promptSelect.addEventListener('change', () => { promptId = promptSelect.value || null; saveState(); void query(); });
daysSelect.addEventListener('change', () => {
  days = daysSelect.value === 'all' ? null : (Number(daysSelect.value) as QualityDays);
  saveState();
  void query();
});
refresh.addEventListener('click', () => void query());
onThemeChange(() => { if (data) render(data); });

function saveState(): void {
  host.api.setState({ promptId, days });
}

// One query at a time: a change notice during a query asks for one more afterwards.
let inFlight = false;
let again = false;

async function query(): Promise<void> {
  if (inFlight) { again = true; return; }
  inFlight = true;
  app.setAttribute('aria-busy', 'true');
  try {
    data = await host.request<QualityData>({ type: 'query', promptId, days });
    render(data);
  } catch (e) {
    status.textContent = `Could not load quality data: ${(e as Error).message}`;
    status.className = 'error';
  } finally {
    inFlight = false;
    app.setAttribute('aria-busy', 'false');
    if (again) { again = false; void query(); }
  }
}

const fmt = (v: number | null, digits = 2) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));
const windowText = () => (days === null ? 'in all time' : `in the last ${days} days`);

function renderPicker(ids: string[]): void {
  const wanted = promptId;
  const options = [el('option', { value: '' }, 'All prompts'), ...ids.map((id) => el('option', { value: id }, id))];
  // A prompt chosen earlier whose scores have gone (or beyond the 200 listed) stays selectable.
  if (wanted && !ids.includes(wanted)) options.push(el('option', { value: wanted }, wanted));
  promptSelect.replaceChildren(...options);
  promptSelect.value = wanted ?? '';
}

function render(d: QualityData): void {
  for (const c of charts) c.destroy();
  charts = [];
  renderPicker(d.promptIds);
  status.className = 'muted';
  const scope = promptId ? `prompt “${promptId}”` : 'all prompts';
  if (d.scored === 0) {
    cards.replaceChildren();
    const neverScored = d.promptIds.length === 0;
    status.textContent = neverScored
      ? 'No scored executions yet.'
      : `No scored executions for ${scope} ${windowText()}.`;
    content.replaceChildren(el('div', { class: 'empty', id: 'quality-empty' },
      ...(neverScored
        ? [el('p', {}, 'Run a prompt file: every response is scored on relevance, completeness, accuracy, clarity and safety.'),
          el('p', { class: 'muted' }, 'Open a .prompt.yml or .prompty file and click “▶ Run” above it (or run “Prompt Lab: Run Prompt”). Scores appear here as soon as responses come back.')]
        : [el('p', {}, days === null ? 'Choose “All prompts”, or run this prompt file to score new responses.' : 'Choose a longer time window or “All prompts”, or run the prompt file to score new responses.'),
          ...(d.unscored ? [el('p', { class: 'muted' }, `${d.unscored} execution(s) in this selection have no score (failed, or recorded without scoring).`)] : [])])));
    return;
  }
  status.textContent = `${d.scored} scored execution(s) for ${scope} ${windowText()}.`;
  const theme = readTheme();
  applyChartDefaults(Chart.defaults, theme, { legend: false });
  renderCards(d);
  const distributions = el('section', { class: 'panel-section', 'aria-labelledby': 'dist-title' },
    el('h2', { id: 'dist-title' }, 'Score distribution'),
    el('p', { class: 'muted' }, 'Executions per tenth of the score (0 = worst, 1 = best).'),
    el('div', { class: 'chart-grid' }, ...[d.overall, ...d.dimensions].map((dist, i) => histogramCard(dist, theme, i))));
  const trend = el('section', { class: 'panel-section', 'aria-labelledby': 'trend-title' },
    el('h2', { id: 'trend-title' }, 'Trend'),
    ...trendBlock(d.daily, theme));
  const worst = el('section', { class: 'panel-section', 'aria-labelledby': 'worst-title' },
    el('h2', { id: 'worst-title' }, 'Worst executions'),
    el('p', { class: 'muted' }, 'Lowest overall score first. Click a row or press Enter to open the execution in History.'),
    worstTable(d.worst));
  content.replaceChildren(distributions, trend, worst);
}

function renderCards(d: QualityData): void {
  const card = (label: string, value: string, note?: string) =>
    el('div', { class: 'card' }, el('div', { class: 'card-label muted' }, label), el('div', { class: 'card-value' }, value), ...(note ? [el('div', { class: 'card-note muted' }, note)] : []));
  const weights = d.weights
    ? Object.entries(d.weights).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' · ')
    : 'not recorded';
  cards.replaceChildren(
    card('Scored executions', String(d.scored), d.unscored ? `${d.unscored} without a score` : undefined),
    card('Mean overall score', fmt(d.overall.mean), 'weighted mean of the dimensions'),
    el('div', { class: 'card wide', id: 'quality-weights' }, el('div', { class: 'card-label muted' }, 'Dimension weights (newest execution)'), el('div', { class: 'card-weights' }, weights)),
  );
}

const BUCKET_LABELS = Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`);


function histogramCard(dist: ScoreDistribution, theme: ChartTheme, i: number): HTMLElement {
  const colour = theme.series[i === 0 ? 0 : (i - 1) % theme.series.length]!;
  const title = dist.name === 'overall' ? 'Overall' : dist.name[0]!.toUpperCase() + dist.name.slice(1);
  const notes = [`mean ${fmt(dist.mean)}`, `n = ${dist.n}`];
  if (dist.unassessed) notes.push(`${dist.unassessed} not assessed${DIMENSION_HINTS[dist.name] ? ` (${DIMENSION_HINTS[dist.name]})` : ''}`);
  const summary = `${title} score histogram: ${dist.histogram.map((c, k) => `${BUCKET_LABELS[k]}: ${c}`).join(', ')}`;
  const canvas = el('canvas', { role: 'img', 'aria-label': summary }, summary);
  const box = el('div', { class: 'chart-box small' }, canvas);
  const cardEl = el('div', { class: 'chart-card', 'data-dimension': dist.name }, el('h3', {}, title), el('p', { class: 'muted chart-note' }, notes.join(' · ')), box);
  if (dist.n === 0) {
    box.replaceChildren(el('p', { class: 'muted not-enough' }, 'No scores for this dimension in the selection.'));
    return cardEl;
  }
  // A real histogram: bars centred on each tenth of a linear 0–1 axis, ticks on the bucket edges.
  const config: ChartConfiguration<'bar', Array<{ x: number; y: number }>, unknown> = {
    type: 'bar',
    data: { datasets: [{ label: 'executions', data: dist.histogram.map((y, k) => ({ x: k / 10 + 0.05, y })),
      backgroundColor: withAlpha(colour, theme.highContrast ? 1 : 0.75), borderColor: theme.highContrast ? theme.contrastBorder : colour,
      borderWidth: theme.highContrast ? 1 : 0, categoryPercentage: 1, barPercentage: 0.92 }] },
    options: {
      scales: {
        x: { type: 'linear', min: 0, max: 1, offset: false, ticks: { stepSize: 0.2, maxRotation: 0, callback: (v) => Number(v).toFixed(1) }, grid: { offset: false } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      },
      plugins: { tooltip: { callbacks: { title: (items) => `score ${BUCKET_LABELS[items[0]?.dataIndex ?? 0]}`, label: (item) => `${(item.raw as { y: number }).y} execution(s)` } } },
    },
  };
  charts.push(new Chart(canvas, config));
  return cardEl;
}

const DAY_MS = 86_400_000;

/** Every day from the first to the last with data; missing days are gaps, not interpolated. */
function fillDays(daily: DailyQuality[]): Array<DailyQuality | { day: string; n: 0 }> {
  const first = Date.parse(`${daily[0]!.day}T00:00:00Z`);
  const last = Date.parse(`${daily[daily.length - 1]!.day}T00:00:00Z`);
  if ((last - first) / DAY_MS > 731) return daily; // years of data: only the days with scores
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const out: Array<DailyQuality | { day: string; n: 0 }> = [];
  for (let t = first; t <= last; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, n: 0 });
  }
  return out;
}

function trendBlock(daily: DailyQuality[], theme: ChartTheme): HTMLElement[] {
  if (daily.length < 2) {
    const only = daily[0];
    return [el('p', { class: 'not-enough', id: 'trend-not-enough' },
      `Not enough data for a trend: scores exist on ${daily.length} day${daily.length === 1 ? ` (${only!.day}, ${only!.n} execution(s))` : 's'} only. `
      + 'Run the prompt again on another day, or choose a longer time window, to see how quality changes.')];
  }
  const days = fillDays(daily);
  const val = (f: (d: DailyQuality) => number) => days.map((d) => (d.n ? f(d as DailyQuality) : null));
  const blue = theme.series[0]!;
  const summary = `Daily mean overall score from ${daily[0]!.day} to ${daily[daily.length - 1]!.day}: ${daily.map((d) => `${d.day} ${d.mean.toFixed(2)} (n ${d.n})`).join(', ')}`;
  const canvas = el('canvas', { role: 'img', 'aria-label': summary }, summary);
  const config: ChartConfiguration<'line', Array<number | null>, string> = {
    type: 'line',
    data: {
      labels: days.map((d) => d.day),
      datasets: [
        { label: '10th percentile', data: val((d) => d.p10), borderColor: withAlpha(blue, 0.5), borderWidth: 1, pointRadius: 0, fill: false, spanGaps: false },
        { label: '10th–90th percentile', data: val((d) => d.p90), borderColor: withAlpha(blue, 0.5), borderWidth: 1, pointRadius: 0, backgroundColor: withAlpha(blue, theme.highContrast ? 0.35 : 0.2), fill: '-1', spanGaps: false },
        { label: 'daily mean', data: val((d) => d.mean), borderColor: blue, backgroundColor: blue, borderWidth: 2, pointRadius: 3, fill: false, spanGaps: false },
      ],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { ticks: { maxRotation: 0, autoSkip: true } },
        y: { min: 0, max: 1 },
      },
      plugins: {
        legend: { display: true, labels: { filter: (item) => item.text !== '10th percentile' } },
        tooltip: {
          filter: (item) => item.datasetIndex !== 0,
          callbacks: {
            label: (item) => item.datasetIndex === 1
              ? `10th–90th percentile: ${fmt((days[item.dataIndex] as DailyQuality).p10)}–${fmt(item.raw as number)}`
              : `mean: ${fmt(item.raw as number)}`,
            footer: (items) => { const d = days[items[0]?.dataIndex ?? 0]!; return `${d.n} execution(s)${d.n && (d as DailyQuality).sd !== null ? `, sd ${fmt((d as DailyQuality).sd)}` : ''}`; },
          },
        },
      },
    },
  };
  charts.push(new Chart(canvas, config));
  return [el('p', { class: 'muted' }, 'Daily mean of the overall score (UTC days); the band spans the 10th to 90th percentile of that day’s scores. Days without scores are gaps.'),
    el('div', { class: 'chart-box trend' }, canvas)];
}

function worstTable(rows: WorstExecution[]): HTMLElement {
  const tbody = el('tbody', { id: 'worst-rows' });
  for (const r of rows) {
    const weakest = r.weakest;
    const tr = el('tr', { tabindex: '0', 'data-id': r.id, title: 'Open in History' },
      el('td', { class: 'num' }, r.overall.toFixed(2)),
      el('td', {}, weakest ? `${weakest.name} ${weakest.score.toFixed(2)}` : '—'),
      el('td', { class: 'reason' }, weakest?.reason || '—'),
      el('td', {}, r.promptId),
      el('td', {}, r.model ?? '—'),
      el('td', {}, new Date(r.createdAt).toLocaleString()));
    const open = () => host.post({ type: 'openExecution', executionId: r.id });
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
    tbody.append(tr);
  }
  return el('div', { class: 'table-wrap' }, el('table', { id: 'worst', 'aria-label': 'Worst executions' },
    el('thead', {}, el('tr', {}, ...['Overall', 'Weakest dimension', 'Reason', 'Prompt', 'Model', 'Time'].map((h) => el('th', { scope: 'col' }, h)))), tbody));
}

host.post({ type: 'ready' });
void query();
