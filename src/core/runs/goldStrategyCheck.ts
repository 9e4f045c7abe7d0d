// Two runs read each supporter turn's gold strategy from the turn's "[Strategy] reply" tag (FORMATS.md
// §2, §7): generator-gold inference puts it in the response generator's prompt, and Inferential
// Preference Mining compares the SFT planner's prediction with it (planner pairs) and puts it in the
// generator's prompt (generator pairs). A file without those tags would be run with no strategy
// ("Your current reference response strategy is .", GT_strategy null, no pair for the turn), so it is
// refused before any model is loaded or asked, with one message that says what the file is, why the
// tags are needed and what to pass instead.
//
// The rule (decided here, one place for `esc infer`, `esc mine` and the editor's Run Inference and
// Mine Preference Pairs):
// - a turn has a gold strategy when the released scripts' bracket helper (the text the run would put
//   in the prompt) names one of the eight strategies, on or off the list (normalizeStrategy);
// - a planner or generator SFT file, or a file where no turn has one, is refused as the wrong file;
// - a file where only some turns lack one is refused too, saying how many and where the first is:
//   running the rest would score (or mine) a subset of the split while looking like the whole of it,
//   and the real tagged splits have a tag on every turn, so a missing one is a broken file to mend.
// The whole file is checked, whatever --limit takes from it: the verdict is about the file.
// Vanilla inference and vanilla (VM) pairs take the tagged or untagged turn as it is: they need none.

import { normalizeStrategy } from '../strategies';
import { bracketStrategy, type DecoupledSftError, type InferTurn } from './paperRequests';

/** The input cannot give the run its gold strategies; the message is the whole explanation. */
export class MissingGoldStrategyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingGoldStrategyError';
  }
}

/** What needs the gold strategies: generator-gold inference, or mining's planner and/or generator pairs. */
export type GoldStrategyNeed = 'generator-gold' | 'planner pairs' | 'generator pairs' | 'planner and generator pairs';

const FROM = 'read from the "[Strategy] reply" tag of a vanilla SFT file’s assistant turns (FORMATS.md §2)';
const WHY: Record<GoldStrategyNeed, string> = {
  'generator-gold': `generator-gold fills the generator’s prompt with each supporter turn’s gold strategy, ${FROM}`,
  'planner pairs': `planner pairs compare the SFT planner’s prediction with each supporter turn’s gold strategy, ${FROM}`,
  'generator pairs': `generator pairs fill the generator’s prompt with each supporter turn’s gold strategy, ${FROM}`,
  'planner and generator pairs': `planner pairs compare the SFT planner’s prediction with each supporter turn’s gold strategy and generator pairs fill the generator’s prompt with it, ${FROM}`,
};
// inference is run over the test split; mining over the training split (the pairs train DPO)
const INSTEAD = (need: GoldStrategyNeed): string =>
  `pass the tagged vanilla SFT file of the split instead (as esc convert esconv writes it, e.g. ${need === 'generator-gold' ? 'ESC_sft_test.json' : 'vanilla_train.json'})`;

/** True when the turn's bracket tag names a strategy (the text the run would put in the prompt or pair). */
export function hasGoldStrategy(turn: InferTurn): boolean {
  const tag = bracketStrategy(turn.gold);
  return tag !== null && normalizeStrategy(tag) !== undefined;
}

/** The refusal for a planner or generator SFT file, which vanillaTurns recognised by its system prompt. */
export function decoupledSftRefusal(err: DecoupledSftError, need: GoldStrategyNeed): MissingGoldStrategyError {
  const what =
    err.kind === 'planner'
      ? 'its assistant turns are strategy names, not tagged replies'
      : 'its assistant turns are replies without a [Strategy] tag';
  const prompt = err.kind === 'planner' ? 'SP' : 'RG';
  return new MissingGoldStrategyError(
    `this is a ${err.kind} SFT file (record ${err.record} has the ${prompt} system prompt): ${what}; ${WHY[need]}; ${INSTEAD(need)}`,
  );
}

/** Throws MissingGoldStrategyError unless every turn has a gold strategy (see the rule above). */
export function requireGoldStrategies(turns: readonly InferTurn[], need: GoldStrategyNeed): void {
  const missing = turns.filter((t) => !hasGoldStrategy(t));
  if (missing.length === 0) return;
  const n = (x: number): string => x.toLocaleString('en-US');
  if (missing.length === turns.length) {
    throw new MissingGoldStrategyError(
      `none of its ${n(turns.length)} supporter turns has a [Strategy] tag naming a strategy (an untagged file); ${WHY[need]}; ${INSTEAD(need)}`,
    );
  }
  const first = missing[0]!;
  const quoted = JSON.stringify(first.gold.length > 40 ? `${first.gold.slice(0, 40)}…` : first.gold);
  throw new MissingGoldStrategyError(
    `${n(missing.length)} of its ${n(turns.length)} supporter turns have no [Strategy] tag naming a strategy, the first in record ${first.record} (message ${first.before.length}: ${quoted}); ${WHY[need]}; tag those turns, or ${INSTEAD(need)}`,
  );
}
