// What the viewer's header, problems banner and match line say, from what the extension reported.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import { countOf, formatBytes, problemsSentence } from '../../../../src/protocol/shared';
import type { ValidationProblem, ViewInfo } from '../../../../src/protocol/viewer';

const n = (x: number): string => x.toLocaleString('en-US');

export interface FileProgress {
  records: number;
  /** The record count is final (indexing finished). */
  indexed: boolean;
  size: number;
  analyzed: boolean;
  invalid: number;
}

/** "1,234 records · 5.1 MB · 2 invalid"; an ellipsis while the count still grows. */
export function countsLine(p: FileProgress): string {
  return `${countOf(p.records, 'record')}${p.indexed ? '' : '…'} · ${formatBytes(p.size)}${p.analyzed && p.invalid ? ` · ${p.invalid} invalid` : ''}`;
}

/** Under the search box: matches, an invalid expression, or how many records the filters keep. */
export function matchLine(info: ViewInfo, records: number): string {
  if (info.searchError) return `Invalid regular expression: ${info.searchError.replace(/^Invalid regular expression: /, '')}`;
  if (info.matches !== undefined) {
    return `${countOf(info.matches, 'match', 'matches')} in ${countOf(info.total, 'record')} (${Math.round(info.searchMs ?? 0)} ms)`;
  }
  return info.total === records ? '' : `${n(info.total)} of ${countOf(records, 'record')}`;
}

/** Records with at least one problem (file-level problems have no index). */
export function invalidRecords(problems: ValidationProblem[]): number {
  return problems.filter((p) => p.index !== undefined).length;
}

/**
 * The banner's summary: the problems in one sentence (core/dataset/problemWords.ts), and that invalid
 * records are marked in the list when some are listed (they are never hidden).
 */
export function problemsSummary(problems: ValidationProblem[], invalid: number, records: number): string {
  const sentence = problemsSentence({ records, invalid, problemCount: Math.max(problems.length, invalid), problems }) ?? '';
  const listed = problems.some((p) => p.index !== undefined && p.index < records);
  return `⚠ ${sentence}${listed ? ' Invalid records are marked in the list.' : ''}`;
}

/** Problems listed in the banner (the Problems panel has them all). */
export const BANNER_PROBLEMS = 500;

/** Where a problem's link goes: its record when the list has it, else the byte where reading stopped. */
export type ProblemTarget = { record: number } | { offset: number };

export function problemTarget(p: ValidationProblem, records: number): ProblemTarget {
  return p.index !== undefined && p.index < records ? { record: p.index } : { offset: p.offset };
}

export function problemLine(p: ValidationProblem, records = Infinity): { where: string; text: string } {
  const where =
    p.index === undefined ? `byte ${p.offset}` : p.index < records ? `record ${p.index}` : `record ${p.index}, byte ${p.offset}`;
  return { where, text: ` ${p.path ? p.path + ': ' : ''}${p.message}` };
}

/** The progress bar's percentage (a file of unknown size counts as done). */
export function progressPercent(bytes: number, size: number): number {
  return size ? Math.min(100, (100 * bytes) / size) : 100;
}
