// Dataset statistics, accumulated record by record from RecordSummary so a file of any size is
// summarised in one streaming pass. `esc stats` and the viewer's Statistics tab both use this.
//
// Strategy counts are keyed by the 8 names exactly as in FORMATS.md (all present, zero-filled);
// labels that are not one of the 8 as written (off-list ESConv labels, a model's stray output) are
// counted as written under `other`, never silently mapped.
//
// An inference file also gets the strategy metrics `esc eval` reports (`prediction`), computed by
// the same code (eval/evaluate.ts strategyIndex, eval/strategyMetrics.ts), so the two never differ.

import type { DetectedKind } from '../formats/kinds';
import { noStrategyByGold, strategyIndex, strategyRun } from '../eval/evaluate';
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

/** The confusion's column for predictions that named none of the 8 (left out of the metrics, as in `esc eval`). */
export const NO_STRATEGY = 'no strategy';

/** What an inference file's strategy predictions come to: `esc eval`'s strategy part (fractions). */
export interface PredictionStats {
  /** Turns scored: those whose gold strategy is one of the 8 (compared lowercased, as `esc eval` does). */
  turns: number;
  /** Records whose gold strategy is missing or not one of the 8: not scored (`esc eval` refuses such a file). */
  unscored: number;
  accuracy: number;
  weighted_f1: number;
  macro_f1: number;
  p_bias: number;
  /** Share of the scored turns whose prediction named no strategy. */
  error_ratio: number;
  per_strategy_f1: Record<Strategy, number>;
  /** confusion[gold][predicted] over the scored turns, with a NO_STRATEGY column after the 8. */
  confusion: Record<Strategy, Record<string, number>>;
}

export interface DatasetStats {
  kind: DetectedKind;
  records: number;
  invalid: number;
  strategies: StrategyStats;
  turns: Distribution;
  /** Reply lengths in words: supporter turns, the chosen side of pairs, the gold side of inference outputs. */
  length: Distribution;
  /** Rejected reply lengths in words (generator and vanilla pairs). */
  rejectedLength?: Distribution;
  /** Predicted reply lengths in words (inference outputs; `length` is the gold side there). */
  predictedLength?: Distribution;
  /** Inference outputs: the strategy metrics of the predictions. */
  prediction?: PredictionStats;
  emotions?: Record<string, number>;
  problems?: Record<string, number>;
  /** Error types by response; one with no type given counts as "unspecified". */
  errorTypes?: Record<string, number>;
  /** Error-statistics files: responses by their "Contains Empathy Error" answer ("Yes" / "No"). */
  empathyErrors?: Record<string, number>;
  retained?: Record<string, number>;
}

/**
 * A StatsAccumulator's state as plain data: what a worker thread hands back for its share of a
 * file, merged in file order (see merge) so the result is the one a single pass gives.
 */
export interface StatsPart {
  records: number;
  invalid: number;
  primary: StrategyCounts;
  secondary: StrategyCounts;
  other: Record<string, number>;
  matrix: Record<Strategy, StrategyCounts> | undefined;
  turns: number[];
  lengths: number[];
  rejectedLengths: number[];
  emotions: Record<string, number>;
  problems: Record<string, number>;
  errorTypes: Record<string, number>;
  empathyErrors: Record<string, number>;
  retained: Record<string, number>;
  /** Inference outputs: gold and predicted strategy ids per record (eval's strategyIndex; -1 off-list). */
  goldIds: number[];
  predictedIds: number[];
}

/** Adds counts into a table; labels new to it are added in the order `from` met them. */
function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

function append(into: number[], from: readonly number[]): void {
  for (const v of from) into.push(v); // not push(...from): a part holds more values than a call takes arguments
}

export const zeroCounts = (): StrategyCounts => Object.fromEntries(STRATEGIES.map((s) => [s, 0])) as StrategyCounts;

const PAIR_KINDS = new Set<DetectedKind>(['pref-planner', 'pref-generator', 'pref-vanilla']);
const HISTOGRAM_BINS = 20;

export class StatsAccumulator {
  private readonly s: StatsPart;

  constructor(readonly kind: DetectedKind) {
    const matrix =
      kind === 'pref-planner'
        ? (Object.fromEntries(STRATEGIES.map((s) => [s, zeroCounts()])) as Record<Strategy, StrategyCounts>)
        : undefined;
    this.s = {
      records: 0,
      invalid: 0,
      primary: zeroCounts(),
      secondary: zeroCounts(),
      other: {},
      matrix,
      turns: [],
      lengths: [],
      rejectedLengths: [],
      emotions: {},
      problems: {},
      errorTypes: {},
      empathyErrors: {},
      retained: {},
      goldIds: [],
      predictedIds: [],
    };
  }

  private count(into: StrategyCounts, label: string): void {
    if (isStrategy(label)) into[label]++;
    else this.s.other[label] = (this.s.other[label] ?? 0) + 1;
  }

  addInvalid(): void {
    this.s.records++;
    this.s.invalid++;
  }

  add(r: RecordSummary): void {
    const s = this.s;
    s.records++;
    const pairLike = PAIR_KINDS.has(this.kind) || this.kind === 'inference';
    if (pairLike) {
      for (const c of r.strategyFacet) this.count(s.primary, c);
      // a generator pair's rejected reply answers the chosen one's strategy (it has no facet of its own)
      for (const j of this.kind === 'pref-generator' ? r.strategyFacet : r.rejectedFacet) this.count(s.secondary, j);
      const c = r.strategyFacet[0];
      const j = r.rejectedFacet[0];
      if (this.kind === 'inference') {
        s.goldIds.push(strategyIndex(c));
        s.predictedIds.push(strategyIndex(j));
      }
      if (s.matrix && c !== undefined && j !== undefined && isStrategy(c) && isStrategy(j)) s.matrix[c][j]++;
    } else {
      for (const label of r.strategies) this.count(s.primary, label);
    }
    s.turns.push(r.turns);
    s.lengths.push(...r.lengths);
    s.rejectedLengths.push(...r.rejectedLengths);
    if (r.emotion !== undefined) s.emotions[r.emotion] = (s.emotions[r.emotion] ?? 0) + 1;
    if (r.problem !== undefined) s.problems[r.problem] = (s.problems[r.problem] ?? 0) + 1;
    for (const e of r.errorTypes) s.errorTypes[e] = (s.errorTypes[e] ?? 0) + 1;
    if (r.empathyError !== undefined) s.empathyErrors[r.empathyError] = (s.empathyErrors[r.empathyError] ?? 0) + 1;
    if (r.retained !== undefined) s.retained[r.retained] = (s.retained[r.retained] ?? 0) + 1;
  }

  /** The state so far, as plain data (shared with this accumulator: take it when done adding). */
  part(): StatsPart {
    return this.s;
  }

  /**
   * Adds the records of a part that follows everything added so far in the file. Counts add up; a
   * table's labels keep the order they were first met in, as if the part's records had been added here.
   */
  merge(p: StatsPart): void {
    const s = this.s;
    s.records += p.records;
    s.invalid += p.invalid;
    for (const k of STRATEGIES) {
      s.primary[k] += p.primary[k];
      s.secondary[k] += p.secondary[k];
      if (s.matrix && p.matrix) for (const j of STRATEGIES) s.matrix[k][j] += p.matrix[k][j];
    }
    addCounts(s.other, p.other);
    append(s.turns, p.turns);
    append(s.lengths, p.lengths);
    append(s.rejectedLengths, p.rejectedLengths);
    addCounts(s.emotions, p.emotions);
    addCounts(s.problems, p.problems);
    addCounts(s.errorTypes, p.errorTypes);
    addCounts(s.empathyErrors, p.empathyErrors);
    addCounts(s.retained, p.retained);
    append(s.goldIds, p.goldIds);
    append(s.predictedIds, p.predictedIds);
  }

  result(): DatasetStats {
    const s = this.s;
    const other = { ...s.other };
    let strategies: StrategyStats;
    if (this.kind === 'inference') strategies = { gold: s.primary, predicted: s.secondary, other };
    else if (PAIR_KINDS.has(this.kind)) {
      strategies = { chosen: s.primary, rejected: s.secondary, ...(s.matrix ? { matrix: s.matrix } : {}), other };
    } else if (this.kind === 'error-stats') strategies = { responses: s.primary, other };
    else strategies = { turns: s.primary, other };
    const stats: DatasetStats = {
      kind: this.kind,
      records: s.records,
      invalid: s.invalid,
      strategies,
      turns: distribution(s.turns),
      length: distribution(s.lengths),
    };
    if ((PAIR_KINDS.has(this.kind) && this.kind !== 'pref-planner') || this.kind === 'inference') {
      // shared bins, so chosen and rejected histograms line up
      let lo = Infinity;
      let hi = 0;
      for (const xs of [s.lengths, s.rejectedLengths]) {
        for (const v of xs) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      const range: [number, number] = [Number.isFinite(lo) ? lo : 0, hi];
      stats.length = distribution(s.lengths, range);
      if (this.kind === 'inference') stats.predictedLength = distribution(s.rejectedLengths, range);
      else stats.rejectedLength = distribution(s.rejectedLengths, range);
    }
    if (this.kind === 'inference') stats.prediction = predictionStats(s.goldIds, s.predictedIds);
    if (this.kind === 'esconv') {
      stats.emotions = s.emotions;
      stats.problems = s.problems;
    }
    if (Object.keys(s.errorTypes).length > 0 || this.kind === 'error-stats') stats.errorTypes = s.errorTypes;
    if (this.kind === 'error-stats') stats.empathyErrors = s.empathyErrors;
    if (Object.keys(s.retained).length > 0) stats.retained = s.retained;
    return stats;
  }
}

/**
 * `esc eval`'s strategy metrics over the records whose gold strategy is one of the 8, plus the
 * confusion's "no strategy" column (the predictions the metrics leave out, by gold strategy).
 */
export function predictionStats(goldIds: readonly number[], predictedIds: readonly number[]): PredictionStats {
  const gold: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < goldIds.length; i++) {
    if (goldIds[i]! < 0) continue;
    gold.push(goldIds[i]!);
    predicted.push(predictedIds[i]!);
  }
  const run = strategyRun(gold, predicted);
  const unusable = noStrategyByGold(gold, predicted);
  const byName = <T>(f: (name: Strategy, i: number) => T): Record<Strategy, T> =>
    Object.fromEntries(STRATEGIES.map((name, i) => [name, f(name, i)])) as Record<Strategy, T>;
  return {
    turns: gold.length,
    unscored: goldIds.length - gold.length,
    accuracy: run.accuracy,
    weighted_f1: run.weighted_f1,
    macro_f1: run.macro_f1,
    p_bias: run.p_bias,
    error_ratio: run.error_ratio,
    per_strategy_f1: byName((name) => run.per_strategy[name].f1),
    confusion: byName((name, g) => ({ ...run.confusion[name], [NO_STRATEGY]: unusable[g]! })),
  };
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
