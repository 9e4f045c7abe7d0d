// Validates every record of a file against the schema of its (detected or given) kind, streaming, so
// files of any size are checked in bounded memory. Each invalid record is reported with its index,
// byte offset, JSON path and a one-line reason.

import { scanFile } from '../dataset/readFile';
import { parseRecord } from '../dataset/parseRecord';
import type { Container } from '../dataset/scanner';
import { classifyRecord, type RecordLayout } from './classify';
import { detectFile } from './detect';
import { isDatasetKind, type DatasetKind, type DetectedKind } from './kinds';
import { recordIssues, schemaFor } from './schemas';
import type { ZodType } from 'zod';

export interface ValidationProblem {
  /** Record index, or undefined for file-level problems (truncation, encoding, top level). */
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

export interface ValidateOptions {
  kind?: DatasetKind;
  maxProblems?: number;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, size: number) => void;
}

export async function validateFile(file: string, opts: ValidateOptions = {}): Promise<ValidationReport> {
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
    return { ...base, records: 0, invalidRecords: 0, problems, truncatedList: false, parseable: false, valid: false };
  }

  const schemas = new Map<string, ZodType>();
  const schemaOf = (layout: RecordLayout): ZodType | undefined => {
    if (!isDatasetKind(kind)) return undefined;
    // Layout details (tag style, TRL or sharegpt) may differ per record; the kind may not.
    const key = `${layout.conversationKey}|${layout.tags}|${layout.pairLayout}`;
    let s = schemas.get(key);
    if (!s) schemas.set(key, (s = schemaFor(kind, { ...layout, kind })));
    return s;
  };

  let invalidRecords = 0;
  let syntaxError = false;
  const scan = await scanFile(file, {
    keepBytes: true,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onRecord: (span, bytes) => {
      const parsed = parseRecord(bytes!, span.start);
      if (!parsed.ok) {
        invalidRecords++;
        syntaxError = true;
        add({ index: span.index, offset: parsed.offset, path: `[${span.index}]`, message: parsed.message });
        return;
      }
      if (!isDatasetKind(kind)) return;
      const layout = classifyRecord(parsed.value);
      const schema = schemaOf(layout);
      const result = schema!.safeParse(parsed.value);
      if (result.success) return;
      invalidRecords++;
      const issues = recordIssues(result.error);
      const first = issues[0]!;
      const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
      add({ index: span.index, offset: span.start, path: `[${span.index}]${first.path}`, message: first.message + more });
    },
  });
  for (const p of scan.problems) {
    syntaxError = true;
    if (p.index !== undefined && p.index >= scan.records) invalidRecords++; // a record cut off by truncation
    add({ index: p.index, offset: p.offset, path: p.index === undefined ? '' : `[${p.index}]`, message: p.message });
  }
  if (!isDatasetKind(kind) && scan.records > 0) {
    add({ offset: 0, path: '', message: `Cannot validate: this is not an ESC dataset (${detection.layout.reason ?? 'unknown layout'}). Pass a kind explicitly if it is one.` });
  }
  problems.sort((a, b) => a.offset - b.offset);
  const valid = total === 0;
  return { ...base, records: scan.records, invalidRecords, problems, truncatedList: total > problems.length, parseable: !syntaxError, valid };
}
