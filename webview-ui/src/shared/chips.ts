// Strategy chips: one colour per strategy, the same everywhere in the product (core/strategies.ts).
// Labels that are not one of the 8 are shown as written, marked "off-list".

import { html, type TemplateResult } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import type { StrategyChip } from '../../../src/protocol/playground';
import { styleProps } from './styleProps';

let colors = new Map<string, string>();

export function setStrategyColors(chips: StrategyChip[]): void {
  colors = new Map(chips.map((c) => [c.name, c.color]));
}

export function strategyColor(name: string): string | undefined {
  return colors.get(name);
}

export function chip(label: string, opts: { className?: string; testid?: string; title?: string } = {}): TemplateResult {
  const color = colors.get(label);
  const title = opts.title ?? (color ? undefined : `"${label}" is not one of the 8 ESConv strategies`);
  return html`<span
    class="chip ${opts.className ?? ''} ${color ? '' : 'off-list'}"
    data-testid=${ifDefined(opts.testid)}
    title=${ifDefined(title)}
    ${styleProps({ '--chip-color': color })}
    >${label}</span
  >`;
}
