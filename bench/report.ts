import { fmt } from './util';

/** The Markdown table: metric | value | baseline (raw sql.js, same run) | ratio | target | verdict. */

export interface Target { op: '<' | '>='; limit: number; label?: string }

interface Row { metric: string; value: string; baseline: string; ratio: string; target: string; verdict: string }

export class Table {
  private readonly rows: Row[] = [];
  readonly verdicts: Array<{ metric: string; meets: boolean }> = [];

  section(title: string): void {
    this.rows.push({ metric: `**${title}**`, value: '', baseline: '', ratio: '', target: '', verdict: '' });
  }

  /**
   * One figure. `ratio` defaults to value / baseline; a target gets a meets/misses verdict
   * (suffixed "(extrapolated)" when the value is).
   */
  add(metric: string, value: number | null, opts: { digits?: number; baseline?: number | null; ratio?: number | null; target?: Target; extrapolated?: boolean; note?: string } = {}): void {
    const baseline = opts.baseline ?? null;
    const ratio = opts.ratio !== undefined ? opts.ratio : value !== null && baseline ? value / baseline : null;
    let verdict = '—';
    if (opts.target && value !== null && !Number.isNaN(value)) {
      const tested = opts.target.op === '<' ? value : (ratio ?? value);
      const meets = opts.target.op === '<' ? tested < opts.target.limit : tested >= opts.target.limit;
      verdict = (meets ? 'meets' : '**misses**') + (opts.extrapolated ? ' (extrapolated)' : '');
      this.verdicts.push({ metric, meets });
    }
    this.rows.push({
      metric: metric + (opts.note ? ` — ${opts.note}` : ''),
      value: value === null ? '—' : fmt(value, opts.digits),
      baseline: baseline === null ? '—' : fmt(baseline, opts.digits),
      ratio: ratio === null ? '—' : fmt(ratio, 2),
      target: opts.target ? opts.target.label ?? `${opts.target.op} ${fmt(opts.target.limit, 0)}` : '—',
      verdict,
    });
  }

  /** A row whose value is text (e.g. a note that a figure could not be measured). */
  addText(metric: string, text: string): void {
    this.rows.push({ metric, value: text, baseline: '—', ratio: '—', target: '—', verdict: '—' });
  }

  toMarkdown(): string {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const lines = ['| metric | value | baseline (raw sql.js, same run) | ratio | target | verdict |', '| --- | ---: | ---: | ---: | --- | --- |'];
    for (const r of this.rows) lines.push(`| ${esc(r.metric)} | ${r.value} | ${r.baseline} | ${r.ratio} | ${esc(r.target)} | ${r.verdict} |`);
    return lines.join('\n');
  }
}
