// The comparison page webview: the paper's results table over several inference files, the
// per-strategy charts, the confusion heatmap and the length histograms, with drill-downs into the
// dataset viewer, export and the start of a blind review. The extension
// (src/features/evaluations/comparisonPage.ts) computes everything and sends it whole (`state`); this
// page draws it with lit-html (data bound as text) and Chart.js, and posts the user's actions
// (src/protocol/comparison.ts). The user's own choices (the confusion's run, the runs ticked for a
// review) persist with setState; the extension sends the state again on `ready`.

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { keyed } from 'lit-html/directives/keyed.js';
import type { ComparisonToExtension, ExtensionToComparison } from '../../../src/protocol/comparison';
import { setStrategyColors } from '../shared/chips';
import { onMessages, vscodeApi } from '../shared/vscodeApi';
import { ChartSlot, lengthsConfig, lengthsFigure, strategyConfig, strategyFigure, type ChartSlots } from './charts';
import { confusionSection } from './confusion';
import { chartsKey, strategySeries } from './model/charts';
import { confusionRun, type GridPos } from './model/confusion';
import {
  chooseConfusionRun,
  isEmpty,
  onState,
  persisted,
  restorePage,
  toggleSelected,
  type Page,
  type Persisted,
  type StateMessage,
} from './model/page';
import { resultsTable } from './table';
import { toolbar, type MenuControl } from './toolbar';

const vscode = vscodeApi<Persisted, ComparisonToExtension>();
const post = (m: ComparisonToExtension): void => vscode.postMessage(m);
let page: Page = restorePage(vscode.getState());

const app = document.getElementById('app')!;
document.body.classList.add('comparison');
// The shell makes the page a polite live region; progress updates would be read out all the time.
// The status line below says what changed instead.
app.setAttribute('aria-live', 'off');

const slots: ChartSlots = { f1: new ChartSlot(), preference: new ChartSlot(), lengths: new ChartSlot() };
/** What the charts were last drawn from (they are redrawn only when it or the theme changes). */
let drawnFrom = { key: '', theme: -1 };
let theme = 0;
let focus: GridPos = { row: 0, col: 0 };

const menu: MenuControl = {
  open: false,
  setOpen(open, where) {
    menu.open = open;
    draw();
    if (open && where === 'first') app.querySelector<HTMLElement>('.cmp-menu [role=menuitem]')?.focus();
    if (!open && where === 'button') app.querySelector<HTMLElement>('[data-testid=export-menu]')?.focus();
  },
};
document.addEventListener('click', (e) => {
  if (menu.open && !(e.target instanceof Element && e.target.closest('.cmp-menu-wrap'))) menu.setOpen(false);
});

function focusCell(pos: GridPos): void {
  app.querySelector<HTMLElement>(`[data-testid=confusion-cell][data-gold="${pos.row}"][data-predicted="${pos.col}"]`)?.focus();
}

function update(next: Page): void {
  page = next;
  vscode.setState(persisted(page));
  draw();
}

function statusLine(state: StateMessage): string {
  const parts = [`${state.runs.length} ${state.runs.length === 1 ? 'run' : 'runs'} compared`];
  if (state.pending.length > 0) parts.push(`${state.pending.length} being scored`);
  if (state.failed.length > 0) parts.push(`${state.failed.length} could not be scored`);
  return parts.join(', ') + '.';
}

function body(state: StateMessage): TemplateResult {
  if (isEmpty(state)) {
    return html`<section class="cmp-empty" data-testid="comparison-empty">
      <p>
        No runs to compare yet. Add inference files (one record per supporter turn, as <code>esc infer</code> writes them): each is scored
        with the paper's metrics and becomes a row of the table.
      </p>
      <button class="cmp-btn" data-testid="add-runs" @click=${() => post({ type: 'add' })}>Add runs…</button>
    </section>`;
  }
  const names = state.strategies.map((s) => s.name);
  const shown = confusionRun(state.runs, page.confusionRun);
  return html`${resultsTable(page, post, (id) => update(toggleSelected(page, id)))}
  ${
    state.runs.length === 0
      ? nothing
      : html`<div class="cmp-charts">
          ${strategyFigure('f1', state.runs, names, slots.f1, post)}
          ${strategyFigure('preference', state.runs, names, slots.preference, post)}
          ${
            shown
              ? confusionSection(
                  state.runs,
                  shown,
                  names,
                  {
                    focus,
                    setFocus: (pos, take) => {
                      const moved = pos.row !== focus.row || pos.col !== focus.col;
                      focus = pos;
                      if (moved) draw();
                      if (take) focusCell(pos);
                    },
                    chooseRun: (id) => update(chooseConfusionRun(page, id)),
                  },
                  post,
                )
              : nothing
          }
          ${lengthsFigure(state.runs, slots.lengths)}
        </div>`
  }`;
}

function draw(): void {
  const state = page.state;
  render(
    html`<div class="cmp-page">
      ${isEmpty(state) ? nothing : toolbar(page, menu, post)}
      ${state ? body(state) : html`<p class="muted" data-testid="comparison-loading">Loading the comparison…</p>`}
      <div class="cmp-sr" role="status">${state ? keyed(statusLine(state), statusLine(state)) : ''}</div>
    </div>`,
    app,
  );
  drawCharts();
}

function drawCharts(): void {
  const state = page.state;
  if (!state || state.runs.length === 0) return;
  const key = chartsKey(state.runs);
  const blank = Object.values(slots).some((s) => s.blank);
  if (drawnFrom.key === key && drawnFrom.theme === theme && !blank) return;
  drawnFrom = { key, theme };
  const names = state.strategies.map((s) => s.name);
  slots.f1.draw(() => strategyConfig('f1', strategySeries('f1', state.runs, names), names, post));
  slots.preference.draw(() => strategyConfig('preference', strategySeries('preference', state.runs, names), names, post));
  slots.lengths.draw(() => lengthsConfig(state.runs));
}

// VS Code swaps the body's theme class (vscode-light / vscode-dark / vscode-high-contrast): redraw
// the charts with the new theme's colours.
new MutationObserver(() => {
  theme++;
  drawCharts();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

onMessages<ExtensionToComparison>({
  state: (m) => {
    setStrategyColors(m.strategies);
    update(onState(page, m));
  },
});

draw();
post({ type: 'ready' });
