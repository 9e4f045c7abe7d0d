// A playground dialogue -> the exact chat messages the paper's models are trained on (FORMATS.md):
// planner = SP system prompt + flattened history; generator = RG prompt with the strategy filled in +
// the multi-turn history (untagged); vanilla = vanilla prompt + history with "[Strategy] text" turns.
// Saved SFT/preference records are these same messages plus the answer, so both use this module.

import { flattenHistory, PLACEHOLDER_USER_TURN, tagged } from '../convert/esconvToSft';
import { readFlatHistory } from '../formats/flatHistory';
import type { ChatMessage } from '../formats/messages';
import { generatorSystemPrompt, PLANNER_SYSTEM_PROMPT, VANILLA_SYSTEM_PROMPT } from '../prompts';
import { splitStrategyTag, type Strategy } from '../strategies';
import type { DialogueTurn } from './types';

/**
 * The alternating user/assistant history, as in the released SFT files: consecutive seeker turns
 * joined with "\n"; a placeholder user turn " " between two supporter turns; supporter turns before
 * the seeker's first are dropped (there is no user turn to answer). Assistant turns are tagged
 * "[Strategy] text" when `tagAssistant` and the turn has a strategy.
 */
export function chatHistory(turns: readonly DialogueTurn[], tagAssistant: boolean): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending: string[] = [];
  let seenSeeker = false;
  for (const t of turns) {
    if (t.speaker === 'seeker') {
      pending.push(t.text);
      seenSeeker = true;
      continue;
    }
    if (!seenSeeker) continue;
    out.push({ role: 'user', content: pending.length > 0 ? pending.join('\n') : PLACEHOLDER_USER_TURN });
    pending = [];
    out.push({ role: 'assistant', content: tagAssistant && t.strategy ? tagged(t.strategy, t.text) : t.text });
  }
  if (pending.length > 0) out.push({ role: 'user', content: pending.join('\n') });
  return out;
}

/**
 * A prompt must end on a user turn. When the history ends on a supporter turn (the supporter speaks
 * twice), the released files put the placeholder user turn " " there; chatHistory only inserts it
 * between two supporter turns it holds, so it is added here for the turn being answered.
 */
function endOnUserTurn(messages: ChatMessage[]): ChatMessage[] {
  return messages[messages.length - 1]?.role === 'assistant' ? [...messages, { role: 'user', content: PLACEHOLDER_USER_TURN }] : messages;
}

export function plannerRequest(turns: readonly DialogueTurn[]): ChatMessage[] {
  return [
    { role: 'system', content: PLANNER_SYSTEM_PROMPT },
    { role: 'user', content: flattenHistory(chatHistory(turns, false)) },
  ];
}

export function generatorRequest(turns: readonly DialogueTurn[], strategy: Strategy): ChatMessage[] {
  return endOnUserTurn([{ role: 'system', content: generatorSystemPrompt(strategy) }, ...chatHistory(turns, false)]);
}

export function vanillaRequest(turns: readonly DialogueTurn[]): ChatMessage[] {
  return endOnUserTurn([{ role: 'system', content: VANILLA_SYSTEM_PROMPT }, ...chatHistory(turns, true)]);
}

/** A user/assistant history as dialogue turns (placeholder " " user turns dropped, tags split off). */
export function turnsOfHistory(history: readonly ChatMessage[]): DialogueTurn[] {
  const out: DialogueTurn[] = [];
  for (const m of history) {
    if (m.role === 'system') continue;
    if (m.role === 'user') {
      if (m.content.trim()) out.push({ speaker: 'seeker', text: m.content });
      continue;
    }
    const tag = splitStrategyTag(m.content);
    out.push({ speaker: 'supporter', text: tag?.normalized ? tag.text : m.content, strategy: tag?.normalized?.strategy });
  }
  return out;
}

/**
 * A dialogue as the embedded models were trained on it: the SFT files' shape (consecutive seeker
 * turns joined, placeholder turns dropped), so turn counts and recency weights mean the same thing.
 */
export const modelContext = (turns: readonly DialogueTurn[]): DialogueTurn[] => turnsOfHistory(chatHistory(turns, false));

/** Undoes flattenHistory (the line format is formats/flatHistory's); lines before the first turn are dropped. */
export const turnsOfFlattened = (text: string): DialogueTurn[] => readFlatHistory(text).turns;
