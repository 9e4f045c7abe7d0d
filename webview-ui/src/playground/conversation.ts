// The conversation: seeker bubbles and supporter cards, keyed by turn id so a redraw updates each
// card in place (a focused bar or a half-read card is never rebuilt), and only the cards whose turn
// changed are evaluated again (a streamed token touches one card). Follows the newest turn unless
// the user has scrolled up.

import { html, type TemplateResult } from 'lit-html';
import { guard } from 'lit-html/directives/guard.js';
import { createRef, ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import type { PlaygroundState, PlaygroundToExtension, StrategyChip, TurnView } from '../../../src/protocol/playground';
import { supporterCard } from './card';
import { intro } from './intro';
import { isEditable, type KeepBothState } from './model/turns';

export interface ConversationDeps {
  post: (m: PlaygroundToExtension) => void;
  /** Puts an opener into the input. */
  fill: (text: string) => void;
  setKeepBoth: (turnId: string, next: KeepBothState | undefined) => void;
  /** Draws the page again (the "↓ Newest" button appears or goes). */
  redraw: () => void;
}

/** Pixels from the bottom that still count as "at the newest turn". */
const STICK_SLACK = 32;

export class Conversation {
  private stick = true;
  private readonly scroller = createRef<HTMLElement>();

  constructor(private readonly deps: ConversationDeps) {}

  view(state: PlaygroundState, strategies: StrategyChip[], keepBoth: Readonly<Record<string, KeepBothState>>): TemplateResult {
    // aria-live off: streaming tokens would be read one by one (main.ts announces finished replies)
    return html`<div class="pg-conversation-wrap">
      <div
        class="pg-conversation"
        role="log"
        aria-label="Conversation"
        aria-live="off"
        @scroll=${() => this.scrolled()}
        ${ref(this.scroller)}
      >
        ${
          state.turns.length === 0
            ? intro(strategies, this.deps.fill)
            : repeat(
                state.turns,
                (t) => t.id,
                (t) => this.turn(t, state, strategies, keepBoth[t.id]),
              )
        }
      </div>
      <button
        type="button"
        class="pg-btn pg-jump"
        aria-label="Scroll to the newest turn"
        ?hidden=${this.stick}
        @click=${() => this.follow()}
      >
        ↓ Newest
      </button>
    </div>`;
  }

  /** After a redraw: the intro reads from the top; a conversation follows its newest turn unless scrolled up. */
  afterDraw(empty: boolean): void {
    const scroller = this.scroller.value;
    if (!scroller) return;
    if (empty) {
      this.stick = true;
      scroller.scrollTop = 0;
    } else if (this.stick) scroller.scrollTop = scroller.scrollHeight;
  }

  /** Scrolls to the newest turn and keeps following it (after the user sends a message). */
  follow(): void {
    this.stick = true;
    this.deps.redraw();
  }

  /** Brings a turn's "Keep both…" panel into view. */
  reveal(turnId: string): void {
    this.scroller.value?.querySelector(`[data-turn-id="${CSS.escape(turnId)}"] .pg-keep-both`)?.scrollIntoView({ block: 'nearest' });
  }

  private scrolled(): void {
    const s = this.scroller.value!;
    const stick = s.scrollHeight - s.scrollTop - s.clientHeight < STICK_SLACK;
    if (stick === this.stick) return;
    this.stick = stick;
    this.deps.redraw();
  }

  private turn(t: TurnView, state: PlaygroundState, strategies: StrategyChip[], keepBoth: KeepBothState | undefined): unknown {
    if (t.speaker === 'seeker') {
      return html`<div class="pg-turn pg-seeker" data-testid="seeker-turn" aria-label="Seeker">
        <div class="pg-bubble text">${t.text}</div>
      </div>`;
    }
    const editable = isEditable(state, t);
    // a card is evaluated again only when its turn, the busy flag, its panel or its editability changed
    return guard([t, state.busy, editable, keepBoth, strategies], () =>
      supporterCard(t, {
        strategies,
        busy: state.busy,
        editable,
        post: this.deps.post,
        keepBoth,
        setKeepBoth: this.deps.setKeepBoth,
      }),
    );
  }
}
