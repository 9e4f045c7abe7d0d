// The review page's state without a browser: what it keeps across reloads, how a `state` message
// changes it, which key press is a judgement, what is sendable, and the text of the progress line and
// the results panel.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { ReviewPick, ReviewResultView, ReviewState, Tally } from '../../../../src/protocol/review';

/** What setState keeps: the judgement file (the panel serializer reopens it) and the page's toggles. */
export interface Persisted {
  file?: string;
  showGold: boolean;
  showResults: boolean;
}

export interface Page {
  persisted: Persisted;
  state?: ReviewState;
  /** The note being typed for the item shown. */
  note: string;
  /** A judgement was sent and its new state has not arrived: further keys wait (no double judgements). */
  pending: boolean;
}

export function restorePage(raw: unknown): Page {
  const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Persisted>;
  return {
    persisted: {
      file: typeof p.file === 'string' ? p.file : undefined,
      showGold: p.showGold === true,
      showResults: p.showResults === true,
    },
    note: '',
    pending: false,
  };
}

/** A new state from the extension: the note field follows the item (its earlier note, or empty). */
export function onState(page: Page, state: ReviewState): Page {
  const sameItem = page.state?.item?.index === state.item?.index && page.state?.file === state.file && !page.pending;
  return {
    persisted: { ...page.persisted, file: state.file },
    state,
    note: sameItem ? page.note : (state.item?.previous?.note ?? ''),
    pending: false,
  };
}

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  repeat?: boolean;
  /** The key went to a text field (the note): it types, it never judges. */
  inEditable: boolean;
}

const PICKS: Record<string, ReviewPick> = { '1': 1, '2': 2, '0': 0 };

/** The judgement a key press makes: 1 / 2 / 0 outside text fields, no modifiers, no auto-repeat. */
export function keyPick(k: KeyPress): ReviewPick | undefined {
  if (k.inEditable || k.ctrlKey || k.metaKey || k.altKey || k.repeat) return undefined;
  return Object.hasOwn(PICKS, k.key) ? PICKS[k.key] : undefined;
}

/** The judge message for a pick on the item shown, or undefined when there is nothing to judge (or one is pending). */
export function judgeMessage(page: Page, pick: ReviewPick): { type: 'judge'; item: number; pick: ReviewPick; note?: string } | undefined {
  const item = page.state?.item;
  if (!item || page.pending) return undefined;
  const note = page.note.trim();
  return note ? { type: 'judge', item: item.index, pick, note } : { type: 'judge', item: item.index, pick };
}

const NUMBER = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => NUMBER.format(n);

/** "12 / 1,792": the item shown (1-based) of all; when done, the judged count of all. */
export function progressText(state: ReviewState): string {
  const at = state.item ? state.item.index + 1 : state.judged;
  return `${formatCount(at)} / ${formatCount(state.total)}`;
}

/** The results panel is open when asked for, and always once the annotator has judged every item. */
export function resultsOpen(page: Page): boolean {
  return page.persisted.showResults || (page.state !== undefined && page.state.judged >= page.state.total);
}

export function formatP(p: number): string {
  if (p >= 0.001) return `p = ${p.toFixed(3)}`;
  if (p === 0) return 'p < 1e-300';
  return `p = ${p.toExponential(1)}`;
}

const plural = (n: number, word: string): string => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

export function tallyText(t: Tally): string {
  return `${formatCount(t.win)} win / ${formatCount(t.tie)} tie / ${formatCount(t.loss)} loss`;
}

export interface ResultsView {
  /** "run A (a.json) vs run B (b.json)". */
  heading: string;
  /** Win / tie / loss of run A over the judged items. */
  tally: string;
  sign: string;
  agreement?: string;
  annotators: { name: string; tally: string }[];
}

/** The results panel's lines (the only place the runs are named). */
export function resultsView(r: ReviewResultView): ResultsView {
  const untied = r.items.win + r.items.loss;
  const view: ResultsView = {
    heading: `A = ${r.runA}, B = ${r.runB}`,
    tally: `A against B: ${tallyText(r.items)}`,
    sign: untied === 0 ? 'Sign test: no untied items yet' : `Two-sided sign test over ${plural(untied, 'untied item')}: ${formatP(r.p)}`,
    annotators: Object.entries(r.perAnnotator).map(([name, t]) => ({ name, tally: tallyText(t) })),
  };
  const a = r.agreement;
  if (a) {
    const method = a.method === 'cohen' ? "Cohen's κ" : "Fleiss' κ";
    const over = `over ${plural(a.items, 'item')} judged by all ${formatCount(a.annotators.length)} annotators`;
    view.agreement = a.kappa === null ? `${method}: not measurable ${over}` : `${method} = ${a.kappa.toFixed(3)} ${over}`;
  }
  return view;
}
