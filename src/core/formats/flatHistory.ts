// The planner's flattened history (FORMATS.md §2): one line per turn, "seeker: <text>\n" or
// "supporter: <text>\n"; a turn whose text holds line breaks goes on over the lines below. Written by
// convert/esconvToSft (flattenHistory, also behind the playground's planner requests) and read back
// by the viewer, the statistics and the embedded models' training data: this module owns the format.

import type { Side } from './esconv';

/** A turn line; the text is everything after the speaker's "name: " (any character but the newline that ends the line). */
const TURN_LINE = /^(seeker|supporter): ?(.*)$/s;
/** Some line of the text starts as a turn line does. */
const ANY_TURN_LINE = /^(seeker|supporter): /m;

/** The line of one turn. */
export const flatHistoryLine = (speaker: Side, text: string): string => `${speaker}: ${text}\n`;

/** Whether a text reads as a flattened history (some line starts with "seeker: " or "supporter: "). */
export const isFlatHistory = (text: string): boolean => ANY_TURN_LINE.test(text);

/** A line's text without its speaker name (the line itself when it is not a turn line). */
export const flatLineText = (line: string): string => TURN_LINE.exec(line)?.[2] ?? line;

export interface FlatHistory {
  /** Lines before the first turn line, when the text does not start with one. */
  lead?: string;
  turns: { speaker: Side; text: string }[];
}

/** Reads a flattened history back into turns; continuation lines join the turn above with "\n". */
export function readFlatHistory(text: string): FlatHistory {
  const turns: FlatHistory['turns'] = [];
  let lead: string | undefined;
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const m = TURN_LINE.exec(line);
    if (m) turns.push({ speaker: m[1] as Side, text: m[2]! });
    else if (turns.length > 0) turns[turns.length - 1]!.text += '\n' + line;
    else lead = lead === undefined ? line : `${lead}\n${line}`;
  }
  return lead === undefined ? { turns } : { lead, turns };
}
