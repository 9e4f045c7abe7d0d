// Strategy probabilities from the planner's token logprobs. The planner answers a strategy name as
// a few tokens (Qwen: "Question" | "Ref"+"lection"+" of"+" feelings" | "Self"+"-dis"+"closure"), so
// the first token's top alternatives say how likely each strategy was: "Ref" can only begin
// "Reflection of feelings". When an alternative could begin several strategies ("Re", "[", " "), only
// the token the model actually emitted has a known continuation (the next position's alternatives are
// conditioned on it), so its mass is split by that next position; other ambiguous alternatives are
// dropped. What is left is renormalised over the eight.

import { STRATEGIES, type Strategy } from '../strategies';
import type { StrategyProbabilities } from '../dialogue/types';

/** One alternative at a position, as in OpenAI's `choices[0].logprobs.content[i].top_logprobs`. */
export interface TopLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | null;
}

/** One generated token with its alternatives: an entry of `choices[0].logprobs.content`. */
export interface TokenLogprob extends TopLogprob {
  top_logprobs?: TopLogprob[];
}

export const LOGPROBS_NOTE = "Probabilities from the first-token logprobs of the planner's answer, renormalised over the 8 strategies.";

/** Case, spacing and hyphenation are not what tells strategies apart; leading brackets, quotes or bold markers are decoration. */
const canonical = (s: string): string =>
  s
    .replace(/^[\s"'*[]+/, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

const NAMES: readonly (readonly [Strategy, string])[] = STRATEGIES.map((s) => [s, canonical(s)] as const);
/** What may follow a complete strategy name in the same token: "Question.", "Others]", "Information\n". */
const AFTER_NAME = /^[\s\]).,;:!"'*]/;

/** The strategies the answer text so far could still be (or already is). */
export function strategiesStartingWith(text: string): Strategy[] {
  const t = canonical(text);
  if (!t) return [...STRATEGIES];
  return NAMES.filter(([, n]) => n.startsWith(t) || (t.startsWith(n) && (t.length === n.length || AFTER_NAME.test(t.slice(n.length))))).map(
    ([s]) => s,
  );
}

const isAlternative = (a: unknown): a is TopLogprob =>
  typeof a === 'object' && a !== null && typeof (a as TopLogprob).token === 'string' && typeof (a as TopLogprob).logprob === 'number';

/** The alternatives at one position, including the emitted token (OpenAI omits it when it is not in the top k). */
function alternativesAt(entry: TokenLogprob): TopLogprob[] {
  const alts = Array.isArray(entry.top_logprobs) ? entry.top_logprobs.filter(isAlternative) : [];
  return alts.some((a) => a.token === entry.token) ? alts : [{ token: entry.token, logprob: entry.logprob }, ...alts];
}

function accumulate(content: readonly TokenLogprob[], pos: number, prefix: string, mass: number, out: StrategyProbabilities): void {
  const entry = content[pos];
  if (!isAlternative(entry)) return;
  let followed = false;
  for (const alt of alternativesAt(entry)) {
    const p = mass * Math.exp(alt.logprob);
    if (!(p > 0)) continue;
    const text = prefix + alt.token;
    const candidates = strategiesStartingWith(text);
    if (candidates.length === 1) {
      out[candidates[0] as Strategy] += p;
    } else if (candidates.length > 1 && alt.token === entry.token && !followed) {
      // two token ids can decode to the same text; only one of them was emitted, so follow it once
      followed = true;
      accumulate(content, pos + 1, text, p, out);
    }
  }
}

/**
 * The probability of each of the 8 strategies, or undefined when the logprobs say nothing about
 * them (absent, empty, or no alternative begins a strategy name).
 */
export function strategyProbabilities(content: readonly TokenLogprob[] | undefined): StrategyProbabilities | undefined {
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const out = Object.fromEntries(STRATEGIES.map((s) => [s, 0])) as StrategyProbabilities;
  accumulate(content, 0, '', 1, out);
  const total = STRATEGIES.reduce((sum, s) => sum + out[s], 0);
  if (!(total > 0)) return undefined;
  for (const s of STRATEGIES) out[s] /= total;
  return out;
}
