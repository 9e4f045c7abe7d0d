// "Keep both…": two candidates of one supporter turn side by side; the user marks the better one
// and appends the pair as a planner preference (the strategies differ) or a generator preference
// (same strategy, different replies). Which pair kinds are possible follows FORMATS.md: a planner
// pair is chosen vs rejected strategy, a generator pair is chosen vs rejected reply for one strategy.

import type { CandidateView, TurnView } from '../../../src/protocol/playground';
import { chip } from '../shared/chips';
import { el } from '../shared/vscodeApi';
import { LANE_TITLES, replyNode, type PaneContext } from './candidate';
import { button } from './dom';

export type SupporterTurn = Extract<TurnView, { speaker: 'supporter' }>;

/** UI-only state of an open panel: the candidate compared with the selected one, and the pick. */
export interface KeepBothState {
  other: number;
  chosen?: number;
}

export interface KeepBothContext extends PaneContext {
  update: (next: KeepBothState | undefined) => void;
}

/** Compares the selected candidate with the newest other one (usually the regenerated reply). */
export function openKeepBoth(turn: SupporterTurn): KeepBothState | undefined {
  for (let i = turn.candidates.length - 1; i >= 0; i--) if (i !== turn.selected) return { other: i };
  return undefined;
}

/** Keeps a panel consistent after a new `state` (the selection or the candidates changed). */
export function reconcileKeepBoth(turn: SupporterTurn, kb: KeepBothState): KeepBothState | undefined {
  const valid = kb.other !== turn.selected && kb.other < turn.candidates.length;
  const base = valid ? kb : openKeepBoth(turn);
  if (!base) return undefined;
  const chosen = base.chosen === turn.selected || base.chosen === base.other ? base.chosen : undefined;
  return { other: base.other, chosen };
}

export function keepBothPanel(turn: SupporterTurn, kb: KeepBothState, ctx: KeepBothContext): HTMLElement {
  const sides = [turn.selected, kb.other];
  const [a, b] = sides.map((i) => turn.candidates[i]) as [CandidateView, CandidateView];
  const bothDone = a.status === 'done' && b.status === 'done';
  const panel = el('div', { className: 'pg-keep-both' });
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', 'Compare two candidates');
  panel.dataset.testid = 'keep-both';

  const head = el('div', { className: 'pg-keep-head' }, el('strong', { text: 'Which reply is better?' }));
  if (turn.candidates.length > 2) head.append(otherPicker(turn, kb, ctx));
  head.append(button('Close', () => ctx.update(undefined), { className: 'pg-btn link', focusKey: `kb-close:${turn.id}` }));
  panel.append(head);

  const pair = el('div', { className: 'pg-pair' });
  for (const i of sides) {
    const c = turn.candidates[i];
    const picked = kb.chosen === i;
    const side = el('div', { className: `pg-pair-side${picked ? ' chosen' : kb.chosen !== undefined ? ' rejected' : ''}` });
    const title = el('div', { className: 'pg-pair-title' }, el('span', { text: `#${i + 1}` }));
    if (turn.candidates.some((x) => x.lane !== c.lane)) title.append(el('span', { className: 'muted', text: LANE_TITLES[c.lane] }));
    if (c.strategy) title.append(chip(c.strategy, 'small'));
    side.append(title, replyNode(i, c, 'pair-reply'));
    side.append(
      button(picked ? 'Better ✓' : 'This one is better', () => ctx.update({ other: kb.other, chosen: i }), {
        className: `pg-btn${picked ? '' : ' secondary'}`,
        testid: 'pick-better',
        disabled: !bothDone,
        focusKey: `kb-pick:${turn.id}:${i}`,
      }),
    );
    pair.append(side);
  }
  panel.append(pair);
  if (!bothDone) panel.append(el('div', { className: 'muted', text: 'Both candidates must have finished to be compared.' }));
  if (kb.chosen !== undefined && bothDone) {
    panel.append(saveRow(turn, kb.chosen, kb.chosen === turn.selected ? kb.other : turn.selected, ctx));
  }
  return panel;
}

function otherPicker(turn: SupporterTurn, kb: KeepBothState, ctx: KeepBothContext): HTMLElement {
  const select = el('select', { className: 'pg-other' });
  select.setAttribute('aria-label', `Compare #${turn.selected + 1} with`);
  turn.candidates.forEach((c, i) => {
    if (i === turn.selected) return;
    const o = el('option', { text: `#${i + 1}${c.strategy ? ` · ${c.strategy}` : ''}` });
    o.value = String(i);
    select.append(o);
  });
  select.value = String(kb.other);
  select.dataset.focusKey = `kb-other:${turn.id}`;
  select.addEventListener('change', () => ctx.update({ other: Number(select.value) }));
  return el('label', { className: 'pg-other-label' }, el('span', { className: 'muted', text: `#${turn.selected + 1} vs` }), select);
}

function saveRow(turn: SupporterTurn, chosen: number, rejected: number, ctx: KeepBothContext): HTMLElement {
  const c = turn.candidates[chosen];
  const r = turn.candidates[rejected];
  const plannerOk = c.strategy !== undefined && r.strategy !== undefined && c.strategy !== r.strategy;
  const generatorOk = c.strategy !== undefined && c.strategy === r.strategy && c.reply !== r.reply;
  const save = (as: 'planner' | 'generator') => {
    ctx.post({ type: 'savePair', turnId: turn.id, chosen, rejected, as });
    ctx.update(undefined);
  };
  const row = el('div', { className: 'pg-save-pair' }, el('span', { text: `Append #${chosen + 1} ≻ #${rejected + 1}:` }));
  row.append(
    button('Save as planner pair', () => save('planner'), {
      className: 'pg-btn',
      testid: 'save-planner-pair',
      disabled: !plannerOk,
      title: plannerOk ? 'Chosen vs rejected strategy' : 'A planner pair needs two different strategies',
    }),
    button('Save as generator pair', () => save('generator'), {
      className: 'pg-btn',
      testid: 'save-generator-pair',
      disabled: !generatorOk,
      title: generatorOk
        ? 'Chosen vs rejected reply for one strategy'
        : 'A generator pair needs the same strategy and two different replies',
    }),
  );
  const why = plannerOk
    ? 'The strategies differ: this is a planner preference.'
    : generatorOk
      ? 'Same strategy, different replies: this is a generator preference.'
      : !c.strategy || !r.strategy
        ? 'One side has no strategy: nothing to save.'
        : 'Same strategy and the same reply: nothing to prefer.';
  row.append(el('div', { className: 'muted pg-save-why', text: why }));
  return row;
}
