// Detects a dataset file's kind from the head of the file only: the first records that fit in
// HEAD_BYTES are parsed and classified, and the most common kind among them wins.

import { scanFile } from '../json/readFile';
import { parseRecord } from '../json/parseRecord';
import type { Container, ScanProblem } from '../json/scanner';
import { classifyRecord, type RecordLayout } from './classify';
import type { DetectedKind } from './kinds';

export const HEAD_BYTES = 4 << 20;
export const SAMPLE_RECORDS = 50;

export interface Detection {
  kind: DetectedKind;
  /** Layout of the first record of the winning kind. */
  layout: RecordLayout;
  container: Container | undefined;
  bom: boolean;
  /** Records classified to decide. */
  sampled: number;
  /** Count of sampled records per kind, when they disagree. */
  mixed?: Partial<Record<DetectedKind, number>>;
  /** Why the file could not be read as records at all (encoding, top level not a list, …). */
  problem?: ScanProblem;
}

/** Decides the kind from parsed sample records. Exposed for callers that already hold records. */
export function detectFromRecords(records: unknown[]): Pick<Detection, 'kind' | 'layout' | 'mixed' | 'sampled'> {
  const counts = new Map<DetectedKind, number>();
  const firstLayout = new Map<DetectedKind, RecordLayout>();
  for (const r of records) {
    const layout = classifyRecord(r);
    counts.set(layout.kind, (counts.get(layout.kind) ?? 0) + 1);
    if (!firstLayout.has(layout.kind)) firstLayout.set(layout.kind, layout);
  }
  if (records.length === 0) return { kind: 'unknown', layout: { kind: 'unknown', reason: 'the file has no records' }, sampled: 0 };
  // The most common known kind wins; `unknown` wins only if nothing else was seen.
  let best: DetectedKind = 'unknown';
  let bestCount = 0;
  for (const [kind, n] of counts) {
    if (kind !== 'unknown' && n > bestCount) {
      best = kind;
      bestCount = n;
    }
  }
  const mixed = counts.size > 1 ? Object.fromEntries(counts) : undefined;
  return { kind: best, layout: firstLayout.get(best)!, mixed, sampled: records.length };
}

export interface Inspection {
  detection: Detection;
  size: number;
  records: number;
  /** Structural problems found while counting (truncation, syntax between records). */
  problems: number;
}

/**
 * The kind (from the head) and the record count (one streaming pass). Files that could not be read
 * as records are not counted; neither are files of no ESC kind unless `countUnknown`.
 */
export async function inspectFile(
  path: string,
  opts: { countUnknown?: boolean; signal?: AbortSignal; onProgress?: (bytesRead: number, size: number) => void } = {},
): Promise<Inspection> {
  const detection = await detectFile(path);
  if (detection.problem || (detection.kind === 'unknown' && !opts.countUnknown)) return { detection, size: 0, records: 0, problems: 0 };
  const scan = await scanFile(path, { signal: opts.signal, onProgress: opts.onProgress });
  return { detection, size: scan.size, records: scan.records, problems: scan.problems.length };
}

export async function detectFile(path: string): Promise<Detection> {
  const sample: unknown[] = [];
  const onRecord = (span: { start: number }, bytes: Buffer | undefined): void => {
    const parsed = parseRecord(bytes!, span.start);
    if (parsed.ok) sample.push(parsed.value);
  };
  let scan = await scanFile(path, { keepBytes: true, maxRecords: SAMPLE_RECORDS, maxBytes: HEAD_BYTES, onRecord });
  // A first record bigger than the head: read on until it ends (bounded by that record's size).
  if (scan.records === 0 && scan.stoppedEarly && scan.problems.length === 0) {
    scan = await scanFile(path, { keepBytes: true, maxRecords: 1, onRecord });
  }
  const fatal = scan.problems.find((p) => p.kind === 'encoding' || p.kind === 'structure');
  if (fatal) {
    return {
      kind: 'unknown',
      layout: { kind: 'unknown', reason: fatal.message },
      container: scan.container,
      bom: scan.bom,
      sampled: 0,
      problem: fatal,
    };
  }
  return { ...detectFromRecords(sample), container: scan.container, bom: scan.bom };
}
