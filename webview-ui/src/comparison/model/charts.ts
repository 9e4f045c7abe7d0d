// The charts' data: per-strategy F1 and Bradley–Terry preference (one series per run, the 8
// strategies on the x axis), the response-length histograms (each run's predicted lengths and the
// gold reference on shared bins), each bar's hover text with its n, and the drill-down a bar opens.
// The views (../charts.ts) turn these into Chart.js configurations and keyboard-reachable tables.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { ComparedRun, ComparisonToExtension } from '../../../../src/protocol/comparison';
import { binCounts, sharedBins, summary, type Bins } from './histogram';
import { count } from './format';

/** Theme colours for the runs' series, in order (cycled past six runs). */
export const RUN_COLOR_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
] as const;
export const runColorVar = (i: number): string => RUN_COLOR_VARS[i % RUN_COLOR_VARS.length]!;

export type DrillMessage = Extract<ComparisonToExtension, { type: 'drill' }>;
export type StrategyChart = 'f1' | 'preference';

export interface StrategySeries {
  id: string;
  label: string;
  /** One value per strategy: F1 in % (as the table shows strategy F1s), preference as fitted. */
  values: number[];
  /** One hover text per strategy. */
  hovers: string[];
}

/** Mistakes of a run: usable predictions that are not the gold strategy (what the preference is fitted to). */
export function mistakes(run: ComparedRun): number {
  return run.confusion.reduce((a, row, g) => a + row.reduce((b, n, p) => (p === g ? b : b + n), 0), 0);
}

/** Mistakes that predicted strategy `s`. */
export function mistakesPredicting(run: ComparedRun, s: number): number {
  return run.confusion.reduce((a, row, g) => (g === s ? a : a + (row[s] ?? 0)), 0);
}

const F1_DEFINITION =
  'F1 of the strategy as a class (sklearn f1_score per label) over the turns whose prediction names one of the 8 strategies.';
const PREFERENCE_DEFINITION =
  'Bradley–Terry strength of the strategy, fitted to the mistakes (predicted i when gold was j); strengths sum to 8, so 1 = no preference, above 1 = predicted too often.';

export function strategySeries(kind: StrategyChart, runs: readonly ComparedRun[], names: readonly string[]): StrategySeries[] {
  return runs.map((run) => {
    const values = names.map((_, s) => {
      const v = run.perStrategy[s]?.[kind] ?? 0;
      return kind === 'f1' ? Number((v * 100).toFixed(2)) : Number(v.toFixed(3));
    });
    const hovers = names.map((name, s) => {
      if (kind === 'f1') {
        const usable = (run.support[s] ?? 0) - (run.unusable[s] ?? 0);
        return `${run.label}: F1 of ${name} ${values[s]!.toFixed(2)}%\n${F1_DEFINITION}\nn = ${count(usable)} gold ${name} ${usable === 1 ? 'turn' : 'turns'} with a usable prediction (${count(run.support[s] ?? 0)} in all)`;
      }
      return `${run.label}: preference for ${name} ${values[s]!.toFixed(3)}\n${PREFERENCE_DEFINITION}\nn = ${count(mistakes(run))} mistakes, ${count(mistakesPredicting(run, s))} of them predicting ${name}`;
    });
    return { id: run.id, label: run.label, values, hovers };
  });
}

/** The turns behind a bar: an F1 bar, the gold turns of its strategy; a preference bar, the mistakes predicting it. */
export function barDrill(kind: StrategyChart, id: string, strategy: number): DrillMessage {
  return kind === 'f1' ? { type: 'drill', id, gold: strategy } : { type: 'drill', id, predicted: strategy, mistakes: true };
}

export interface LengthSeries {
  label: string;
  kind: 'predicted' | 'gold';
  counts: number[];
  hover: string;
}

export interface LengthChart {
  bins: Bins;
  series: LengthSeries[];
}

const sameNumbers = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Each run's predicted lengths and the gold reference, on bins shared by all. Runs over the same
 * split share their gold lengths: one gold series then; runs over different splits get one each.
 */
export function lengthChart(runs: readonly ComparedRun[]): LengthChart {
  const golds: { label: string; values: readonly number[] }[] = [];
  for (const r of runs) {
    if (!golds.some((g) => sameNumbers(g.values, r.lengths.gold))) golds.push({ label: r.label, values: r.lengths.gold });
  }
  const bins = sharedBins([...runs.map((r) => r.lengths.predicted), ...golds.map((g) => g.values)]);
  const describe = (values: readonly number[]): string => {
    const s = summary(values);
    return `mean ${s.mean.toFixed(1)}, median ${s.median} tokens; n = ${count(s.count)} responses`;
  };
  return {
    bins,
    series: [
      ...runs.map((r): LengthSeries => ({
        label: r.label,
        kind: 'predicted',
        counts: binCounts(r.lengths.predicted, bins),
        hover: describe(r.lengths.predicted),
      })),
      ...golds.map((g): LengthSeries => ({
        label: golds.length === 1 ? 'gold (reference)' : `gold (${g.label})`,
        kind: 'gold',
        counts: binCounts(g.values, bins),
        hover: describe(g.values),
      })),
    ],
  };
}

/** A long axis label cut into lines of about `width` characters at spaces (Chart.js draws an array as lines). */
export function wrapLabel(text: string, width = 14): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * What the charts are drawn from, as a string: while another file is scored the extension posts a new
 * state several times a second with the same runs (new objects); the charts redraw only when this changes.
 */
export function chartsKey(runs: readonly ComparedRun[]): string {
  return runs
    .map((r) =>
      [
        r.id,
        r.label,
        r.records,
        ...r.perStrategy.flatMap((p) => [p.f1, p.preference]),
        ...r.confusion.flat(),
        ...r.unusable,
        // a rerun of generator-gold keeps every strategy number and changes only the replies' lengths
        lengthsDigest(r.lengths.predicted),
        lengthsDigest(r.lengths.gold),
      ].join(','),
    )
    .join('|');
}

/** A cheap digest of a list of lengths (count, sum, position-weighted sum): equal lists, equal digests. */
function lengthsDigest(lengths: readonly number[]): string {
  let sum = 0;
  let weighted = 0;
  lengths.forEach((n, i) => {
    sum += n;
    weighted = (weighted * 31 + n + i) % 2147483647;
  });
  return `${lengths.length}:${sum}:${weighted}`;
}
