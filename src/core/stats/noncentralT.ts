import { normalCdf, studentTCdf } from './distributions';
import { incompleteBeta, logBeta } from './specialFunctions';

/*
 * CDF of the noncentral t distribution, for power and sample size (R's power.t.test uses the
 * same distribution). Algorithm AS 243 (R. V. Lenth, Applied Statistics 38, 1989): Guenther's
 * twin series of incomplete-beta terms weighted by Poisson probabilities, summed until the
 * error bound drops below 1e-14 (Lenth used 1e-12). With R's refinements: s from expm1 when tiny, and the
 * Abramowitz & Stegun 26.7.10 normal approximation where the series would underflow.
 */

const ERR_MAX = 1e-14;
const ITR_MAX = 5000;
const SQRT_2_OVER_PI = 0.79788456080286535588;

/** P(T ≤ t) for T ~ noncentral t(df, ncp). */
export function noncentralTCdf(t: number, df: number, ncp: number): number {
  if (!(df > 0) || Number.isNaN(t) || Number.isNaN(ncp)) return Number.NaN;
  if (ncp === 0) return studentTCdf(t, df);
  if (!Number.isFinite(t)) return t < 0 ? 0 : 1;
  // The series is for t ≥ 0; P(T ≤ −t | δ) = 1 − P(T ≤ t | −δ).
  const negate = t < 0;
  const tt = negate ? -t : t;
  const del = negate ? -ncp : ncp;
  if (df > 4e5 || del * del > 2 * Math.LN2 * 1021) {
    // exp(−δ²/2) would underflow (δ > 37.6) or the series is needlessly long: A&S 26.7.10.
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    return negate ? 1 - normalCdf(z) : normalCdf(z);
  }
  let tnc = 0;
  if (tt > 0) {
    const t2 = tt * tt;
    const x = t2 / (t2 + df);
    const oneMinusX = df / (t2 + df);
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = SQRT_2_OVER_PI * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.exp(b * Math.log1p(-x)); // (1 − x)^b without rounding 1 − x first
    // ln B(½, b) = ln √π + ln Γ(b) − ln Γ(b + ½), formed without subtracting two huge log-gammas
    const logBetaHalf = logBeta(0.5, b);
    let xodd = incompleteBeta(a, b, x, oneMinusX).lower;
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - logBetaHalf);
    const bx = b * x;
    let xeven = bx < Number.EPSILON ? bx : 1 - rxb;
    let geven = bx * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= ITR_MAX; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s <= 0 && it > 1) break; // all Poisson mass used: rounding only from here on
      if (Math.abs(2 * s * (xodd - godd)) < ERR_MAX) break;
    }
  }
  tnc += normalCdf(-del);
  tnc = Math.min(1, Math.max(0, tnc));
  return negate ? 1 - tnc : tnc;
}

/** P(T > t) for T ~ noncentral t(df, ncp). */
export function noncentralTSf(t: number, df: number, ncp: number): number {
  // P(T > t | δ) = P(−T < −t | δ) = P(T' ≤ −t | −δ), computed on its own side.
  return noncentralTCdf(-t, df, -ncp);
}
