import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { assessQuality } from '../core/quality/assessQuality';

export const SCORE_HELP = `Usage: promptlab score --prompt TEXT|@FILE --response TEXT|@FILE [--expected TEXT|@FILE] [--json]
  Scores a response on relevance, completeness, accuracy (only with --expected),
  clarity and safety, with the reason for each, and the weighted overall.
  --finish-reason R   The provider's finish reason ("length" = truncated, penalised)`;

/** TEXT, or the contents of FILE for "@FILE" (so long texts need no shell quoting). */
function textArg(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!v.startsWith('@')) return v;
  const file = path.resolve(v.slice(1));
  try { return fs.readFileSync(file, 'utf8'); } catch (e) { throw new ScoreUsageError(`--${name} ${v}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
}

class ScoreUsageError extends Error {}

/** `promptlab score`: 0 ok, 2 usage error. */
export async function scoreCommand(args: string[], jsonFlag: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  try {
    const { values: o } = parseArgs({ args, strict: true, allowPositionals: false, options: {
      prompt: { type: 'string' }, response: { type: 'string' }, expected: { type: 'string' }, 'finish-reason': { type: 'string' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    } });
    if (o.help) { out.write(SCORE_HELP + '\n'); return 0; }
    const prompt = textArg('prompt', o.prompt);
    const response = textArg('response', o.response);
    if (prompt === undefined || response === undefined) throw new ScoreUsageError('score needs --prompt and --response');
    const expected = textArg('expected', o.expected) ?? null;
    const a = assessQuality({ prompt, response, expected, finishReason: o['finish-reason'] ?? null });
    if (jsonFlag || o.json) {
      out.write(JSON.stringify(a) + '\n');
    } else {
      for (const [name, d] of Object.entries(a.dimensions)) {
        out.write(`${name.padEnd(13)} ${d.score === null ? ' n/a' : d.score.toFixed(2)}  (weight ${(a.weights as Record<string, number>)[name]?.toFixed(2) ?? '-'})  ${d.reason}\n`);
      }
      out.write(`${'overall'.padEnd(13)} ${a.overall === null ? ' n/a' : a.overall.toFixed(2)}  (weighted mean of the scored dimensions)\n`);
    }
    return 0;
  } catch (e) {
    err.write(`promptlab: ${(e as Error).message.split('\n')[0]} (see promptlab score --help)\n`);
    return 2;
  }
}
