// The bottom of the view: the one-line notice, the seeker's input (Enter sends, Shift+Enter is a new
// line, Escape cancels a turn in progress), Send / Cancel, and "Save conversation ▾". The draft is
// the page's (it is persisted); the notice and the menu are the composer's own.

import { html, nothing, type TemplateResult } from 'lit-html';
import { keyed } from 'lit-html/directives/keyed.js';
import { live } from 'lit-html/directives/live.js';
import { createRef, ref } from 'lit-html/directives/ref.js';
import type { SaveAs } from '../../../src/protocol/playground';
import { checkMessage, composerControls } from './model/composer';
import { rovingIndex } from './model/keys';

export interface ComposerDeps {
  send: (text: string) => void;
  cancel: () => void;
  save: (as: SaveAs) => void;
  draftChanged: (text: string) => void;
  /** Draws the page again (the composer's own state changed). */
  redraw: () => void;
}

export interface ComposerProps {
  draft: string;
  busy: boolean;
  hasTurns: boolean;
}

/** The input grows with its text up to this height, then scrolls. */
const MAX_INPUT_PX = 180;

const SAVE_CHOICES: { as: SaveAs; label: string }[] = [
  { as: 'vanilla', label: 'As vanilla SFT ("[strategy] reply")' },
  { as: 'planner', label: 'As planner SFT (context → strategy)' },
  { as: 'generator', label: 'As generator SFT (context + strategy → reply)' },
];

export class Composer {
  private props: ComposerProps = { draft: '', busy: false, hasTurns: false };
  /** The notice shown; a new id draws a new element, so the same text twice is announced twice. */
  private notice: { id: number; level: 'info' | 'error'; text: string } | undefined;
  private menuOpen = false;
  private readonly input = createRef<HTMLTextAreaElement>();
  private readonly saveButton = createRef<HTMLButtonElement>();
  private readonly saveWrap = createRef<HTMLElement>();

  constructor(private readonly deps: ComposerDeps) {
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (this.menuOpen) this.closeMenu(true);
      else if (this.props.busy) this.deps.cancel();
      else return;
      e.preventDefault();
    });
    document.addEventListener('click', (e) => {
      if (!this.saveWrap.value?.contains(e.target as Node)) this.closeMenu(false);
    });
  }

  view(props: ComposerProps): TemplateResult {
    this.props = props;
    const c = composerControls(props.busy, props.hasTurns, props.draft);
    if (c.saveDisabled) this.menuOpen = false;
    const n = this.notice;
    // the notice area is a persistent polite region: a notice inserted into it is read out; errors are role=alert
    return html`<div class="pg-composer">
      <div class="pg-notice-area" aria-live="polite">
        ${
          n
            ? keyed(
                n.id,
                html`<div
                  class="pg-notice ${n.level}"
                  data-testid="notice"
                  data-level=${n.level}
                  role=${n.level === 'error' ? 'alert' : 'status'}
                >
                  <span class="pg-notice-text">${n.text}</span
                  ><button
                    type="button"
                    class="pg-btn icon"
                    aria-label="Dismiss"
                    data-testid="notice-dismiss"
                    @click=${() => this.dismiss()}
                  >
                    ×
                  </button>
                </div>`,
              )
            : nothing
        }
      </div>
      <textarea
        class="pg-input"
        data-testid="seeker-input"
        rows="2"
        placeholder="Write as the help-seeker… (Enter to send, Shift+Enter for a new line)"
        aria-label="Message as the help-seeker"
        .value=${live(props.draft)}
        @input=${() => this.changed(this.input.value!.value)}
        @keydown=${(e: KeyboardEvent) => this.inputKey(e)}
        ${ref(this.input)}
      ></textarea>
      <div class="pg-composer-row">
        <div class="pg-save-wrap" @focusout=${(e: FocusEvent) => this.focusOut(e)} ${ref(this.saveWrap)}>
          <button
            type="button"
            class="pg-btn secondary"
            data-testid="save-conversation"
            title="Append this conversation as SFT records to a file"
            aria-haspopup="menu"
            aria-expanded=${this.menuOpen}
            ?disabled=${c.saveDisabled}
            @click=${() => (this.menuOpen ? this.closeMenu(true) : this.openMenu())}
            ${ref(this.saveButton)}
          >
            Save conversation ▾
          </button>
          <div
            class="pg-menu"
            role="menu"
            aria-label="Save conversation"
            ?hidden=${!this.menuOpen}
            @keydown=${(e: KeyboardEvent) => menuKey(e)}
          >
            ${SAVE_CHOICES.map(
              (choice) =>
                html`<button
                  type="button"
                  class="pg-menu-item"
                  data-testid="save-as-${choice.as}"
                  role="menuitem"
                  tabindex="-1"
                  @click=${() => {
                    this.closeMenu(true);
                    this.deps.save(choice.as);
                  }}
                >
                  ${choice.label}
                </button>`,
            )}
          </div>
        </div>
        <span class="pg-spacer"></span>
        <button
          type="button"
          class="pg-btn secondary"
          data-testid="cancel"
          title="Stop this turn (Escape)"
          ?hidden=${!c.cancelShown}
          @click=${() => this.deps.cancel()}
        >
          Cancel
        </button>
        <button
          type="button"
          class="pg-btn"
          data-testid="send"
          title="Send (Enter)"
          ?hidden=${c.cancelShown}
          ?disabled=${c.sendDisabled}
          @click=${() => this.trySend()}
        >
          Send
        </button>
      </div>
    </div>`;
  }

  /** Fits the input to its text (after a draft is restored, typed or cleared). */
  autosize(): void {
    const input = this.input.value;
    if (!input) return;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, MAX_INPUT_PX)}px`;
  }

  /** Puts an opener into the input, ready to edit or send. */
  fill(text: string): void {
    this.changed(text);
    this.input.value?.focus();
  }

  showNotice(level: 'info' | 'error', text: string): void {
    this.notice = { id: (this.notice?.id ?? 0) + 1, level, text };
    this.deps.redraw();
  }

  private dismiss(): void {
    this.notice = undefined;
    this.deps.redraw();
  }

  private changed(text: string): void {
    this.deps.draftChanged(text);
    this.autosize();
  }

  private inputKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.trySend();
    }
  }

  private trySend(): void {
    const verdict = checkMessage(this.props.draft, this.props.busy);
    if (!verdict) return;
    if ('error' in verdict) return this.showNotice('error', verdict.error);
    this.deps.send(verdict.send);
    this.changed('');
  }

  private openMenu(): void {
    this.menuOpen = true;
    this.deps.redraw();
    this.saveWrap.value?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }

  private closeMenu(refocus: boolean): void {
    if (!this.menuOpen) return;
    this.menuOpen = false;
    this.deps.redraw();
    if (refocus) this.saveButton.value?.focus();
  }

  private focusOut(e: FocusEvent): void {
    if (!this.saveWrap.value?.contains(e.relatedTarget as Node | null)) this.closeMenu(false);
  }
}

function menuKey(e: KeyboardEvent): void {
  const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
  const next = rovingIndex(e.key, items.indexOf(document.activeElement as HTMLButtonElement), items.length);
  if (next === undefined) return;
  e.preventDefault();
  items[next]!.focus();
}
