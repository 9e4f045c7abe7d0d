// The top of the view: mode and backend pickers, Reset / Endpoints… / Train embedded models…, and
// one line saying which planner and generator answer (honest about the retrieval baseline).

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { PlaygroundToExtension } from '../../../src/protocol/playground';
import { BACKEND_LABELS, MODE_LABELS, type ToolbarView } from './model/toolbar';

type Post = (m: PlaygroundToExtension) => void;

export function toolbar(v: ToolbarView, post: Post, hidden: boolean): TemplateResult {
  return html`<header class="pg-toolbar" ?hidden=${hidden}>
    <div class="pg-pickers">
      ${picker('Mode', 'mode-picker', MODE_LABELS, v.mode, v.pickersDisabled, undefined, (mode) => {
        if (mode !== v.mode) post({ type: 'setMode', mode });
      })}
      ${picker(
        'Backend',
        'backend-picker',
        BACKEND_LABELS,
        v.backend,
        v.pickersDisabled,
        v.openaiDisabled ? 'openai' : undefined,
        (backend) => {
          if (backend !== v.backend) post({ type: 'setBackend', backend });
        },
      )}
    </div>
    <div class="pg-tool-actions">
      ${toolButton('Reset', 'reset', 'Start a new conversation', () => post({ type: 'reset' }))}
      ${toolButton('Endpoints…', 'endpoints', 'Configure the OpenAI-compatible planner and generator endpoints', () =>
        post({ type: 'runCommand', command: 'escStudio.configurePlaygroundEndpoints' }),
      )}
      ${toolButton('Train embedded models…', 'train-embedded', 'Retrain the embedded planner and generator from your dataset', () =>
        post({ type: 'runCommand', command: 'escStudio.trainEmbedded' }),
      )}
    </div>
    <div class="pg-backend-info muted" data-testid="backend-info">
      ${v.info.map((line) => html`<div>${line}</div>`)}${v.note ? html`<div class="pg-backend-note">${v.note}</div>` : nothing}
    </div>
    <div class="notice pg-untrusted" data-testid="untrusted" ?hidden=${!v.untrusted}>
      This workspace is not trusted: the OpenAI-compatible backend is disabled. The embedded backend works.
    </div>
  </header>`;
}

/**
 * A vscode-single-select in a <label> (a form-associated custom element, so the label names and
 * focuses it). The value set before its options are slotted is applied once they are
 * (vscode-single-select keeps it for later); `live` puts the state's value back when the extension
 * did not follow a change (e.g. refused while busy).
 */
function picker<V extends string>(
  label: string,
  testid: string,
  labels: Record<V, [string, string]>,
  value: V,
  disabled: boolean,
  unavailable: V | undefined,
  onChange: (value: V) => void,
): TemplateResult {
  return html`<label class="pg-field"
    ><span class="pg-field-label">${label}</span>
    <vscode-single-select
      data-testid=${testid}
      .label=${label}
      .value=${live(value)}
      ?disabled=${disabled}
      @change=${(e: Event) => onChange((e.target as HTMLElementTagNameMap['vscode-single-select']).value as V)}
    >
      ${(Object.entries(labels) as [V, [string, string]][]).map(
        ([v, [text, description]]) =>
          html`<vscode-option .value=${v} .description=${description} ?disabled=${v === unavailable}>${text}</vscode-option>`,
      )}
    </vscode-single-select></label
  >`;
}

function toolButton(label: string, testid: string, title: string, onClick: () => void): TemplateResult {
  return html`<vscode-button data-testid=${testid} title=${title} secondary @click=${onClick}>${label}</vscode-button>`;
}
