// Calls and events between the extension host and the dataset worker thread (the viewer's index).

import type { DetectedKind } from '../../formats/kinds';
import type { ValidationProblem } from '../validate';
import type { Container } from '../../json/scanner';
import type { DatasetStats } from '../stats';
import type { IndexProgress, RecordDetail, RowSummary, ViewInfo, ViewQuery } from '../viewTypes';

/** What the viewer asks the dataset worker (core/util/workerRpc.ts carries the calls). */
export type DatasetWorkerMethods = {
  /**
   * A query of `owner` (one viewer panel; panels of one file share the worker): it supersedes the owner's
   * query before it, which answers "cancelled", and its view becomes the owner's. Other owners' queries
   * and views are untouched.
   */
  query: { params: { owner: string; query: ViewQuery }; result: ViewInfo };
  /**
   * Rows of view `version`; a view its panel replaced since, or one evicted (the index keeps a few),
   * answers "cancelled" (its rows would be drawn under the wrong search). Rows asked by a page count as
   * `pageDrawn`; `beforePage`: rows read for a page not made yet (sent ahead of it), which do not.
   */
  rows: { params: { version: number; start: number; count: number; beforePage?: boolean }; result: RowSummary[] };
  /**
   * A page drew the first view sent ahead of it, or was sent the view it asked for: the rest of the
   * index (held after the first page) goes on, and the analysis starts a moment later.
   */
  pageDrawn: { params: null; result: void };
  record: { params: { index: number }; result: RecordDetail };
  /** Where record `index` is in `owner`'s current view (-1: not in it); "cancelled" when it has none. */
  position: { params: { owner: string; index: number }; result: number };
  /** A panel closed: its running query stops and its view is released. */
  releasePanel: { params: { owner: string }; result: void };
  /** Closes the file and ends the thread. */
  close: { params: null; result: void };
};

export interface IndexedInfo {
  kind: DetectedKind;
  container: Container | undefined;
  records: number;
  size: number;
  indexMs: number;
  /** Structure problems found while indexing (truncation, encoding, top level). */
  problems: ValidationProblem[];
}

export type WorkerEvent =
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'firstRecords'; records: number; kind: DetectedKind }
  | { type: 'indexed'; info: IndexedInfo }
  | { type: 'analyzed'; stats: DatasetStats | undefined; problems: ValidationProblem[]; invalid: number; analyzeMs: number }
  | { type: 'fatal'; message: string };

export interface WorkerData {
  path: string;
}
