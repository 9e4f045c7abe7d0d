// The paper's inference requests for each supporter turn of a vanilla SFT file (FORMATS.md §7),
// built from the file's own messages with the gold history (teacher forcing). These differ in small
// ways from the SFT converters' messages (convert/, dialogue/requests.ts): the planner's flattened
// history keeps the placeholder " " user turns ("seeker:  \n"), and tags are split with the
// released scripts' bracket helpers rather than the strategy-aware tag parser; so they are built here.

import type { ChatMessage } from '../formats/messages';
import { isObject } from '../formats/messages';
import { generatorSystemPrompt, likelyPromptKind, PLANNER_SYSTEM_PROMPT } from '../prompts';

/** Python's str.strip() set (str.isspace), which is not JavaScript's trim() set (no \uFEFF, plus \x1c-\x1f and \x85). */
const PY_SPACE = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP_RE = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');
export const pyStrip = (s: string): string => s.replace(PY_STRIP_RE, '');

/**
 * The user message the SFT converters put between two supporter turns in a row (FORMATS.md §2). Its
 * owner is convert/esconvToSft.ts (PLACEHOLDER_USER_TURN), which runs/ may not import (its floor);
 * the value is part of the released files' format, so it is repeated here and tested equal there.
 */
export const PLACEHOLDER_USER = ' ';

/** The released scripts' strategy helper: the text between the first "[" and the first "]"; null without both. */
export function bracketStrategy(content: string): string | null {
  const open = content.indexOf('[');
  const close = content.indexOf(']');
  if (open < 0 || close < 0) return null;
  // Python's content[open + 1:close] is "" when "]" comes first; so is slice()
  return content.slice(open + 1, close);
}

/**
 * The gold strategy of a turn for the SP / RG pairs and requests: the bracket text, or null when there
 * is no tag or the tag is empty ("[]", "[ ]": no strategy to condition on, as for an untagged turn).
 */
export function goldStrategy(gold: string): string | null {
  const s = bracketStrategy(gold);
  return s === null || pyStrip(s) === '' ? null : s;
}

/** The released scripts' response helper: what follows the first "]", stripped; the whole text without one. */
export function bracketResponse(content: string): string {
  const close = content.indexOf(']');
  return close < 0 ? content : pyStrip(content.slice(close + 1));
}

/** One supporter turn of a vanilla SFT file and the gold context it is asked in. */
export interface InferTurn {
  /** Index of the record in the file. */
  record: number;
  /** The file's messages before the turn (its system message first): the vanilla (VM) request. */
  before: ChatMessage[];
  /** The gold assistant message of the turn ("[Strategy] text"). */
  gold: string;
}

export class NotVanillaError extends Error {}

/** A planner or generator SFT file given where the vanilla one is needed (told by record `record`'s system prompt). */
export class DecoupledSftError extends NotVanillaError {
  constructor(
    message: string,
    readonly kind: 'planner' | 'generator',
    readonly record: number,
  ) {
    super(message);
  }
}

const ROLES = new Set(['system', 'user', 'assistant']);

/** The supporter turns of a vanilla SFT file's records, in file order; NotVanillaError naming the first bad record. */
export function vanillaTurns(records: readonly unknown[]): InferTurn[] {
  const turns: InferTurn[] = [];
  records.forEach((r, index) => {
    const bad = (why: string): NotVanillaError =>
      new NotVanillaError(
        `record ${index} is not a vanilla SFT record (FORMATS.md §2: {"messages": [system, user, assistant, …]}): ${why}`,
      );
    if (!isObject(r) || !Array.isArray(r.messages)) throw bad('no "messages" list');
    const messages: ChatMessage[] = r.messages.map((m, k) => {
      if (!isObject(m) || typeof m.role !== 'string' || !ROLES.has(m.role) || typeof m.content !== 'string') {
        throw bad(`message ${k} is not {"role": "system"|"user"|"assistant", "content": "…"}`);
      }
      return { role: m.role as ChatMessage['role'], content: m.content };
    });
    if (messages[0]?.role !== 'system') throw bad('it does not start with a system message');
    // a planner or generator SFT file has the same shape: only its system prompt (FORMATS.md §3) tells
    const kind = likelyPromptKind(messages[0].content);
    if (kind === 'planner' || kind === 'generator') {
      throw new DecoupledSftError(
        `record ${index} has the ${kind} (${kind === 'planner' ? 'SP' : 'RG'}) system prompt: this is a ${kind} SFT file, and the vanilla SFT file is needed (FORMATS.md §2)`,
        kind,
        index,
      );
    }
    let found = false;
    messages.forEach((m, k) => {
      if (m.role === 'system' && k > 0) throw bad(`message ${k} is a second system message`);
      if (m.role !== 'assistant') return;
      if (messages[k - 1]?.role !== 'user') throw bad(`assistant message ${k} does not answer a user message`);
      turns.push({ record: index, before: messages.slice(0, k), gold: m.content });
      found = true;
    });
    if (!found) throw bad('it has no assistant (supporter) turn');
  });
  return turns;
}

/** The user/assistant messages before the turn, assistant content = response only (the decoupled record's "conversations"). */
export const untaggedHistory = (turn: InferTurn): ChatMessage[] =>
  turn.before
    .filter((m) => m.role !== 'system')
    .map((m) =>
      m.role === 'assistant' ? { role: 'assistant', content: bracketResponse(m.content) } : { role: m.role, content: m.content },
    );

/** SP request: [system: SP prompt, user: "seeker: …\n" per user message (placeholders included), "supporter: <response>\n" per assistant one]. */
export function plannerRequest(turn: InferTurn): ChatMessage[] {
  const flat = untaggedHistory(turn)
    .map((m) => `${m.role === 'user' ? 'seeker' : 'supporter'}: ${m.content}\n`)
    .join('');
  return [
    { role: 'system', content: PLANNER_SYSTEM_PROMPT },
    { role: 'user', content: flat },
  ];
}

/** RG request: [system: RG prompt with {reply_strategy} = `strategy`, the history so far with untagged assistant turns]. */
export const generatorRequest = (turn: InferTurn, strategy: string): ChatMessage[] => [
  { role: 'system', content: generatorSystemPrompt(strategy) },
  ...untaggedHistory(turn),
];

/** VM request: the file's own messages before the turn. */
export const vanillaRequest = (turn: InferTurn): ChatMessage[] => turn.before.map((m) => ({ role: m.role, content: m.content }));

/** The inference record of FORMATS.md §5, keys in that order. */
export interface InferenceRecord {
  conversations: ChatMessage[];
  GT_strategy: string | null;
  predict_strategy: string | null;
  GT_content: string;
  predict_content: string;
}

/** A decoupled or generator-gold record: the untagged history, gold from the tag, the given prediction. */
export const decoupledRecord = (turn: InferTurn, predictedStrategy: string | null, predictedContent: string): InferenceRecord => ({
  conversations: untaggedHistory(turn),
  GT_strategy: bracketStrategy(turn.gold),
  predict_strategy: predictedStrategy,
  GT_content: bracketResponse(turn.gold),
  predict_content: predictedContent,
});

/** A vanilla record: the VM request as "conversations", the prediction split from the joint answer. */
export const vanillaRecord = (turn: InferTurn, answer: string): InferenceRecord => ({
  conversations: vanillaRequest(turn),
  GT_strategy: bracketStrategy(turn.gold),
  predict_strategy: bracketStrategy(answer),
  GT_content: bracketResponse(turn.gold),
  predict_content: bracketResponse(answer),
});
