// Chat messages in the two tag styles ESC files use: OpenAI-style {role, content} (the DecoupledESC
// release) and LLaMA-Factory sharegpt {from, value} (human/gpt). Everything else reads messages
// through these helpers so the tag style is decided in one place.

export type TagStyle = 'role/content' | 'from/value';
export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

const FROM_TO_ROLE: Readonly<Record<string, Role>> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
};

export const ROLE_TAGS: Readonly<Record<TagStyle, { key: string; text: string; roles: Record<Role, string> }>> = {
  'role/content': { key: 'role', text: 'content', roles: { system: 'system', user: 'user', assistant: 'assistant' } },
  'from/value': { key: 'from', text: 'value', roles: { system: 'system', user: 'human', assistant: 'gpt' } },
};

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The tag style of one message object, if it has one. */
export function tagStyleOf(m: unknown): TagStyle | undefined {
  if (!isObject(m)) return undefined;
  if (typeof m.role === 'string' && 'content' in m) return 'role/content';
  if (typeof m.from === 'string' && 'value' in m) return 'from/value';
  return undefined;
}

/** Reads a message in either style; undefined when it is not a message or its role is unknown. */
export function toChatMessage(m: unknown): ChatMessage | undefined {
  if (!isObject(m)) return undefined;
  const style = tagStyleOf(m);
  if (!style) return undefined;
  const rawRole = style === 'role/content' ? m.role : m.from;
  const text = style === 'role/content' ? m.content : m.value;
  const role = typeof rawRole === 'string' ? FROM_TO_ROLE[rawRole] : undefined;
  if (!role || typeof text !== 'string') return undefined;
  return { role, content: text };
}

/** Reads an array of messages, skipping entries that are not messages. */
export function toChatMessages(list: unknown): ChatMessage[] {
  if (!Array.isArray(list)) return [];
  const out: ChatMessage[] = [];
  for (const m of list) {
    const cm = toChatMessage(m);
    if (cm) out.push(cm);
  }
  return out;
}

/** The system prompt of a conversation: a leading system message, or a sharegpt `system` column. */
export function systemPromptOf(messages: ChatMessage[], record?: Record<string, unknown>): string | undefined {
  if (messages[0]?.role === 'system') return messages[0].content;
  if (record && typeof record.system === 'string') return record.system;
  return undefined;
}

/** Text of a chosen/rejected side: a message object, a plain string (TRL), or a message list (TRL). */
export function replyText(side: unknown): string | undefined {
  if (typeof side === 'string') return side;
  if (Array.isArray(side)) {
    const msgs = toChatMessages(side);
    for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i].role === 'assistant') return msgs[i].content;
    return msgs[msgs.length - 1]?.content;
  }
  return toChatMessage(side)?.content;
}
