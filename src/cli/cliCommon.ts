/** Options every database command takes (--db, --json, --help), spread into each parseArgs call. */
export const COMMON_OPTIONS = {
  db: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
} as const;

/** A bad command line (exit 2), as opposed to a failure while doing the work (exit 1). */
export class UsageError extends Error {}

/** Writes the one-line reason for `e` and returns the exit code: 2 for usage errors, 1 otherwise. */
export function failureExit(e: unknown, command: string, err: NodeJS.WritableStream): number {
  const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  if (usage) {
    err.write(`promptlab: ${(e as Error).message.split('\n')[0]} (see promptlab ${command} --help)\n`);
    return 2;
  }
  err.write(`promptlab: ${(e as Error).message}\n`);
  return 1;
}
