// A supporter turn: the selected candidate as a two-stage card (or, when the turn holds replies from
// both lanes, as in compare mode, one card per lane side by side), then the turn's actions:
// regenerate, the candidate switcher and "Keep both…".

import { html, nothing, type TemplateResult } from 'lit-html';
import { candidatePane, LANE_TITLES, type PaneContext } from './candidate';
import { keepBothPanel } from './keepBoth';
import { lanesShown, openKeepBoth, selectedCandidate, switcher, type KeepBothState, type SupporterTurn } from './model/turns';

export interface CardContext extends PaneContext {
  keepBoth: KeepBothState | undefined;
  setKeepBoth: (turnId: string, next: KeepBothState | undefined) => void;
}

export function supporterCard(turn: SupporterTurn, ctx: CardContext): TemplateResult {
  const selected = selectedCandidate(turn);
  const shown = lanesShown(turn);
  // a focus fallback for when the control that had focus is redrawn disabled (focus.ts)
  return html`<article
    class="pg-turn pg-supporter"
    data-testid="supporter-turn"
    data-turn-id=${turn.id}
    data-status=${selected?.status ?? 'planning'}
    tabindex="-1"
    data-focus-fallback
    aria-label="Supporter turn"
  >
    ${
      !selected
        ? html`<div class="muted">No reply yet.</div>`
        : html`${
            shown.length > 1
              ? html`<div class="pg-lanes">${shown.map((i) => lanePane(turn, i, ctx))}</div>`
              : candidatePane(turn.id, turn.selected, selected, ctx)
          }
          ${actions(turn, ctx)}
          ${ctx.keepBoth ? keepBothPanel(turn, ctx.keepBoth, { ...ctx, update: (next) => ctx.setKeepBoth(turn.id, next) }) : nothing}`
    }
  </article>`;
}

function lanePane(turn: SupporterTurn, index: number, ctx: CardContext): TemplateResult {
  const c = turn.candidates[index]!;
  return html`<div class="pg-lane">
    <div class="pg-lane-head">
      <h3 class="pg-lane-title">${LANE_TITLES[c.lane]}</h3>
      ${
        index === turn.selected
          ? html`<span class="badge" title="This reply continues the conversation">continues</span>`
          : html`<button
              type="button"
              class="pg-btn link"
              data-testid="select-lane"
              title="Use this reply as the supporter turn that the conversation continues from"
              ?disabled=${ctx.busy}
              @click=${() => ctx.post({ type: 'select', turnId: turn.id, candidate: index })}
            >
              Continue with this
            </button>`
      }
    </div>
    ${candidatePane(turn.id, index, c, ctx)}
  </div>`;
}

function actions(turn: SupporterTurn, ctx: CardContext): TemplateResult {
  const select = (i: number): void => ctx.post({ type: 'select', turnId: turn.id, candidate: i });
  const sw = switcher(turn, ctx.busy);
  const open = ctx.keepBoth !== undefined;
  return html`<div class="pg-turn-actions">
    <button
      type="button"
      class="pg-btn secondary"
      data-testid="regenerate"
      title=${ctx.editable ? 'Run both stages again (a new candidate on this turn)' : 'Only the latest reply can be regenerated'}
      ?disabled=${ctx.busy || !ctx.editable}
      @click=${() => ctx.post({ type: 'regenerate', turnId: turn.id })}
    >
      Regenerate
    </button>
    ${
      sw
        ? html`<span class="pg-switcher" role="group" aria-label="Candidates">
              <button
                type="button"
                class="pg-btn icon"
                data-testid="candidate-prev"
                aria-label="Previous candidate"
                ?disabled=${!sw.prev}
                @click=${() => select(turn.selected - 1)}
              >
                ‹</button
              ><span class="pg-counter" data-testid="candidate-index" aria-label=${sw.ariaLabel}>${sw.label}</span
              ><button
                type="button"
                class="pg-btn icon"
                data-testid="candidate-next"
                aria-label="Next candidate"
                ?disabled=${!sw.next}
                @click=${() => select(turn.selected + 1)}
              >
                ›
              </button>
            </span>
            <button
              type="button"
              class="pg-btn link"
              data-testid="keep-both-toggle"
              title="Compare two candidates and save the better one as a preference pair"
              aria-expanded=${open}
              @click=${() => ctx.setKeepBoth(turn.id, open ? undefined : openKeepBoth(turn))}
            >
              Keep both…
            </button>`
        : nothing
    }
  </div>`;
}
