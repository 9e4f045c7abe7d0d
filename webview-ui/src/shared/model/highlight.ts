// Search highlighting as data: a text cut into plain and matching segments. The views turn the
// segments into text nodes and <mark> elements; the text itself is never parsed as HTML.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import { escapeRegex } from '../../../../src/protocol/shared';

export interface Segment {
  text: string;
  match: boolean;
}

/** Characters shown for one text before a "show all" button (a 5 MB string must not freeze the view). */
export const TEXT_CLIP = 20_000;

/** The text cut at each match of `pattern` (a global regular expression); empty matches are skipped. */
export function highlightSegments(text: string, pattern: RegExp | undefined): Segment[] {
  if (!pattern) return text === '' ? [] : [{ text, match: false }];
  const out: Segment[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    if (m.index > last) out.push({ text: text.slice(last, m.index), match: false });
    out.push({ text: m[0], match: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), match: false });
  return out;
}

/** The viewer's search as a regular expression to highlight with, or undefined (no search, or an invalid expression). */
export function searchPattern(q: { text: string; regex: boolean; caseSensitive: boolean } | undefined): RegExp | undefined {
  if (!q || q.text === '') return undefined;
  try {
    const source = q.regex ? q.text : escapeRegex(q.text);
    return new RegExp(source, q.caseSensitive ? 'gu' : 'giu');
  } catch {
    return undefined;
  }
}
