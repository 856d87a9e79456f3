import type { FormatWriter } from '../store/jsonlExport';
import type { ReportAggregator } from './aggregate';
import { ReportAggregator as Aggregator, fmtMs, fmtNum, fmtPct, fmtUsd, mean } from './aggregate';

/**
 * Text made inert for Markdown: HTML-looking text cannot become a tag (`<` and `&` are
 * entities), and no character can start emphasis, code, links, headings or table cells.
 * Newlines become spaces so a value stays inside its line or table cell.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

export interface ReportOptions { title?: string; generatedAt?: Date }

function summaryRows(a: ReportAggregator): Array<[string, string]> {
  const g = a.all;
  return [
    ['Executions', String(g.n)],
    ['Success rate', `${fmtPct(g.ok, g.n)} (${g.ok} of ${g.n})`],
    ['Mean latency', fmtMs(mean(g.latencySum, g.latencyN))],
    ['p95 latency', fmtMs(a.p95Latency())],
    ['Mean quality', `${fmtNum(mean(g.qualitySum, g.qualityN), 3)} (n = ${g.qualityN})`],
    ['Total cost', fmtUsd(g.costSum, g.costN)],
    ['Tokens in / out', `${g.tokensIn} / ${g.tokensOut}`],
    ['Period', a.first ? `${a.first} – ${a.last}` : '–'],
  ];
}

/** The report's Markdown, from a finished aggregation. */
export function renderMarkdownReport(a: ReportAggregator, opts: ReportOptions = {}): string {
  const out: string[] = [];
  const esc = escapeMarkdown;
  out.push(`# ${esc(opts.title ?? 'Prompt Lab executions')}`, '', `Generated ${esc((opts.generatedAt ?? new Date()).toISOString())}`, '');
  out.push('## Summary', '', '| Metric | Value |', '| --- | --- |');
  for (const [k, v] of summaryRows(a)) out.push(`| ${esc(k)} | ${esc(v)} |`);
  out.push('');
  const variants = a.sortedVariants();
  if (variants.length) {
    out.push('## Variants', '', '| Variant | n | Success rate | Mean latency | Mean quality (n) | Cost |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, g] of variants) {
      out.push(`| ${esc(name)} | ${g.n} | ${esc(fmtPct(g.ok, g.n))} | ${esc(fmtMs(mean(g.latencySum, g.latencyN)))} | ${esc(fmtNum(mean(g.qualitySum, g.qualityN), 3))} (${g.qualityN}) | ${esc(fmtUsd(g.costSum, g.costN))} |`);
    }
    out.push('', 'Means only; for differences with confidence intervals and significance see `promptlab compare`.', '');
  }
  out.push(`## Worst ${a.worstN} by quality`, '');
  if (!a.worst.length) out.push('No scored executions.', '');
  else {
    out.push('| # | Quality | Weakest dimension | Reason | Prompt | Variant | Model | Execution |', '| ---: | ---: | --- | --- | --- | --- | --- | --- |');
    a.worst.forEach((w, i) => {
      const dim = w.weakestDimension ? `${w.weakestDimension} (${fmtNum(w.weakestScore, 2)})` : '–';
      out.push(`| ${i + 1} | ${fmtNum(w.qualityScore, 3)} | ${esc(dim)} | ${esc(w.reason || '–')} | ${esc(w.promptId)} | ${esc(w.variant ?? '–')} | ${esc(w.model ?? '–')} | ${esc(w.id)} |`);
    });
    out.push('');
  }
  return out.join('\n');
}

/** A Markdown report as a streaming writer: aggregates per row, renders at the end. */
export function markdownReportWriter(opts: ReportOptions = {}): FormatWriter {
  const agg = new Aggregator();
  return { row(r) { agg.add(r); return ''; }, end: () => renderMarkdownReport(agg, opts) };
}
