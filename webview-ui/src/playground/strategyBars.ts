// Stage 1 of a card: the planner's probability over the 8 strategies, and the way to override it.
//
// The chart is 8 plain DOM buttons rather than a chart library's canvas: every bar is also the
// control that overrides the strategy, so it must be a real focusable <button> with an accessible
// name, reachable by keyboard and by the end-to-end tests, which a canvas cannot offer.

import type { Strategy } from '../../../src/protocol/shared';
import type { StrategyChip } from '../../../src/protocol/playground';
import { el } from '../shared/vscodeApi';
import { button, formatPct } from './dom';

export interface StrategyPickerOptions {
  strategies: StrategyChip[];
  chosen: Strategy | undefined;
  overridden: boolean;
  /** While a turn is being produced no new candidate can be started. */
  disabled: boolean;
  onOverride: (strategy: Strategy) => void;
  /** Prefix of the buttons' focus keys, unique per candidate. */
  focusKey: string;
}

/** The bar chart, in the canonical strategy order so the same bar sits in the same place on every turn. */
export function strategyBars(probabilities: Partial<Record<Strategy, number>>, opts: StrategyPickerOptions): HTMLElement {
  const group = el('div', { className: 'pg-bars' });
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Strategy probabilities (choose another strategy to override)');
  for (const s of opts.strategies) {
    const p = probabilities[s.name] ?? 0;
    const chosen = s.name === opts.chosen;
    const tag = chosen ? (opts.overridden ? 'override' : 'chosen') : '';
    const fill = el('span', { className: 'pg-bar-fill' });
    fill.setAttribute('aria-hidden', 'true');
    const b = button(
      '',
      () => {
        if (!chosen) opts.onOverride(s.name);
      },
      {
        className: `pg-bar${chosen ? ' chosen' : ''}`,
        testid: 'strategy-bar',
        ariaLabel: chosen ? `${s.name} ${formatPct(p)}, ${tag}` : `Override: ${s.name} ${formatPct(p)}`,
        title: chosen ? `${s.name}: ${opts.overridden ? 'chosen by you' : 'chosen by the planner'}` : `Regenerate the reply with ${s.name}`,
        softDisabled: opts.disabled,
        focusKey: `${opts.focusKey}:${s.name}`,
      },
    );
    b.dataset.strategy = s.name;
    b.setAttribute('aria-pressed', String(chosen));
    b.style.setProperty('--bar-color', s.color);
    // at least a sliver, so a strategy at 0.01% still shows its colour
    b.style.setProperty('--bar-value', `max(2px, ${(Math.min(1, Math.max(0, p)) * 100).toFixed(2)}%)`);
    b.append(fill, el('span', { className: 'pg-bar-name', text: s.name }));
    if (tag) b.append(el('span', { className: 'pg-bar-tag', text: tag }));
    b.append(el('span', { className: 'pg-bar-pct', text: formatPct(p) }));
    group.append(b);
  }
  rovingFocus(group);
  return group;
}

/** Without probabilities (an endpoint without logprobs): the 8 strategies as small override buttons. */
export function overrideButtons(opts: StrategyPickerOptions): HTMLElement {
  const group = el('div', { className: 'pg-overrides' });
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Override the strategy');
  group.append(el('span', { className: 'muted', text: 'Override:' }));
  for (const s of opts.strategies) {
    const chosen = s.name === opts.chosen;
    const b = button(
      s.name,
      () => {
        if (!chosen) opts.onOverride(s.name);
      },
      {
        className: `pg-override${chosen ? ' chosen' : ''}`,
        testid: 'strategy-bar',
        ariaLabel: chosen ? `${s.name}, ${opts.overridden ? 'override' : 'chosen'}` : `Override: ${s.name}`,
        softDisabled: opts.disabled,
        focusKey: `${opts.focusKey}:${s.name}`,
      },
    );
    b.dataset.strategy = s.name;
    b.setAttribute('aria-pressed', String(chosen));
    b.style.setProperty('--chip-color', s.color);
    group.append(b);
  }
  rovingFocus(group);
  return group;
}

/**
 * One tab stop per chart (the chosen bar), arrows move between the bars: a card with 8 tab stops
 * each would make the conversation tedious to cross with the keyboard.
 */
function rovingFocus(group: HTMLElement): void {
  const items = [...group.querySelectorAll<HTMLButtonElement>('button')];
  const start = items.find((b) => b.getAttribute('aria-pressed') === 'true') ?? items[0];
  for (const b of items) b.tabIndex = b === start ? 0 : -1;
  group.addEventListener('keydown', (e) => {
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: items.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const target = items[(next + items.length) % items.length];
    for (const b of items) b.tabIndex = b === target ? 0 : -1;
    target.focus();
  });
}
