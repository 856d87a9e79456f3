/*
 * A statistic that may not be computable. Results never carry NaN or Infinity: when inputs
 * cannot support a number (n < 2, zero variance in both groups, all differences zero, …) the
 * caller gets `{ available: false, reason }` with a sentence a user can act on.
 */

export type Stat<T extends object> = ({ available: true } & T) | { available: false; reason: string };

export type NotAvailable = { available: false; reason: string };

export function available<T extends object>(value: T): { available: true } & T {
  return { available: true, ...value };
}

export function notAvailable(reason: string): NotAvailable {
  return { available: false, reason };
}

/** A finite number or null (for JSON output, which cannot hold NaN). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
