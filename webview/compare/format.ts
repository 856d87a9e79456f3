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
