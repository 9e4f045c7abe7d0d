// The turns behind a number of the comparison page: a confusion cell (gold and predicted), a
// strategy's F1 (gold) or its preference (predicted in place of another strategy).

import { STRATEGIES } from '../strategies';
import type { TurnOutcomes } from './evaluate';

export interface DrillQuery {
  /** Gold strategy id (0..7). */
  gold?: number;
  /** Predicted strategy id (0..7). */
  predicted?: number;
  /** Only turns whose prediction differs from the gold strategy (a preference is made of mistakes). */
  mistakes?: boolean;
  /** Only turns whose prediction named no strategy (null or off-list: the error ratio's turns). */
  unusable?: boolean;
}

/** Record indices, in file order, of the turns that match. */
export function drillIndices(turns: Pick<TurnOutcomes, 'gold' | 'predicted'>, q: DrillQuery): number[] {
  const out: number[] = [];
  for (let i = 0; i < turns.gold.length; i++) {
    const g = turns.gold[i]!;
    const p = turns.predicted[i]!;
    if (q.gold !== undefined && g !== q.gold) continue;
    if (q.predicted !== undefined && p !== q.predicted) continue;
    if (q.mistakes && g === p) continue;
    if (q.unusable && p >= 0) continue;
    out.push(i);
  }
  return out;
}

/** What the viewer's filter banner says: "gold Question → predicted Others". */
export function drillLabel(q: DrillQuery): string {
  const parts: string[] = [];
  if (q.gold !== undefined) parts.push(`gold ${STRATEGIES[q.gold]}`);
  if (q.predicted !== undefined) parts.push(`predicted ${STRATEGIES[q.predicted]}`);
  if (q.unusable) parts.push('no strategy predicted');
  const label = parts.join(' → ') || 'all turns';
  return q.mistakes ? `${label}, wrongly` : label;
}
