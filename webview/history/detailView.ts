import type { HistoryDetail } from '../../src/shared/historyProtocol';
import { wordDiff } from '../../src/shared/wordDiff';
import { el } from '../common/vscodeApi';

/*
 * One execution's detail, and two side by side with a word diff. Every string from the
 * database or a model goes in as text (el() only makes text nodes); markdown in a response
 * is shown as its plain text, never rendered.
 */

interface StoredQuality {
  overall?: number | null;
  dimensions?: Record<string, { score: number | null; reason?: string } | null>;
  evaluators?: Array<{ name?: string; status?: string; reason?: string; score?: number | null }>;
}

const na = (reason: string) => { const s = el('span', { class: 'muted', title: reason }, 'not available'); return s; };
const ms = (v: number | null, reason: string) => (v === null ? na(reason) : `${Math.round(v).toLocaleString()} ms`);

function pre(label: string, text: string, testid?: string): HTMLElement {
  return el('div', { class: 'block' }, el('h3', {}, label), el('pre', { class: 'text', ...(testid ? { 'data-testid': testid } : {}) }, text));
}

function factsTable(d: HistoryDetail): HTMLElement {
  const row = (k: string, v: string | Node) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v));
  const tokens = d.tokensIn === null && d.tokensOut === null ? na('the provider reported no token usage') : `${d.tokensIn ?? '—'} in / ${d.tokensOut ?? '—'} out`;
  const t = el('table', { class: 'stat-table', 'aria-label': 'Execution facts' }, el('tbody', {},
    row('Status', d.success ? 'succeeded' : `failed${d.errorType ? ` (${d.errorType})` : ''}`),
    row('Provider · model', `${d.provider ?? 'unknown provider'} · ${d.model ?? 'unknown model'}`),
    row('Latency', ms(d.latencyMs, 'no latency was recorded')),
    row('Time to first token', ms(d.timeToFirstTokenMs, 'not streamed, or no token arrived')),
    row('Tokens', tokens),
    row('Cost', d.costUsd === null ? na('no price is configured for this model, or no usage was reported') : `$${d.costUsd.toFixed(6)}`),
    row('Quality', d.qualityScore === null ? na('no quality assessment for this execution') : d.qualityScore.toFixed(3)),
    row('Prompt version', d.promptVersion ?? '—'),
    row('Variant · experiment', `${d.variant ?? '—'} · ${d.experimentId ?? '—'}`),
    row('Run · test case', `${d.runId ?? '—'} · ${d.testCaseId ?? '—'}`),
    row('Tags', d.tags.join(', ') || '—'),
  ));
  return t;
}

function qualityBlock(d: HistoryDetail): HTMLElement {
  const q = d.quality as StoredQuality | null;
  if (!q) return el('p', { class: 'muted' }, 'Quality: not assessed for this execution.');
  const dims = Object.entries(q.dimensions ?? {}).map(([name, v]) => el('tr', {}, el('th', { scope: 'row' }, name),
    el('td', { class: 'num' }, v?.score === null || v?.score === undefined ? 'n/a' : v.score.toFixed(2)), el('td', {}, v?.reason ?? '')));
  const evals = (q.evaluators ?? []).map((e) => el('tr', {}, el('th', { scope: 'row' }, e.name ?? '(unnamed)'),
    el('td', {}, e.status ?? ''), el('td', {}, e.reason ?? '')));
  return el('div', { class: 'block', 'data-testid': 'history-quality' },
    el('h3', {}, `Quality ${d.qualityScore === null ? 'n/a' : d.qualityScore.toFixed(2)}`),
    el('table', { class: 'quality stat-table', 'aria-label': 'Quality dimensions' }, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Dimension'), el('th', { scope: 'col' }, 'Score'), el('th', { scope: 'col' }, 'Reason'))), el('tbody', {}, ...dims)),
    ...(evals.length ? [el('h3', {}, 'Evaluators'), el('table', { class: 'stat-table', 'aria-label': 'Evaluator results' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Evaluator'), el('th', { scope: 'col' }, 'Result'), el('th', { scope: 'col' }, 'Reason'))), el('tbody', {}, ...evals))] : [el('p', { class: 'muted' }, 'No evaluators ran for this execution.')]));
}

/** The detail body (the buttons are the caller's): what was said first, then the numbers behind it. */
export function detailNodes(d: HistoryDetail): HTMLElement[] {
  return [
    el('h2', { 'data-testid': 'history-detail-title' }, `${d.promptId} — ${new Date(d.createdAt).toLocaleString()}`),
    el('p', { class: 'muted' }, `${d.provider ?? 'unknown provider'} · ${d.model ?? 'unknown model'} · ${d.success ? 'succeeded' : 'failed'} · ${d.latencyMs === null ? 'latency n/a' : `${Math.round(d.latencyMs)} ms`}`),
    ...(d.textError ? [el('p', { class: 'error' }, `Full texts unavailable: ${d.textError}`)] : []),
    ...(d.errorMessage || !d.success ? [pre(`Error${d.errorType ? ` (${d.errorType})` : ''}`, d.errorMessage ?? 'no message recorded')] : []),
    pre('Response', d.responseText, 'history-response'),
    qualityBlock(d),
    pre('Prompt (rendered messages)', d.promptText),
    factsTable(d),
    pre('Model configuration', JSON.stringify(d.modelConfig, null, 2)),
    pre('Metadata', JSON.stringify(d.metadata, null, 2)),
  ];
}

/** Text with the diff's segments of one side highlighted (`removed` on the left, `added` on the right). */
function diffPre(a: string, b: string, side: 'left' | 'right'): HTMLElement {
  const p = el('pre', { class: 'text diff' });
  for (const s of wordDiff(a, b)) {
    if (s.kind === 'same') p.append(s.text);
    // Not by colour alone: underline / strike-through, and words for screen readers.
    else if (s.kind === 'removed' && side === 'left') p.append(el('span', { class: 'diff-removed', title: 'only in the left execution' }, el('span', { class: 'sr-only' }, '[only here: '), s.text, el('span', { class: 'sr-only' }, ']')));
    else if (s.kind === 'added' && side === 'right') p.append(el('span', { class: 'diff-added', title: 'only in the right execution' }, el('span', { class: 'sr-only' }, '[only here: '), s.text, el('span', { class: 'sr-only' }, ']')));
  }
  return p;
}

/** Two executions in two columns: facts, then prompt and response with a word diff. */
export function compareNodes(a: HistoryDetail, b: HistoryDetail): HTMLElement[] {
  const column = (d: HistoryDetail, side: 'left' | 'right') => {
    const col = el('div', { class: 'block', 'data-testid': `history-compare-${side}` },
      el('h3', {}, `${d.promptId} — ${new Date(d.createdAt).toLocaleString()}`),
      factsTable(d),
      el('h3', {}, 'Prompt'), diffPre(a.promptText, b.promptText, side),
      el('h3', {}, 'Response'), diffPre(a.responseText, b.responseText, side));
    col.style.minWidth = '0';
    return col;
  };
  const grid = el('div', { id: 'history-compare-grid' }, column(a, 'left'), column(b, 'right'));
  grid.style.display = 'grid';
  grid.style.gridTemplateColumns = '1fr 1fr';
  grid.style.gap = '12px';
  const same = a.responseText === b.responseText;
  return [
    el('h2', {}, 'Side by side'),
    el('p', { class: 'muted', 'data-testid': 'history-compare-note' }, same ? 'The two responses are identical.' : 'Words only in the left execution are struck through; words only in the right one are highlighted.'),
    grid,
  ];
}
