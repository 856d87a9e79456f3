/*
 * Child process for the archive crash test: opens the store in `dir` and archives executions
 * older than `days` days before `nowMs` (fixed, so every rerun uses the same cutoff). Prints
 * "ready" once the store is open and "done <json>" when the archive finished; the parent
 * kills it with SIGKILL at random points in between.
 * argv: dir days nowMs
 */
import { Sanitizer } from '../../../src/core/sanitize';
import { LocalStore } from '../../../src/core/store';
import { archiveOlderThan } from '../../../src/core/store/archive';

const [dir, days, now] = process.argv.slice(2) as [string, string, string];
void (async () => {
  const store = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  process.stdout.write('ready\n');
  const r = await archiveOlderThan(store.engine, Number(days), Number(now));
  process.stdout.write(`done ${JSON.stringify(r)}\n`);
  await store.close();
})().catch((e: unknown) => {
  process.stdout.write(`error ${(e as Error).message}\n`);
  process.exitCode = 1;
});
