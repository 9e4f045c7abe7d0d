// Dataset statistics, accumulated record by record from RecordSummary so a file of any size is
// summarised in one streaming pass. `esc stats` and the viewer's Statistics tab both use this.
//
// Strategy counts are keyed by the 8 names exactly as in FORMATS.md (all present, zero-filled);
// labels that are not one of the 8 as written (off-list ESConv labels, a model's stray output) are
// counted as written under `other`, never silently mapped.

import type { DetectedKind } from '../formats/kinds';
import { isStrategy, STRATEGIES, type Strategy } from '../strategies';
import type { RecordSummary } from './summary';

export type StrategyCounts = Record<Strategy, number>;

export interface Distribution {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Counts per bin; bin i covers [edges[i], edges[i+1]). */
  histogram: { edges: number[]; counts: number[] };
}

export type StrategyStats =
  | { turns: StrategyCounts; other: Record<string, number> }
  | { chosen: StrategyCounts; rejected: StrategyCounts; matrix?: Record<Strategy, StrategyCounts>; other: Record<string, number> }
  | { gold: StrategyCounts; predicted: StrategyCounts; other: Record<string, number> }
  | { responses: StrategyCounts; other: Record<string, number> };

export interface DatasetStats {
  kind: DetectedKind;
  records: number;
  invalid: number;
  strategies: StrategyStats;
  turns: Distribution;
  /** Reply lengths in words: supporter turns, or the chosen / gold side. */
  length: Distribution;
  /** Rejected / predicted reply lengths in words (pair and inference kinds). */
  rejectedLength?: Distribution;
  emotions?: Record<string, number>;
  problems?: Record<string, number>;
  errorTypes?: Record<string, number>;
  retained?: Record<string, number>;
}

export const zeroCounts = (): StrategyCounts => Object.fromEntries(STRATEGIES.map((s) => [s, 0])) as StrategyCounts;

const PAIR_KINDS = new Set<DetectedKind>(['pref-planner', 'pref-generator', 'pref-vanilla']);
const HISTOGRAM_BINS = 20;

export class StatsAccumulator {
  private records = 0;
  private invalid = 0;
  private readonly primary = zeroCounts();
  private readonly secondary = zeroCounts();
  private readonly other: Record<string, number> = {};
  private readonly matrix: Record<Strategy, StrategyCounts> | undefined;
  private readonly turns: number[] = [];
  private readonly lengths: number[] = [];
  private readonly rejectedLengths: number[] = [];
  private readonly emotions: Record<string, number> = {};
  private readonly problems: Record<string, number> = {};
  private readonly errorTypes: Record<string, number> = {};
  private readonly retained: Record<string, number> = {};

  constructor(readonly kind: DetectedKind) {
    if (kind === 'pref-planner') {
      this.matrix = Object.fromEntries(STRATEGIES.map((s) => [s, zeroCounts()])) as Record<Strategy, StrategyCounts>;
    }
  }

  private count(into: StrategyCounts, label: string): void {
    if (isStrategy(label)) into[label]++;
    else this.other[label] = (this.other[label] ?? 0) + 1;
  }

  addInvalid(): void {
    this.records++;
    this.invalid++;
  }

  add(s: RecordSummary): void {
    this.records++;
    const pairLike = PAIR_KINDS.has(this.kind) || this.kind === 'inference';
    if (pairLike) {
      for (const c of s.strategyFacet) this.count(this.primary, c);
      for (const j of s.rejectedFacet) this.count(this.secondary, j);
      const c = s.strategyFacet[0];
      const j = s.rejectedFacet[0];
      if (this.matrix && c !== undefined && j !== undefined && isStrategy(c) && isStrategy(j)) this.matrix[c][j]++;
    } else {
      for (const label of s.strategies) this.count(this.primary, label);
    }
    this.turns.push(s.turns);
    this.lengths.push(...s.lengths);
    this.rejectedLengths.push(...s.rejectedLengths);
    if (s.emotion !== undefined) this.emotions[s.emotion] = (this.emotions[s.emotion] ?? 0) + 1;
    if (s.problem !== undefined) this.problems[s.problem] = (this.problems[s.problem] ?? 0) + 1;
    for (const e of s.errorTypes) this.errorTypes[e] = (this.errorTypes[e] ?? 0) + 1;
    if (s.retained !== undefined) this.retained[s.retained] = (this.retained[s.retained] ?? 0) + 1;
  }

  result(): DatasetStats {
    const other = { ...this.other };
    let strategies: StrategyStats;
    if (this.kind === 'inference') strategies = { gold: this.primary, predicted: this.secondary, other };
    else if (PAIR_KINDS.has(this.kind)) {
      strategies = { chosen: this.primary, rejected: this.secondary, ...(this.matrix ? { matrix: this.matrix } : {}), other };
    } else if (this.kind === 'error-stats') strategies = { responses: this.primary, other };
    else strategies = { turns: this.primary, other };
    const stats: DatasetStats = {
      kind: this.kind,
      records: this.records,
      invalid: this.invalid,
      strategies,
      turns: distribution(this.turns),
      length: distribution(this.lengths),
    };
    if ((PAIR_KINDS.has(this.kind) && this.kind !== 'pref-planner') || this.kind === 'inference') {
      // shared bins, so chosen and rejected histograms line up
      let lo = Infinity;
      let hi = 0;
      for (const xs of [this.lengths, this.rejectedLengths]) {
        for (const v of xs) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      const range: [number, number] = [Number.isFinite(lo) ? lo : 0, hi];
      stats.length = distribution(this.lengths, range);
      stats.rejectedLength = distribution(this.rejectedLengths, range);
    }
    if (this.kind === 'esconv') {
      stats.emotions = this.emotions;
      stats.problems = this.problems;
    }
    if (Object.keys(this.errorTypes).length > 0 || this.kind === 'error-stats') stats.errorTypes = this.errorTypes;
    if (Object.keys(this.retained).length > 0) stats.retained = this.retained;
    return stats;
  }
}

/** Summary numbers and a histogram with round bin widths (shared edges make chosen/rejected comparable). */
export function distribution(values: readonly number[], range?: [number, number]): Distribution {
  if (values.length === 0) return { count: 0, min: 0, max: 0, mean: 0, median: 0, histogram: { edges: [0, 1], counts: [0] } };
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  let total = 0;
  for (const v of sorted) total += v;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const edges = histogramEdges(range?.[0] ?? min, range?.[1] ?? max);
  const counts = new Array<number>(edges.length - 1).fill(0);
  let bin = 0;
  for (const v of sorted) {
    while (bin < counts.length - 1 && v >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { count: n, min, max, mean: total / n, median, histogram: { edges, counts } };
}

function histogramEdges(min: number, max: number): number[] {
  const lo = Math.floor(min);
  const span = Math.max(1, max - lo + 1);
  const raw = span / HISTOGRAM_BINS;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const width = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((w) => w >= raw) ?? raw);
  const start = Math.floor(lo / width) * width;
  const edges = [start];
  while (edges[edges.length - 1]! <= max) edges.push(edges[edges.length - 1]! + width);
  return edges;
}
