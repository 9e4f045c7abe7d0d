// The bottom of the view: the one-line notice, the seeker's input (Enter sends, Shift+Enter is a new
// line, Escape cancels a turn in progress), Send / Cancel, and "Save conversation ▾".

import type { SaveAs } from '../../../src/protocol/playground';
import { el } from '../shared/vscodeApi';
import { button, setTestId } from './dom';

export interface ComposerDeps {
  send: (text: string) => void;
  cancel: () => void;
  save: (as: SaveAs) => void;
  draftChanged: (text: string) => void;
}

/** The protocol's limit for one seeker message. */
const MAX_MESSAGE = 20_000;
/** The input grows with its text up to this height, then scrolls. */
const MAX_INPUT_PX = 180;

const SAVE_CHOICES: { as: SaveAs; label: string }[] = [
  { as: 'vanilla', label: 'As vanilla SFT ("[strategy] reply")' },
  { as: 'planner', label: 'As planner SFT (context → strategy)' },
  { as: 'generator', label: 'As generator SFT (context + strategy → reply)' },
];

export class Composer {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly noticeArea: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private busy = false;

  constructor(private readonly deps: ComposerDeps) {
    // a persistent polite region: a notice inserted into it is read out; errors are role=alert
    this.noticeArea = el('div', { className: 'pg-notice-area' });
    this.noticeArea.setAttribute('aria-live', 'polite');

    this.input = setTestId(el('textarea', { className: 'pg-input' }), 'seeker-input');
    this.input.rows = 2;
    this.input.placeholder = 'Write as the help-seeker… (Enter to send, Shift+Enter for a new line)';
    this.input.setAttribute('aria-label', 'Message as the help-seeker');
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.trySend();
      }
    });

    this.sendButton = button('Send', () => this.trySend(), { className: 'pg-btn', testid: 'send', title: 'Send (Enter)' });
    this.cancelButton = button('Cancel', () => this.deps.cancel(), {
      className: 'pg-btn secondary',
      testid: 'cancel',
      title: 'Stop this turn (Escape)',
    });
    this.cancelButton.hidden = true;

    this.saveButton = button('Save conversation ▾', () => this.toggleMenu(), {
      className: 'pg-btn secondary',
      testid: 'save-conversation',
      title: 'Append this conversation as SFT records to a file',
    });
    this.saveButton.setAttribute('aria-haspopup', 'menu');
    this.saveButton.setAttribute('aria-expanded', 'false');
    this.menu = el('div', { className: 'pg-menu' });
    this.menu.setAttribute('role', 'menu');
    this.menu.setAttribute('aria-label', 'Save conversation');
    this.menu.hidden = true;
    for (const choice of SAVE_CHOICES) {
      const item = button(
        choice.label,
        () => {
          this.closeMenu(true);
          this.deps.save(choice.as);
        },
        { className: 'pg-menu-item', testid: `save-as-${choice.as}` },
      );
      item.setAttribute('role', 'menuitem');
      item.tabIndex = -1;
      this.menu.append(item);
    }
    this.menu.addEventListener('keydown', (e) => this.menuKey(e));
    const saveWrap = el('div', { className: 'pg-save-wrap' }, this.saveButton, this.menu);
    saveWrap.addEventListener('focusout', (e) => {
      if (!saveWrap.contains(e.relatedTarget as Node | null)) this.closeMenu(false);
    });

    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (!this.menu.hidden) this.closeMenu(true);
      else if (this.busy) this.deps.cancel();
      else return;
      e.preventDefault();
    });
    document.addEventListener('click', (e) => {
      if (!saveWrap.contains(e.target as Node)) this.closeMenu(false);
    });

    const row = el(
      'div',
      { className: 'pg-composer-row' },
      saveWrap,
      el('span', { className: 'pg-spacer' }),
      this.cancelButton,
      this.sendButton,
    );
    this.element = el('div', { className: 'pg-composer' }, this.noticeArea, this.input, row);
  }

  update(busy: boolean, hasTurns: boolean): void {
    this.busy = busy;
    // Cancel takes Send's place while a turn is produced (both would not fit a narrow sidebar)
    this.cancelButton.hidden = !busy;
    this.sendButton.hidden = busy;
    this.saveButton.disabled = busy || !hasTurns;
    if (this.saveButton.disabled) this.closeMenu(false);
    this.updateSend();
  }

  /** Restores the draft after a reload, without reporting it back. */
  setDraft(text: string): void {
    this.input.value = text;
    this.autosize();
    this.updateSend();
  }

  /** Puts an opener into the input, ready to edit or send. */
  fill(text: string): void {
    this.input.value = text;
    this.onInput();
    this.input.focus();
  }

  showNotice(level: 'info' | 'error', text: string): void {
    const notice = setTestId(el('div', { className: `pg-notice ${level}` }, el('span', { className: 'pg-notice-text', text })), 'notice');
    notice.dataset.level = level;
    notice.setAttribute('role', level === 'error' ? 'alert' : 'status');
    notice.append(button('×', () => notice.remove(), { className: 'pg-btn icon', ariaLabel: 'Dismiss', testid: 'notice-dismiss' }));
    this.noticeArea.replaceChildren(notice);
  }

  private onInput(): void {
    this.autosize();
    this.updateSend();
    this.deps.draftChanged(this.input.value);
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, MAX_INPUT_PX)}px`;
  }

  private updateSend(): void {
    this.sendButton.disabled = this.busy || this.input.value.trim() === '';
  }

  private trySend(): void {
    const text = this.input.value.trim();
    if (this.busy || text === '') return;
    if (text.length > MAX_MESSAGE) {
      this.showNotice(
        'error',
        `The message is too long (${text.length.toLocaleString('en-US')} characters; at most ${MAX_MESSAGE.toLocaleString('en-US')}).`,
      );
      return;
    }
    this.deps.send(text);
    this.input.value = '';
    this.onInput();
  }

  private items(): HTMLButtonElement[] {
    return [...this.menu.querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
  }

  private toggleMenu(): void {
    if (!this.menu.hidden) return this.closeMenu(true);
    this.menu.hidden = false;
    this.saveButton.setAttribute('aria-expanded', 'true');
    this.items()[0]?.focus();
  }

  private closeMenu(refocus: boolean): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.saveButton.setAttribute('aria-expanded', 'false');
    if (refocus) this.saveButton.focus();
  }

  private menuKey(e: KeyboardEvent): void {
    const items = this.items();
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    const next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    items[(next + items.length) % items.length]?.focus();
  }
}
