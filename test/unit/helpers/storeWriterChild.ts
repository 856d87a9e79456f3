/*
 * Child process for durability tests: writes executions as fast as it can and prints each
 * id after record() returns (= acknowledged). The parent kills it with SIGKILL at random.
 * argv: dir prefix compactEveryRows
 */
import { Sanitizer } from '../../../src/core/sanitize';
import { LocalStore } from '../../../src/core/store';
import { sampleExecution } from './fixtures';

const [dir, prefix, every] = process.argv.slice(2) as [string, string, string];
void (async () => {
  const store = await LocalStore.open({ dir, sanitizer: new Sanitizer(), compactEveryRows: Number(every), pollMs: 200 });
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    store.record(sampleExecution(i, { id }));
    process.stdout.write(`ack ${id}\n`);
    if (i % 25 === 0) await new Promise((r) => setImmediate(r)); // let compaction and polling run
    if (process.env.STOP_AFTER && i + 1 >= Number(process.env.STOP_AFTER)) break;
  }
  await store.close();
  process.stdout.write('closed\n');
})();
