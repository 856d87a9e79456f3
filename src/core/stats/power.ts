import { normalCdf, normalQuantile, studentTQuantile } from './distributions';
import { noncentralTCdf, noncentralTSf } from './noncentralT';
import type { Stat } from './stat';
import { available, notAvailable } from './stat';

/*
 * Power and sample size. t-tests use the noncentral t distribution, as R's power.t.test does,
 * but count both rejection tails (R's strict = TRUE): that is the real power of a two-sided
 * test. R's default drops the far tail, which changes n = 63.76561 to 63.76576 for d = 0.5,
 * α = .05, power .8 — both 64 cases per group. Proportions use the usual normal
 * approximations (Fleiss without continuity correction; Connor 1987 for McNemar).
 */

export interface PowerOptions {
  /** Two-sided significance level, default 0.05. */
  alpha?: number;
  /** Target power, default 0.8. */
  power?: number;
}

export interface SampleSize {
  /** Unrounded solution of power(n) = target. */
  nExact: number;
  /** Cases per group (pairs, for paired designs), rounded up. */
  nPerGroup: number;
  /** The normal approximation, rounded up, for comparison. */
  nPerGroupNormal: number;
}

/** Beyond this many cases per group we report "not available" rather than a number. */
export const MAX_SAMPLE_SIZE = 10_000_000;

function checkOptions(o: PowerOptions): Stat<{ alpha: number; power: number }> {
  const alpha = o.alpha ?? 0.05, power = o.power ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) return notAvailable(`alpha must be between 0 and 1 (got ${alpha})`);
  if (!(power > alpha / 2 && power < 1)) return notAvailable(`power must be between alpha/2 and 1 (got ${power})`);
  return available({ alpha, power });
}

/** Power of a two-sided t-test with df degrees of freedom and noncentrality ncp. */
function tTestPower(df: number, ncp: number, alpha: number): number {
  const q = studentTQuantile(1 - alpha / 2, df);
  return noncentralTSf(q, df, ncp) + noncentralTCdf(-q, df, ncp);
}

/**
 * Smallest real n ≥ nMin with power(n) = target, for increasing power(n): regula falsi
 * (Illinois variant) inside a bracket, to ~1e-12 relative.
 */
function solveN(power: (n: number) => number, target: number, guess: number, nMin: number): Stat<{ n: number }> {
  let lo = nMin, flo = power(lo) - target;
  if (flo >= 0) return available({ n: nMin });
  let hi = Math.max(nMin + 1, guess * 2), fhi = power(hi) - target;
  while (fhi < 0) {
    if (hi >= MAX_SAMPLE_SIZE) return notAvailable(`more than ${MAX_SAMPLE_SIZE.toLocaleString('en-US')} cases per group would be needed`);
    lo = hi; flo = fhi;
    hi = Math.min(MAX_SAMPLE_SIZE, hi * 4); fhi = power(hi) - target;
  }
  let side = 0;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const n = (lo * fhi - hi * flo) / (fhi - flo);
    const f = power(n) - target;
    if (f === 0) return available({ n });
    if (f < 0) {
      lo = n; flo = f;
      if (side === -1) fhi /= 2; // Illinois: halve the stale end so the bracket shrinks from both sides
      side = -1;
    } else {
      hi = n; fhi = f;
      if (side === 1) flo /= 2;
      side = 1;
    }
  }
  return available({ n: (lo + hi) / 2 });
}

function sampleSize(effectSize: number, options: PowerOptions, normalFactor: number, power: (n: number, d: number, alpha: number) => number): Stat<SampleSize> {
  const o = checkOptions(options);
  if (!o.available) return o;
  const d = Math.abs(effectSize);
  if (!Number.isFinite(d)) return notAvailable(`the effect size must be a finite number (got ${effectSize})`);
  if (d === 0) return notAvailable('the effect size is zero, so no number of cases reaches the target power');
  const z = normalQuantile(1 - o.alpha / 2) + normalQuantile(o.power);
  const normal = normalFactor * (z / d) ** 2;
  const solved = solveN((n) => power(n, d, o.alpha), o.power, normal, 2);
  if (!solved.available) return solved;
  if (solved.n > MAX_SAMPLE_SIZE) return notAvailable(`more than ${MAX_SAMPLE_SIZE.toLocaleString('en-US')} cases per group would be needed`);
  return available({ nExact: solved.n, nPerGroup: Math.ceil(solved.n - 1e-9), nPerGroupNormal: Math.ceil(normal - 1e-9) });
}

/**
 * Cases per group for a two-sided two-sample t-test to detect Cohen's d (noncentral t), with the
 * normal approximation n = 2((z₁₋α/₂ + z₁₋β)/d)² beside it.
 */
export function twoSampleSampleSize(effectSize: number, options: PowerOptions = {}): Stat<SampleSize> {
  return sampleSize(effectSize, options, 2, (n, d, alpha) => tTestPower(2 * n - 2, d * Math.sqrt(n / 2), alpha));
}

/** Achieved power of a two-sided two-sample t-test with na and nb cases at effect size d. */
export function twoSamplePower(na: number, nb: number, effectSize: number, alpha = 0.05): Stat<{ power: number }> {
  if (!(na >= 2 && nb >= 2)) return notAvailable(`power needs at least 2 cases per group (have ${na} and ${nb})`);
  if (!(alpha > 0 && alpha < 1)) return notAvailable(`alpha must be between 0 and 1 (got ${alpha})`);
  if (!Number.isFinite(effectSize)) return notAvailable('the effect size is not a finite number');
  return available({ power: tTestPower(na + nb - 2, Math.abs(effectSize) * Math.sqrt((na * nb) / (na + nb)), alpha) });
}

/** Pairs needed for a two-sided paired t-test to detect d_z (mean difference / SD of differences). */
export function pairedSampleSize(effectSize: number, options: PowerOptions = {}): Stat<SampleSize> {
  return sampleSize(effectSize, options, 1, (n, d, alpha) => tTestPower(n - 1, d * Math.sqrt(n), alpha));
}

/** Achieved power of a two-sided paired t-test with n pairs at d_z. */
export function pairedPower(n: number, effectSize: number, alpha = 0.05): Stat<{ power: number }> {
  if (!(n >= 2)) return notAvailable(`power needs at least 2 pairs (have ${n})`);
  if (!(alpha > 0 && alpha < 1)) return notAvailable(`alpha must be between 0 and 1 (got ${alpha})`);
  if (!Number.isFinite(effectSize)) return notAvailable('the effect size is not a finite number');
  return available({ power: tTestPower(n - 1, Math.abs(effectSize) * Math.sqrt(n), alpha) });
}

function checkRates(pa: number, pb: number): string | null {
  if (!(pa >= 0 && pa <= 1 && pb >= 0 && pb <= 1)) return 'rates must be between 0 and 1';
  if (pa === pb) return 'the observed rates are equal, so no number of cases reaches the target power';
  return null;
}

/** Cases per group to detect rates pa vs pb with the pooled z-test (normal approximation). */
export function proportionsSampleSize(pa: number, pb: number, options: PowerOptions = {}): Stat<{ nPerGroup: number }> {
  const o = checkOptions(options);
  if (!o.available) return o;
  const bad = checkRates(pa, pb);
  if (bad) return notAvailable(bad);
  const za = normalQuantile(1 - o.alpha / 2), zb = normalQuantile(o.power), pbar = (pa + pb) / 2;
  const n = (za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(pa * (1 - pa) + pb * (1 - pb))) ** 2 / (pb - pa) ** 2;
  if (n > MAX_SAMPLE_SIZE) return notAvailable(`more than ${MAX_SAMPLE_SIZE.toLocaleString('en-US')} cases per group would be needed`);
  return available({ nPerGroup: Math.max(2, Math.ceil(n - 1e-9)) });
}

/** Achieved power of the pooled two-proportion z-test at the observed rates (normal approximation). */
export function proportionsPower(pa: number, pb: number, na: number, nb: number, alpha = 0.05): Stat<{ power: number }> {
  const bad = checkRates(pa, pb);
  if (bad) return notAvailable(bad);
  const pbar = (na * pa + nb * pb) / (na + nb);
  const se0 = Math.sqrt(pbar * (1 - pbar) * (1 / na + 1 / nb));
  const se1 = Math.sqrt((pa * (1 - pa)) / na + (pb * (1 - pb)) / nb);
  if (!(se1 > 0)) return notAvailable('both observed rates are 0 or 1, so their sampling variance is zero');
  const za = normalQuantile(1 - alpha / 2), delta = Math.abs(pb - pa);
  return available({ power: normalCdf((delta - za * se0) / se1) + normalCdf((-delta - za * se0) / se1) });
}

/**
 * Pairs for McNemar's test (Connor 1987): ψ = share of discordant pairs, δ = pb − pa.
 * n = (z₁₋α/₂·√ψ + z₁₋β·√(ψ − δ²))² / δ².
 */
export function mcnemarSampleSize(discordant: number, delta: number, options: PowerOptions = {}): Stat<{ nPerGroup: number }> {
  const o = checkOptions(options);
  if (!o.available) return o;
  if (delta === 0 || !(discordant > 0)) return notAvailable('the observed rates are equal, so no number of cases reaches the target power');
  const za = normalQuantile(1 - o.alpha / 2), zb = normalQuantile(o.power);
  const n = (za * Math.sqrt(discordant) + zb * Math.sqrt(Math.max(0, discordant - delta * delta))) ** 2 / (delta * delta);
  if (n > MAX_SAMPLE_SIZE) return notAvailable(`more than ${MAX_SAMPLE_SIZE.toLocaleString('en-US')} pairs would be needed`);
  return available({ nPerGroup: Math.max(2, Math.ceil(n - 1e-9)) });
}

/** Achieved power of McNemar's test with n pairs (Connor's normal approximation). */
export function mcnemarPower(n: number, discordant: number, delta: number, alpha = 0.05): Stat<{ power: number }> {
  if (delta === 0 || !(discordant > 0)) return notAvailable('the observed rates are equal');
  const za = normalQuantile(1 - alpha / 2);
  const spread = Math.sqrt(Math.max(0, discordant - delta * delta));
  const margin = Math.abs(delta) * Math.sqrt(n) - za * Math.sqrt(discordant);
  // All discordant pairs favour one side: the statistic is deterministic in the limit.
  if (spread === 0) return available({ power: margin > 0 ? 1 : 0 });
  return available({ power: normalCdf(margin / spread) });
}
