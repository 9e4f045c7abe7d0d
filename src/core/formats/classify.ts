// Classifies one parsed record as one of the dataset kinds, by its shape and content (FORMATS.md):
// field names first, then the system prompt, then how the assistant replies look.

import { isStrategyLabel, splitStrategyTag } from '../strategies';
import { likelyPromptKind, paperPromptKind } from '../prompts';
import type { DetectedKind } from './kinds';
import { isObject, replyText, systemPromptOf, tagStyleOf, toChatMessages, type TagStyle } from './messages';

/** How a record is laid out, beyond its kind. */
export interface RecordLayout {
  kind: DetectedKind;
  /** Field holding the conversation: messages, conversations, prompt, dialog. */
  conversationKey?: string;
  tags?: TagStyle;
  /** sharegpt (LLaMA-Factory) or trl (prompt/chosen/rejected) for pairs. */
  pairLayout?: 'sharegpt' | 'trl';
  /** Whether the system prompt is the paper's exact one, an edited one, or absent. */
  systemPrompt?: 'paper' | 'custom' | 'none';
  /** Why the record is `unknown`. */
  reason?: string;
}

const isTagged = (text: string | undefined): boolean => {
  if (text === undefined) return false;
  const tag = splitStrategyTag(text);
  return tag !== undefined && tag.normalized !== undefined;
};

const isBareStrategy = (text: string | undefined): boolean => text !== undefined && isStrategyLabel(text.trim());

function firstTags(list: unknown): TagStyle | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const m of list) {
    const t = tagStyleOf(m);
    if (t) return t;
  }
  return undefined;
}

function promptStatus(system: string | undefined): RecordLayout['systemPrompt'] {
  if (system === undefined) return 'none';
  return paperPromptKind(system) ? 'paper' : 'custom';
}

function classifyPair(r: Record<string, unknown>): RecordLayout {
  const trl = 'prompt' in r && !('conversations' in r);
  const conversationKey = trl ? 'prompt' : 'conversations';
  const convo = r[conversationKey];
  const msgs = toChatMessages(convo);
  const system = systemPromptOf(msgs, r);
  const tags = firstTags(convo) ?? firstTags(r.chosen) ?? tagStyleOf(r.chosen);
  const base = { conversationKey, tags, pairLayout: trl ? ('trl' as const) : ('sharegpt' as const), systemPrompt: promptStatus(system) };
  const chosen = replyText(r.chosen);
  const rejected = replyText(r.rejected);
  if (isBareStrategy(chosen) && isBareStrategy(rejected)) return { kind: 'pref-planner', ...base };
  if (isTagged(chosen) && isTagged(rejected)) return { kind: 'pref-vanilla', ...base };
  const promptKind = system === undefined ? undefined : likelyPromptKind(system);
  if (promptKind === 'planner') return { kind: 'pref-planner', ...base };
  if (promptKind === 'vanilla') return { kind: 'pref-vanilla', ...base };
  // Pairs over free-text replies with the strategy held fixed: the generator's preference data.
  return { kind: 'pref-generator', ...base };
}

function classifyChat(r: Record<string, unknown>, conversationKey: string): RecordLayout {
  const list = r[conversationKey];
  const msgs = toChatMessages(list);
  const tags = firstTags(list);
  const system = systemPromptOf(msgs, r);
  const base = { conversationKey, tags, systemPrompt: promptStatus(system) };
  const assistants = msgs.filter((m) => m.role === 'assistant');
  if (assistants.length === 0) return { kind: 'unknown', ...base, reason: 'chat messages without an assistant turn' };
  const promptKind = system === undefined ? undefined : likelyPromptKind(system);
  if (promptKind === 'planner') return { kind: 'sft-planner', ...base };
  if (promptKind === 'generator') return { kind: 'sft-generator', ...base };
  if (promptKind === 'vanilla') return { kind: 'sft-vanilla', ...base };
  if (assistants.every((m) => isTagged(m.content))) return { kind: 'sft-vanilla', ...base };
  if (assistants.length === 1 && isBareStrategy(assistants[0].content)) return { kind: 'sft-planner', ...base };
  return {
    kind: 'unknown',
    ...base,
    reason: 'chat messages without ESC strategy markers (no [Strategy] tags, no planner or generator prompt)',
  };
}

export function classifyRecord(record: unknown): RecordLayout {
  if (!isObject(record)) {
    return {
      kind: 'unknown',
      reason: `records are ${Array.isArray(record) ? 'arrays' : record === null ? 'null' : typeof record}, not objects`,
    };
  }
  const r = record;
  if (Array.isArray(r.dialog)) return { kind: 'esconv', conversationKey: 'dialog' };
  if ('Contains Empathy Error' in r || ('Error Type' in r && 'response' in r)) return { kind: 'error-stats' };
  if ('GT_strategy' in r || 'predict_strategy' in r || ('GT_content' in r && 'predict_content' in r)) {
    return { kind: 'inference', conversationKey: 'conversations', tags: firstTags(r.conversations) };
  }
  if ('chosen' in r && 'rejected' in r) return classifyPair(r);
  if (Array.isArray(r.messages)) return classifyChat(r, 'messages');
  if (Array.isArray(r.conversations)) return classifyChat(r, 'conversations');
  const keys = Object.keys(r).slice(0, 6).join(', ');
  return { kind: 'unknown', reason: `records have fields {${keys}} that match no ESC layout` };
}
