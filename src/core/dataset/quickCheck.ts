// The Datasets view's background check of one file: the records of its head (all of a file up to
// QUICK_CHECK_BYTES) parsed and checked against the kind's schema, with the strategy mix of the valid
// ones, so a file with invalid records shows its count without a manual validation and a large file
// costs a bounded read. It is the full pass's own per-record code (recordPass.ts) over fewer records;
// ESC: Validate Dataset and the viewer check every record.

import { scanFile } from '../json/readFile';
import { detectFile } from '../formats/detect';
import { isDatasetKind, type DetectedKind } from '../formats/kinds';
import { RecordPass, type ValidationProblem } from './recordPass';
import { StatsAccumulator, type DatasetStats } from './stats';

/** Files up to this size are checked whole; of larger ones, this much of the head. */
export const QUICK_CHECK_BYTES = 16 << 20;

export interface QuickCheck {
  kind: DetectedKind;
  /** Records checked (all of them when `complete`). */
  records: number;
  /** Invalid records among them, a record cut off by the end of the file included. */
  invalid: number;
  /** Problems found: invalid records, syntax between records, a file that is not a list of records. */
  problemCount: number;
  /** The first problems in file order (at most 3). */
  problems: ValidationProblem[];
  /** The whole file was checked. */
  complete: boolean;
  /** Statistics of the valid records checked (for the strategy mix). */
  stats?: DatasetStats;
}

export async function quickCheck(path: string, opts: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<QuickCheck> {
  const maxBytes = opts.maxBytes ?? QUICK_CHECK_BYTES;
  const detection = await detectFile(path);
  if (detection.problem) {
    const { message, offset } = detection.problem;
    return { kind: detection.kind, records: 0, invalid: 0, problemCount: 1, problems: [{ offset, path: '', message }], complete: true };
  }
  const kind = detection.kind;
  const pass = new RecordPass({ kind, maxProblems: 3, summarize: isDatasetKind(kind), summaries: false });
  const scan = await scanFile(path, { keepBytes: true, maxBytes, signal: opts.signal, onRecord: (span, bytes) => pass.add(span, bytes!) });
  const part = pass.finish();
  const problems = [...part.problems];
  let invalid = part.invalid;
  let problemCount = part.problemCount;
  for (const p of scan.problems) {
    problemCount++;
    if (p.index !== undefined && p.index >= scan.records) invalid++; // a record cut off by truncation
    if (problems.length < 3) {
      problems.push({ index: p.index, offset: p.offset, path: p.index === undefined ? '' : `[${p.index}]`, message: p.message });
    }
  }
  problems.sort((a, b) => a.offset - b.offset);
  let stats: DatasetStats | undefined;
  if (part.stats) {
    const acc = new StatsAccumulator(kind);
    acc.merge(part.stats);
    stats = acc.result();
  }
  return { kind, records: scan.records, invalid, problemCount, problems, complete: scan.size <= maxBytes, stats };
}
