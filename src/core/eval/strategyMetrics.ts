// Strategy-prediction metrics the paper reports: accuracy, weighted-F1 and macro-F1 over the 8 ids.
// Predictions outside the 8 are dropped and counted as an error ratio (FORMATS.md).

import { STRATEGIES } from '../strategies';

export interface StrategyScores {
  accuracy: number;
  weighted_f1: number;
  macro_f1: number;
  /** Share of predictions that named no strategy. */
  error_ratio: number;
  n: number;
}

/** gold and predicted are strategy ids (0..7), predicted -1 for an unparseable prediction. */
export function strategyScores(gold: readonly number[], predicted: readonly number[]): StrategyScores {
  const k = STRATEGIES.length;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  const support = new Array<number>(k).fill(0);
  let correct = 0;
  let kept = 0;
  let errors = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i]!;
    if (p < 0 || p >= k) {
      errors++;
      continue;
    }
    kept++;
    support[g]!++;
    if (g === p) {
      correct++;
      tp[g]!++;
    } else {
      fp[p]!++;
      fn[g]!++;
    }
  }
  let weighted = 0;
  let macro = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    const precision = tp[c]! + fp[c]! === 0 ? 0 : tp[c]! / (tp[c]! + fp[c]!);
    const recall = tp[c]! + fn[c]! === 0 ? 0 : tp[c]! / (tp[c]! + fn[c]!);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    if (support[c]! > 0 || fp[c]! > 0) {
      macro += f1;
      classes++;
    }
    weighted += f1 * support[c]!;
  }
  return {
    accuracy: kept === 0 ? 0 : correct / kept,
    weighted_f1: kept === 0 ? 0 : weighted / kept,
    macro_f1: classes === 0 ? 0 : macro / classes,
    error_ratio: gold.length === 0 ? 0 : errors / gold.length,
    n: gold.length,
  };
}
