// Messages between the extension and the comparison page (the paper's results table over several
// inference files, its charts and drill-downs). The extension validates what arrives with these
// schemas; the webview imports the types only.

import * as z from 'zod';
import type { TableView } from '../core/eval/resultsTable';
import type { StrategyChip } from './playground';

// What the comparison page draws, re-exported so the webview imports nothing outside src/protocol/.
export type { TableCellView, TableColumnView, TableView } from '../core/eval/resultsTable';
export type { StrategyChip } from './playground';

/** One evaluated inference file, as the charts need it (indices follow the 8 strategies' order). */
export interface ComparedRun {
  /** Stable key of the run: the file's path. */
  id: string;
  /** The file, relative to the workspace: the row's and the series' name. */
  label: string;
  records: number;
  /** F1 and Bradley–Terry preference of each strategy. */
  perStrategy: { f1: number; preference: number }[];
  /** Gold turns of each strategy (all records, with or without a usable prediction). */
  support: number[];
  /** confusion[gold][predicted]: turns over the 8 names (what the strategy metrics count). */
  confusion: number[][];
  /** Turns of each gold strategy whose prediction named no strategy (left out of the strategy metrics). */
  unusable: number[];
  /** Tokens per response, in file order: the model's and the gold one (for the length histograms). */
  lengths: { predicted: number[]; gold: number[] };
}

/** A file being scored, or one that could not be. */
export interface PendingRun {
  id: string;
  label: string;
  done: number;
  total: number;
}
export interface FailedRun {
  id: string;
  label: string;
  message: string;
}

export type ExtensionToComparison = {
  type: 'state';
  strategies: StrategyChip[];
  runs: ComparedRun[];
  /** The results table, in the paper's column order, with best marks and deltas (core/eval/resultsTable). */
  table: TableView;
  /** The baseline run's id, or null. */
  baseline: string | null;
  pending: PendingRun[];
  failed: FailedRun[];
};

const runId = z.string().min(1).max(4096);
const strategyId = z.number().int().min(0).max(7);

export const TABLE_EXPORTS = ['markdown', 'latex', 'csv'] as const;

export const comparisonToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Pick more inference files to compare. */
  z.object({ type: z.literal('add') }),
  z.object({ type: z.literal('remove'), id: runId }),
  z.object({ type: z.literal('setBaseline'), id: runId.nullable() }),
  /**
   * Open the turns behind a number in the dataset viewer: gold and/or predicted strategy (a confusion
   * cell: both; a strategy's F1 bar: gold; a preference bar: predicted with `mistakes`, i.e. gold ≠ predicted).
   */
  z.object({
    type: z.literal('drill'),
    id: runId,
    gold: strategyId.optional(),
    predicted: strategyId.optional(),
    mistakes: z.boolean().optional(),
    /** With `gold`: only the turns whose prediction named no strategy (the confusion's "no strategy" column). */
    unusable: z.boolean().optional(),
  }),
  z.object({ type: z.literal('export'), format: z.enum(TABLE_EXPORTS), to: z.enum(['clipboard', 'file']) }),
  /** Start a blind pairwise review of two of the runs. */
  z.object({ type: z.literal('review'), a: runId, b: runId }),
]);
export type ComparisonToExtension = z.infer<typeof comparisonToExtension>;
