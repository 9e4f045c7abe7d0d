// The Playground page's state and how each message from the extension changes it. The extension
// owns the conversation and sends it whole (`state`) or one candidate at a time while a reply
// streams (`candidate`); the page keeps a copy (with setState, so a reload redraws at once), the
// unsent draft, and UI-only state (open "Keep both…" panels).
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { CandidateView, ExtensionToPlayground, PlaygroundState } from '../../../../src/protocol/playground';
import { reconcileAllKeepBoth, type KeepBothState } from './turns';

type Init = Extract<ExtensionToPlayground, { type: 'init' }>;
export type CandidatePatch = Extract<ExtensionToPlayground, { type: 'candidate' }>;

/** What survives a reload (vscode.setState). */
export interface Persisted {
  init?: Omit<Init, 'type' | 'state'>;
  state?: PlaygroundState;
  /** The unsent seeker message. */
  draft: string;
}

export interface Session extends Persisted {
  /** Open "Keep both…" panels by turn id. */
  keepBoth: Record<string, KeepBothState>;
}

/** Shown until the extension answers `ready` the first time (nothing saved yet). */
export const EMPTY_STATE: PlaygroundState = {
  mode: 'decoupled',
  backend: 'embedded',
  turns: [],
  busy: false,
  backendInfo: { planner: '…', generator: '…' },
};

export function restoreSession(saved: Partial<Persisted> | undefined): Session {
  return { init: saved?.init, state: saved?.state, draft: saved?.draft ?? '', keepBoth: {} };
}

export function persisted(s: Session): Persisted {
  return { init: s.init, state: s.state, draft: s.draft };
}

/** `init`: the strategies, trust and the conversation. */
export function onInit(s: Session, m: Init): Session {
  return onState({ ...s, init: { strategies: m.strategies, trusted: m.trusted, version: m.version } }, m.state);
}

/** A whole new state: open panels follow it (or close when their turn lost its candidates). */
export function onState(s: Session, state: PlaygroundState): Session {
  return { ...s, state, keepBoth: reconcileAllKeepBoth(state, s.keepBoth) };
}

/**
 * A streaming patch: one candidate of one turn, and the busy flag. The changed turn is a new
 * object and the others are kept as they are, so the view redraws only that turn. A patch for a
 * turn or candidate not seen yet is dropped (the next `state` brings it).
 */
export function onCandidate(s: Session, m: CandidatePatch): Session {
  const state = s.state;
  const at = state?.turns.findIndex((t) => t.id === m.turnId) ?? -1;
  const turn = state?.turns[at];
  if (!state || turn?.speaker !== 'supporter' || m.index > turn.candidates.length) return s;
  const candidates: CandidateView[] = [...turn.candidates];
  candidates[m.index] = m.candidate;
  const turns = [...state.turns];
  turns[at] = { ...turn, candidates };
  return onState(s, { ...state, turns, busy: m.busy });
}

export function setKeepBoth(s: Session, turnId: string, next: KeepBothState | undefined): Session {
  const keepBoth = { ...s.keepBoth };
  if (next) keepBoth[turnId] = next;
  else delete keepBoth[turnId];
  return { ...s, keepBoth };
}
