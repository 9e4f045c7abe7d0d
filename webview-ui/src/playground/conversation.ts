// The conversation: seeker bubbles and supporter cards, redrawn whole on `state`, patched per
// candidate while a reply streams (only the text node when nothing but the text changed, so a
// focused bar or a half-read card is not rebuilt for every token). Follows the newest turn unless
// the user has scrolled up.

import type { CandidateView, PlaygroundState, PlaygroundToExtension, StrategyChip, TurnView } from '../../../src/protocol/playground';
import { el } from '../shared/vscodeApi';
import { supporterCard } from './card';
import { button, formatMs, keepFocus, setTestId } from './dom';
import { intro } from './intro';
import { reconcileKeepBoth, type KeepBothState, type SupporterTurn } from './keepBoth';

export interface ConversationDeps {
  post: (m: PlaygroundToExtension) => void;
  /** Puts an opener into the input. */
  fill: (text: string) => void;
  /** Says something to screen readers (the conversation itself is not a live region). */
  announce: (text: string) => void;
}

/** Pixels from the bottom that still count as "at the newest turn". */
const STICK_SLACK = 32;

export class Conversation {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly jump: HTMLButtonElement;
  private state: PlaygroundState | undefined;
  private strategies: StrategyChip[] = [];
  private readonly cards = new Map<string, HTMLElement>();
  private readonly keepBoth = new Map<string, KeepBothState>();
  private stick = true;
  /** "turnId:status" of the newest reply at the last redraw; null before the first one. */
  /** Status of each candidate of the newest turn when last drawn; null before the first draw. */
  private seen: Map<string, CandidateView['status']> | null = null;

  constructor(private readonly deps: ConversationDeps) {
    this.scroller = el('div', { className: 'pg-conversation' });
    this.scroller.setAttribute('role', 'log');
    this.scroller.setAttribute('aria-label', 'Conversation');
    this.scroller.setAttribute('aria-live', 'off'); // streaming tokens would be read one by one; see announce()
    this.scroller.addEventListener('scroll', () => {
      this.stick = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < STICK_SLACK;
      this.jump.hidden = this.stick;
    });
    this.jump = button('↓ Newest', () => this.follow(), { className: 'pg-btn pg-jump', ariaLabel: 'Scroll to the newest turn' });
    this.jump.hidden = true;
    this.element = el('div', { className: 'pg-conversation-wrap' }, this.scroller, this.jump);
  }

  /** Scrolls to the newest turn and keeps following it (after the user sends a message). */
  follow(): void {
    this.stick = true;
    this.jump.hidden = true;
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  render(state: PlaygroundState, strategies: StrategyChip[]): void {
    this.state = state;
    this.strategies = strategies;
    for (const [id, kb] of this.keepBoth) {
      const turn = state.turns.find((t): t is SupporterTurn => t.id === id && t.speaker === 'supporter');
      const next = turn && turn.candidates.length >= 2 ? reconcileKeepBoth(turn, kb) : undefined;
      if (next) this.keepBoth.set(id, next);
      else this.keepBoth.delete(id);
    }
    const top = this.scroller.scrollTop;
    this.cards.clear();
    keepFocus(() => {
      if (state.turns.length === 0) {
        this.scroller.replaceChildren(intro(strategies, this.deps.fill));
        this.stick = true;
        return;
      }
      this.scroller.replaceChildren(...state.turns.map((t) => this.turn(t)));
    });
    // the intro reads from the top; a conversation from its newest turn
    if (state.turns.length === 0) this.scroller.scrollTop = 0;
    else {
      this.scroller.scrollTop = top;
      this.scrollIfFollowing();
    }
    this.noteNewestReply();
  }

  /** A candidate of a turn changed (the caller has already put it into the state). */
  patched(turnId: string, index: number, prev: CandidateView | undefined, next: CandidateView): void {
    const turn = this.state?.turns.find((t): t is SupporterTurn => t.id === turnId && t.speaker === 'supporter');
    const card = this.cards.get(turnId);
    if (!turn || !card) return;
    if (prev && sameExceptReply(prev, next)) {
      // a streamed chunk: only the text and the generator's clock move (keeps any text selection)
      for (const node of card.querySelectorAll<HTMLElement>(`[data-reply-for="${index}"] .pg-reply-text`)) node.textContent = next.reply;
      if (next.latencyMs.generator !== undefined) {
        for (const node of card.querySelectorAll<HTMLElement>(`[data-candidate="${index}"] [data-testid=latency-generator]`)) {
          node.textContent = node.textContent.replace(/[\d.]+ m?s$/, formatMs(next.latencyMs.generator));
        }
      }
    } else {
      const fresh = this.turn(turn);
      keepFocus(() => card.replaceWith(fresh));
    }
    this.noteNewestReply();
    this.scrollIfFollowing();
  }

  /**
   * Announces, once, a reply of the newest turn that has just finished or failed — each candidate
   * (compare mode has two lanes). Errors are announced here rather than by role=alert boxes, which
   * every redraw would re-insert. The statuses seen last are kept here, not read from the previous
   * state, because streaming patches update that state in place.
   */
  private noteNewestReply(): void {
    const turn = this.state?.turns[this.state.turns.length - 1];
    const now = new Map<string, CandidateView>();
    if (turn?.speaker === 'supporter') turn.candidates.forEach((c, i) => now.set(`${turn.id}:${i}`, c));
    if (this.seen !== null) {
      for (const [key, c] of now) {
        if (this.seen.get(key) === c.status) continue;
        const lane =
          turn?.speaker === 'supporter' && turn.candidates.length > 1 ? `${c.lane === 'vanilla' ? 'Vanilla' : 'Decoupled'} reply` : 'Reply';
        if (c.status === 'done') this.deps.announce(`${lane} ready${c.strategy ? ` (${c.strategy})` : ''}.`);
        else if (c.status === 'error' && c.error) {
          this.deps.announce(`${lane}: ${c.error.stage === 'planner' ? 'the planner' : 'the generator'} failed: ${c.error.message}`);
        }
      }
    }
    this.seen = new Map([...now].map(([k, c]) => [k, c.status]));
  }

  private scrollIfFollowing(): void {
    if (this.stick) this.scroller.scrollTop = this.scroller.scrollHeight;
    else this.jump.hidden = false;
  }

  private turn(t: TurnView): HTMLElement {
    if (t.speaker === 'seeker') {
      const row = setTestId(
        el('div', { className: 'pg-turn pg-seeker' }, el('div', { className: 'pg-bubble text', text: t.text })),
        'seeker-turn',
      );
      row.setAttribute('aria-label', 'Seeker');
      return row;
    }
    const card = supporterCard(t, {
      strategies: this.strategies,
      busy: this.state?.busy ?? false,
      editable: this.state?.turns[this.state.turns.length - 1] === t,
      post: this.deps.post,
      keepBoth: this.keepBoth.get(t.id),
      setKeepBoth: (id, next) => this.setKeepBoth(id, next),
    });
    this.cards.set(t.id, card);
    return card;
  }

  private setKeepBoth(turnId: string, next: KeepBothState | undefined): void {
    if (next) this.keepBoth.set(turnId, next);
    else this.keepBoth.delete(turnId);
    const turn = this.state?.turns.find((t): t is SupporterTurn => t.id === turnId && t.speaker === 'supporter');
    const card = this.cards.get(turnId);
    if (!turn || !card) return;
    const fresh = this.turn(turn);
    keepFocus(() => card.replaceWith(fresh));
    if (next) fresh.querySelector('.pg-keep-both')?.scrollIntoView({ block: 'nearest' });
  }
}

function sameExceptReply(a: CandidateView, b: CandidateView): boolean {
  // the generator's clock may tick in place once it is drawn; its first value needs the full render
  const strip = (c: CandidateView): string =>
    JSON.stringify({ ...c, reply: '', latencyMs: { ...c.latencyMs, generator: c.latencyMs.generator === undefined ? undefined : 0 } });
  return strip(a) === strip(b);
}
