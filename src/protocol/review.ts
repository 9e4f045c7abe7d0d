// Messages between the extension and the blind pairwise review page. The one definition both sides use:
// the extension validates what arrives with these schemas; the webview imports the types only.
//
// The extension owns the session (core/eval/reviewSession: the items, the blind order, the judgement
// file) and sends the page what the annotator may see: the current item with its two replies in the
// order shown, as "first" and "second" — never which run each is. The runs' names travel only inside
// `result`, which the page shows on request (or when the annotator has judged everything).

import * as z from 'zod';
import type { ContextMessage } from '../core/eval/reviewSession';
import type { Agreement, Tally } from '../core/eval/reviewStats';

export type { ContextMessage } from '../core/eval/reviewSession';
export type { Tally } from '../core/eval/reviewStats';

const item = z.number().int().min(0).max(10_000_000);
/** The key pressed: 1 = the first reply is better, 2 = the second, 0 = tie. */
const pick = z.union([z.literal(1), z.literal(2), z.literal(0)]);

export const reviewToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** The annotator's judgement of `item` as shown on the page; the extension maps it back to a run. */
  z.object({ type: z.literal('judge'), item, pick, note: z.string().max(10_000).optional() }),
  /** Show another item (to look back at or re-judge an earlier one). */
  z.object({ type: z.literal('goto'), item }),
  /** Ask for another annotator name (an input box on the extension side). */
  z.object({ type: z.literal('changeAnnotator') }),
  /** The page drew the state it was sent: which item it shows (null: the annotator is done). */
  z.object({ type: z.literal('rendered'), item: item.nullable() }),
]);
export type ReviewToExtension = z.infer<typeof reviewToExtension>;
export type ReviewPick = z.infer<typeof pick>;

/** One review item as the annotator sees it: no run names, the replies in the blind order. */
export interface ReviewItemView {
  index: number;
  context: ContextMessage[];
  seeker: string;
  first: string;
  second: string;
  /** The reference reply: the page hides it unless the annotator asks to see it. */
  gold: string;
  /** This annotator's earlier judgement of the item, as the key they pressed. */
  previous?: { pick: ReviewPick; note?: string };
}

/** The results, runs named: revealed only in the results panel. */
export interface ReviewResultView {
  runA: string;
  runB: string;
  /** Per item (majority of its annotators): wins of run A, ties, losses. */
  items: Tally;
  /** Two-sided exact sign test p of `items`. */
  p: number;
  perAnnotator: Record<string, Tally>;
  /** With two or more annotators; kappa null when not measurable. */
  agreement?: Omit<Agreement, 'kappa'> & { kappa: number | null };
}

export interface ReviewState {
  /** The judgement file (absolute path): what the page keeps with setState so a reload reopens it. */
  file: string;
  /** The file's name, for the title. */
  title: string;
  annotator: string;
  total: number;
  /** How many items this annotator has judged. */
  judged: number;
  /** The item shown; undefined when the annotator has judged every item and none was asked for. */
  item?: ReviewItemView;
  result: ReviewResultView;
  /** Lines of the judgement file that were ignored when it was read (a torn write). */
  ignoredLines: number[];
}

export type ExtensionToReview =
  | { type: 'state'; state: ReviewState }
  /** A one-line message (a judgement that could not be saved, the file could not be read…). */
  | { type: 'notice'; level: 'info' | 'error'; text: string };
