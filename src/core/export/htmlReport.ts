import type { FormatWriter } from '../store/jsonlExport';
import type { ReportAggregator } from './aggregate';
import { ReportAggregator as Aggregator, fmtMs, fmtNum, fmtPct, fmtUsd, mean } from './aggregate';
import type { ReportOptions } from './markdownReport';

/** Everything user-derived goes through this: text and attribute values alike. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** No scripts, nothing from the network: styles inline, images only as data: URIs. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#656d76}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:11px;fill:#424a53}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}th,td{border-color:#30363d}svg text{fill:#b1bac4}.muted{color:#8d96a0}}`;

const W = 520, H = 220, PAD_L = 48, PAD_B = 46, PAD_T = 12, PAD_R = 12;

function axis(maxY: number, fmt: (v: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY * i) / 4;
    const y = H - PAD_B - ((H - PAD_B - PAD_T) * i) / 4;
    parts.push(`<line x1="${PAD_L}" y1="${y.toFixed(1)}" x2="${W - PAD_R}" y2="${y.toFixed(1)}" stroke="#d0d7de" stroke-width="1"/>`,
      `<text x="${PAD_L - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${escapeHtml(fmt(v))}</text>`);
  }
  return parts.join('');
}

/** A bar chart as inline SVG; labels escaped, long ones shortened. */
export function svgBarChart(title: string, items: ReadonlyArray<{ label: string; value: number | null }>, fmt: (v: number) => string = (v) => fmtNum(v, 2), fixedMax?: number): string {
  const values = items.map((i) => i.value ?? 0);
  const maxY = fixedMax ?? (Math.max(0, ...values) || 1);
  const plotW = W - PAD_L - PAD_R, plotH = H - PAD_B - PAD_T;
  const step = plotW / Math.max(1, items.length);
  const bars = items.map((it, i) => {
    const v = it.value ?? 0;
    const h = Math.max(0, Math.min(1, v / maxY)) * plotH;
    const x = PAD_L + i * step + step * 0.15;
    const label = it.label.length > 14 ? it.label.slice(0, 13) + '…' : it.label;
    const showLabel = items.length <= 16 || i % Math.ceil(items.length / 16) === 0;
    return `<rect x="${x.toFixed(1)}" y="${(H - PAD_B - h).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#4f8fd8"><title>${escapeHtml(`${it.label}: ${it.value === null ? '–' : fmt(it.value)}`)}</title></rect>`
      + (showLabel ? `<text x="${(x + step * 0.35).toFixed(1)}" y="${H - PAD_B + 14}" text-anchor="end" transform="rotate(-30 ${(x + step * 0.35).toFixed(1)} ${H - PAD_B + 14})">${escapeHtml(label)}</text>` : '');
  }).join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${axis(maxY, fmt)}${bars}</svg></figure>`;
}

/** A line chart (points joined in order; gaps where a value is null). */
export function svgLineChart(title: string, items: ReadonlyArray<{ label: string; value: number | null }>, fmt: (v: number) => string = (v) => fmtNum(v, 2), fixedMax?: number): string {
  const maxY = fixedMax ?? (Math.max(0, ...items.map((i) => i.value ?? 0)) || 1);
  const plotW = W - PAD_L - PAD_R, plotH = H - PAD_B - PAD_T;
  const xAt = (i: number) => PAD_L + (items.length <= 1 ? plotW / 2 : (plotW * i) / (items.length - 1));
  const yAt = (v: number) => H - PAD_B - Math.max(0, Math.min(1, v / maxY)) * plotH;
  const segments: string[] = [];
  let cur: string[] = [];
  items.forEach((it, i) => {
    if (it.value === null) { if (cur.length) segments.push(cur.join(' ')); cur = []; return; }
    cur.push(`${xAt(i).toFixed(1)},${yAt(it.value).toFixed(1)}`);
  });
  if (cur.length) segments.push(cur.join(' '));
  const lines = segments.map((pts) => `<polyline points="${pts}" fill="none" stroke="#d8664f" stroke-width="2"/>`).join('');
  const dots = items.map((it, i) => (it.value === null ? '' : `<circle cx="${xAt(i).toFixed(1)}" cy="${yAt(it.value).toFixed(1)}" r="2.5" fill="#d8664f"><title>${escapeHtml(`${it.label}: ${fmt(it.value)}`)}</title></circle>`)).join('');
  const every = Math.max(1, Math.ceil(items.length / 8));
  const labels = items.map((it, i) => (i % every ? '' : `<text x="${xAt(i).toFixed(1)}" y="${H - PAD_B + 16}" text-anchor="middle">${escapeHtml(it.label)}</text>`)).join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${axis(maxY, fmt)}${lines}${dots}${labels}</svg></figure>`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, numeric: ReadonlySet<number> = new Set()): string {
  const th = head.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/** A self-contained HTML report (no scripts at all; charts are inline SVG). */
export function renderHtmlReport(a: ReportAggregator, opts: ReportOptions = {}): string {
  const title = opts.title ?? 'Prompt Lab executions';
  const g = a.all;
  const body: string[] = [];
  body.push(`<h1>${escapeHtml(title)}</h1>`, `<p class="muted">Generated ${escapeHtml((opts.generatedAt ?? new Date()).toISOString())}${a.first ? ` · ${escapeHtml(a.first)} – ${escapeHtml(a.last ?? '')}` : ''}</p>`);
  body.push('<h2>Summary</h2>', table(['Metric', 'Value'], [
    ['Executions', String(g.n)], ['Success rate', `${fmtPct(g.ok, g.n)} (${g.ok} of ${g.n})`],
    ['Mean latency', fmtMs(mean(g.latencySum, g.latencyN))], ['p95 latency', fmtMs(a.p95Latency())],
    ['Mean quality', `${fmtNum(mean(g.qualitySum, g.qualityN), 3)} (n = ${g.qualityN})`], ['Total cost', fmtUsd(g.costSum, g.costN)],
    ['Tokens in / out', `${g.tokensIn} / ${g.tokensOut}`], ['Prompts', String(a.prompts.size)], ['Models', [...a.models].slice(0, 20).join(', ') || '–'],
  ]));

  const charts: string[] = [];
  const days = a.sortedDays();
  if (days.length) {
    charts.push(svgBarChart('Executions per day', days.map((d) => ({ label: d.day, value: d.n })), (v) => String(Math.round(v))));
    if (days.some((d) => d.qualityN)) charts.push(svgLineChart('Mean quality per day', days.map((d) => ({ label: d.day.slice(5), value: mean(d.qualitySum, d.qualityN) })), (v) => fmtNum(v, 2), 1));
    charts.push(svgLineChart('Success rate per day', days.map((d) => ({ label: d.day.slice(5), value: d.n ? d.ok / d.n : null })), (v) => `${Math.round(v * 100)}%`, 1));
  }
  const hist = a.latencyHistogram(20);
  if (hist) charts.push(svgBarChart('Latency distribution (ms, to p99)', hist.counts.map((c, i) => ({ label: String(Math.round(hist.from + i * hist.width)), value: c })), (v) => String(Math.round(v))));
  const variants = a.sortedVariants();
  if (variants.length) charts.push(svgBarChart('Mean quality by variant', variants.map(([name, v]) => ({ label: name, value: mean(v.qualitySum, v.qualityN) })), (v) => fmtNum(v, 2), 1));
  if (charts.length) body.push('<h2>Charts</h2>', `<div class="charts">${charts.join('\n')}</div>`);

  if (variants.length) {
    body.push('<h2>Variants</h2>', table(['Variant', 'n', 'Success rate', 'Mean latency', 'Mean quality', 'Quality n', 'Cost'],
      variants.map(([name, v]) => [name, String(v.n), fmtPct(v.ok, v.n), fmtMs(mean(v.latencySum, v.latencyN)), fmtNum(mean(v.qualitySum, v.qualityN), 3), String(v.qualityN), fmtUsd(v.costSum, v.costN)]),
      new Set([1, 2, 3, 4, 5, 6])),
    '<p class="muted">Means only; for differences with confidence intervals and significance see <code>promptlab compare</code>.</p>');
  }
  body.push(`<h2>Worst ${a.worstN} by quality</h2>`);
  if (!a.worst.length) body.push('<p class="muted">No scored executions.</p>');
  else body.push(table(['#', 'Quality', 'Weakest dimension', 'Reason', 'Prompt', 'Variant', 'Model', 'Execution'],
    a.worst.map((w, i) => [String(i + 1), fmtNum(w.qualityScore, 3), w.weakestDimension ? `${w.weakestDimension} (${fmtNum(w.weakestScore, 2)})` : '–', w.reason || '–', w.promptId, w.variant ?? '–', w.model ?? '–', w.id]),
    new Set([0, 1])));

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

/** An HTML report as a streaming writer: aggregates per row, renders at the end. */
export function htmlReportWriter(opts: ReportOptions = {}): FormatWriter {
  const agg = new Aggregator();
  return { row(r) { agg.add(r); return ''; }, end: () => renderHtmlReport(agg, opts) };
}
