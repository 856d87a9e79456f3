import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { PromptLabStore } from '../core/store/localStore';
import { verifyBackup } from '../core/store/backup';
import { COMMON_OPTIONS } from './cliCommon';

export const MAINTENANCE_HELP = `backup create FILE        Consistent backup: compacts first, then writes FILE (the database
                            with every text inlined) and FILE.json (sha256, size, counts).
      --compress            gzip it (also when FILE ends in .gz)
  backup verify FILE        Checksum, size, SQLite integrity_check, schema version and counts;
                            exit 1 with the reason when anything is off.
  backup restore FILE       Verify, then merge the backup in: executions of the backup that
                            the database lacks come back, everything in the database stays
                            (also what other processes write meanwhile). The replaced
                            snapshot is copied to <db>/pre-restore-<time>/ first.
  cleanup --optimize        ANALYZE, PRAGMA optimize, full-text index rebuild, VACUUM;
                            prints the snapshot size before and after.
  cleanup --archive --days N
                            Move executions older than N days to <db>/archive/YYYY-MM.sqlite
                            (crash-safe: archived first, then removed). Read one back with
                            history --archive FILE.`;

export interface MaintenanceEnv { defaultDbDir: string; openStore: (dir: string) => Promise<PromptLabStore> }

class UsageError extends Error {}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

/** `promptlab backup …` and `promptlab cleanup …`. Exit codes: 0 ok, 1 failure, 2 usage. */
export async function maintenanceMain(command: 'backup' | 'cleanup', argv: string[], env: MaintenanceEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let store: PromptLabStore | undefined;
  try {
    const { values: o, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        ...COMMON_OPTIONS,
        compress: { type: 'boolean', default: false }, optimize: { type: 'boolean', default: false }, archive: { type: 'boolean', default: false },
        days: { type: 'string' },
      },
    });
    if (o.help) { out.write(`  ${MAINTENANCE_HELP}\n`); return 0; }
    const print = (human: string, json: unknown) => out.write((o.json ? JSON.stringify(json) : human) + '\n');
    const dir = path.resolve(o.db ?? process.env.PROMPTLAB_DB ?? env.defaultDbDir);

    if (command === 'backup') {
      const [action, file, ...extra] = positionals;
      if (!action || !['create', 'verify', 'restore'].includes(action)) throw new UsageError('backup needs create, verify or restore');
      if (!file || extra.length) throw new UsageError(`backup ${action} needs exactly one FILE`);
      if (o.compress && action !== 'create') throw new UsageError('--compress applies to backup create only');
      if (o.optimize || o.archive || o.days !== undefined) throw new UsageError('--optimize, --archive and --days belong to cleanup');
      const target = path.resolve(file);
      if (action === 'verify') {
        const v = await verifyBackup(target);
        for (const w of v.warnings) err.write(`promptlab: warning: ${w}\n`);
        if (v.ok) print(`${file}: ok (${v.rows} execution(s), schema version ${v.schemaVersion}${v.compressed ? ', gzip' : ''})`, v);
        else {
          if (o.json) print('', v);
          for (const p of v.problems) err.write(`${file}: FAILED: ${p}\n`);
        }
        return v.ok ? 0 : 1;
      }
      store = await env.openStore(dir);
      if (action === 'create') {
        const r = await store.backup(target, { compress: o.compress });
        if (r.textErrors) err.write(`promptlab: warning: ${r.textErrors} execution(s) had unreadable texts; their snippets were backed up instead\n`);
        print(`backup written: ${r.path} (${r.rows} execution(s), ${mb(r.bytes)}${r.compressed ? ' gzip' : ''}, sha256 ${r.sha256.slice(0, 16)}…) + ${path.basename(r.sidecarPath)}, ${r.ms} ms`, r);
        return 0;
      }
      const r = await store.restoreBackup(target);
      print(`restored ${r.restored} execution(s) from ${file}; ${r.alreadyPresent} were already in the database; snapshot ${r.gen} holds ${r.rows}. Previous snapshot kept in ${r.safetyCopy}`, r);
      return 0;
    }

    if (positionals.length) throw new UsageError(`cleanup takes no arguments (got "${positionals[0]}")`);
    if (o.compress) throw new UsageError('--compress belongs to backup create');
    if (!o.optimize && !o.archive) throw new UsageError('cleanup needs --optimize and/or --archive --days N');
    let days: number | undefined;
    if (o.archive) {
      days = Number(o.days);
      if (o.days === undefined || !Number.isInteger(days) || days < 1 || days > 100_000) throw new UsageError('--archive needs --days N (an integer from 1)');
    } else if (o.days !== undefined) throw new UsageError('--days applies to --archive');
    store = await env.openStore(dir);
    const result: Record<string, unknown> = {};
    if (days !== undefined) {
      const a = await store.archive(days);
      result.archive = a;
      if (!o.json) {
        out.write(`archived ${a.deleted} execution(s) created before ${a.cutoff}` + (a.alreadyArchived ? ` (${a.alreadyArchived} were already in an archive from an interrupted run)` : '') + '\n');
        for (const f of a.files) out.write(`  ${f}\n`);
      }
    }
    if (o.optimize) {
      const r = await store.optimize();
      result.optimize = r;
      if (!o.json) out.write(`optimized: ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)} (${r.rows} execution(s), ${r.ftsRows} re-indexed for search) in ${r.ms} ms\n`);
    }
    if (o.json) print('', result);
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    err.write(`promptlab: ${(e as Error).message.split('\n')[0]}${usage ? ' (see promptlab --help)' : ''}\n`);
    return usage ? 2 : 1;
  } finally {
    await store?.close();
  }
}
