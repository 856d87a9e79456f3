import { erfc, incompleteBeta, logBeta } from './specialFunctions';

/*
 * Normal and Student t distributions to full double precision. Tails are computed directly
 * (never 1 − CDF) so p-values of 1e-12 and far smaller keep their relative precision.
 */

const SQRT1_2 = Math.SQRT1_2;

/** Φ(x) = P(Z ≤ x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** 1 − Φ(x), without cancellation. */
export function normalSf(x: number): number {
  return 0.5 * erfc(x * SQRT1_2);
}

/** Two-sided p-value of a z statistic: 2·Φ(−|z|). */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) * SQRT1_2));
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

// Wichura, Algorithm AS 241 (PPND16), Applied Statistics 37 (1988): ~1e-16 relative.
const Q_A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const Q_B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const Q_C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const Q_D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const Q_E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const Q_F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

function ratio(num: number[], den: number[], r: number): number {
  let n = 0, d = 0;
  for (let i = num.length - 1; i >= 0; i--) {
    n = n * r + num[i]!;
    d = d * r + den[i]!;
  }
  return n / d;
}

/** Φ⁻¹(p), for 0 < p < 1 (±Infinity at 0 and 1). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return q * ratio(Q_A, Q_B, 0.180625 - q * q);
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const x = r <= 5 ? ratio(Q_C, Q_D, r - 1.6) : ratio(Q_E, Q_F, r - 5);
  return q < 0 ? -x : x;
}

/** P(|T| ≥ |t|) for Student's t with df degrees of freedom (df may be fractional, as Welch's). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  // x = df/(df + t²) and 1 − x = t²/(df + t²), each formed without cancellation.
  return Math.min(1, incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2)).lower);
}

/** P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  if (t === 0) return 0.5;
  const tail = 0.5 * studentTTwoSidedP(t, df);
  return t < 0 ? tail : 1 - tail;
}

/** P(T > t), computed on its own side. */
export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}

export function studentTPdf(t: number, df: number): number {
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - logBeta(df / 2, 0.5));
}

/**
 * Student t quantile by inversion: a Cornish–Fisher start, then Newton steps on the log of the
 * tail probability (well behaved far out, where the plain CDF is flat), kept inside a bracket
 * that bisection falls back to. Converges to ~1e-15 relative.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const upper = p > 0.5;
  const tail = upper ? 1 - p : p; // target P(T > x) for x > 0
  // When p is close to 1 the subtraction 1 − p is exact enough: p itself carries only ~1e-16.
  const logTarget = Math.log(tail);
  let x: number;
  if (df === 1) x = Math.tan(Math.PI * (0.5 - tail));
  else if (df === 2) x = Math.sqrt(2 / (4 * tail * (1 - tail)) - 2);
  else {
    const z = -normalQuantile(tail), z2 = z * z;
    x = z + (z * (z2 + 1)) / (4 * df) + (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * df * df)
      + (z * (3 * z2 ** 3 + 19 * z2 * z2 + 17 * z2 - 15)) / (384 * df ** 3);
  }
  if (!(x > 0) || !Number.isFinite(x)) x = 1;
  let lo = 0, hi = Infinity;
  for (let i = 0; i < 200; i++) {
    const sf = 0.5 * studentTTwoSidedP(x, df);
    if (sf > tail) lo = x; else hi = x;
    const g = Math.log(sf) - logTarget;
    if (g === 0) break;
    // d/dx log sf(x) = −pdf(x)/sf(x)
    let next = x + (g * sf) / studentTPdf(x, df);
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = hi === Infinity ? Math.max(2 * x, lo + 1) : (lo + hi) / 2;
    if (Math.abs(next - x) <= 2e-15 * x) { x = next; break; }
    x = next;
  }
  return upper ? x : -x;
}
