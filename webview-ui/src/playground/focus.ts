// Keyboard focus across redraws. lit-html updates the DOM in place, so the focused control stays
// the same node and keeps focus on its own; only two updates can still take focus away: the
// control is removed (e.g. its lane is no longer shown) or disabled (Regenerate while a reply is
// produced). Then focus moves to the nearest enclosing fallback (a turn card), so keyboard users
// are not thrown back to the top of the page.

/** Marks an element (with tabindex="-1") that takes focus when a control inside it loses it. */
const FOCUS_FALLBACK = '[data-focus-fallback]';

export function renderKeepingFocus(draw: () => void): void {
  const active = document.activeElement;
  const fallbacks: HTMLElement[] = [];
  for (let n = active?.parentElement?.closest<HTMLElement>(FOCUS_FALLBACK); n; n = n.parentElement?.closest<HTMLElement>(FOCUS_FALLBACK)) {
    fallbacks.push(n);
  }
  draw();
  if (!(active instanceof HTMLElement) || (active.isConnected && !active.matches(':disabled'))) return;
  fallbacks.find((n) => n.isConnected)?.focus({ preventScroll: true });
}
