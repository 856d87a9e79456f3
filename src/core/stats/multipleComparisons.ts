/*
 * Holm's step-down adjustment (Holm 1979), the same values as statsmodels'
 * multipletests(method='holm'): sort ascending, p_(i) × (m − i + 1), running maximum, cap at 1.
 * Controls the family-wise error rate like Bonferroni, never less powerful. Entries that are
 * null (a test that could not be computed) are skipped and do not count towards m.
 */
export function holmAdjust(pValues: ReadonlyArray<number | null>): Array<number | null> {
  const present = pValues.map((p, i) => ({ p, i })).filter((e): e is { p: number; i: number } => e.p !== null);
  // Stable sort: equal p-values keep input order, matching numpy's stable argsort.
  present.sort((x, y) => x.p - y.p);
  const m = present.length;
  const out: Array<number | null> = pValues.map(() => null);
  let running = 0;
  present.forEach((e, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * e.p));
    out[e.i] = running;
  });
  return out;
}
