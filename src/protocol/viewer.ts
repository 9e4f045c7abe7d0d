// Messages between the extension and the ESC Dataset Viewer webview. The extension validates what
// arrives with these schemas; the webview imports the types only.

import * as z from 'zod';
import type { IndexedInfo } from '../core/dataset/worker/protocol';
import type { DatasetStats } from '../core/dataset/stats';
import type { Facet, IndexProgress, RecordDetail, RowSummary, ViewInfo, ViewQuery, ViewSubset } from '../core/dataset/viewTypes';
import { FACETS, SORT_ORDERS, type SortOrder } from '../core/dataset/viewTypes';
import type { DetectedKind } from '../core/formats/kinds';
import type { ValidationProblem } from '../core/dataset/validate';
import type { StrategyChip } from './playground';

// What the viewer webview draws, re-exported so the webview imports nothing outside src/protocol/.
export type { DatasetStats, Distribution, StrategyCounts } from '../core/dataset/stats';
export type { Facet, FacetValue, RecordDetail, RowSummary, ViewInfo, ViewQuery, ViewSubset } from '../core/dataset/viewTypes';
export type { RecordView, SideView, TurnView } from '../core/dataset/recordView';
export type { ValidationProblem } from '../core/dataset/validate';

const index = z.number().int().nonnegative();

/** Limits of a subset: a banner-length label, and at most a million records (larger sets are a file). */
export const SUBSET_LABEL_MAX = 200;
export const SUBSET_INDICES_MAX = 1_000_000;

export const viewSubset = z.object({
  label: z.string().max(SUBSET_LABEL_MAX),
  indices: z.array(index).max(SUBSET_INDICES_MAX),
});

const viewQuery = z.object({
  search: z.object({ text: z.string().max(10_000), regex: z.boolean(), caseSensitive: z.boolean() }).optional(),
  facets: z.partialRecord(z.enum(FACETS), z.string()),
  sort: z.enum(Object.keys(SORT_ORDERS) as [SortOrder, ...SortOrder[]]),
  subset: viewSubset.optional(),
});

export const viewerToExtension = z.discriminatedUnion('type', [
  /**
   * The page's script runs. `fresh`: a new page, with no saved state — it takes a `boot` message sent
   * before this one (see ViewerBoot) instead of init; a page shown again or restored has its own query.
   * `retry`: a new page that got neither a boot nor init in BOOT_GRACE_MS asks again.
   */
  z.object({ type: z.literal('ready'), fresh: z.boolean().optional(), retry: z.boolean().optional() }),
  /** The page drew the boot sent ahead of it. */
  z.object({ type: z.literal('booted') }),
  z.object({ type: z.literal('query'), query: viewQuery }),
  z.object({ type: z.literal('rows'), version: z.number().int(), start: index, count: z.number().int().positive().max(1000) }),
  z.object({ type: z.literal('record'), index }),
  z.object({ type: z.literal('position'), index }),
  z.object({ type: z.literal('copy'), text: z.string() }),
  z.object({ type: z.literal('revealInText'), index }),
  z.object({ type: z.literal('revealOffset'), offset: index }),
  z.object({ type: z.literal('validate') }),
]);
export type ViewerToExtension = z.infer<typeof viewerToExtension>;

export type ViewerTab = 'records' | 'stats';

/**
 * A query the extension sets on the viewer (a drill-down from another feature): the subset replaces any
 * before it, the facets become these (none when absent) and the search is cleared, so the user sees
 * exactly those records. The sort order is the user's and stays.
 */
export interface AppliedQuery {
  subset?: ViewSubset;
  facets?: Partial<Record<Facet, string>>;
}

export type ExtensionToViewer =
  | {
      type: 'init';
      file: string;
      size: number;
      /** The file's size and modification time: a restored subset holds for this version only. */
      version: string;
      strategies: StrategyChip[];
      tab?: ViewerTab;
      /** Wall-clock ms when the extension opened the document (for timing). */ openedAt: number;
      /** Start without the saved search (it was stopped). */ resetSearch?: boolean;
      /** Start with this query instead of the saved one (a panel opened filtered). */ query?: AppliedQuery;
    }
  | { type: 'boot'; boot: ViewerBoot }
  | { type: 'applyQuery'; query: AppliedQuery }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'firstRecords'; records: number; kind: DetectedKind; kindLabel: string }
  | { type: 'indexed'; info: IndexedInfo }
  | { type: 'analyzed'; stats: DatasetStats | undefined; problems: ValidationProblem[]; invalid: number; analyzeMs: number }
  | { type: 'view'; info: ViewInfo }
  | { type: 'rows'; version: number; start: number; rows: RowSummary[] }
  | { type: 'record'; detail: RecordDetail }
  | { type: 'position'; index: number; position: number }
  | { type: 'showTab'; tab: ViewerTab }
  | { type: 'error'; message: string };

export type ViewerInit = Extract<ExtensionToViewer, { type: 'init' }>;

/**
 * What a new viewer page starts from (issue 13 §6): the messages it would otherwise ask for one after
 * another — init, the worker's events so far, the view of `query` and that view's first rows — built
 * while the workbench makes the webview (about a second) and posted before the page exists (VS Code
 * holds messages for a webview's first load), so the first rows are drawn as the page loads, with no
 * round trip to the extension. Sent only when ready before the page's `ready`; a page that has saved
 * state (shown again after being hidden, or restored with the window) ignores it.
 */
export interface ViewerBoot {
  init: ViewerInit;
  /** The worker's events so far, as the page would have been sent them (firstRecords, indexed, ...). */
  events: ExtensionToViewer[];
  /** The query `view` answers: the page adopts it as its own. */
  query: ViewQuery;
  view: ViewInfo;
  /** Rows from position 0 of `view` (at most ROWS_PAGE). */
  rows: RowSummary[];
  /** Milliseconds from the document's opening to this data being ready (the bench reports it). */
  readyMs: number;
}
