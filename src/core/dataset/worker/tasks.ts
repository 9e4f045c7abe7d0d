// One-shot work on a dataset file, done in a worker thread (dist/tasksWorker.js) so neither a workspace
// of large files nor a command on one stalls the extension host: the Datasets view's per-file kind,
// record count and strategy mix; ESC: Detect Dataset Kind; ESC: Validate Dataset (with the line and
// column of each problem); and the Playground's append. One thread serves them all, so two appends to
// one file still run one after the other (core/dataset/append.ts queues them per file).

import { readFile, stat } from 'node:fs/promises';
import { surveyFile, type Survey } from '../../formats/candidate';
import { inspectFile, type Inspection } from '../../formats/detect';
import type { DatasetKind } from '../../formats/kinds';
import { PositionMapper, type TextPosition } from '../../json/position';
import { serve, type CallContext } from '../../util/workerRpc';
import { appendRecords, type AppendedRecord, type AppendResult } from '../append';
import { quickCheck, type QuickCheck } from '../quickCheck';
import type { DatasetStats } from '../stats';
import { analyzeFile, validateFile, type ValidationReport } from '../validate';

/** How far a pass over the file has read. */
export interface ReadProgress {
  read: number;
  size: number;
}

export interface Validated {
  report: ValidationReport;
  /** Line and column of each problem, in the report's order; only for a file under `positionsBelow` bytes. */
  positions?: TextPosition[];
}

export type DatasetTaskMethods = {
  /** Kind from the head, record count; nothing counted for a file of no ESC kind. */
  inspect: { params: { path: string }; result: Inspection };
  /** Kind, record count and whether the Datasets view lists the file (a broken file is listed too). */
  survey: { params: { path: string }; result: Survey };
  /** The Datasets view's background check: the records of the head checked, with their strategy mix. */
  check: { params: { path: string }; result: QuickCheck };
  /** Validation and statistics in one pass (the strategy mix of a tooltip). */
  stats: { params: { path: string }; result: DatasetStats | undefined };
  /** Like inspect, but a file of no ESC kind is counted too (what the Detect command says). */
  detect: { params: { path: string }; result: Inspection; progress: ReadProgress };
  validate: { params: { path: string; positionsBelow: number }; result: Validated; progress: ReadProgress };
  append: { params: { path: string; records: AppendedRecord[]; kind: DatasetKind }; result: AppendResult; progress: ReadProgress };
};

const reporter =
  (call: CallContext<ReadProgress>) =>
  (read: number, size: number): void =>
    call.progress({ read, size });

async function validate(path: string, positionsBelow: number, call: CallContext<ReadProgress>): Promise<Validated> {
  const report = await validateFile(path, { signal: call.signal, onProgress: reporter(call) });
  if (report.problems.length === 0 || (await stat(path)).size >= positionsBelow) return { report };
  const mapper = new PositionMapper(await readFile(path));
  return { report, positions: report.problems.map((p) => mapper.positionAt(p.offset)) };
}

serve<DatasetTaskMethods>({
  inspect: ({ path }) => inspectFile(path),
  survey: ({ path }, call) => surveyFile(path, { signal: call.signal }),
  check: ({ path }, call) => quickCheck(path, { signal: call.signal }),
  stats: async ({ path }) => (await analyzeFile(path, { summarize: true, maxProblems: 1 })).stats,
  detect: ({ path }, call) => inspectFile(path, { countUnknown: true, signal: call.signal, onProgress: reporter(call) }),
  validate: ({ path, positionsBelow }, call) => validate(path, positionsBelow, call),
  append: ({ path, records, kind }, call) => appendRecords(path, records, kind, { signal: call.signal, onProgress: reporter(call) }),
});
