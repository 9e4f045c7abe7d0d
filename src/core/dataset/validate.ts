// Validates and (optionally) summarises every record of a file in one streaming pass, so files of
// any size are checked in bounded memory. Each invalid record is reported with its index, byte
// offset, JSON path and a one-line reason. `esc validate`, `esc stats`, the Problems panel and the
// viewer all go through analyzeFile.

import type { ZodType } from 'zod';
import { scanFile } from '../json/readFile';
import { parseRecord } from '../json/parseRecord';
import type { Container, RecordSpan } from '../json/scanner';
import { StatsAccumulator, type DatasetStats } from './stats';
import { summarize, type RecordSummary } from './summary';
import { classifyRecord, type RecordLayout } from '../formats/classify';
import { detectFile, type Detection } from '../formats/detect';
import { isDatasetKind, type DatasetKind, type DetectedKind } from '../formats/kinds';
import { recordIssues, schemaFor } from '../formats/schemas';

export interface ValidationProblem {
  /** Record index, or undefined for file-level problems (encoding, top level). */
  index?: number;
  /** Byte offset in the file. */
  offset: number;
  /** JSON path from the file's root, e.g. `[12].messages[3].content`. */
  path: string;
  message: string;
}

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
}

export interface Analysis {
  report: ValidationReport;
  detection: Detection;
  stats?: DatasetStats;
}

/** A checker for one kind: returns the record's problems, or an empty list when it is valid. */
export function recordChecker(kind: DatasetKind): (value: unknown) => { path: string; message: string }[] {
  const schemas = new Map<string, ZodType>();
  return (value) => {
    const layout: RecordLayout = classifyRecord(value);
    // Layout details (tag style, TRL or sharegpt) may differ per record; the kind may not.
    const key = `${layout.conversationKey}|${layout.tags}|${layout.pairLayout}`;
    let schema = schemas.get(key);
    if (!schema) schemas.set(key, (schema = schemaFor(kind, { ...layout, kind })));
    const result = schema.safeParse(value);
    return result.success ? [] : recordIssues(result.error);
  };
}

export async function analyzeFile(file: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
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
  const stats = opts.summarize ? new StatsAccumulator(kind) : undefined;
  if (detection.problem) {
    add({ offset: detection.problem.offset, path: '', message: detection.problem.message });
    const report = { ...base, records: 0, invalidRecords: 0, problems, truncatedList: false, parseable: false, valid: false };
    return { report, detection, stats: stats?.result() };
  }

  const check = isDatasetKind(kind) ? recordChecker(kind) : undefined;
  let invalidRecords = 0;
  let syntaxError = false;
  const invalid = (span: RecordSpan, p: ValidationProblem): void => {
    invalidRecords++;
    add(p);
    stats?.addInvalid();
    opts.onSummary?.(span, undefined);
  };
  const scan = await scanFile(file, {
    keepBytes: true,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onRecord: (span, bytes) => {
      const parsed = parseRecord(bytes!, span.start);
      if (!parsed.ok) {
        syntaxError = true;
        invalid(span, { index: span.index, offset: parsed.offset, path: `[${span.index}]`, message: parsed.message });
        return;
      }
      if (check) {
        const issues = check(parsed.value);
        if (issues.length > 0) {
          const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
          invalid(span, {
            index: span.index,
            offset: span.start,
            path: `[${span.index}]${issues[0]!.path}`,
            message: issues[0]!.message + more,
          });
          return;
        }
      }
      if (stats && isDatasetKind(kind)) {
        const summary = summarize(kind, parsed.value);
        stats.add(summary);
        opts.onSummary?.(span, summary);
      }
    },
  });
  for (const p of scan.problems) {
    syntaxError = true;
    if (p.index !== undefined && p.index >= scan.records) invalidRecords++; // a record cut off by truncation
    add({ index: p.index, offset: p.offset, path: p.index === undefined ? '' : `[${p.index}]`, message: p.message });
  }
  if (!check && scan.records > 0) {
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
  return { report, detection, stats: stats && { ...stats.result(), records: scan.records, invalid: invalidRecords } };
}

export async function validateFile(file: string, opts: Omit<AnalyzeOptions, 'summarize' | 'onSummary'> = {}): Promise<ValidationReport> {
  return (await analyzeFile(file, opts)).report;
}
