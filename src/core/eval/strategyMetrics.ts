// Strategy-prediction metrics the paper reports: accuracy, weighted-F1 and macro-F1 over the 8 ids (as
// sklearn's f1_score(labels=range(8), average=...)), per-strategy F1, the gold->predicted confusion and
// the preference bias (Bradley–Terry strengths of the mistakes). Predictions outside the 8 are dropped
// and counted as an error ratio (FORMATS.md "Metrics the paper reports").

import { STRATEGIES } from '../strategies';

const K = STRATEGIES.length;

export interface StrategyScores {
  accuracy: number;
  weighted_f1: number;
  /** Mean of the 8 per-strategy F1s; a strategy neither gold nor predicted counts 0 (sklearn's default). */
  macro_f1: number;
  /** Share of predictions that named no strategy. */
  error_ratio: number;
  n: number;
  /** F1 of each strategy id, in STRATEGIES order. */
  per_strategy_f1: number[];
  /** confusion[gold][predicted] over the kept turns. */
  confusion: number[][];
}

const square = (): number[][] => Array.from({ length: K }, () => new Array<number>(K).fill(0));

/** gold and predicted are strategy ids (0..7), predicted -1 (or any id off 0..7) for an unparseable prediction. */
export function strategyScores(gold: readonly number[], predicted: readonly number[]): StrategyScores {
  const confusion = square();
  let kept = 0;
  let errors = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i]!;
    if (!Number.isInteger(p) || p < 0 || p >= K) {
      errors++;
      continue;
    }
    kept++;
    confusion[g]![p]!++;
  }
  const perStrategy: number[] = [];
  let weighted = 0;
  let macro = 0;
  let correct = 0;
  for (let c = 0; c < K; c++) {
    const tp = confusion[c]![c]!;
    let support = 0; // gold c
    let predictedC = 0; // predicted c
    for (let o = 0; o < K; o++) {
      support += confusion[c]![o]!;
      predictedC += confusion[o]![c]!;
    }
    // sklearn: F1 = 2tp / (2tp + fp + fn), 0 when that is 0/0 (zero_division's default)
    const denom = support + predictedC;
    const f1 = denom === 0 ? 0 : (2 * tp) / denom;
    perStrategy.push(f1);
    macro += f1;
    weighted += f1 * support;
    correct += tp;
  }
  return {
    accuracy: kept === 0 ? 0 : correct / kept,
    weighted_f1: kept === 0 ? 0 : weighted / kept,
    macro_f1: macro / K,
    error_ratio: gold.length === 0 ? 0 : errors / gold.length,
    n: gold.length,
    per_strategy_f1: perStrategy,
    confusion,
  };
}

export const PREFERENCE_ROUNDS = 20;

/**
 * Bradley–Terry strengths ("preferences") of the 8 strategies from the confusion table: T[i][j] = turns
 * predicted i when gold was j, the diagonal ignored (a right answer is no preference). 20 rounds of the
 * MM update p_i <- sum_{j!=i} T[i][j] p_j/(p_i+p_j) / sum_{j!=i} T[j][i]/(p_i+p_j), in place with i
 * ascending, each round divided by the geometric mean of the non-zero p; finally scaled to sum 8.
 * A strategy never mistaken for another (denominator 0) keeps its strength: the update is undefined there.
 */
export function preferences(confusion: readonly (readonly number[])[]): number[] {
  // T[i][j] = confusion[gold j][predicted i]
  const t = (i: number, j: number): number => confusion[j]![i]!;
  const p = new Array<number>(K).fill(1);
  for (let round = 0; round < PREFERENCE_ROUNDS; round++) {
    for (let i = 0; i < K; i++) {
      let num = 0;
      let den = 0;
      for (let j = 0; j < K; j++) {
        if (j === i) continue;
        const pair = p[i]! + p[j]!;
        if (pair === 0) continue;
        num += (t(i, j) * p[j]!) / pair;
        den += t(j, i) / pair;
      }
      if (den > 0) p[i] = num / den;
    }
    const positive = p.filter((x) => x > 0);
    if (positive.length > 0) {
      const g = Math.exp(positive.reduce((a, x) => a + Math.log(x), 0) / positive.length);
      for (let i = 0; i < K; i++) p[i] = p[i]! / g;
    }
  }
  const sum = p.reduce((a, x) => a + x, 0);
  return sum > 0 ? p.map((x) => (x * K) / sum) : p;
}

/** Population standard deviation: the preference bias of the 8 strengths. */
export function populationStd(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, x) => a + x, 0) / values.length;
  return Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length);
}
