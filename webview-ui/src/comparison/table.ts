// The results table: one row per run, the paper's columns in its order (the extension sends them
// computed: core/eval/resultsTable resultsTableView), the best value per column in bold with a ★
// (not colour alone), deltas against the baseline small beside each value, coloured by whether they
// are better or worse and saying so to screen readers. Every header and number explains itself on
// hover (definition, n). Runs being scored show a progress bar; runs that failed, their message.

import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import { repeat } from 'lit-html/directives/repeat.js';
import type { ComparisonToExtension, TableColumnView } from '../../../src/protocol/comparison';
import { styleProps } from '../shared/styleProps';
import { runColorVar } from './model/charts';
import { cellHover, deltaView, headerHover, progressText, turnCount } from './model/format';
import { baselineLabel, baselineMessage, rowViews, type Page, type RowView } from './model/page';

type Post = (m: ComparisonToExtension) => void;

const defId = (col: TableColumnView): string => `cmp-def-${col.key}`;

export function resultsTable(page: Page, post: Post, toggleSelected: (id: string) => void): TemplateResult {
  const state = page.state!;
  const cols = state.table.columns;
  const rows = rowViews(state);
  const base = baselineLabel(state);
  const colorOf = new Map(state.runs.map((r, i) => [r.id, runColorVar(i)]));
  const span = cols.length + 1;

  const row = ({ run, row }: RowView): TemplateResult => {
    const isBase = state.baseline === run.id;
    return html`<tr data-testid="comparison-row" data-id=${run.id} class=${isBase ? 'cmp-baseline' : ''}>
      <td class="cmp-pick">
        <input
          type="checkbox"
          data-testid="pick-run"
          .checked=${live(page.selected.includes(run.id))}
          aria-label=${`Pick ${run.label} for a review`}
          title="Tick two runs for Review two runs…"
          @change=${() => toggleSelected(run.id)}
        />
      </td>
      <th scope="row" class="cmp-run">
        <span class="cmp-swatch" aria-hidden="true" ${styleProps({ '--run-color': `var(${colorOf.get(run.id)})` })}></span>
        <span class="cmp-run-label" title=${run.id}>${run.label}</span>
        <span class="cmp-run-meta muted">${turnCount(row.records)}${isBase ? ' · baseline' : ''}</span>
      </th>
      <td class="cmp-base">
        <button
          class="cmp-icon"
          data-testid="baseline-button"
          aria-pressed=${isBase ? 'true' : 'false'}
          aria-label=${`Baseline: ${run.label}`}
          title=${isBase ? 'The baseline: the other rows show their difference from it. Press to clear.' : 'Use as the baseline: the other rows show their difference from this one.'}
          @click=${() => post(baselineMessage(state, run.id))}
        >
          ${isBase ? '◉' : '○'}
        </button>
      </td>
      ${row.cells.map((cell, i) => {
        const col = cols[i]!;
        const d = deltaView(cell);
        return html`<td
          class="num ${cell.best ? 'cmp-best' : ''}"
          ?data-best=${cell.best}
          data-col=${col.key}
          title=${cellHover(col, cell, run.label, base)}
        >
          ${cell.best ? html`<span class="cmp-best-mark" aria-hidden="true">★</span><span class="cmp-sr">best: </span>` : nothing}<span
            class="cmp-value"
            >${cell.text ?? '—'}</span
          >${d ? html`<span class="cmp-delta ${d.trend}">${d.text}<span class="cmp-sr"> (${d.words})</span></span>` : nothing}
        </td>`;
      })}
      <td class="cmp-remove">
        <button
          class="cmp-icon"
          data-testid="remove-run"
          aria-label=${`Remove ${run.label}`}
          title="Remove from the comparison"
          @click=${() => post({ type: 'remove', id: run.id })}
        >
          ×
        </button>
      </td>
    </tr>`;
  };

  return html`<div class="cmp-table-wrap">
      <table class="cmp-table" data-testid="comparison-table">
        <caption class="cmp-sr">
          The paper's metrics, one row per run. The best value of each column is marked best.
        </caption>
        <thead>
          <tr>
            <th scope="col" class="cmp-pick"><span class="cmp-sr">Pick for review</span></th>
            <th scope="col" class="cmp-run">Run</th>
            <th scope="col" class="cmp-base" title="The baseline row: the others show their difference from it">Base</th>
            ${cols.map(
              (col) =>
                html`<th scope="col" class="num" data-col=${col.key} title=${headerHover(col)} aria-describedby=${defId(col)}>
                  <span class="cmp-has-def">${col.label}</span>
                </th>`,
            )}
            <th scope="col" class="cmp-remove"><span class="cmp-sr">Remove</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(rows, (r) => r.run.id, row)}
          ${repeat(
            state.pending,
            (p) => `pending:${p.id}`,
            (p) =>
              html`<tr class="cmp-pending" data-testid="comparison-pending" data-id=${p.id}>
                <td class="cmp-pick"></td>
                <th scope="row" class="cmp-run"><span class="cmp-run-label">${p.label}</span></th>
                <td colspan=${span}>
                  <div class="cmp-progress-line">
                    <progress max=${Math.max(1, p.total)} value=${p.total > 0 ? p.done : 0} aria-label=${`Scoring ${p.label}`}></progress>
                    <span class="muted">${progressText(p.done, p.total)}</span>
                  </div>
                </td>
                <td class="cmp-remove"></td>
              </tr>`,
          )}
          ${repeat(
            state.failed,
            (f) => `failed:${f.id}`,
            (f) =>
              html`<tr class="cmp-failed" data-testid="comparison-failed" data-id=${f.id}>
                <td class="cmp-pick"></td>
                <th scope="row" class="cmp-run"><span class="cmp-run-label">${f.label}</span></th>
                <td colspan=${span} class="cmp-failed-message"><span class="cmp-sr">Could not be scored: </span>${f.message}</td>
                <td class="cmp-remove">
                  <button
                    class="cmp-icon"
                    data-testid="remove-run"
                    aria-label=${`Remove ${f.label}`}
                    title="Remove from the comparison"
                    @click=${() => post({ type: 'remove', id: f.id })}
                  >
                    ×
                  </button>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <div hidden>${cols.map((col) => html`<span id=${defId(col)}>${col.definition}</span>`)}</div>`;
}
