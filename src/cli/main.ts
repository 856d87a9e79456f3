import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Sanitizer } from '../core/sanitize';
import type { HistoryFilter } from '../core/store';
import { LocalStore, importJsonl, pumpExport } from '../core/store';
import { EXPORT_FORMATS, createFormatWriter, isExportFormat } from '../core/export';
import type { ExportRequest } from '../core/export';
import { COMPARE_HELP, compareMain } from './compareCommand';
import { CliUsageError, runCommand } from './runCommand';
import { SCORE_HELP, scoreCommand } from './scoreCommand';
import { STATS_HELP, statsCommand } from './statsCommand';
import { MAINTENANCE_HELP, maintenanceMain } from './maintenanceCommand';
import { HEALTH_HELP, healthMain } from './healthCommand';
import { ANALYTICS_HELP, analyticsMain } from './analyticsCommand';
import { archiveHistory } from '../core/store/archive';
import { COMMON_OPTIONS } from './cliCommon';

const HELP = `promptlab — Prompt Lab from the command line (same database as the VS Code extension)

Usage: promptlab <command> [options]

Commands:
  run FILE                  Run a .prompt.yml / .prompty file against a provider; every
                            execution is logged. Prints a per-case table (or JSON).
      --dataset F           CSV, JSONL or JSON dataset instead of the file's testData
      --provider ID         Provider profile: openai, github, anthropic, ollama, lmstudio,
                            or a kind (azure, vllm, llamacpp, openrouter, openai-compatible)
                            together with --base-url
      --model M             Model id (default: the file's model, else the profile's)
      --base-url URL        Endpoint of an OpenAI-compatible or Anthropic server
      --variant NAME        One of the file's variants
      --concurrency N       Requests in flight (default 4)
      --repeat K            Run each case K times (default 1)
      --timeout S           Per-request timeout in seconds (default 120)
      --no-cache            Do not reuse cached responses (default: reuse at temperature 0)
      --tag T               Tag every execution (repeatable)
      --judge-provider ID   Provider of the LLM judge for uses:/llm: evaluators (default: run's)
      --judge-model M       Judge model; without a judge those evaluators are "not evaluated"
      --judge-repeats K     Judge each response K times (spread stored as judge noise)
      --allow-endpoint HOST Let a .prompty file send its \${env:VAR} key to its own
                            connection endpoint on HOST (repeatable); without it such a
                            file is refused. Profile keys never go to a file's endpoint.
                            Keys come from the environment: OPENAI_API_KEY, ANTHROPIC_API_KEY,
                            GITHUB_TOKEN, AZURE_OPENAI_API_KEY, OPENROUTER_API_KEY, or
                            PROMPTLAB_API_KEY_<PROFILE ID> / PROMPTLAB_API_KEY.
  import FILE.jsonl         Import executions from a JSONL export. Each line is validated;
                            bad lines are reported as FILE:LINE: reason and skipped.
  history                   List executions, newest first.
      --limit N             How many (default 20, max 5000)
      --prompt ID           Only this prompt id
      --search TEXT         Full-text search over prompt and response
      --since ISO           Created at or after this time (e.g. 2026-11-01 or 2026-11-01T10:00:00Z)
      --until ISO           Created before this time
      --success true|false  Only succeeded / failed executions
      --tag T               Only executions with this tag
      --experiment ID / --variant NAME / --run-id ID   Only this experiment / variant / run
      --provider ID / --model M      Only this provider profile / model
      --prompt-version HASH Only executions of this prompt file version (content hash)
      --quality-min Q / --quality-max Q   Quality score at least / at most Q (0-1; unscored never match)
      --cache-hit true|false  Only responses served from the cache / only the others
      --archive FILE        Read an archive file (<db>/archive/YYYY-MM.sqlite) instead
  export --format jsonl|csv|json|md|html
                            Export executions. jsonl is lossless ('import' reads it back);
                            csv is for spreadsheets; md and html are reports (summary,
                            per-variant means, worst cases; html has inline SVG charts).
      --out FILE            Write to FILE (default: standard output); written to a temp
                            name and renamed, so an interrupted export leaves no file
      --prompt ID           Only this prompt id
      --experiment ID       Only this experiment
      --since ISO / --until ISO   Only this time window
      --columns a,b,c       CSV columns: dotted paths (modelConfig.temperature,
                            metadata.*, quality.dimensions.*.score); default: all main fields
      --bom                 CSV: start with a UTF-8 byte order mark (for Excel)
  ${COMPARE_HELP}
  score                     Score a response (no database): see below.
  stats ab|rates|power      Statistics on numbers you give it (no database): see below.
  info                      Database location, counts, snapshot and journal sizes.
  compact                   Fold journals into a new snapshot now.
  ${MAINTENANCE_HELP}
  ${HEALTH_HELP}
  ${ANALYTICS_HELP}

Options for every command:
  --db PATH                 Database folder (default: $PROMPTLAB_DB, else the extension's
                            default folder for this user: ${defaultDbDir()})
  --json                    Machine-readable output
  -h, --help                This help

${SCORE_HELP}

${STATS_HELP}

Exit codes: 0 ok, 1 failure (a failed case or evaluator, bad lines during import), 2 usage
or configuration error.
Share one database with VS Code: set the setting promptLab.databasePath and PROMPTLAB_DB
(or --db) to the same folder.`;

class UsageError extends Error {}

export function defaultDbDir(): string {
  // The same folder VS Code's globalStorage uses for this extension, for the default profile.
  const base = process.platform === 'darwin' ? path.join(os.homedir(), 'Library', 'Application Support', 'Code')
    : process.platform === 'win32' ? path.join(process.env.APPDATA ?? os.homedir(), 'Code')
    : path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'Code');
  return path.join(base, 'User', 'globalStorage', 'promptlab.prompt-lab', 'db');
}

function parseDate(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--${flag} "${v}" is not an ISO date/time`);
  return t;
}

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  // `stats` and `score` need no database and have options of their own: routed before the
  // strict parse of the database commands' options.
  const sub = argv.find((a) => !a.startsWith('-'));
  if (sub === 'stats' || sub === 'score') {
    const rest = argv.filter((a, i) => i !== argv.indexOf(sub) && a !== '--json');
    const json = argv.includes('--json');
    return sub === 'stats' ? statsCommand(rest, json, out, err) : scoreCommand(rest, json, out, err);
  }
  if (sub === 'compare' || sub === 'compare-periods') {
    // Their own options; the database opens like run's.
    return compareMain(sub, argv.filter((_, i) => i !== argv.indexOf(sub)), {
      defaultDbDir: defaultDbDir(),
      openStore: (dir) => LocalStore.open({ dir, sanitizer: new Sanitizer(), compactEveryRows: 5000, onProblem: (p) => err.write(`promptlab: database ${p.kind} ${p.file}: ${p.message}${p.quarantinedAs ? ` (moved to ${p.quarantinedAs})` : ''}\n`) }),
    }, out, err);
  }
  if (sub === 'health') {
    return healthMain(argv.filter((_, i) => i !== argv.indexOf(sub)), {
      defaultDbDir: defaultDbDir(),
      openStore: (dir) => LocalStore.open({ dir, sanitizer: new Sanitizer(), compactEveryRows: 5000, onProblem: (p) => err.write(`promptlab: database ${p.kind} ${p.file}: ${p.message}${p.quarantinedAs ? ` (moved to ${p.quarantinedAs})` : ''}\n`) }),
    }, out, err);
  }
  if (sub === 'analytics') {
    return analyticsMain(argv.filter((_, i) => i !== argv.indexOf(sub)), {
      defaultDbDir: defaultDbDir(),
      openStore: (dir) => LocalStore.open({ dir, sanitizer: new Sanitizer(), compactEveryRows: 5000, onProblem: (p) => err.write(`promptlab: database ${p.kind} ${p.file}: ${p.message}${p.quarantinedAs ? ` (moved to ${p.quarantinedAs})` : ''}\n`) }),
    }, out, err);
  }
  if (sub === 'backup' || sub === 'cleanup') {
    return maintenanceMain(sub, argv.filter((_, i) => i !== argv.indexOf(sub)), {
      defaultDbDir: defaultDbDir(),
      openStore: (dir) => LocalStore.open({ dir, sanitizer: new Sanitizer(), compactEveryRows: 5000, onProblem: (p) => err.write(`promptlab: database ${p.kind} ${p.file}: ${p.message}${p.quarantinedAs ? ` (moved to ${p.quarantinedAs})` : ''}\n`) }),
    }, out, err);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        ...COMMON_OPTIONS,
        limit: { type: 'string' }, prompt: { type: 'string' }, search: { type: 'string' }, since: { type: 'string' },
        until: { type: 'string' }, success: { type: 'string' }, tag: { type: 'string', multiple: true }, format: { type: 'string' }, out: { type: 'string' },
        experiment: { type: 'string' }, columns: { type: 'string' }, bom: { type: 'boolean', default: false },
        dataset: { type: 'string' }, provider: { type: 'string' }, model: { type: 'string' }, 'base-url': { type: 'string' }, variant: { type: 'string' },
        concurrency: { type: 'string' }, repeat: { type: 'string' }, timeout: { type: 'string' }, 'no-cache': { type: 'boolean', default: false },
        'judge-provider': { type: 'string' }, 'judge-model': { type: 'string' }, 'judge-repeats': { type: 'string' },
        archive: { type: 'string' },
        'run-id': { type: 'string' }, 'prompt-version': { type: 'string' }, 'quality-min': { type: 'string' }, 'quality-max': { type: 'string' }, 'cache-hit': { type: 'string' },
        'allow-endpoint': { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    err.write(`promptlab: ${(e as Error).message.split('\n')[0]} (see promptlab --help)\n`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (o.help || !command) {
    out.write(HELP + '\n');
    return command || o.help ? 0 : 2;
  }
  const dir = path.resolve(o.db ?? process.env.PROMPTLAB_DB ?? defaultDbDir());
  const print = (human: string, json: unknown) => out.write((o.json ? JSON.stringify(json) : human) + '\n');
  let store: LocalStore | undefined;
  try {
    if (!['run', 'import', 'history', 'export', 'info', 'compact'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    const filter: HistoryFilter = {};
    if (command === 'history') {
      const limit = o.limit === undefined ? 20 : Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new UsageError('--limit must be an integer from 1 to 5000');
      if (o.success !== undefined && o.success !== 'true' && o.success !== 'false') throw new UsageError('--success must be true or false');
      Object.assign(filter, { limit }, o.prompt ? { promptId: o.prompt } : {}, o.search ? { search: o.search } : {}, o.tag?.[0] ? { tag: o.tag[0] } : {},
        o.success ? { success: o.success === 'true' } : {});
      const since = parseDate('since', o.since), until = parseDate('until', o.until);
      if (since !== undefined) filter.since = since;
      if (until !== undefined) filter.until = until;
      // The history panel's other filters, same names as the store's.
      if (o['cache-hit'] !== undefined && o['cache-hit'] !== 'true' && o['cache-hit'] !== 'false') throw new UsageError('--cache-hit must be true or false');
      const quality = (flag: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!v.trim() || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${flag} must be a number from 0 to 1`);
        return n;
      };
      const qMin = quality('quality-min', o['quality-min']), qMax = quality('quality-max', o['quality-max']);
      Object.assign(filter, o.experiment ? { experimentId: o.experiment } : {}, o.provider ? { provider: o.provider } : {}, o.model ? { model: o.model } : {},
        o.variant ? { variant: o.variant } : {}, o['run-id'] ? { runId: o['run-id'] } : {}, o['prompt-version'] ? { promptVersion: o['prompt-version'] } : {},
        qMin !== undefined ? { qualityMin: qMin } : {}, qMax !== undefined ? { qualityMax: qMax } : {}, o['cache-hit'] ? { cacheHit: o['cache-hit'] === 'true' } : {});
    }
    const int = (flag: string, v: string | undefined, min: number, max: number) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}`);
      return n;
    };
    const runFlags = command === 'run' ? {
      file: rest[0] ?? '', noCache: o['no-cache'] === true, tags: o.tag ?? [], json: o.json === true,
      ...(o.dataset ? { dataset: o.dataset } : {}), ...(o.provider ? { provider: o.provider } : {}), ...(o.model ? { model: o.model } : {}),
      ...(o['base-url'] ? { baseUrl: o['base-url'] } : {}), ...(o.variant ? { variant: o.variant } : {}),
      ...(o.concurrency ? { concurrency: int('concurrency', o.concurrency, 1, 64) } : {}), ...(o.repeat ? { repeat: int('repeat', o.repeat, 1, 1000) } : {}),
      ...(o.timeout ? { timeoutSeconds: int('timeout', o.timeout, 1, 3600) } : {}),
      ...(o['judge-provider'] ? { judgeProvider: o['judge-provider'] } : {}), ...(o['judge-model'] ? { judgeModel: o['judge-model'] } : {}),
      ...(o['judge-repeats'] ? { judgeRepeats: int('judge-repeats', o['judge-repeats'], 1, 10) } : {}),
      ...(o['allow-endpoint'] ? { allowEndpoints: o['allow-endpoint'] } : {}),
    } : null;
    if (command === 'run' && rest.length !== 1) throw new UsageError('run needs exactly one prompt FILE');
    if (command === 'import' && rest.length !== 1) throw new UsageError('import needs exactly one FILE.jsonl');
    let exportReq: ExportRequest | null = null;
    if (command === 'export') {
      const format = o.format ?? 'jsonl';
      if (!isExportFormat(format)) throw new UsageError(`--format ${format} is not supported (supported: ${EXPORT_FORMATS.join(', ')})`);
      if ((o.columns !== undefined || o.bom) && format !== 'csv') throw new UsageError('--columns and --bom apply to --format csv only');
      const columns = o.columns?.split(',').map((c) => c.trim()).filter(Boolean);
      if (o.columns !== undefined && !columns?.length) throw new UsageError('--columns needs at least one column name');
      const exportFilter: HistoryFilter = {};
      if (o.prompt) exportFilter.promptId = o.prompt;
      if (o.experiment) exportFilter.experimentId = o.experiment;
      const since = parseDate('since', o.since), until = parseDate('until', o.until);
      if (since !== undefined) exportFilter.since = since;
      if (until !== undefined) exportFilter.until = until;
      exportReq = { format, ...(Object.keys(exportFilter).length ? { filter: exportFilter } : {}), ...(columns ? { columns } : {}), ...(o.bom ? { bom: true } : {}) };
    }

    const printRows = (rows: ReadonlyArray<{ createdAt: string; success: boolean; promptId: string; model: string | null; latencyMs: number | null; id: string; responseSnippet: string }>) => {
      if (o.json) print('', rows);
      else if (!rows.length) out.write('no executions match\n');
      else for (const r of rows) {
        out.write(`${r.createdAt}  ${r.success ? 'ok  ' : 'FAIL'}  ${r.promptId}  ${r.model ?? '-'}  ${r.latencyMs === null ? '-' : Math.round(r.latencyMs) + 'ms'}  ${r.id}\n    ${r.responseSnippet.replace(/\s+/g, ' ').slice(0, 100)}\n`);
      }
    };
    if (o.archive !== undefined && command !== 'history') throw new UsageError('--archive FILE applies to history');
    if (command === 'history' && o.archive !== undefined) {
      // Read-only: the archive file is opened in memory and never written back.
      printRows((await archiveHistory(path.resolve(o.archive), filter)).rows);
      return 0;
    }

    const sanitizer = new Sanitizer();
    // A bulk import snapshots once at the end, not every 5,000 rows: each snapshot re-exports
    // the whole database, so frequent ones made an import quadratic.
    store = await LocalStore.open({ dir, sanitizer, compactEveryRows: command === 'import' ? 250_000 : 5000, onProblem: (p) => err.write(`promptlab: database ${p.kind} ${p.file}: ${p.message}${p.quarantinedAs ? ` (moved to ${p.quarantinedAs})` : ''}\n`) });

    if (runFlags) return await runCommand(runFlags, store, dir, out, err);
    if (command === 'import') {
      const file = path.resolve(rest[0]!);
      const isTty = (err as NodeJS.WriteStream).isTTY === true;
      const report = await importJsonl(file, store, sanitizer, {
        onProgress: (lines, bytes, total) => { if (!o.json) err.write(`${isTty ? '\r' : ''}importing: ${lines} lines, ${total ? Math.round((bytes / total) * 100) : 100}%${isTty ? '' : '\n'}`); },
      });
      if (isTty && !o.json) err.write('\n');
      for (const b of report.bad) err.write(`${file}:${b.line}: ${b.reason}\n`);
      print(`imported ${report.imported} execution(s), ${report.bad.length} bad line(s) skipped`, report);
      return report.bad.length ? 1 : 0;
    }
    if (command === 'history') {
      if (filter.search) {
        // Rows imported in bulk may not be full-text indexed yet: index them before searching.
        const backlog = store.engine.ftsBacklog();
        if (backlog > 0 && !o.json) err.write(`indexing ${backlog} execution(s) for search…\n`);
        store.engine.catchUpIndex();
      }
      printRows((await store.history(filter)).rows);
      return 0;
    }
    if (command === 'export' && exportReq) {
      if (o.out) {
        // Ctrl-C cancels: the temp file is removed and nothing appears under the final name.
        const ac = new AbortController();
        const onSigint = () => ac.abort();
        process.once('SIGINT', onSigint);
        const isTty = (err as NodeJS.WriteStream).isTTY === true;
        try {
          const r = await store.exportTo(path.resolve(o.out), { ...exportReq, signal: ac.signal,
            onProgress: (rows) => { if (isTty && !o.json) err.write(`\rexporting: ${rows} execution(s)`); } });
          if (isTty && !o.json) err.write('\n');
          if (o.json) print('', { rows: r.rows, out: path.resolve(o.out), format: exportReq.format }); else err.write(`exported ${r.rows} execution(s) to ${o.out}\n`);
        } finally { process.removeListener('SIGINT', onSigint); }
      } else {
        const source = exportReq.filter ? { filter: exportReq.filter } : {};
        await pumpExport(store.engine, createFormatWriter(exportReq), (chunk) => { out.write(chunk); }, source);
      }
      return 0;
    }
    if (command === 'compact') {
      const r = await store.compact();
      print(r.skipped ? `skipped: ${r.skipped}` : `snapshot ${r.gen}: ${r.rows} execution(s), ${r.bytes} bytes, ${r.ms} ms`, r);
      return r.skipped ? 1 : 0;
    }
    const s = await store.stats();
    print(Object.entries(s).map(([k, v]) => `${k}: ${v}`).join('\n'), s);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CliUsageError) { err.write(`promptlab: ${e.message} (see promptlab --help)\n`); return 2; }
    err.write(`promptlab: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
