// Strategy chips: one colour per strategy, the same everywhere in the product (core/strategies.ts).
// Labels that are not one of the 8 are shown as written, marked "off-list".

import type { StrategyChip } from '../../../src/protocol/playground';

let colors = new Map<string, string>();

export function setStrategyColors(chips: StrategyChip[]): void {
  colors = new Map(chips.map((c) => [c.name, c.color]));
}

export function strategyColor(name: string): string | undefined {
  return colors.get(name);
}

export function chip(label: string, extraClass = ''): HTMLElement {
  const el = document.createElement('span');
  const color = colors.get(label);
  el.className = `chip ${extraClass}${color ? '' : ' off-list'}`.trim();
  el.textContent = label;
  if (color) el.style.setProperty('--chip-color', color);
  else el.title = `"${label}" is not one of the 8 ESConv strategies`;
  return el;
}
