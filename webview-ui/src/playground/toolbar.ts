// The top of the view: mode and backend pickers, Reset / Endpoints… / Train embedded models…, and
// one line saying which planner and generator answer (honest about the retrieval baseline).

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { BackendKind, Mode, PlaygroundState, PlaygroundToExtension } from '../../../src/protocol/playground';
import { el } from '../shared/vscodeApi';
import { setTestId } from './dom';

// short labels fit two pickers side by side in a 280 px sidebar; the dropdown shows the description
const MODE_LABELS: Record<Mode, [string, string]> = {
  decoupled: ['Decoupled', 'Planner picks the strategy, then the generator writes the reply'],
  vanilla: ['Vanilla joint', 'One model answers "[strategy] reply"'],
  compare: ['Compare', 'Decoupled and vanilla joint side by side on the same input'],
};
const BACKEND_LABELS: Record<BackendKind, [string, string]> = {
  embedded: ['Embedded', 'Local models shipped with the extension, no setup'],
  openai: ['OpenAI-compatible', 'Your planner and generator served by vLLM or similar'],
};

export class Toolbar {
  readonly element: HTMLElement;
  private readonly mode: VscodeSingleSelect;
  private readonly backend: VscodeSingleSelect;
  private readonly openaiOption: HTMLElementTagNameMap['vscode-option'];
  private readonly info: HTMLElement;
  private readonly untrusted: HTMLElement;
  private state: PlaygroundState | undefined;

  constructor(private readonly post: (m: PlaygroundToExtension) => void) {
    this.mode = picker('Mode', 'mode-picker', MODE_LABELS, (mode) => {
      if (mode !== this.state?.mode) this.post({ type: 'setMode', mode });
    });
    this.backend = picker('Backend', 'backend-picker', BACKEND_LABELS, (backend) => {
      if (backend !== this.state?.backend) this.post({ type: 'setBackend', backend });
    });
    this.openaiOption = [...this.backend.querySelectorAll('vscode-option')].find((o) => o.value === 'openai')!;

    const actions = el(
      'div',
      { className: 'pg-tool-actions' },
      toolButton('Reset', 'reset', 'Start a new conversation', () => this.post({ type: 'reset' })),
      toolButton('Endpoints…', 'endpoints', 'Configure the OpenAI-compatible planner and generator endpoints', () =>
        this.post({ type: 'runCommand', command: 'escStudio.configurePlaygroundEndpoints' }),
      ),
      toolButton('Train embedded models…', 'train-embedded', 'Retrain the embedded planner and generator from your dataset', () =>
        this.post({ type: 'runCommand', command: 'escStudio.trainEmbedded' }),
      ),
    );
    this.info = setTestId(el('div', { className: 'pg-backend-info muted' }), 'backend-info');
    this.untrusted = setTestId(
      el('div', {
        className: 'notice pg-untrusted',
        text: 'This workspace is not trusted: the OpenAI-compatible backend is disabled. The embedded backend works.',
      }),
      'untrusted',
    );
    this.untrusted.hidden = true;
    this.element = el(
      'header',
      { className: 'pg-toolbar' },
      el('div', { className: 'pg-pickers' }, field('Mode', this.mode), field('Backend', this.backend)),
      actions,
      this.info,
      this.untrusted,
    );
  }

  update(state: PlaygroundState, trusted: boolean): void {
    this.state = state;
    this.mode.value = state.mode;
    this.backend.value = state.backend;
    // switching while a turn is produced would leave that turn half in one mode, half in another
    this.mode.disabled = state.busy;
    this.backend.disabled = state.busy;
    this.openaiOption.disabled = !trusted;
    this.untrusted.hidden = trusted;
    const { planner, generator, note } = state.backendInfo;
    this.info.replaceChildren(el('div', { text: `Planner: ${planner}` }), el('div', { text: `Generator: ${generator}` }));
    if (note) this.info.append(el('div', { className: 'pg-backend-note', text: note }));
  }
}

function picker<V extends string>(
  label: string,
  testid: string,
  labels: Record<V, [string, string]>,
  onChange: (value: V) => void,
): VscodeSingleSelect {
  const select = setTestId(document.createElement('vscode-single-select'), testid);
  select.label = label;
  for (const [value, [text, description]] of Object.entries(labels) as [V, [string, string]][]) {
    const option = document.createElement('vscode-option');
    option.value = value;
    option.description = description;
    option.textContent = text;
    select.append(option);
  }
  select.addEventListener('change', () => onChange(select.value as V));
  return select;
}

function field(label: string, control: HTMLElement): HTMLElement {
  // a form-associated custom element, so a wrapping <label> names and focuses it
  return el('label', { className: 'pg-field' }, el('span', { className: 'pg-field-label', text: label }), control);
}

function toolButton(label: string, testid: string, title: string, onClick: () => void): HTMLElement {
  const b = setTestId(document.createElement('vscode-button'), testid);
  b.textContent = label;
  b.title = title;
  b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}
