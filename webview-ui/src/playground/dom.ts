// Small DOM helpers for the Playground: native buttons with stable test hooks, number formatting,
// and keeping keyboard focus across re-renders (the view is redrawn from every `state` message).

import { el } from '../shared/vscodeApi';

export interface ButtonOptions {
  className?: string;
  testid?: string;
  ariaLabel?: string;
  title?: string;
  disabled?: boolean;
  /** Announced as disabled and ignores clicks, but stays focusable. */
  softDisabled?: boolean;
  /** Identifies the control across re-renders so focus can be put back on its replacement. */
  focusKey?: string;
}

/**
 * A native <button>: focusable, disabled for real (no click fires), and easy for Playwright to
 * drive. Used for everything inside the conversation; the toolbar uses vscode-elements.
 */
export function button(label: string, onClick: () => void, opts: ButtonOptions = {}): HTMLButtonElement {
  const b = el('button', { className: opts.className ?? 'pg-btn', text: label, title: opts.title });
  b.type = 'button';
  if (opts.testid) b.dataset.testid = opts.testid;
  if (opts.ariaLabel) b.setAttribute('aria-label', opts.ariaLabel);
  if (opts.focusKey) b.dataset.focusKey = opts.focusKey;
  b.disabled = opts.disabled ?? false;
  // "soft" disabled: still focusable and read out (a chart on an older turn stays explorable by keyboard)
  if (opts.softDisabled) b.setAttribute('aria-disabled', 'true');
  b.addEventListener('click', () => {
    if (b.getAttribute('aria-disabled') !== 'true') onClick();
  });
  return b;
}

export function setTestId<T extends HTMLElement>(node: T, id: string): T {
  node.dataset.testid = id;
  return node;
}

/** "1.2 ms" below a second (embedded models answer in milliseconds), "3.45 s" above. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatPct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/**
 * Runs a re-render and puts focus back where it was: on the control with the same data-focus-key,
 * or, when that one is gone or now disabled (a bar clicked while the reply regenerates), on the
 * nearest keyed ancestor (the turn card), so keyboard users are not thrown back to the top.
 */
export function keepFocus(render: () => void): void {
  const active = document.activeElement;
  const keys: string[] = [];
  for (let n = active instanceof HTMLElement ? active : null; n; n = n.parentElement) {
    if (n.dataset.focusKey) keys.push(n.dataset.focusKey);
  }
  render();
  if (keys.length === 0 || (active instanceof HTMLElement && active.isConnected)) return;
  for (const key of keys) {
    const target = document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    if (target && !(target instanceof HTMLButtonElement && target.disabled)) {
      target.focus({ preventScroll: true });
      return;
    }
  }
}
