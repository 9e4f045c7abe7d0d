// Which candidates of a supporter turn are shown, what its controls allow, and the "Keep both…"
// panel's state — the Playground's per-turn decisions, apart from the drawing (card.ts).
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { CandidateView, PlaygroundState, TurnView } from '../../../../src/protocol/playground';

export type SupporterTurn = Extract<TurnView, { speaker: 'supporter' }>;

export function findSupporter(state: PlaygroundState | undefined, turnId: string): SupporterTurn | undefined {
  return state?.turns.find((t): t is SupporterTurn => t.id === turnId && t.speaker === 'supporter');
}

/** The index of the candidate that continues the conversation (the newest if the selection is out of range). */
export function selectedIndex(turn: SupporterTurn): number {
  return turn.candidates[turn.selected] ? turn.selected : turn.candidates.length - 1;
}

export function selectedCandidate(turn: SupporterTurn): CandidateView | undefined {
  return turn.candidates[selectedIndex(turn)];
}

/**
 * Only the newest turn can be regenerated or overridden (the extension refuses the others: the
 * conversation after an earlier reply was written against it).
 */
export function isEditable(state: PlaygroundState, turn: TurnView): boolean {
  return state.turns[state.turns.length - 1]?.id === turn.id;
}

/**
 * Which candidates are drawn: the selected one, plus, when the turn holds both lanes (compare
 * mode), the newest candidate of the other lane, decoupled always first so lanes do not swap sides.
 */
export function lanesShown(turn: SupporterTurn): number[] {
  const sel = selectedIndex(turn);
  if (sel < 0) return [];
  const otherLane = turn.candidates[sel]!.lane === 'decoupled' ? 'vanilla' : 'decoupled';
  let other = -1;
  for (let i = turn.candidates.length - 1; i >= 0 && other < 0; i--) if (turn.candidates[i]!.lane === otherLane) other = i;
  if (other < 0) return [sel];
  return otherLane === 'vanilla' ? [sel, other] : [other, sel];
}

/** The candidate switcher under a turn with two candidates or more (undefined with one). */
export function switcher(
  turn: SupporterTurn,
  busy: boolean,
): { label: string; ariaLabel: string; prev: boolean; next: boolean } | undefined {
  const n = turn.candidates.length;
  if (n < 2) return undefined;
  const at = turn.selected + 1;
  return {
    label: `${at}/${n}`,
    ariaLabel: `Candidate ${at} of ${n}`,
    prev: !busy && turn.selected > 0,
    next: !busy && turn.selected < n - 1,
  };
}

/** UI-only state of an open "Keep both…" panel: the candidate compared with the selected one, and the pick. */
export interface KeepBothState {
  other: number;
  chosen?: number;
}

/** Compares the selected candidate with the newest other one (usually the regenerated reply). */
export function openKeepBoth(turn: SupporterTurn): KeepBothState | undefined {
  for (let i = turn.candidates.length - 1; i >= 0; i--) if (i !== turn.selected) return { other: i };
  return undefined;
}

/** Keeps a panel consistent after a new `state` (the selection or the candidates changed); undefined closes it. */
export function reconcileKeepBoth(turn: SupporterTurn, kb: KeepBothState): KeepBothState | undefined {
  if (turn.candidates.length < 2) return undefined;
  const valid = kb.other !== turn.selected && kb.other < turn.candidates.length;
  const base = valid ? kb : openKeepBoth(turn);
  if (!base) return undefined;
  const chosen = base.chosen === turn.selected || base.chosen === base.other ? base.chosen : undefined;
  return { other: base.other, chosen };
}

/** Every open panel reconciled with a new state; panels of turns that are gone close. */
export function reconcileAllKeepBoth(state: PlaygroundState, open: Readonly<Record<string, KeepBothState>>): Record<string, KeepBothState> {
  const out: Record<string, KeepBothState> = {};
  for (const [id, kb] of Object.entries(open)) {
    const turn = findSupporter(state, id);
    const next = turn && reconcileKeepBoth(turn, kb);
    if (next) out[id] = next;
  }
  return out;
}

/**
 * Which preference pair two candidates make (FORMATS.md): a planner pair is chosen vs rejected
 * strategy, a generator pair is chosen vs rejected reply for one strategy.
 */
export function pairKinds(chosen: CandidateView, rejected: CandidateView): { planner: boolean; generator: boolean; why: string } {
  const planner = chosen.strategy !== undefined && rejected.strategy !== undefined && chosen.strategy !== rejected.strategy;
  const generator = chosen.strategy !== undefined && chosen.strategy === rejected.strategy && chosen.reply !== rejected.reply;
  const why = planner
    ? 'The strategies differ: this is a planner preference.'
    : generator
      ? 'Same strategy, different replies: this is a generator preference.'
      : !chosen.strategy || !rejected.strategy
        ? 'One side has no strategy: nothing to save.'
        : 'Same strategy and the same reply: nothing to prefer.';
  return { planner, generator, why };
}
