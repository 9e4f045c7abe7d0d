// What the viewer's list, facets and statistics need from one record, per kind: strategies as
// written, turns, response lengths, facet values, a snippet. One module reads records' content so
// the list, the facets, `esc stats` and the Statistics tab all agree.

import { chatBody, conditionedStrategy, conversationMessages, lastAssistantText, plannerHistoryOf } from '../formats/accessors';
import { esconvTurns, speakerSide } from '../formats/esconv';
import { flatLineText, readFlatHistory } from '../formats/flatHistory';
import type { DatasetKind } from '../formats/kinds';
import { isObject, replyText, type ChatMessage } from '../formats/messages';
import { splitStrategyTag } from '../strategies';

export interface RecordSummary {
  /** A short text to recognise the record by in a list. */
  snippet: string;
  /** Strategy labels in the order they occur, as written (dialogues: each supporter turn). */
  strategies: string[];
  /** Facet values: the strategy (chosen / gold / conditioned / per turn) and the rejected or predicted one. */
  strategyFacet: string[];
  rejectedFacet: string[];
  emotion?: string;
  problem?: string;
  errorTypes: string[];
  /** Error-statistics files: the judge's "Contains Empathy Error" answer as written ("Yes" / "No"). */
  empathyError?: string;
  retained?: string;
  /** Conversation turns (messages other than the system prompt; history lines for planner samples). */
  turns: number;
  /** Word counts of the replies: every supporter turn, or the chosen / gold side. */
  lengths: number[];
  /** Word counts of the rejected / predicted side, for pair and inference kinds. */
  rejectedLengths: number[];
  /** Length used for sorting: total words of the replies. */
  sortLength: number;
}

const SNIPPET_CHARS = 140;

export function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 13 || c === 9 || c === 160;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

/** The characters `\s` matches (and trim() removes): ECMAScript's WhiteSpace and LineTerminator. */
const isSpace = (c: number): boolean =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/**
 * `text.replace(/\s+/g, ' ').trim()`, cut to SNIPPET_CHARS with an ellipsis. Replies run to thousands
 * of characters and every record gets a snippet: only the words up to the cut are read, and collapsed
 * only when their spacing is not already single spaces.
 */
export function clip(text: string): string {
  const n = text.length;
  let from = 0;
  while (from < n && isSpace(text.charCodeAt(from))) from++;
  let to = from; // end of the last word the snippet needs
  let length = 0; // of the words up to `to`, joined with single spaces
  let collapse = false; // some space between them is not one " "
  for (let i = from; i < n && length <= SNIPPET_CHARS;) {
    let j = i;
    while (j < n && !isSpace(text.charCodeAt(j))) j++;
    length += (to === from ? 0 : 1) + j - i;
    to = j;
    const gap = j;
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    if (j < n && (j - gap !== 1 || text.charCodeAt(gap) !== 32)) collapse = true;
    i = j;
  }
  const words = text.slice(from, to);
  const one = collapse ? words.replace(/\s+/g, ' ') : words;
  return one.length > SNIPPET_CHARS ? one.slice(0, SNIPPET_CHARS - 1) + '…' : one;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The strategy of a "[Strategy] text" reply, as written; untagged replies have none. */
const tagOf = (text: string | undefined): string | undefined => (text === undefined ? undefined : splitStrategyTag(text)?.tag);
const untagged = (text: string): string => splitStrategyTag(text)?.text ?? text;

/** The last line of a flattened history, without its speaker name. */
const lastLineText = (history: string): string => flatLineText(history.trimEnd().split('\n').pop() ?? '');

function firstUserText(msgs: ChatMessage[]): string {
  const m = msgs.find((x) => x.role === 'user' && x.content.trim() !== '');
  return m ? m.content : '';
}

/** The type an error-statistics record counts under an error type that is null, empty or missing. */
export const UNSPECIFIED_ERROR = 'unspecified';

/**
 * The error type a judged response counts under, as written; null, empty or missing ones count as
 * UNSPECIFIED_ERROR rather than vanish. A response judged free of error ("No") with no type or
 * "None" has no error type to count.
 */
function errorTypeOf(type: unknown, contains: string | undefined): string | undefined {
  const t = typeof type === 'string' ? type.trim() : '';
  if (contains === 'No' && (t === '' || t === 'None')) return undefined;
  return t === '' ? UNSPECIFIED_ERROR : t;
}

function empty(): RecordSummary {
  return {
    snippet: '',
    strategies: [],
    strategyFacet: [],
    rejectedFacet: [],
    errorTypes: [],
    turns: 0,
    lengths: [],
    rejectedLengths: [],
    sortLength: 0,
  };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** A supporter reply of a dialogue: its strategy label as written (when it has one) and its length. */
function addReply(s: RecordSummary, label: string | undefined, text: string): void {
  if (label !== undefined) s.strategies.push(label);
  s.lengths.push(wordCount(text));
}
export function summarize(kind: DatasetKind, record: unknown): RecordSummary {
  const s = empty();
  if (!isObject(record)) return s;
  const r = record;
  switch (kind) {
    case 'esconv': {
      const dialog = esconvTurns(r);
      s.turns = dialog.length;
      s.emotion = str(r.emotion_type);
      s.problem = str(r.problem_type);
      for (const t of dialog) {
        if (speakerSide(t.speaker) !== 'supporter') continue;
        addReply(s, isObject(t.annotation) ? str(t.annotation.strategy) : undefined, str(t.content) ?? '');
      }
      const firstSeeker = dialog.find((t) => speakerSide(t.speaker) === 'seeker');
      s.snippet = clip(str(r.situation) ?? str(firstSeeker?.content) ?? '');
      s.strategyFacet = [...new Set(s.strategies)];
      break;
    }
    case 'sft-vanilla':
    case 'sft-planner':
    case 'sft-generator': {
      const msgs = conversationMessages(r);
      const body = chatBody(msgs);
      const assistants = body.filter((m) => m.role === 'assistant');
      if (kind === 'sft-vanilla') {
        s.turns = body.length;
        for (const a of assistants) addReply(s, tagOf(a.content), untagged(a.content));
        s.snippet = clip(firstUserText(body));
      } else if (kind === 'sft-planner') {
        const history = plannerHistoryOf(body) ?? '';
        s.turns = readFlatHistory(history).turns.length;
        const answer = lastAssistantText(assistants)?.trim();
        if (answer !== undefined) s.strategies.push(answer);
        s.snippet = clip(lastLineText(history));
      } else {
        s.turns = body.length - 1; // the history before the reply
        const reply = lastAssistantText(assistants) ?? '';
        addReply(s, conditionedStrategy(msgs, r), reply);
        s.snippet = clip(reply);
      }
      s.strategyFacet = [...new Set(s.strategies)];
      break;
    }
    case 'pref-planner':
    case 'pref-generator':
    case 'pref-vanilla': {
      const msgs = conversationMessages(r);
      const body = chatBody(msgs);
      const chosen = replyText(r.chosen) ?? '';
      const rejected = replyText(r.rejected) ?? '';
      let c: string | undefined;
      let j: string | undefined;
      if (kind === 'pref-planner') {
        c = chosen.trim();
        j = rejected.trim();
        const history = plannerHistoryOf(body) ?? '';
        s.turns = readFlatHistory(history).turns.length || body.length;
        s.snippet = clip(lastLineText(history));
      } else if (kind === 'pref-vanilla') {
        c = tagOf(chosen);
        j = tagOf(rejected);
        s.turns = body.length;
        s.lengths.push(wordCount(untagged(chosen)));
        s.rejectedLengths.push(wordCount(untagged(rejected)));
        s.snippet = clip(untagged(chosen));
      } else {
        // both replies answer the one conditioned strategy: a "rejected strategy" facet would repeat
        // the chosen one, so there is none (stats.ts counts the rejected side from the chosen)
        c = conditionedStrategy(msgs, r);
        s.turns = body.length;
        s.lengths.push(wordCount(chosen));
        s.rejectedLengths.push(wordCount(rejected));
        s.snippet = clip(chosen);
      }
      if (c !== undefined) s.strategyFacet.push(c);
      if (j !== undefined) s.rejectedFacet.push(j);
      // a generator pair is conditioned on one strategy: show it once
      s.strategies = kind === 'pref-generator' ? (c === undefined ? [] : [c]) : [c ?? '', j ?? ''].filter((x) => x !== '');
      const remained = isObject(r.remained) ? r.remained : undefined;
      if (remained) {
        s.retained = str(remained['Should the sample be retained']);
        for (const key of ['Error Type in chosen reply', 'Error Type in rejected reply']) {
          const e = str(remained[key]);
          if (e && e !== 'None' && !s.errorTypes.includes(e)) s.errorTypes.push(e);
        }
      }
      break;
    }
    case 'inference': {
      const msgs = conversationMessages(r);
      const gold = str(r.GT_strategy);
      const pred = str(r.predict_strategy);
      if (gold !== undefined) s.strategyFacet.push(gold);
      if (pred !== undefined) s.rejectedFacet.push(pred);
      s.strategies = [gold ?? '', pred ?? ''].filter((x) => x !== '');
      s.turns = chatBody(msgs).length;
      s.lengths.push(wordCount(str(r.GT_content) ?? ''));
      s.rejectedLengths.push(wordCount(str(r.predict_content) ?? ''));
      s.snippet = clip(str(r.GT_content) ?? '');
      break;
    }
    case 'error-stats': {
      const strategy = str(r.strategy);
      if (strategy !== undefined) {
        s.strategies.push(strategy);
        s.strategyFacet.push(strategy);
      }
      s.empathyError = str(r['Contains Empathy Error']);
      const e = errorTypeOf(r['Error Type'], s.empathyError);
      if (e !== undefined) s.errorTypes.push(e);
      s.retained = undefined;
      s.turns = 1;
      s.lengths.push(wordCount(str(r.response) ?? ''));
      s.snippet = clip(str(r.user_input) ?? str(r.response) ?? '');
      break;
    }
  }
  s.sortLength = sum(s.lengths);
  return s;
}
