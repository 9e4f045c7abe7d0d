// What the Playground saves: its dialogue as SFT records (FORMATS.md §2-3) or one preference pair
// (§4, IPM-PrefDial layout). Appending them to a file is core/dataset/append.ts.
//
// The prompts come from dialogue/requests.ts, so a saved sample is exactly what the model was (or would be)
// asked, plus its answer. Supporter turns before the seeker's first turn are skipped, as chatHistory
// skips them, and seeker turns after the last supporter turn have no answer and are left out.

import { tagged } from '../convert/esconvToSft';
import type { ChatMessage } from '../formats/messages';
import { isStrategy, type Strategy } from '../strategies';
import { generatorRequest, plannerRequest, vanillaRequest } from '../dialogue/requests';
import type { DialogueTurn } from '../dialogue/types';

export interface SftRecord {
  messages: ChatMessage[];
}

export interface AssistantMessage {
  role: 'assistant';
  content: string;
}

export interface PreferenceRecord {
  conversations: ChatMessage[];
  chosen: AssistantMessage;
  rejected: AssistantMessage;
}

export type SavedRecord = SftRecord | PreferenceRecord;

const answer = (content: string): AssistantMessage => ({ role: 'assistant', content });

// ---------------------------------------------------------------------------------------------
// Record builders

/** A supporter turn that becomes a sample: where it is in the dialogue and its (checked) strategy. */
interface SupporterSample {
  index: number;
  text: string;
  strategy: Strategy;
}

function checkedStrategy(strategy: unknown, what: string): Strategy {
  if (strategy === undefined) throw new Error(`${what} has no strategy; a saved record needs the strategy of every supporter reply.`);
  if (!isStrategy(strategy)) {
    throw new Error(`${what} has the strategy ${JSON.stringify(strategy)}, which is not one of the eight ESConv strategies.`);
  }
  return strategy;
}

/** The supporter turns that answer something, each with its strategy (all are needed: tags, answers, prompts). */
function supporterSamples(turns: readonly DialogueTurn[]): SupporterSample[] {
  const out: SupporterSample[] = [];
  let seenSeeker = false;
  turns.forEach((t, index) => {
    if (t.speaker === 'seeker') {
      seenSeeker = true;
      return;
    }
    if (!seenSeeker) return; // chatHistory drops it too: there is no user turn for it to answer
    out.push({ index, text: t.text, strategy: checkedStrategy(t.strategy, `Turn ${index + 1} (supporter)`) });
  });
  return out;
}

function requireSeekerTurn(history: readonly DialogueTurn[]): void {
  if (!history.some((t) => t.speaker === 'seeker')) {
    throw new Error('The history has no seeker turn: there is nothing for the supporter reply to answer.');
  }
}

/** The whole conversation, ending on the last supporter turn: one record, as in the released vanilla SFT files. */
export function vanillaSftRecords(turns: readonly DialogueTurn[]): SftRecord[] {
  const last = supporterSamples(turns).at(-1);
  if (!last) return [];
  return [{ messages: [...vanillaRequest(turns.slice(0, last.index)), answer(tagged(last.strategy, last.text))] }];
}

/** One record per supporter turn: the planner's prompt for the history before it, answered with its strategy. */
export function plannerSftRecords(turns: readonly DialogueTurn[]): SftRecord[] {
  return supporterSamples(turns).map((s) => ({ messages: [...plannerRequest(turns.slice(0, s.index)), answer(s.strategy)] }));
}

/** One record per supporter turn: the generator's prompt for its strategy and history, answered with its text. */
export function generatorSftRecords(turns: readonly DialogueTurn[]): SftRecord[] {
  return supporterSamples(turns).map((s) => ({ messages: [...generatorRequest(turns.slice(0, s.index), s.strategy), answer(s.text)] }));
}

/** A planner pair: the same prompt, two different strategies for the next supporter turn. */
export function plannerPreferenceRecord(
  history: readonly DialogueTurn[],
  chosenStrategy: Strategy,
  rejectedStrategy: Strategy,
): PreferenceRecord {
  const chosen = checkedStrategy(chosenStrategy, 'The chosen reply');
  const rejected = checkedStrategy(rejectedStrategy, 'The rejected reply');
  if (chosen === rejected) throw new Error(`Both replies use the strategy "${chosen}": a planner pair needs two different strategies.`);
  requireSeekerTurn(history);
  return { conversations: plannerRequest(history), chosen: answer(chosen), rejected: answer(rejected) };
}

/**
 * A generator pair: the strategy is held fixed and only the reply text differs (the "decoupling":
 * the preference is about content alone).
 */
export function generatorPreferenceRecord(
  history: readonly DialogueTurn[],
  strategy: Strategy,
  chosenText: string,
  rejectedText: string,
): PreferenceRecord {
  const s = checkedStrategy(strategy, 'The pair');
  if (chosenText.trim() === '' || rejectedText.trim() === '') throw new Error('A generator pair needs two non-empty replies.');
  // replies differing only in surrounding whitespace teach nothing
  if (chosenText.trim() === rejectedText.trim()) {
    throw new Error('Both replies have the same text: a generator pair needs two different replies.');
  }
  requireSeekerTurn(history);
  return { conversations: generatorRequest(history, s), chosen: answer(chosenText), rejected: answer(rejectedText) };
}
