// Classifies one parsed record as one of the dataset kinds, by its shape and content (FORMATS.md):
// field names first, then the system prompt, then how the assistant replies look.

import { isStrategyLabel, splitStrategyTag } from '../strategies';
import { likelyPromptKind, paperPromptKind } from '../prompts';
import type { DetectedKind } from './kinds';
import { isObject, replyText, systemPromptOf, tagStyleOf, toChatMessages, type TagStyle } from './messages';

/**
 * The layout fields a record's schema depends on (FORMATS.md): where the conversation is, the tag
 * style, sharegpt or TRL pairs. Read without classifying the kind, so validation can afford it per record.
 */
export type RecordShape = Pick<RecordLayout, 'conversationKey' | 'tags' | 'pairLayout'>;

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

/** Which family of layouts a record belongs to, by its field names alone. */
type Family = 'esconv' | 'error-stats' | 'inference' | 'pair' | 'messages' | 'conversations';

function familyOf(r: Record<string, unknown>): Family | undefined {
  if (Array.isArray(r.dialog)) return 'esconv';
  if ('Contains Empathy Error' in r || ('Error Type' in r && 'response' in r)) return 'error-stats';
  if ('GT_strategy' in r || 'predict_strategy' in r || ('GT_content' in r && 'predict_content' in r)) return 'inference';
  if ('chosen' in r && 'rejected' in r) return 'pair';
  if (Array.isArray(r.messages)) return 'messages';
  if (Array.isArray(r.conversations)) return 'conversations';
  return undefined;
}

function shapeOf(r: Record<string, unknown>, family: Family): RecordShape {
  switch (family) {
    case 'esconv':
      return { conversationKey: 'dialog' };
    case 'error-stats':
      return {};
    case 'pair': {
      const trl = 'prompt' in r && !('conversations' in r);
      const conversationKey = trl ? 'prompt' : 'conversations';
      const tags = firstTags(r[conversationKey]) ?? firstTags(r.chosen) ?? tagStyleOf(r.chosen);
      return { conversationKey, tags, pairLayout: trl ? 'trl' : 'sharegpt' };
    }
    case 'inference': // the history the model saw is kept under "conversations" (FORMATS.md §5)
      return { conversationKey: 'conversations', tags: firstTags(r.conversations) };
    default: // messages, conversations
      return { conversationKey: family, tags: firstTags(r[family]) };
  }
}

/** The record's shape, as classifyRecord gives it, without deciding the kind (see RecordShape). */
export function recordShape(record: unknown): RecordShape {
  if (!isObject(record)) return {};
  const family = familyOf(record);
  return family === undefined ? {} : shapeOf(record, family);
}

function classifyPair(r: Record<string, unknown>, shape: RecordShape): RecordLayout {
  const msgs = toChatMessages(r[shape.conversationKey!]);
  const system = systemPromptOf(msgs, r);
  const base = { ...shape, systemPrompt: promptStatus(system) };
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

function classifyChat(r: Record<string, unknown>, shape: RecordShape): RecordLayout {
  const msgs = toChatMessages(r[shape.conversationKey!]);
  const system = systemPromptOf(msgs, r);
  const base = { ...shape, systemPrompt: promptStatus(system) };
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
  const family = familyOf(r);
  if (family === undefined) {
    const keys = Object.keys(r).slice(0, 6).join(', ');
    return { kind: 'unknown', reason: `records have fields {${keys}} that match no ESC layout` };
  }
  const shape = shapeOf(r, family);
  switch (family) {
    case 'esconv':
    case 'error-stats':
    case 'inference':
      return { kind: family, ...shape };
    case 'pair':
      return classifyPair(r, shape);
    default:
      return classifyChat(r, shape);
  }
}
