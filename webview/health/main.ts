import '../common/cspSelfCheck';
import type { AlertRow, BreakerView, HealthCheckResult, HealthViewData, HistoryRow, HostToWebview } from '../../src/shared/healthProtocol';
import { connect, el } from '../common/vscodeApi';

/*
 * Health panel: the monitor's current report (checks, alerts with value vs threshold and the
 * window they cover), this window's circuit breakers with "Reset breaker", and the alert
 * history. Every string from the host is set as text. The view holds no state worth saving:
 * after a reload it asks for the current report again.
 */


const host = connect<Record<string, never>, HostToWebview>((m) => {
  if (m.type === 'state') render(m.data);
});

const app = document.getElementById('app')!;
app.setAttribute('data-panel', 'health');
const runButton = el('button', { id: 'health-run', type: 'button', 'data-testid': 'health-run', title: 'Run every health check now' }, 'Run checks now');
const summary = el('p', { id: 'health-summary', 'data-testid': 'health-summary', role: 'status', 'aria-live': 'polite' }, 'Loading…');
const meta = el('p', { class: 'muted', 'data-testid': 'health-meta' });
const alertsBox = el('div', { class: 'table-wrap tall' });
const checksBox = el('div', { class: 'table-wrap tall' });
const breakersBox = el('div');
const historyBox = el('div', { class: 'table-wrap' });
const section = (id: string, title: string, note: string, body: HTMLElement) =>
  el('section', { class: 'panel-section', 'aria-labelledby': id }, el('h2', { id }, title), el('p', { class: 'muted' }, note), body);

app.replaceChildren(
  el('div', { class: 'toolbar' }, el('h1', {}, 'Prompt Lab health'), runButton),
  summary, meta,
  section('alerts-title', 'Alerts', 'Each rule compares a measured value with its threshold; execution rules need a minimum number of executions in the window before they fire.', alertsBox),
  section('checks-title', 'Checks', 'Database, providers, ingestion and the analytics cache.', checksBox),
  section('breakers-title', 'Circuit breakers', 'One per provider used in this window. An open breaker fails requests fast until its recovery time passes; reset it once the provider is fixed.', breakersBox),
  section('history-title', 'Alert history', 'When alerts fired and resolved, newest first (the last 200).', historyBox),
);
app.setAttribute('aria-busy', 'false');

runButton.addEventListener('click', () => void act({ type: 'runChecks' }, 'Running checks…'));

let busy = false;
async function act(m: Record<string, unknown>, doing: string): Promise<void> {
  if (busy) return;
  busy = true;
  runButton.disabled = true;
  summary.textContent = doing;
  summary.className = 'muted';
  try {
    render(await host.request<HealthViewData>(m));
  } catch (e) {
    summary.textContent = `Failed: ${(e as Error).message}`;
    summary.className = 'error';
  } finally {
    busy = false;
    runButton.disabled = false;
  }
}

const time = (ms: number) => new Date(ms).toLocaleString();
const cell = (text: string, attrs: Record<string, string> = {}) => el('td', attrs, text);
/** Details wrap instead of widening the table (CSSOM, which the CSP allows, not a style attribute). */
const wrapCell = (text: string, attrs: Record<string, string> = {}) => { const td = cell(text, attrs); td.style.whiteSpace = 'normal'; td.style.minWidth = '30ch'; return td; };
const table = (id: string, heads: string[], rows: HTMLTableRowElement[]) =>
  el('table', { id, 'data-testid': id }, el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows));
/** A row header: not sticky and not shaded like the column headers of panel.css. */
const rowHead = (text: string) => { const th = el('th', { scope: 'row' }, text); th.style.position = 'static'; th.style.background = 'transparent'; th.style.borderBottom = 'none'; return th; };
const severityText = (s: string | undefined) => s ?? 'high';

function render(d: HealthViewData): void {
  runButton.disabled = busy || d.running;
  const r = d.report;
  if (d.lastError) {
    summary.textContent = `The health checks could not run: ${d.lastError}`;
    summary.className = 'error';
  } else if (!r) {
    summary.textContent = d.running ? 'Running the first checks…' : 'No health check has run yet. Click “Run checks now”.';
    summary.className = 'muted';
  } else {
    const firing = r.alerts.filter((a) => a.firing);
    const failing = r.checks.filter((c) => !c.healthy);
    summary.textContent = `${r.healthy ? 'Healthy' : 'Unhealthy'}: ${firing.length} alert(s) firing, ${failing.length} of ${r.checks.length} check(s) failing.${d.running ? ' Checking again…' : ''}`;
    summary.className = r.healthy ? '' : 'error';
  }
  meta.textContent = [
    r ? `Last check ${time(r.generatedAt)}${r.durationMs !== undefined ? ` (${Math.round(r.durationMs)} ms)` : ''}.` : '',
    d.intervalSeconds > 0 ? `Checks run every ${d.intervalSeconds} s (setting promptLab.health.intervalSeconds).` : 'Scheduled checks are off (promptLab.health.intervalSeconds = 0): checks run only on demand.',
  ].filter(Boolean).join(' ');
  alertsBox.replaceChildren(r ? alertsTable(d.alerts, r.windowMinutes) : el('p', { class: 'muted' }, 'Alerts appear after the first check.'));
  checksBox.replaceChildren(r ? checksTable(r.checks) : el('p', { class: 'muted' }, 'Checks appear after the first check.'));
  breakersBox.replaceChildren(breakersTable(d.breakers));
  historyBox.replaceChildren(d.history.length ? historyTable(d.history) : el('p', { class: 'muted', 'data-testid': 'health-history-empty' }, 'No alert has fired or resolved yet.'));
}

function alertsTable(alerts: AlertRow[], windowMinutes: number | undefined): HTMLElement {
  return table('health-alerts', ['Alert', 'Severity', 'State', 'Value', 'Threshold', 'Window / n', 'Since', 'Notes'], alerts.map((a) => {
    const execRule = a.ruleId === 'error-rate' || a.ruleId === 'latency-p95' || a.ruleId === 'quality-mean';
    const scope = [execRule && windowMinutes ? `last ${windowMinutes} min` : '', a.n !== null ? `n=${a.n}` : ''].filter(Boolean).join(', ') || '—';
    const tr = el('tr', { 'data-testid': `alert-${a.ruleId}`, class: a.firing ? 'failed' : '' },
      rowHead(a.label), cell(a.severity), cell(a.firing ? 'FIRING' : 'ok', { 'data-testid': `alert-state-${a.ruleId}` }),
      cell(a.valueText, { class: 'num' }), cell(`${a.comparator} ${a.thresholdText}`, { class: 'num' }), cell(scope), cell(time(a.since)), wrapCell(a.reason ?? ''));
    return tr;
  }));
}

function metricsText(m: HealthCheckResult['metrics']): string {
  return Object.entries(m).map(([k, v]) => `${k}: ${v === null ? 'n/a' : String(v)}`).join('\n');
}

function checksTable(checks: HealthCheckResult[]): HTMLElement {
  return table('health-checks', ['Check', 'Status', 'Details', 'Metrics'], checks.map((c) => {
    // One metric per line, never wrapped mid-word: the column takes the width of its longest line.
    const pre = el('pre', { class: 'text' }, metricsText(c.metrics));
    pre.style.whiteSpace = 'pre';
    pre.style.margin = '0';
    const metrics = el('td', { class: 'muted' }, pre);
    return el('tr', { 'data-testid': `check-${c.name}`, class: c.healthy ? '' : 'failed' },
      rowHead(c.name), cell(c.healthy ? 'healthy' : `unhealthy (${severityText(c.severity)})`, { 'data-testid': `check-status-${c.name}` }), wrapCell(c.details), metrics);
  }));
}

function breakersTable(breakers: BreakerView[]): HTMLElement {
  if (!breakers.length) return el('p', { class: 'muted', 'data-testid': 'health-breakers-empty' }, 'No provider has been called in this window yet.');
  return el('div', { class: 'table-wrap' }, table('health-breakers', ['Provider', 'State', 'Consecutive failures', 'Next trial', 'Last failure', ''], breakers.map((b) => {
    const reset = el('button', { type: 'button', 'data-testid': `reset-breaker-${b.profileId}`, 'aria-label': `Reset the circuit breaker of ${b.profileId}` }, 'Reset breaker');
    reset.addEventListener('click', () => void act({ type: 'resetBreaker', profileId: b.profileId }, `Resetting the breaker of ${b.profileId}…`));
    const state = b.state === 'half_open' ? 'half-open' : b.state;
    return el('tr', { 'data-testid': `breaker-${b.profileId}`, class: b.state === 'closed' ? '' : 'failed' },
      rowHead(b.profileId), cell(state, { 'data-testid': `breaker-state-${b.profileId}` }), cell(`${b.consecutiveFailures} of ${b.failureThreshold}`, { class: 'num' }),
      cell(b.retryAt ? time(b.retryAt) : '—'), wrapCell(b.lastFailure ?? '—'), el('td', {}, reset));
  })));
}

function historyTable(history: HistoryRow[]): HTMLElement {
  return table('health-history', ['Time', 'Alert', 'Severity', 'Change', 'Value', 'Threshold'], history.map((t) =>
    el('tr', { class: t.kind === 'fired' ? 'failed' : '' }, cell(time(t.at)), rowHead(t.label), cell(t.severity), cell(t.kind), cell(t.valueText, { class: 'num' }), cell(t.thresholdText, { class: 'num' }))));
}

host.post({ type: 'ready' });
