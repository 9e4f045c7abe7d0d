// The gold → predicted confusion heatmap of one run (a run picker above it). Drawn as an HTML table
// of buttons rather than a canvas: every cell is focusable, clickable, labelled in words and can be
// found by tests (data-testid="confusion-cell", data-gold / data-predicted = strategy indices,
// "no strategy" = 8). The grid is one tab stop: arrows move inside it (model/confusion.ts), Enter or
// Space opens the cell's turns in the dataset viewer.

import { html, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import { repeat } from 'lit-html/directives/repeat.js';
import type { ComparedRun, ComparisonToExtension } from '../../../src/protocol/comparison';
import { strategyColor } from '../shared/chips';
import { styleProps } from '../shared/styleProps';
import { axisDrill, confusionDrill, confusionView, moveInGrid, NO_STRATEGY, type GridPos } from './model/confusion';
import { count, turnCount } from './model/format';

type Post = (m: ComparisonToExtension) => void;

export interface ConfusionControl {
  focus: GridPos;
  /** Moves the roving tab stop (and the focus, when `focus` is set). */
  setFocus(pos: GridPos, focus: boolean): void;
  chooseRun(id: string): void;
}

export function confusionSection(
  runs: readonly ComparedRun[],
  run: ComparedRun,
  names: readonly string[],
  ctl: ConfusionControl,
  post: Post,
): TemplateResult {
  const view = confusionView(run, names);
  const cols = view.columns.length;
  const onKey = (e: KeyboardEvent): void => {
    const next = moveInGrid(ctl.focus, e.key, view.rows.length, cols, e.ctrlKey || e.metaKey);
    if (!next) return;
    e.preventDefault();
    ctl.setFocus(next, true);
  };
  const dot = (name: string): TemplateResult =>
    html`<span class="cmp-dot" aria-hidden="true" ${styleProps({ '--chip-color': strategyColor(name) ?? 'transparent' })}></span>`;
  /** A strategy's name opens its turns (the "no strategy" column's name is plain text: it has no strategy to filter by). */
  const axisButton = (axis: 'gold' | 'predicted', k: number, name: string, turns: number): TemplateResult => {
    const d = axisDrill(run.id, axis, k, name, turns);
    return html`<button
      class="cmp-axis-btn"
      data-testid=${`confusion-${axis}`}
      data-strategy=${k}
      title=${d.hover}
      @click=${() => post(d.message)}
    >
      ${dot(name)}${name}
    </button>`;
  };
  const header = (name: string, k: number): TemplateResult =>
    k === NO_STRATEGY
      ? html`<th scope="col" class="cmp-axis cmp-none-col">${name}</th>`
      : html`<th scope="col" class="cmp-axis">${axisButton('predicted', k, name, view.columnTotals[k]!)}</th>`;
  return html`<figure class="chart cmp-figure cmp-confusion-figure">
    <figcaption class="cmp-figcaption">
      <span id="cmp-confusion-title">Confusion: gold → predicted strategy</span>
      <label class="cmp-run-picker"
        >Run
        <select
          data-testid="confusion-run"
          .value=${live(run.id)}
          @change=${(e: Event) => ctl.chooseRun((e.target as HTMLSelectElement).value)}
        >
          ${runs.map((r) => html`<option value=${r.id} ?selected=${r.id === run.id}>${r.label}</option>`)}
        </select></label
      >
    </figcaption>
    <div class="cmp-confusion-wrap">
      <table
        class="cmp-confusion"
        data-testid="confusion"
        aria-labelledby="cmp-confusion-title"
        aria-describedby="cmp-confusion-help"
        @keydown=${onKey}
      >
        <thead>
          <tr>
            <th scope="col" class="cmp-corner"><span class="muted">gold ↓ · predicted →</span></th>
            ${view.columns.map(header)}
            <th scope="col" class="cmp-axis cmp-total">gold turns</th>
          </tr>
        </thead>
        <tbody>
          ${repeat(
            view.rows,
            (r) => r.gold,
            (r) =>
              html`<tr>
                <th scope="row" class="cmp-axis cmp-row-head">${axisButton('gold', r.gold, r.name, r.total)}</th>
                ${r.cells.map((c) => {
                  const here = ctl.focus.row === c.gold && ctl.focus.col === c.predicted;
                  const classes = [
                    'cmp-cell',
                    c.diagonal ? 'diagonal' : '',
                    c.predicted === NO_STRATEGY ? 'none' : '',
                    c.count === 0 ? 'zero' : '',
                    c.share >= 0.5 ? 'strong' : '',
                  ];
                  return html`<td>
                    <button
                      class=${classes.filter(Boolean).join(' ')}
                      data-testid="confusion-cell"
                      data-gold=${c.gold}
                      data-predicted=${c.predicted}
                      tabindex=${here ? 0 : -1}
                      title=${`${c.label}. Click to open these turns.`}
                      aria-label=${c.label}
                      ${styleProps({ '--shade': c.shade.toFixed(3) })}
                      @focus=${() => ctl.setFocus({ row: c.gold, col: c.predicted }, false)}
                      @click=${() => post(confusionDrill(run.id, c))}
                    >
                      ${count(c.count)}
                    </button>
                  </td>`;
                })}
                <td class="num cmp-total">${count(r.total)}</td>
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" class="cmp-axis cmp-row-head cmp-total">predicted turns</th>
            ${view.columnTotals.map((n) => html`<td class="num cmp-total">${count(n)}</td>`)}
            <td class="num cmp-total">${count(view.total)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
    <p id="cmp-confusion-help" class="muted chart-note">
      Rows: the gold strategy; columns: the predicted one, and “no strategy” for predictions that named none of the 8 (left out of the
      strategy metrics). Shading: the cell’s share of its gold row. Click a cell (or arrow keys, then Enter) to open its turns in the
      viewer. ${turnCount(view.total)} in ${run.label}.
    </p>
  </figure>`;
}
