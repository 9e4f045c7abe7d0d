// What the Playground says to screen readers: each reply of the newest turn once, when it has just
// finished or failed (compare mode has two lanes). The conversation itself is not a live region:
// streaming tokens would be read one by one.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { CandidateView, PlaygroundState } from '../../../../src/protocol/playground';

/** Status of each candidate of the newest turn when last looked at, by "turnId:index". */
export type Seen = ReadonlyMap<string, CandidateView['status']>;

/** The announcements since `seen` (none on the first look, `seen` undefined) and what is seen now. */
export function announcements(state: PlaygroundState | undefined, seen: Seen | undefined): { texts: string[]; seen: Seen } {
  const turn = state?.turns[state.turns.length - 1];
  const now = new Map<string, CandidateView>();
  if (turn?.speaker === 'supporter') turn.candidates.forEach((c, i) => now.set(`${turn.id}:${i}`, c));
  const texts: string[] = [];
  if (seen !== undefined) {
    for (const [key, c] of now) {
      if (seen.get(key) === c.status) continue;
      const lane = now.size > 1 ? `${c.lane === 'vanilla' ? 'Vanilla' : 'Decoupled'} reply` : 'Reply';
      if (c.status === 'done') texts.push(`${lane} ready${c.strategy ? ` (${c.strategy})` : ''}.`);
      else if (c.status === 'error' && c.error) {
        texts.push(`${lane}: ${c.error.stage === 'planner' ? 'the planner' : 'the generator'} failed: ${c.error.message}`);
      }
    }
  }
  return { texts, seen: new Map([...now].map(([k, c]) => [k, c.status])) };
}
