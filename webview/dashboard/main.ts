import '../common/cspSelfCheck';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { ChartConfiguration } from 'chart.js';
import type { AlertState, AnalyticsReport, BreakdownRow, DashboardCommand, DashboardData, DashboardDays, DashboardViewState, HealthReport, HostToWebview, Kpis } from '../../src/shared/dashboardProtocol';
import { connect, el } from '../common/vscodeApi';
import type { ChartTheme } from '../common/theme';
import { applyChartDefaults, onThemeChange, readTheme, withAlpha } from '../common/theme';
import type { KpiSpec } from './format';
import { DEFAULT_STATE, KPI_SPECS, NA, WINDOWS, alertValue, bucketLabel, count, describeDelta, duration, percent, previousLabel, score, usd, windowLabel } from './format';

/*
 * Dashboard panel: the executive view. KPI cards with deltas against the previous window of
 * the same length (the store computes them, with the test behind "significant"), success-rate,
 * response-time and volume trends, breakdowns by model and prompt, and the current alerts
 * from the health monitor. Every string from the database is set as text; chart colours come
 * from the theme and follow its changes. View state (window, filters) is saved by setState
 * and comes back from the host after a reload; the data is always re-queried.
 */

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);


let state: DashboardViewState = { ...DEFAULT_STATE };
let data: DashboardData | null = null;
let health: HealthReport | null = null;
let healthAvailable = false;
let commands: DashboardCommand[] = [];
let charts: Chart[] = [];
let initialised = false;

const host = connect<DashboardViewState, HostToWebview>((m) => {
  switch (m.type) {
    case 'init':
      if (m.state) state = m.state;
      health = m.health;
      healthAvailable = m.healthAvailable;
      commands = m.commands;
      initialised = true;
      syncControls();
      saveState();
      renderAlerts();
      void query();
      return;
    case 'health':
      health = m.report;
      renderAlerts();
      return;
    case 'changed':
      if (initialised) void query();
      return;
    case 'response':
      return; // answered through connect()'s request map
  }
});

const app = document.getElementById('app')!;
app.setAttribute('data-panel', 'dashboard');

const daysSelect = el('select', { id: 'dashboard-days', 'aria-label': 'Time window' },
  ...WINDOWS.map((d) => el('option', { value: String(d) }, windowLabel(d))));
const promptSelect = el('select', { id: 'dashboard-prompt', 'aria-label': 'Prompt filter' });
const modelSelect = el('select', { id: 'dashboard-model', 'aria-label': 'Model filter' });
const refreshButton = el('button', { id: 'dashboard-refresh', type: 'button', title: 'Query again and refresh the alerts' }, 'Refresh');
const scopeLine = el('p', { id: 'dashboard-scope', class: 'muted', 'data-testid': 'dashboard-scope' });
const status = el('p', { id: 'dashboard-status', class: 'muted', role: 'status', 'data-testid': 'dashboard-status' }, 'Loading…');
const alerts = el('section', { id: 'dashboard-alerts', class: 'panel-section alerts', 'aria-labelledby': 'alerts-title', 'data-testid': 'dashboard-alerts' });
const content = el('div', { id: 'dashboard-content' });

app.replaceChildren(
  el('div', { class: 'toolbar', id: 'dashboard' }, el('h1', {}, 'Dashboard'), daysSelect, promptSelect, modelSelect, refreshButton),
  scopeLine, status, content);
content.append(alerts);
app.setAttribute('aria-busy', 'false');
syncControls();
renderAlerts();

daysSelect.addEventListener('change', () => { state = { ...state, days: Number(daysSelect.value) as DashboardDays }; changed(); });
promptSelect.addEventListener('change', () => { state = { ...state, promptId: promptSelect.value || null }; changed(); });
modelSelect.addEventListener('change', () => { state = { ...state, model: modelSelect.value || null }; changed(); });
refreshButton.addEventListener('click', () => host.post({ type: 'refresh' }));
onThemeChange(() => { if (data) renderData(data); });

function changed(): void {
  saveState();
  syncControls();
  void query();
}

function saveState(): void {
  host.api.setState(state);
}

function scopeText(): string {
  return `${windowLabel(state.days)} · ${state.promptId ? `prompt “${state.promptId}”` : 'all prompts'} · ${state.model ? `model “${state.model}”` : 'all models'}`;
}

/** Controls show the state; a chosen prompt/model not in the window's list stays selectable. */
function syncControls(): void {
  daysSelect.value = String(state.days);
  fillPicker(promptSelect, 'All prompts', data?.choices.prompts ?? [], state.promptId);
  fillPicker(modelSelect, 'All models', data?.choices.models ?? [], state.model);
  scopeLine.textContent = scopeText();
}

function fillPicker(select: HTMLSelectElement, allLabel: string, keys: string[], wanted: string | null): void {
  const options = [el('option', { value: '' }, allLabel), ...keys.map((k) => el('option', { value: k }, k))];
  if (wanted && !keys.includes(wanted)) options.push(el('option', { value: wanted }, wanted));
  select.replaceChildren(...options);
  select.value = wanted ?? '';
}

// One query at a time: a change during a query asks for one more afterwards.
let inFlight = false;
let again = false;

async function query(): Promise<void> {
  if (inFlight) { again = true; return; }
  inFlight = true;
  app.setAttribute('aria-busy', 'true');
  const asked = state;
  try {
    const d = await host.request<DashboardData>({ type: 'query', state: asked });
    // A selection changed meanwhile: its own query follows, this answer is stale.
    if (!again) {
      data = d;
      renderData(d);
    }
  } catch (e) {
    status.textContent = `Could not load the dashboard: ${(e as Error).message}`;
    status.className = 'error';
  } finally {
    inFlight = false;
    app.setAttribute('aria-busy', 'false');
    if (again) { again = false; void query(); }
  }
}

function commandButton(command: DashboardCommand, label: string): HTMLButtonElement[] {
  if (!commands.includes(command)) return [];
  const b = el('button', { type: 'button', 'data-command': command, 'data-testid': `command-${command}` }, label);
  b.addEventListener('click', () => host.post({ type: 'command', command }));
  return [b];
}

// ---- rendering ----

function renderData(d: DashboardData): void {
  for (const c of charts) c.destroy();
  charts = [];
  syncControls();
  status.className = 'muted';
  const r = d.report;
  if (d.totalExecutions === 0) {
    status.textContent = 'No executions recorded yet.';
    content.replaceChildren(newUserEmptyState(), alerts);
    return;
  }
  const fmtTime = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  status.textContent = `${count(r.current.executions)} execution(s) from ${fmtTime(r.window.since)} to ${fmtTime(r.window.until)} UTC · `
    + `computed in ${Math.round(r.computeMs)} ms${r.fromCache ? ' (cached)' : ''}.`;
  const theme = readTheme();
  applyChartDefaults(Chart.defaults, theme, { legend: false });
  const parts: HTMLElement[] = [];
  if (r.current.executions === 0) parts.push(windowEmptyState(r));
  parts.push(kpiCards(r), alerts);
  if (r.current.executions > 0) parts.push(trends(r, theme));
  parts.push(breakdowns(r, d.noValueKey));
  content.replaceChildren(...parts);
}

function newUserEmptyState(): HTMLElement {
  return el('div', { class: 'empty', id: 'dashboard-empty', 'data-testid': 'dashboard-empty' },
    el('h2', {}, 'No executions yet'),
    el('p', {}, 'Run a prompt with “Prompt Lab: Run Prompt” (Ctrl+Alt+Enter, Cmd+Alt+Enter on macOS, in an open .prompt.yml or .prompty file, or “▶ Run” above it), '
      + 'or import a JSONL file of past executions with “Prompt Lab: Import Executions”.'),
    el('p', { class: 'muted' }, 'Every execution, failed ones included, is recorded; this dashboard fills in as they arrive.'),
    el('div', { class: 'toolbar' }, ...commandButton('runPrompt', 'Run Prompt…'), ...commandButton('importExecutions', 'Import Executions…')));
}

function windowEmptyState(r: AnalyticsReport): HTMLElement {
  const filtered = !!(state.promptId || state.model);
  const hint = r.previous.executions > 0
    ? `There were ${count(r.previous.executions)} in the ${previousLabel(state.days)}.`
    : 'Choose a longer window' + (filtered ? ' or clear the prompt and model filters.' : '.');
  return el('div', { class: 'empty', id: 'dashboard-window-empty', 'data-testid': 'dashboard-window-empty' },
    el('p', {}, `No executions for ${filtered ? 'this filter' : 'any prompt'} in the ${windowLabel(state.days).toLowerCase()}.`),
    el('p', { class: 'muted' }, hint));
}

function kpiCards(r: AnalyticsReport): HTMLElement {
  const cards = el('div', { class: 'cards kpis', id: 'dashboard-kpis', role: 'list' }, ...KPI_SPECS.map((s) => kpiCard(s, r)));
  return el('section', { class: 'panel-section', 'aria-label': 'Key figures' }, cards,
    el('p', { class: 'muted footnote', 'data-testid': 'percentile-method' }, `Percentiles: ${r.percentileMethod}. Deltas compare with the ${previousLabel(state.days)}; rates use a two-proportion z test, means a Welch t test (significant when p < 0.05).`));
}

function kpiCard(spec: KpiSpec, r: AnalyticsReport): HTMLElement {
  const k: Kpis = r.current;
  const v = spec.value(k);
  const valueEl = el('div', { class: 'card-value', 'data-testid': `kpi-${spec.name}-value` }, spec.format(v));
  const extra: HTMLElement[] = [];
  if (v === null) {
    const why = spec.missing(k);
    valueEl.title = why;
    extra.push(el('div', { class: 'card-note muted', 'data-testid': `kpi-${spec.name}-reason` }, `n/a: ${why}`));
  } else {
    extra.push(el('div', { class: 'card-note muted' }, spec.note(k)));
  }
  const d = describeDelta(spec, r.deltas[spec.name], previousLabel(state.days));
  // A tested change that is not significant keeps its word but not the alarming colour.
  const weak = r.deltas[spec.name].test !== null && r.deltas[spec.name].significant === false;
  const delta = el('div', { class: `delta delta-${d.verdict}${weak ? ' delta-weak' : ''}`, 'data-testid': `kpi-${spec.name}-delta`, title: d.text });
  if (d.verdict === 'na') delta.append(d.significance);
  else {
    delta.append(
      el('span', { class: 'delta-arrow', 'aria-hidden': 'true' }, d.arrow), ' ',
      el('span', { class: 'delta-change' }, d.change), ' ',
      el('span', { class: 'delta-word' }, d.verdict === 'neutral' ? `(${d.direction})` : d.verdict), ' ',
      el('span', { class: 'sr-only' }, `${d.direction} vs ${previousLabel(state.days)}`),
      el('div', { class: 'delta-sig muted' }, `${d.previous} · ${d.significance}`));
  }
  return el('div', { class: 'card kpi', role: 'listitem', 'data-testid': `kpi-${spec.name}`, 'data-kpi': spec.name },
    el('div', { class: 'card-label muted' }, spec.label), valueEl, ...extra, delta);
}

// ---- charts ----


function trends(r: AnalyticsReport, theme: ChartTheme): HTMLElement {
  const series = r.series;
  if (!series || series.points.length === 0) {
    return el('section', { class: 'panel-section' }, el('h2', {}, 'Trends'), el('p', { class: 'not-enough' }, 'No time series in this report.'));
  }
  const pts = series.points;
  const labels = pts.map((p) => bucketLabel(p.start, series.bucket));
  const unit = series.bucket === 'hour' ? 'hour' : 'day';
  // Empty buckets are gaps (null), not zeros: a rate or percentile of nothing is not 0.
  const rate = pts.map((p) => (p.executions > 0 && p.successRate !== null ? p.successRate * 100 : null));
  const p50 = pts.map((p) => (p.executions > 0 ? p.latencyP50 : null));
  const p95 = pts.map((p) => (p.executions > 0 ? p.latencyP95 : null));
  const [blue, green, , orange] = theme.series as [string, string, string, string];
  const hc = theme.highContrast;
  const line = (label: string, values: Array<number | null>, colour: string, dash?: number[]) => ({
    label, data: values, borderColor: colour, backgroundColor: colour, borderWidth: hc ? 3 : 2, pointRadius: pts.length > 60 ? 0 : 2, spanGaps: false,
    ...(dash ? { borderDash: dash } : {}),
  });
  const bucketTitle = (i: number) => `${labels[i]} UTC · ${count(pts[i]!.executions)} execution(s)`;
  const lineOptions = (yTitle: string, yMax?: number): ChartConfiguration<'line', Array<number | null>, string>['options'] => ({
    interaction: { mode: 'index', intersect: false },
    scales: { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true, ...(yMax !== undefined ? { max: yMax } : {}), title: { display: true, text: yTitle } } },
  });

  const rateSummary = `Success rate per ${unit}: ${describeSeries(labels, rate, (v) => `${v.toFixed(1)}%`)}`;
  const rateChart = chartCard('Success rate', 'chart-success', rateSummary, {
    type: 'line',
    data: { labels, datasets: [line('success rate', rate, green)] },
    options: { ...lineOptions('% succeeded', 100),
      plugins: { tooltip: { callbacks: { title: (items) => bucketTitle(items[0]?.dataIndex ?? 0), label: (item) => `success rate: ${percent((item.raw as number) / 100)}` } } } },
  } satisfies ChartConfiguration<'line', Array<number | null>, string>);

  const latencySummary = `Response time per ${unit}, p50 and p95: ${describeSeries(labels, p95, (v) => duration(v))} (p95)`;
  const latencyChart = chartCard('Response time (p50, p95)', 'chart-latency', latencySummary, {
    type: 'line',
    data: { labels, datasets: [line('p50', p50, blue), line('p95', p95, orange, [6, 3])] },
    options: { ...lineOptions('milliseconds'),
      plugins: { legend: { display: true, labels: { usePointStyle: true, pointStyle: 'line' } }, tooltip: { callbacks: { title: (items) => bucketTitle(items[0]?.dataIndex ?? 0), label: (item) => `${item.dataset.label}: ${duration(item.raw as number)}` } } } },
  } satisfies ChartConfiguration<'line', Array<number | null>, string>);

  const volume = pts.map((p) => p.executions);
  const volumeSummary = `Executions per ${unit}: ${describeSeries(labels, volume, (v) => count(v))}`;
  const volumeChart = chartCard('Volume', 'chart-volume', volumeSummary, {
    type: 'bar',
    data: { labels, datasets: [{ label: 'executions', data: volume, backgroundColor: withAlpha(blue, hc ? 1 : 0.7), borderColor: hc ? theme.contrastBorder : blue, borderWidth: hc ? 1 : 0 }] },
    options: {
      scales: { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'executions' } } },
      plugins: { tooltip: { callbacks: { title: (items) => `${labels[items[0]?.dataIndex ?? 0]} UTC`, label: (item) => `${count(item.raw as number)} execution(s), cost ${usd(pts[item.dataIndex]!.cost)}` } } },
    },
  } satisfies ChartConfiguration<'bar', number[], string>);

  return el('section', { class: 'panel-section', 'aria-labelledby': 'trends-title' },
    el('h2', { id: 'trends-title' }, 'Trends'),
    el('p', { class: 'muted' }, `Per ${unit} (UTC). Buckets without executions are gaps in the lines.`),
    el('div', { class: 'chart-grid dashboard-charts' }, rateChart, latencyChart, volumeChart));
}

/** A text summary of a series for the canvas's accessible name (first, last, min, max with data). */
function describeSeries(labels: string[], values: Array<number | null>, f: (v: number) => string): string {
  const withData = values.map((v, i) => [labels[i]!, v] as const).filter((x): x is readonly [string, number] => x[1] !== null);
  if (withData.length === 0) return 'no data';
  const min = withData.reduce((a, b) => (b[1] < a[1] ? b : a));
  const max = withData.reduce((a, b) => (b[1] > a[1] ? b : a));
  return `${withData.length} bucket(s) with data; lowest ${f(min[1])} at ${min[0]}, highest ${f(max[1])} at ${max[0]}, last ${f(withData[withData.length - 1]![1])}`;
}

function chartCard(title: string, id: string, summary: string, config: ChartConfiguration<'line', Array<number | null>, string> | ChartConfiguration<'bar', number[], string>): HTMLElement {
  const canvas = el('canvas', { role: 'img', 'aria-label': summary, id }, summary);
  const box = el('div', { class: 'chart-box dashboard-chart' }, canvas);
  const card = el('div', { class: 'chart-card', 'data-testid': id }, el('h3', {}, title), box);
  charts.push(new Chart(canvas, config as ChartConfiguration));
  return card;
}

// ---- breakdowns ----

/** Rows shown per breakdown table (groups are sorted by executions, descending). */
const BREAKDOWN_ROWS = 25;

function breakdowns(r: AnalyticsReport, noValueKey: string): HTMLElement {
  const b = r.breakdowns;
  if (!b) return el('section', { class: 'panel-section' }, el('p', { class: 'muted' }, 'No breakdowns in this report.'));
  return el('section', { class: 'panel-section', 'aria-labelledby': 'breakdown-title' },
    el('h2', { id: 'breakdown-title' }, 'Breakdown'),
    el('p', { class: 'muted' }, 'Click a row or press Enter to open its executions in History.'),
    el('div', { class: 'breakdown-grid' },
      breakdownTable('By model', 'model', b.byModel, noValueKey, r.window.since),
      breakdownTable('By prompt', 'prompt', b.byPrompt, noValueKey, r.window.since)));
}

function breakdownTable(title: string, kind: 'model' | 'prompt', rows: BreakdownRow[], noValueKey: string, windowSince: number): HTMLElement {
  const testId = `breakdown-${kind}`;
  const heading = el('h3', { id: `${testId}-title` }, title);
  if (rows.length === 0) return el('div', { class: 'breakdown' }, heading, el('p', { class: 'muted', 'data-testid': testId }, 'No executions in this window.'));
  const tbody = el('tbody', { id: `${testId}-rows` });
  for (const row of rows.slice(0, BREAKDOWN_ROWS)) {
    const k = row.kpis;
    const tr = el('tr', { tabindex: '0', 'data-key': row.key, title: 'Open in History' },
      el('th', { scope: 'row', class: 'key' }, row.key),
      el('td', { class: 'num' }, count(k.executions)),
      el('td', { class: 'num' }, percent(k.successRate)),
      el('td', { class: 'num', ...(k.latency.p95 === null ? { title: 'no execution with a response time' } : {}) }, duration(k.latency.p95)),
      el('td', { class: 'num', ...(k.quality.mean === null ? { title: 'no scored executions' } : {}) }, score(k.quality.mean)),
      el('td', { class: 'num', ...(k.cost.known < k.executions ? { title: `cost known for ${k.cost.known} of ${k.executions}` } : {}) }, k.cost.known > 0 ? usd(k.cost.total) : NA));
    if (row.key === noValueKey) {
      // Executions without a model: History has no filter for "no model", so the row is not a link.
      tr.removeAttribute('tabindex');
      tr.setAttribute('title', `executions with no ${kind} recorded`);
      tr.classList.add('no-link');
      tr.firstElementChild!.textContent = `(no ${kind} recorded)`;
    } else {
      // The dashboard's own filter stays on (a model row under a prompt filter means that prompt with that model).
      const filter = kind === 'model' ? { model: row.key, ...(state.promptId ? { promptId: state.promptId } : {}) } : { promptId: row.key, ...(state.model ? { model: state.model } : {}) };
      const open = () => host.post({ type: 'openHistory', ...filter, since: windowSince });
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
      // Say what the focusable row does (a plain row would be announced as data only).
      tr.setAttribute('aria-label', `${row.key}: ${count(k.executions)} executions; press Enter to open them in History`);
    }
    tbody.append(tr);
  }
  const more = rows.length > BREAKDOWN_ROWS ? [el('p', { class: 'muted' }, `and ${count(rows.length - BREAKDOWN_ROWS)} more (fewer executions)`)] : [];
  return el('div', { class: 'breakdown' }, heading,
    el('div', { class: 'table-wrap' }, el('table', { 'data-testid': testId, 'aria-labelledby': `${testId}-title` },
      el('thead', {}, el('tr', {}, ...[kind === 'model' ? 'Model' : 'Prompt', 'Executions', 'Success', 'p95', 'Quality', 'Cost'].map((h) => el('th', { scope: 'col' }, h)))), tbody)),
    ...more);
}

// ---- alerts ----

const SEVERITY_ICON: Record<AlertState['severity'], string> = { high: '✖', medium: '⚠', info: 'ℹ' };

function renderAlerts(): void {
  const title = el('h2', { id: 'alerts-title' }, 'Current alerts');
  if (!health) {
    alerts.replaceChildren(title, el('p', { class: 'muted', 'data-testid': 'alerts-none' },
      initialised && !healthAvailable ? 'Health checks have not run yet (the health monitor is not running in this window).' : 'Health checks have not run yet.'),
    el('div', { class: 'toolbar' }, ...commandButton('checkHealth', 'Run health checks')));
    return;
  }
  const firing = health.alerts.filter((a) => a.firing);
  const failing = health.checks.filter((c) => !c.healthy);
  const when = new Date(health.generatedAt).toLocaleTimeString();
  const items: HTMLElement[] = [];
  for (const a of firing) {
    items.push(el('li', { class: `alert alert-${a.severity}`, 'data-rule': a.ruleId },
      el('span', { class: 'alert-icon', 'aria-hidden': 'true' }, SEVERITY_ICON[a.severity]), ' ',
      el('strong', {}, `${a.severity.toUpperCase()}: ${a.label}`), ' ',
      `${alertValue(a.ruleId, a.value)} ${a.comparator} ${alertValue(a.ruleId, a.threshold)}`,
      a.n !== null ? ` (n = ${count(a.n)})` : '',
      ` · since ${new Date(a.since).toLocaleString()}`));
  }
  for (const c of failing) {
    items.push(el('li', { class: `alert alert-${c.severity ?? 'medium'}`, 'data-check': c.name },
      el('span', { class: 'alert-icon', 'aria-hidden': 'true' }, SEVERITY_ICON[c.severity ?? 'medium']), ' ',
      el('strong', {}, `Check ${c.name} unhealthy:`), ' ', c.details));
  }
  const notEvaluated = health.alerts.filter((a) => !a.firing && a.value === null);
  const summary = items.length === 0
    ? `No alerts firing; ${health.checks.length} check(s) healthy, ${health.alerts.length} rule(s) evaluated at ${when}.`
    : `${firing.length} alert(s) firing, ${failing.length} check(s) unhealthy (as of ${when}).`;
  alerts.replaceChildren(title,
    el('p', { class: items.length ? '' : 'muted', 'data-testid': 'alerts-summary' }, summary),
    ...(items.length ? [el('ul', { class: 'alert-list', 'data-testid': 'alerts-list' }, ...items)] : []),
    ...(notEvaluated.length ? [el('p', { class: 'muted' }, `Not evaluated: ${notEvaluated.map((a) => `${a.label} (${a.reason ?? 'no value'})`).join('; ')}.`)] : []),
    el('div', { class: 'toolbar' }, ...commandButton('showHealth', 'Show Health'), ...commandButton('checkHealth', 'Run health checks')));
}

host.post({ type: 'ready' });
