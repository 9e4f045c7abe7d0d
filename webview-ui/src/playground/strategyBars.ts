// Stage 1 of a card: the planner's probability over the 8 strategies, and the way to override it.
//
// The chart is 8 plain DOM buttons rather than a chart library's canvas: every bar is also the
// control that overrides the strategy, so it must be a real focusable <button> with an accessible
// name, reachable by keyboard and by the end-to-end tests, which a canvas cannot offer. The bars
// are keyed by strategy, so a redraw (a new candidate, the busy flag) keeps the focused bar.

import { html, nothing, type TemplateResult } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import { live } from 'lit-html/directives/live.js';
import { repeat } from 'lit-html/directives/repeat.js';
import type { Strategy } from '../../../src/protocol/shared';
import type { StrategyChip } from '../../../src/protocol/playground';
import { barLength, formatPct } from './model/format';
import { rovingIndex } from './model/keys';
import { styleProps } from '../shared/styleProps';

export interface StrategyPickerOptions {
  strategies: StrategyChip[];
  chosen: Strategy | undefined;
  overridden: boolean;
  /**
   * While a turn is being produced no new candidate can be started. The buttons stay focusable and
   * are announced as disabled (a chart on an older turn stays explorable by keyboard).
   */
  disabled: boolean;
  onOverride: (strategy: Strategy) => void;
}

/** The bar chart, in the canonical strategy order so the same bar sits in the same place on every turn. */
export function strategyBars(probabilities: Partial<Record<Strategy, number>>, opts: StrategyPickerOptions): TemplateResult {
  return html`<div
    class="pg-bars"
    role="group"
    aria-label="Strategy probabilities (choose another strategy to override)"
    @keydown=${roving}
  >
    ${strategyButtons(opts, (s, chosen) => {
      const p = probabilities[s.name] ?? 0;
      const tag = chosen ? (opts.overridden ? 'override' : 'chosen') : '';
      return {
        className: 'pg-bar',
        label: chosen ? `${s.name} ${formatPct(p)}, ${tag}` : `Override: ${s.name} ${formatPct(p)}`,
        title: chosen ? `${s.name}: ${opts.overridden ? 'chosen by you' : 'chosen by the planner'}` : `Regenerate the reply with ${s.name}`,
        style: { '--bar-color': s.color, '--bar-value': barLength(p) },
        content: html`<span class="pg-bar-fill" aria-hidden="true"></span
          ><span class="pg-bar-name">${s.name}</span>${tag ? html`<span class="pg-bar-tag">${tag}</span>` : nothing}<span class="pg-bar-pct"
            >${formatPct(p)}</span
          >`,
      };
    })}
  </div>`;
}

/** Without probabilities (an endpoint without logprobs): the 8 strategies as small override buttons. */
export function overrideButtons(opts: StrategyPickerOptions): TemplateResult {
  return html`<div class="pg-overrides" role="group" aria-label="Override the strategy" @keydown=${roving}>
    <span class="muted">Override:</span>
    ${strategyButtons(opts, (s, chosen) => ({
      className: 'pg-override',
      label: chosen ? `${s.name}, ${opts.overridden ? 'override' : 'chosen'}` : `Override: ${s.name}`,
      style: { '--chip-color': s.color },
      content: html`${s.name}`,
    }))}
  </div>`;
}

/** How one kind of picker draws a strategy's button. */
interface ButtonLook {
  className: string;
  label: string;
  title?: string;
  style: Record<string, string>;
  content: TemplateResult;
}

/** The 8 buttons of a picker, keyed by strategy: the pressed state, the roving tab stop and the override are the same in both pickers. */
function strategyButtons(opts: StrategyPickerOptions, look: (s: StrategyChip, chosen: boolean) => ButtonLook): unknown {
  const stop = tabStop(opts);
  return repeat(
    opts.strategies,
    (s) => s.name,
    (s) => {
      const chosen = s.name === opts.chosen;
      const l = look(s, chosen);
      return html`<button
        type="button"
        class="${l.className} ${chosen ? 'chosen' : ''}"
        data-testid="strategy-bar"
        data-strategy=${s.name}
        aria-pressed=${chosen}
        aria-label=${l.label}
        aria-disabled=${ifDefined(opts.disabled ? 'true' : undefined)}
        title=${ifDefined(l.title)}
        tabindex=${live(s.name === stop ? '0' : '-1')}
        ${styleProps(l.style)}
        @click=${() => override(s.name, opts)}
      >
        ${l.content}
      </button>`;
    },
  );
}

function override(strategy: Strategy, opts: StrategyPickerOptions): void {
  if (strategy !== opts.chosen && !opts.disabled) opts.onOverride(strategy);
}

/**
 * One tab stop per chart, the chosen bar (a card with 8 tab stops each would make the conversation
 * tedious to cross with the keyboard); arrows move between the bars.
 */
function tabStop(opts: StrategyPickerOptions): Strategy | undefined {
  return opts.strategies.some((s) => s.name === opts.chosen) ? opts.chosen : opts.strategies[0]?.name;
}

function roving(e: KeyboardEvent): void {
  const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button')];
  const next = rovingIndex(e.key, items.indexOf(document.activeElement as HTMLButtonElement), items.length, true);
  if (next === undefined) return;
  e.preventDefault();
  items.forEach((b, i) => (b.tabIndex = i === next ? 0 : -1));
  items[next]!.focus();
}
