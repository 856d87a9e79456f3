/*
 * Number wording for recommendations and tables: about three significant figures, explicit
 * signs on differences, p-values that never print as a bare "0".
 */

export function formatNumber(x: number): string {
  const m = Math.abs(x);
  if (Number.isInteger(x) && m < 1e6) return String(x); // counts, U, df of a paired test
  if (m >= 1e6 || m < 1e-4) return x.toExponential(2);
  const digits = Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(m))));
  return x.toFixed(digits);
}

export function formatSigned(x: number): string {
  return x > 0 ? `+${formatNumber(x)}` : formatNumber(x);
}

export function formatP(p: number): string {
  if (p >= 0.001) return p.toPrecision(3);
  return p.toExponential(1);
}

/** 0.123 → "12%", 0.0123 → "1.2%". */
export function formatPercent(fraction: number): string {
  const pct = Math.abs(fraction * 100);
  return `${pct >= 9.95 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function formatInterval(ci: readonly [number, number], signed = true): string {
  const f = signed ? formatSigned : formatNumber;
  return `${f(ci[0])} to ${f(ci[1])}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
