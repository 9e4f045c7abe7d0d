// "Keep both…": two candidates of one supporter turn side by side; the user marks the better one
// and appends the pair as a planner preference (the strategies differ) or a generator preference
// (same strategy, different replies); model/turns.ts decides which.

import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { CandidateView } from '../../../src/protocol/playground';
import { chip } from '../shared/chips';
import { LANE_TITLES, replyNode, type PaneContext } from './candidate';
import { pairKinds, type KeepBothState, type SupporterTurn } from './model/turns';

export interface KeepBothContext extends PaneContext {
  update: (next: KeepBothState | undefined) => void;
}

export function keepBothPanel(turn: SupporterTurn, kb: KeepBothState, ctx: KeepBothContext): TemplateResult {
  const sides = [turn.selected, kb.other];
  const [a, b] = sides.map((i) => turn.candidates[i]) as [CandidateView, CandidateView];
  const bothDone = a.status === 'done' && b.status === 'done';
  const mixedLanes = turn.candidates.some((x) => x.lane !== a.lane);
  return html`<div class="pg-keep-both" role="region" aria-label="Compare two candidates" data-testid="keep-both">
    <div class="pg-keep-head">
      <strong>Which reply is better?</strong>
      ${turn.candidates.length > 2 ? otherPicker(turn, kb, ctx) : nothing}
      <button type="button" class="pg-btn link" @click=${() => ctx.update(undefined)}>Close</button>
    </div>
    <div class="pg-pair">
      ${sides.map((i) => {
        const c = turn.candidates[i]!;
        const picked = kb.chosen === i;
        return html`<div class="pg-pair-side ${picked ? 'chosen' : kb.chosen !== undefined ? 'rejected' : ''}">
          <div class="pg-pair-title">
            <span>#${i + 1}</span>${mixedLanes ? html`<span class="muted">${LANE_TITLES[c.lane]}</span>` : nothing}${
              c.strategy ? chip(c.strategy, { className: 'small' }) : nothing
            }
          </div>
          ${replyNode(i, c, 'pair-reply')}
          <button
            type="button"
            class="pg-btn ${picked ? '' : 'secondary'}"
            data-testid="pick-better"
            ?disabled=${!bothDone}
            @click=${() => ctx.update({ other: kb.other, chosen: i })}
          >
            ${picked ? 'Better ✓' : 'This one is better'}
          </button>
        </div>`;
      })}
    </div>
    ${bothDone ? nothing : html`<div class="muted">Both candidates must have finished to be compared.</div>`}
    ${kb.chosen !== undefined && bothDone ? saveRow(turn, kb.chosen, kb.chosen === turn.selected ? kb.other : turn.selected, ctx) : nothing}
  </div>`;
}

function otherPicker(turn: SupporterTurn, kb: KeepBothState, ctx: KeepBothContext): TemplateResult {
  // options are bound with `.selected`: a `.value` on the <select> would be set before its options exist
  return html`<label class="pg-other-label"
    ><span class="muted">#${turn.selected + 1} vs</span>
    <select
      class="pg-other"
      aria-label="Compare #${turn.selected + 1} with"
      @change=${(e: Event) => ctx.update({ other: Number((e.target as HTMLSelectElement).value) })}
    >
      ${turn.candidates.map((c, i) =>
        i === turn.selected
          ? nothing
          : html`<option value=${i} .selected=${live(i === kb.other)}>#${i + 1}${c.strategy ? ` · ${c.strategy}` : ''}</option>`,
      )}
    </select></label
  >`;
}

/** The two kinds of pair a choice can be saved as, and why one may be unavailable. */
const PAIR_BUTTONS = [
  { as: 'planner', title: 'Chosen vs rejected strategy', disabledTitle: 'A planner pair needs two different strategies' },
  {
    as: 'generator',
    title: 'Chosen vs rejected reply for one strategy',
    disabledTitle: 'A generator pair needs the same strategy and two different replies',
  },
] as const;

function saveRow(turn: SupporterTurn, chosen: number, rejected: number, ctx: KeepBothContext): TemplateResult {
  const kinds = pairKinds(turn.candidates[chosen]!, turn.candidates[rejected]!);
  const save = (as: 'planner' | 'generator'): void => {
    ctx.post({ type: 'savePair', turnId: turn.id, chosen, rejected, as });
    ctx.update(undefined);
  };
  return html`<div class="pg-save-pair">
    <span>Append #${chosen + 1} ≻ #${rejected + 1}:</span>
    ${PAIR_BUTTONS.map(
      (b) =>
        html`<button
          type="button"
          class="pg-btn"
          data-testid="save-${b.as}-pair"
          title=${kinds[b.as] ? b.title : b.disabledTitle}
          ?disabled=${!kinds[b.as]}
          @click=${() => save(b.as)}
        >
          Save as ${b.as} pair
        </button>`,
    )}
    <div class="muted pg-save-why">${kinds.why}</div>
  </div>`;
}
