// The word-level diff of a pair's two replies (chosen vs rejected, gold vs predicted), as segments
// for each side: every side shows its own text, with the words the other side lacks flagged. How
// the flags look (chosen-positive, rejected neutral, with a legend) is the view's business.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import { diffWords } from 'diff';

export interface DiffSegment {
  text: string;
  /** The words are only in this side's text. */
  only: boolean;
}

/** Longer replies are shown without a diff: the diff is quadratic and would freeze the view. */
export const DIFF_MAX_CHARS = 12_000;

/** Each side's segments (their texts join back to `a` and `b`), or undefined when the texts are too long to diff. */
export function diffSides(a: string, b: string): [DiffSegment[], DiffSegment[]] | undefined {
  if (a.length + b.length > DIFF_MAX_CHARS) return undefined;
  const left: DiffSegment[] = [];
  const right: DiffSegment[] = [];
  for (const part of diffWords(a, b)) {
    if (!part.added) left.push({ text: part.value, only: part.removed });
    if (!part.removed) right.push({ text: part.value, only: part.added });
  }
  return [left, right];
}
