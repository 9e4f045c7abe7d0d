// The record list's selection and paging, apart from the DOM: which position a key moves the
// selection to, and which pages of rows to ask the extension for. The list (recordList.ts) draws.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import { ROWS_PAGE } from '../../../../src/protocol/viewerQuery';

/** Rows are fetched from the extension a page at a time. */
export const PAGE = ROWS_PAGE;

/** What a key does in the list: select a position, open the selected record, or nothing. */
export type ListKeyAction = { select: number } | { activate: true } | undefined;

/**
 * ↑/↓ (and j/k) move by one, PageUp/PageDown by a screenful (`pageRows`), Home/End to the ends,
 * Enter opens the record. With nothing selected, moving down selects the first row.
 */
export function listKey(key: string, selected: number, total: number, pageRows: number): ListKeyAction {
  if (key === 'Enter') return { activate: true };
  if (total === 0) return undefined;
  const page = Math.max(1, pageRows);
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
  let target: number;
  if (Object.hasOwn(moves, key)) target = (selected < 0 ? -1 : selected) + moves[key]!;
  else if (key === 'Home') target = 0;
  else if (key === 'End') target = total - 1;
  else return undefined;
  return { select: clampPosition(target, total) };
}

export function clampPosition(position: number, total: number): number {
  return Math.max(0, Math.min(total - 1, position));
}

/** Rows a screen holds, less one so a page move keeps one row of context. */
export function rowsPerPage(clientHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(clientHeight / rowHeight) - 1);
}

/**
 * The pages to fetch so the `visible` positions can be drawn: each page with a visible row not
 * loaded yet, once (`requested` remembers the pages already asked for and is updated).
 */
export function pagesToFetch(
  visible: readonly number[],
  loaded: (position: number) => boolean,
  requested: Set<number>,
  total: number,
): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (const position of visible) {
    if (loaded(position)) continue;
    const start = Math.floor(position / PAGE) * PAGE;
    if (requested.has(start)) continue;
    requested.add(start);
    out.push({ start, count: Math.min(PAGE, total - start) });
  }
  return out;
}

/** "1 turn", "3 turns", "1,204 words": a count and its noun, singular for one. */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** Kinds whose records hold no reply text (a planner's answer is a strategy name): no word count. */
const NO_REPLY_TEXT = new Set(['sft-planner', 'pref-planner']);

/**
 * A row's "3 turns · 41 words" line, with what the kind has: planner samples and pairs answer with a
 * strategy, not words ("0 words" would be a wrong fact); a judged response of an error-statistics
 * file is one reply, not a conversation, so it has no turns to count.
 */
export function rowMeta(kind: string, turns: number, words: number): string {
  if (NO_REPLY_TEXT.has(kind)) return countOf(turns, 'turn');
  if (kind === 'error-stats') return countOf(words, 'word');
  return `${countOf(turns, 'turn')} · ${countOf(words, 'word')}`;
}
