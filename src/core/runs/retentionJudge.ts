// The judge filter of Inferential Preference Mining (FORMATS.md §7): an LLM judge reads a generator or
// vanilla pair (the dialogue, the seeker's last message, the chosen and the rejected reply) and answers
// the verdict object of §4, stored on the pair as "remained". This module is the pure part: the
// template and its placeholders, the prompt of a pair, and the answer checked against §4. The calls
// (concurrency, retries, checkpoint) are mineRun.ts's.

import type { ChatMessage } from '../formats/messages';
import { isObject } from '../formats/messages';
import { bracketResponse, PLACEHOLDER_USER } from './paperRequests';

export const RETENTION_PLACEHOLDERS = ['context', 'seeker', 'chosen', 'rejected'] as const;
export type RetentionFields = Record<(typeof RETENTION_PLACEHOLDERS)[number], string>;
/** A template without these cannot show the judge what it is to compare. */
const REQUIRED_PLACEHOLDERS = ['chosen', 'rejected'] as const;

/** A judge template that cannot be used: the CLI's exit 2, with this one-line reason. */
export class RetentionTemplateError extends Error {}

export function checkRetentionTemplate(text: string, name: string): void {
  const absent = REQUIRED_PLACEHOLDERS.filter((p) => !text.includes(`{${p}}`));
  if (absent.length > 0) {
    throw new RetentionTemplateError(
      `judge template ${name} lacks ${absent.map((p) => `{${p}}`).join(' and ')} (placeholders: ${RETENTION_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
    );
  }
}

/** The §4 verdict keys, in the order the paper's filtered files hold them. */
export const VERDICT_KEYS = [
  'Should the sample be retained',
  'Error Type in chosen reply',
  'Explanation for chosen reply error',
  'Error Type in rejected reply',
  'Explanation for rejected reply error',
] as const;
export type Verdict = Record<(typeof VERDICT_KEYS)[number], string>;

export interface PreferencePair {
  conversations: ChatMessage[];
  chosen: { role: 'assistant'; content: string };
  rejected: { role: 'assistant'; content: string };
  remained?: Verdict;
}

/**
 * What a pair shows the judge: its dialogue without the system prompt, the last seeker message apart,
 * one `Seeker: …` / `Supporter: …` line per earlier message (supporter turns without their [Strategy]
 * tag: the context is the dialogue, not the training format); the replies as the pair holds them. The
 * placeholder user turns (" ", between two supporter turns in a row) are no seeker message: they are
 * left out, and {seeker} is the last real one (the judge would otherwise read an empty seeker line);
 * when supporter turns follow it, it stays in the context too, so the context keeps the dialogue's order.
 */
export function retentionFields(pair: PreferencePair): RetentionFields {
  let dialogue = pair.conversations.filter((m) => m.role !== 'system' && !(m.role === 'user' && m.content === PLACEHOLDER_USER));
  let seeker = '';
  const lastUser = dialogue.map((m) => m.role).lastIndexOf('user');
  if (lastUser >= 0) seeker = dialogue[lastUser]!.content;
  if (lastUser >= 0 && lastUser === dialogue.length - 1) dialogue = dialogue.slice(0, -1);
  const context = dialogue.map((m) => (m.role === 'user' ? `Seeker: ${m.content}` : `Supporter: ${bracketResponse(m.content)}`)).join('\n');
  return {
    context: context || '(none: the seeker opens the conversation)',
    seeker,
    chosen: pair.chosen.content,
    rejected: pair.rejected.content,
  };
}

/** The prompt: every placeholder replaced in one pass, so a reply that itself says "{rejected}" is not substituted again. */
export const retentionPrompt = (template: string, pair: PreferencePair): string => {
  const fields = retentionFields(pair);
  return template.replace(/\{(context|seeker|chosen|rejected)\}/g, (_, name: keyof RetentionFields) => fields[name]);
};

/**
 * The judge's answer as a §4 verdict, or why it is not one (a short reason, counted by kind in the
 * summary). A JSON object alone, or inside one ``` fence (chat models add one unasked); all five keys
 * with string values, the first exactly "Yes" or "No".
 */
export function parseVerdict(answer: string): { verdict: Verdict } | { error: string } {
  let text = answer.trim();
  if (!text) return { error: 'empty answer' };
  const fenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(text);
  if (fenced) text = fenced[1]!.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (!isObject(value)) return { error: 'not a JSON object' };
  const retained = value[VERDICT_KEYS[0]];
  if (retained === undefined) return { error: `no "${VERDICT_KEYS[0]}"` };
  if (retained !== 'Yes' && retained !== 'No') return { error: 'verdict neither "Yes" nor "No"' };
  if (VERDICT_KEYS.some((k) => typeof value[k] !== 'string')) return { error: 'missing fields' };
  return { verdict: Object.fromEntries(VERDICT_KEYS.map((k) => [k, value[k]])) as Verdict };
}
