// Per-kind accessors (FORMATS.md): where a record keeps its conversation, its planner history, its
// reply and the strategy a generator sample is conditioned on. The viewer, the statistics, the
// embedded models' training data and the TRL conversion read records through these, and the
// conversation is the field the record's shape names, so they read the field the schemas check.

import { strategyOfGeneratorPrompt } from '../prompts';
import { recordShape } from './classify';
import { systemPromptOf, toChatMessages, type ChatMessage } from './messages';

/** The conversation field of a chat, pair or inference record: messages, conversations or (TRL) prompt. */
export function conversationOf(r: Record<string, unknown>): unknown {
  const key = recordShape(r).conversationKey;
  return key === undefined ? undefined : r[key];
}

/** The conversation as chat messages; a TRL prompt written as one string is one user turn. */
export function conversationMessages(r: Record<string, unknown>): ChatMessage[] {
  const convo = conversationOf(r);
  return typeof convo === 'string' ? [{ role: 'user', content: convo }] : toChatMessages(convo);
}

/** The turns after a leading system prompt. */
export const chatBody = (msgs: ChatMessage[]): ChatMessage[] => (msgs[0]?.role === 'system' ? msgs.slice(1) : msgs);

/** A planner sample's flattened history: its user turn (undefined when it has none). */
export const plannerHistoryOf = (msgs: readonly ChatMessage[]): string | undefined => msgs.find((m) => m.role === 'user')?.content;

/** The text of the last assistant turn: a planner's answer, a generator's reply. */
export function lastAssistantText(msgs: readonly ChatMessage[]): string | undefined {
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]!.role === 'assistant') return msgs[i]!.content;
  return undefined;
}

/** The strategy a generator sample is conditioned on, named in its system prompt (a first message or a sharegpt `system` column). */
export const conditionedStrategy = (msgs: ChatMessage[], r: Record<string, unknown>): string | undefined =>
  strategyOfGeneratorPrompt(systemPromptOf(msgs, r) ?? '');
