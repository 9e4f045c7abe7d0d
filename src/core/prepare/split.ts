// The seeded dialogue-level split of `esc convert esconv`: the same seed gives the same split on any
// machine and Node version, because nothing here depends on the platform — mulberry32 (a 32-bit
// generator built from Math.imul, shifts and one exact division by 2^32) feeds a Fisher–Yates shuffle
// of the dialogue indices, and the split sizes come from integer arithmetic (largest remainder).

import { mulberry32 } from '../util/random';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
export type SplitRatios = Readonly<Record<SplitName, number>>;

export const DEFAULT_SPLIT: SplitRatios = { train: 0.8, val: 0.1, test: 0.1 };
export const DEFAULT_SEED = 42;

/** Why a --split or --seed value cannot be used. */
export class SplitSpecError extends Error {}

/** 0..n-1 shuffled by Fisher–Yates (Durstenfeld: from the end, j uniform in 0..i) with mulberry32(seed). */
export function shuffledIndices(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** "0.8,0.1,0.1" → ratios; three numbers ≥ 0 summing to 1, train above 0. */
export function parseSplit(text: string): SplitRatios {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length !== 3 || parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new SplitSpecError(`the split must be three numbers ≥ 0 for train,val,test, e.g. 0.8,0.1,0.1 (got ${JSON.stringify(text)})`);
  }
  const [train, val, test] = values as [number, number, number];
  if (Math.abs(train + val + test - 1) > 1e-6) {
    throw new SplitSpecError(`the split's three shares must sum to 1 (got ${JSON.stringify(text)}, which sums to ${train + val + test})`);
  }
  if (train <= 0) throw new SplitSpecError(`the train share must be above 0 (got ${JSON.stringify(text)})`);
  return { train, val, test };
}

/** A seed: a whole number 0..4294967295 (mulberry32's state is 32 bits). */
export function parseSeed(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new SplitSpecError(`the seed must be a whole number from 0 to 4294967295 (got ${JSON.stringify(text)})`);
  }
  return n;
}

/**
 * How many of n dialogues each split gets: the floor of n × share, then the dialogues left over go one
 * each to the largest remainders (ties: train, val, test). A share of 0 always gets 0.
 */
export function splitSizes(n: number, ratios: SplitRatios): Record<SplitName, number> {
  // products rounded to 9 places first, so 0.29 × 100 = 28.999999999999996 counts as 29
  const exact = SPLIT_NAMES.map((s) => Math.round(n * ratios[s] * 1e9) / 1e9);
  const sizes = exact.map(Math.floor);
  let left = n - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = [0, 1, 2]
    .filter((i) => ratios[SPLIT_NAMES[i]!] > 0)
    .sort((a, b) => exact[b]! - sizes[b]! - (exact[a]! - sizes[a]!) || a - b);
  for (let k = 0; left > 0 && byRemainder.length > 0; k = (k + 1) % byRemainder.length, left--) sizes[byRemainder[k]!]!++;
  return { train: sizes[0]!, val: sizes[1]!, test: sizes[2]! };
}

/** Which of 0..n-1 go to each split: the seeded shuffle cut by splitSizes, each split in ascending (file) order. */
export function splitIndices(n: number, ratios: SplitRatios, seed: number): Record<SplitName, number[]> {
  const order = shuffledIndices(n, seed);
  const sizes = splitSizes(n, ratios);
  const asc = (a: number, b: number): number => a - b;
  return {
    train: order.slice(0, sizes.train).sort(asc),
    val: order.slice(sizes.train, sizes.train + sizes.val).sort(asc),
    test: order.slice(sizes.train + sizes.val).sort(asc),
  };
}
