import { Sanitizer } from '../../../src/core/sanitize';
import { LocalStore } from '../../../src/core/store';

/** Every id of the database in `dir` (seq order), its row count and the problems reported on open. */
export async function storedIds(dir: string): Promise<{ ids: string[]; rows: number; problems: string[] }> {
  const s = await LocalStore.open({ dir, sanitizer: new Sanitizer() });
  const ids: string[] = [];
  for (let after = 0; ;) {
    const page = s.engine.database.scan(after, 1000);
    if (!page.length) break;
    for (const r of page) ids.push(r.id);
    after = page[page.length - 1]!.seq;
  }
  const rows = s.engine.count();
  const problems = s.engine.problems.map((p) => `${p.kind} ${p.file}: ${p.message}`);
  await s.close();
  return { ids, rows, problems };
}

/** `${prefix}0` … `${prefix}${n - 1}`. */
export function range(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
