// What the viewer's header, problems banner and match line say, from what the extension reported.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import { formatBytes } from '../../../../src/protocol/shared';
import type { ValidationProblem, ViewInfo } from '../../../../src/protocol/viewer';

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

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
  return `${n(p.records)} records${p.indexed ? '' : '…'} · ${formatBytes(p.size)}${p.analyzed && p.invalid ? ` · ${p.invalid} invalid` : ''}`;
}

/** Under the search box: matches, an invalid expression, or how many records the filters keep. */
export function matchLine(info: ViewInfo, records: number): string {
  if (info.searchError) return `Invalid regular expression: ${info.searchError.replace(/^Invalid regular expression: /, '')}`;
  if (info.matches !== undefined) return `${n(info.matches)} matches in ${n(info.total)} records (${Math.round(info.searchMs ?? 0)} ms)`;
  return info.total === records ? '' : `${n(info.total)} of ${n(records)} records`;
}

/** Records with at least one problem (file-level problems have no index). */
export function invalidRecords(problems: ValidationProblem[]): number {
  return problems.filter((p) => p.index !== undefined).length;
}

export function problemsSummary(problems: ValidationProblem[], invalid: number): string {
  const more = problems.length > invalid ? `, ${problems.length} problems` : '';
  return `⚠ ${plural(invalid, 'invalid record')}${more} — the valid records are shown.`;
}

/** Problems listed in the banner (the Problems panel has them all). */
export const BANNER_PROBLEMS = 500;

export function problemLine(p: ValidationProblem): { where: string; text: string } {
  return { where: p.index === undefined ? `byte ${p.offset}` : `record ${p.index}`, text: ` ${p.path ? p.path + ': ' : ''}${p.message}` };
}

/** The progress bar's percentage (a file of unknown size counts as done). */
export function progressPercent(bytes: number, size: number): number {
  return size ? Math.min(100, (100 * bytes) / size) : 100;
}
