// Validates and (optionally) summarises every record of a file in one streaming pass, so files of
// any size are checked in bounded memory. Each invalid record is reported with its index, byte
// offset, JSON path and a one-line reason. `esc validate`, `esc stats`, the Problems panel and the
// viewer all go through analyzeFile. Large files are checked on every core (passBatches.ts).

import { stat } from 'node:fs/promises';
import { scanFile } from '../json/readFile';
import type { Container, RecordSpan } from '../json/scanner';
import { StatsAccumulator, type DatasetStats } from './stats';
import type { RecordSummary } from './summary';
import { detectFile, type Detection } from '../formats/detect';
import { isDatasetKind, type DatasetKind, type DetectedKind } from '../formats/kinds';
import { checkRecord, type RecordIssue } from '../formats/schemas';
import { defaultWorkers, PassBatches, PassWorkers, type SplitOptions } from './passBatches';
import type { ValidationProblem } from './recordPass';

export type { ValidationProblem } from './recordPass';

export interface ValidationReport {
  file: string;
  kind: DetectedKind;
  container: Container | undefined;
  records: number;
  invalidRecords: number;
  /** Problems listed (at most maxProblems); `truncatedList` says more exist. */
  problems: ValidationProblem[];
  truncatedList: boolean;
  /** False when the file could not be read as records or has a JSON syntax error anywhere. */
  parseable: boolean;
  valid: boolean;
}

export interface AnalyzeOptions {
  kind?: DatasetKind;
  maxProblems?: number;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, size: number) => void;
  /** Accumulate statistics (and call onSummary) as well as validating. */
  summarize?: boolean;
  /** Every record's span and summary (undefined for an invalid record), in file order. */
  onSummary?: (span: RecordSpan, summary: RecordSummary | undefined) => void;
  /** Worker threads and batch size of the pass (by default: workers for large files only). */
  split?: SplitOptions;
}

export interface Analysis {
  report: ValidationReport;
  detection: Detection;
  stats?: DatasetStats;
}

/** A checker for one kind: returns the record's problems, or an empty list when it is valid. */
export function recordChecker(kind: DatasetKind): (value: unknown) => readonly RecordIssue[] {
  return (value) => checkRecord(kind, value);
}

export async function analyzeFile(file: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  // the workers boot while the head of the file is read for detection
  const workers = new PassWorkers(opts.split?.workers ?? defaultWorkers((await stat(file)).size));
  try {
    return await analyze(file, opts, workers);
  } finally {
    await workers.stop();
  }
}

async function analyze(file: string, opts: AnalyzeOptions, workers: PassWorkers): Promise<Analysis> {
  const maxProblems = opts.maxProblems ?? 1000;
  const detection = await detectFile(file);
  const kind: DetectedKind = opts.kind ?? detection.kind;
  const problems: ValidationProblem[] = [];
  let total = 0;
  const add = (p: ValidationProblem): void => {
    total++;
    if (problems.length < maxProblems) problems.push(p);
  };
  const base = { file, kind, container: detection.container };
  if (detection.problem) {
    add({ offset: detection.problem.offset, path: '', message: detection.problem.message });
    const report = { ...base, records: 0, invalidRecords: 0, problems, truncatedList: false, parseable: false, valid: false };
    return { report, detection, stats: opts.summarize ? new StatsAccumulator(kind).result() : undefined };
  }

  const settings = { kind, maxProblems, summarize: opts.summarize === true, summaries: opts.onSummary !== undefined };
  const batches = new PassBatches(file, settings, workers, opts.split?.batchBytes, opts.onSummary);
  const scan = await scanFile(file, {
    keepBytes: true,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onRecord: (span, bytes) => batches.add(span, bytes!),
  });
  const pass = await batches.finish();
  total += pass.problemCount;
  for (const p of pass.problems) problems.push(p);
  let invalidRecords = pass.invalid;
  let syntaxError = pass.syntaxError;
  for (const p of scan.problems) {
    syntaxError = true;
    if (p.index !== undefined && p.index >= scan.records) invalidRecords++; // a record cut off by truncation
    add({ index: p.index, offset: p.offset, path: p.index === undefined ? '' : `[${p.index}]`, message: p.message });
  }
  if (!isDatasetKind(kind) && scan.records > 0) {
    add({
      offset: 0,
      path: '',
      message: `Cannot validate: this is not an ESC dataset (${detection.layout.reason ?? 'unknown layout'}). Pass a kind explicitly if it is one.`,
    });
  }
  problems.sort((a, b) => a.offset - b.offset);
  const report: ValidationReport = {
    ...base,
    records: scan.records,
    invalidRecords,
    problems,
    truncatedList: total > problems.length,
    parseable: !syntaxError,
    valid: total === 0,
  };
  // counts as the report gives them: a truncated last record is invalid, though never emitted
  const stats = pass.stats && { ...pass.stats.result(), records: scan.records, invalid: invalidRecords };
  return { report, detection, stats };
}

export async function validateFile(file: string, opts: Omit<AnalyzeOptions, 'summarize' | 'onSummary'> = {}): Promise<ValidationReport> {
  return (await analyzeFile(file, opts)).report;
}
