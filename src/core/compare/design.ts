import { Xoshiro128 } from '../stats/bootstrap';

/*
 * Which case runs under which variant, and in what order, reproducibly from a seed
 * (xoshiro128** from the stats module; stream 7 so it never shares numbers with a bootstrap).
 *
 * paired:   a randomized complete block design. Every (case, repeat) is a block holding every
 *           variant; blocks run in a shuffled order and the variants inside each block in a
 *           shuffled order, so drift over the run (provider load, time of day) hits every
 *           variant alike and is not confounded with the variant.
 * unpaired: the cases are shuffled and dealt to the variants in turn (sizes differ by at most
 *           one); each case runs `repeat` times under its one variant; the units then run in a
 *           shuffled order.
 */

export type Design = 'paired' | 'unpaired';

export interface PlannedUnit { caseIndex: number; variant: string; /** 1-based */ repeat: number }

const DESIGN_STREAM = 7;

export class SeededRandom {
  private readonly rng: Xoshiro128;
  constructor(seed: number) { this.rng = new Xoshiro128(seed >>> 0, DESIGN_STREAM); }
  /** Uniform integer in [0, n). */
  int(n: number): number { return Math.floor((this.rng.nextUint32() / 4294967296) * n); }
  /** Fisher–Yates, in place. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}

function check(caseCount: number, variants: readonly string[], repeat: number): void {
  if (!Number.isInteger(caseCount) || caseCount < 0) throw new Error(`case count must be a non-negative integer (got ${caseCount})`);
  if (variants.length < 2) throw new Error('a comparison needs at least two variants');
  if (new Set(variants).size !== variants.length) throw new Error('variant names must be unique');
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`repeat must be a positive integer (got ${repeat})`);
}

export function pairedPlan(caseCount: number, variants: readonly string[], repeat: number, seed: number): PlannedUnit[] {
  check(caseCount, variants, repeat);
  const rnd = new SeededRandom(seed);
  const blocks: Array<{ caseIndex: number; repeat: number }> = [];
  for (let c = 0; c < caseCount; c++) for (let r = 1; r <= repeat; r++) blocks.push({ caseIndex: c, repeat: r });
  rnd.shuffle(blocks);
  const out: PlannedUnit[] = [];
  for (const b of blocks) for (const v of rnd.shuffle([...variants])) out.push({ caseIndex: b.caseIndex, variant: v, repeat: b.repeat });
  return out;
}

export function unpairedPlan(caseCount: number, variants: readonly string[], repeat: number, seed: number): PlannedUnit[] {
  check(caseCount, variants, repeat);
  const rnd = new SeededRandom(seed);
  const order = rnd.shuffle(Array.from({ length: caseCount }, (_, i) => i));
  // Which variant gets the "extra" cases when they do not divide evenly is random too.
  const variantOrder = rnd.shuffle([...variants]);
  const units: PlannedUnit[] = [];
  order.forEach((caseIndex, k) => {
    const variant = variantOrder[k % variantOrder.length]!;
    for (let r = 1; r <= repeat; r++) units.push({ caseIndex, variant, repeat: r });
  });
  return rnd.shuffle(units);
}

export function planUnits(design: Design, caseCount: number, variants: readonly string[], repeat: number, seed: number): PlannedUnit[] {
  return design === 'paired' ? pairedPlan(caseCount, variants, repeat, seed) : unpairedPlan(caseCount, variants, repeat, seed);
}
