// Playground webview: introduces the two-stage pipeline and the strategy legend. Everything shown is
// built with DOM text nodes; messages follow src/protocol/playground.ts.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ExtensionToPlayground, PlaygroundToExtension } from '../../../src/protocol/playground';
import { el, vscodeApi } from '../shared/vscodeApi';

type State = { init?: Extract<ExtensionToPlayground, { type: 'init' }> };

const vscode = vscodeApi<State, PlaygroundToExtension>();
const app = document.getElementById('app')!;

function button(label: string, onClick: () => void, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

function render(state: State): void {
  app.replaceChildren();
  app.append(
    el('h2', { text: 'Playground' }),
    el('p', { text: 'Chat as a help-seeker and watch the DecoupledESC pipeline answer in two stages:' }),
    el(
      'ol',
      { className: 'stages' },
      el('li', {}, el('strong', { text: 'Strategy planning' }), document.createTextNode(' — the planner picks one of the 8 ESConv strategies.')),
      el('li', {}, el('strong', { text: 'Response generation' }), document.createTextNode(' — the generator writes the reply for that strategy.')),
    ),
    el('p', {
      className: 'notice',
      text: 'The chat and its models are not available in this version yet. Meanwhile, look at your data: the Datasets view lists every ESC file in this workspace.',
    }),
  );
  const actions = el('div', { className: 'actions' });
  actions.append(
    button('Show Datasets', () => vscode.postMessage({ type: 'runCommand', command: 'escStudio.datasets.focus' })),
    button("Detect a File's Kind", () => vscode.postMessage({ type: 'runCommand', command: 'escStudio.detectDataset' }), true),
  );
  app.append(actions);
  if (state.init) {
    const legend = el('ul', { className: 'legend', title: 'The 8 ESConv strategies' });
    legend.setAttribute('aria-label', 'Strategies');
    for (const s of state.init.strategies) {
      const chip = el('span', { className: 'chip', text: s.name });
      chip.style.setProperty('--chip-color', s.color);
      legend.append(el('li', {}, chip));
    }
    app.append(el('h3', { text: 'Strategies' }), legend);
    if (!state.init.trusted) app.append(el('p', { className: 'notice', text: 'This workspace is not trusted: viewing works, launching model servers and training is disabled.' }));
  }
}

window.addEventListener('message', (event: MessageEvent<ExtensionToPlayground>) => {
  const msg = event.data;
  if (msg?.type === 'init') {
    const state: State = { init: msg };
    vscode.setState(state);
    render(state);
  }
});

render(vscode.getState() ?? {});
vscode.postMessage({ type: 'ready' });
