// What an empty conversation shows: the two stages, the strategy legend, and openers to click.

import { html, nothing, type TemplateResult } from 'lit-html';
import type { StrategyChip } from '../../../src/protocol/playground';
import { chip } from '../shared/chips';

/** Written for this project: typical first messages of a help-seeker in ESConv-style dialogues. */
const OPENERS = [
  "I lost my job last week and I can't stop worrying about money.",
  'My best friend stopped answering my messages and I feel so alone.',
  "Exams start in two weeks and I haven't been able to sleep properly.",
  "My partner and I argue every evening, and I don't know how to fix it.",
];

export function intro(strategies: StrategyChip[], fill: (text: string) => void): TemplateResult {
  return html`<div class="pg-intro" data-testid="intro">
    <p>Write as the help-seeker. Each supporter reply is made in two stages:</p>
    <ol class="stages">
      <li><strong>Strategy planning</strong> — the planner picks one of the 8 strategies (click another to override).</li>
      <li><strong>Response generation</strong> — the generator writes the reply for that strategy.</li>
    </ol>
    ${
      strategies.length > 0
        ? html`<ul class="legend" title="The 8 ESConv strategies" aria-label="Strategies">
            ${strategies.map((s) => html`<li>${chip(s.name)}</li>`)}
          </ul>`
        : nothing
    }
    <div class="pg-openers">
      <div class="muted">Try an opener:</div>
      ${OPENERS.map((text) => html`<button type="button" class="pg-opener" data-testid="opener" @click=${() => fill(text)}>${text}</button>`)}
    </div>
  </div>`;
}
