// Reading a strategy out of the planner's answer. A fine-tuned planner answers the bare name, but
// sampled at temperature 0.7 (and base models even more so) it sometimes decorates it: brackets as in
// the vanilla format, a trailing period, quotes, a second line of explanation.

import { normalizeStrategy, splitStrategyTag, type Strategy } from '../strategies';

const strip = (s: string): string =>
  s
    .trim()
    .replace(/^["'*]+|["'*]+$/g, '')
    .replace(/[.。!]+$/, '')
    .trim();

/**
 * The strategy a planner answer names: tolerant of surrounding whitespace, quotes, brackets and a
 * trailing period ("Question.", "[Question]", "[Question]."), of case and of the off-list ESConv
 * labels; then of an answer whose first line is the name, or that starts with a "[Strategy]" tag
 * (a vanilla-style answer). Undefined when it names none of the eight.
 */
export function parsePlannerAnswer(answer: string): Strategy | undefined {
  const firstLine = answer.trim().split('\n')[0] ?? '';
  for (const candidate of [answer, firstLine]) {
    const once = strip(candidate);
    const unbracketed = strip(once.replace(/^\[(.*)\]$/s, '$1'));
    for (const label of [once, unbracketed]) {
      const n = normalizeStrategy(label);
      if (n) return n.strategy;
    }
  }
  return splitStrategyTag(answer.trim())?.normalized?.strategy;
}
