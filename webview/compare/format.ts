/** Number formatting for the compare panel's statistics. */

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.001 || a >= 1e6)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

export function signed(v: number, digits = 3): string {
  return (v > 0 ? '+' : '') + num(v, digits);
}

export function pValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

export function percent(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '' : ` (${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}%)`;
}

/**
 * The variant whose output scored best on this case (overall quality), or null when no
 * variant has a score or the best score is shared: a tie names no winner.
 */
export function caseWinner(scores: ReadonlyArray<{ variant: string; quality: number | null }>): string | null {
  let best: string | null = null;
  let top = -Infinity;
  let tied = false;
  for (const s of scores) {
    if (s.quality === null || !Number.isFinite(s.quality)) continue;
    if (s.quality > top) { top = s.quality; best = s.variant; tied = false; }
    else if (s.quality === top) tied = true;
  }
  return tied ? null : best;
}

/** "Only where the winner changes": the case has a clear winner and it is not the comparison's leader. */
export function winnerChanges(scores: ReadonlyArray<{ variant: string; quality: number | null }>, leader: string): boolean {
  const w = caseWinner(scores);
  return w !== null && w !== leader;
}
