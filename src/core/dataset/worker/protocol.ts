// Messages between the extension host and the dataset worker thread.

import type { DetectedKind } from '../../formats/kinds';
import type { ValidationProblem } from '../validate';
import type { Container } from '../../json/scanner';
import type { DatasetStats } from '../stats';
import type { IndexProgress, RecordDetail, RowSummary, ViewInfo, ViewQuery } from '../viewTypes';

export type WorkerRequest =
  | { id: number; type: 'query'; query: ViewQuery }
  | { id: number; type: 'rows'; version: number; start: number; count: number }
  | { id: number; type: 'record'; index: number }
  | { id: number; type: 'position'; index: number }
  | { id: number; type: 'close' };

export type WorkerResult = { query: ViewInfo; rows: RowSummary[]; record: RecordDetail; position: number; close: void };

export type WorkerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

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

export type FromWorker = WorkerEvent | WorkerResponse;

export interface WorkerData {
  path: string;
}
