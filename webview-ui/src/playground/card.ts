// A supporter turn: the selected candidate as a two-stage card (or, when the turn holds replies from
// both lanes, as in compare mode, one card per lane side by side), then the turn's actions:
// regenerate, the candidate switcher and "Keep both…".

import type { CandidateView } from '../../../src/protocol/playground';
import { el } from '../shared/vscodeApi';
import { candidatePane, LANE_TITLES, type PaneContext } from './candidate';
import { button, setTestId } from './dom';
import { keepBothPanel, openKeepBoth, type KeepBothState, type SupporterTurn } from './keepBoth';

export interface CardContext extends PaneContext {
  keepBoth: KeepBothState | undefined;
  setKeepBoth: (turnId: string, next: KeepBothState | undefined) => void;
}

export function selectedCandidate(turn: SupporterTurn): CandidateView | undefined {
  return turn.candidates[turn.selected] ?? turn.candidates[turn.candidates.length - 1];
}

export function supporterCard(turn: SupporterTurn, ctx: CardContext): HTMLElement {
  const selected = selectedCandidate(turn);
  const card = setTestId(el('article', { className: 'pg-turn pg-supporter' }), 'supporter-turn');
  card.dataset.turnId = turn.id;
  card.dataset.status = selected?.status ?? 'planning';
  card.dataset.focusKey = `turn:${turn.id}`;
  card.tabIndex = -1; // a focus target when the control that had focus is redrawn disabled
  card.setAttribute('aria-label', 'Supporter turn');
  if (!selected) {
    card.append(el('div', { className: 'muted', text: 'No reply yet.' }));
    return card;
  }

  const shown = lanesShown(turn);
  if (shown.length > 1) {
    const lanes = el('div', { className: 'pg-lanes' });
    for (const i of shown) lanes.append(lanePane(turn, i, ctx));
    card.append(lanes);
  } else {
    card.append(candidatePane(turn.id, turn.selected, selected, ctx));
  }
  card.append(actions(turn, ctx));
  if (ctx.keepBoth) card.append(keepBothPanel(turn, ctx.keepBoth, { ...ctx, update: (next) => ctx.setKeepBoth(turn.id, next) }));
  return card;
}

/**
 * Which candidates are drawn: the selected one, plus, when the turn holds both lanes (compare
 * mode), the newest candidate of the other lane, decoupled always first so lanes do not swap sides.
 */
function lanesShown(turn: SupporterTurn): number[] {
  const sel = turn.candidates[turn.selected] ? turn.selected : turn.candidates.length - 1;
  const otherLane = turn.candidates[sel].lane === 'decoupled' ? 'vanilla' : 'decoupled';
  let other = -1;
  for (let i = turn.candidates.length - 1; i >= 0 && other < 0; i--) if (turn.candidates[i].lane === otherLane) other = i;
  if (other < 0) return [sel];
  return otherLane === 'vanilla' ? [sel, other] : [other, sel];
}

function lanePane(turn: SupporterTurn, index: number, ctx: CardContext): HTMLElement {
  const c = turn.candidates[index];
  const head = el('div', { className: 'pg-lane-head' }, el('h3', { className: 'pg-lane-title', text: LANE_TITLES[c.lane] }));
  if (index === turn.selected) {
    head.append(el('span', { className: 'badge', text: 'continues', title: 'This reply continues the conversation' }));
  } else {
    head.append(
      button('Continue with this', () => ctx.post({ type: 'select', turnId: turn.id, candidate: index }), {
        className: 'pg-btn link',
        testid: 'select-lane',
        disabled: ctx.busy,
        title: 'Use this reply as the supporter turn that the conversation continues from',
        focusKey: `lane-select:${turn.id}:${index}`,
      }),
    );
  }
  return el('div', { className: 'pg-lane' }, head, candidatePane(turn.id, index, c, ctx));
}

function actions(turn: SupporterTurn, ctx: CardContext): HTMLElement {
  const row = el('div', { className: 'pg-turn-actions' });
  row.append(
    button('Regenerate', () => ctx.post({ type: 'regenerate', turnId: turn.id }), {
      className: 'pg-btn secondary',
      testid: 'regenerate',
      disabled: ctx.busy || !ctx.editable,
      title: ctx.editable ? 'Run both stages again (a new candidate on this turn)' : 'Only the latest reply can be regenerated',
      focusKey: `regen:${turn.id}`,
    }),
  );
  const n = turn.candidates.length;
  if (n < 2) return row;

  const select = (i: number) => ctx.post({ type: 'select', turnId: turn.id, candidate: i });
  const counter = setTestId(el('span', { className: 'pg-counter', text: `${turn.selected + 1}/${n}` }), 'candidate-index');
  counter.setAttribute('aria-label', `Candidate ${turn.selected + 1} of ${n}`);
  const switcher = el(
    'span',
    { className: 'pg-switcher' },
    button('‹', () => select(turn.selected - 1), {
      className: 'pg-btn icon',
      testid: 'candidate-prev',
      ariaLabel: 'Previous candidate',
      disabled: ctx.busy || turn.selected <= 0,
      focusKey: `prev:${turn.id}`,
    }),
    counter,
    button('›', () => select(turn.selected + 1), {
      className: 'pg-btn icon',
      testid: 'candidate-next',
      ariaLabel: 'Next candidate',
      disabled: ctx.busy || turn.selected >= n - 1,
      focusKey: `next:${turn.id}`,
    }),
  );
  switcher.setAttribute('role', 'group');
  switcher.setAttribute('aria-label', 'Candidates');

  const open = ctx.keepBoth !== undefined;
  const keep = button('Keep both…', () => ctx.setKeepBoth(turn.id, open ? undefined : openKeepBoth(turn)), {
    className: 'pg-btn link',
    testid: 'keep-both-toggle',
    title: 'Compare two candidates and save the better one as a preference pair',
    focusKey: `keep:${turn.id}`,
  });
  keep.setAttribute('aria-expanded', String(open));
  row.append(switcher, keep);
  return row;
}
