// Playground webview: a chat with the DecoupledESC pipeline. The extension owns the conversation and
// sends it whole (`state`) or one candidate at a time while a reply streams (`candidate`); this page
// draws it, posts the user's actions, and keeps a copy with setState so a reload redraws at once.
// Messages follow src/protocol/playground.ts; everything shown is built with DOM text nodes.

import type { ExtensionToPlayground, PlaygroundState, PlaygroundToExtension } from '../../../src/protocol/playground';
import { setStrategyColors } from '../shared/chips';
import { el, vscodeApi } from '../shared/vscodeApi';
import { Composer } from './composer';
import { Conversation } from './conversation';
import { Toolbar } from './toolbar';

type Init = Extract<ExtensionToPlayground, { type: 'init' }>;

interface Persisted {
  init?: Omit<Init, 'type' | 'state'>;
  state?: PlaygroundState;
  /** The unsent seeker message. */
  draft: string;
}

/** Shown until the extension answers `ready` the first time (nothing saved yet). */
const EMPTY: PlaygroundState = {
  mode: 'decoupled',
  backend: 'embedded',
  turns: [],
  busy: false,
  backendInfo: { planner: '…', generator: '…' },
};

/** setState copies the whole conversation; while a reply streams, do it at most this often. */
const PERSIST_DELAY_MS = 250;

const vscode = vscodeApi<Persisted, PlaygroundToExtension>();
const saved = vscode.getState();
const ui: Persisted = { init: saved?.init, state: saved?.state, draft: saved?.draft ?? '' };
const post = (m: PlaygroundToExtension): void => vscode.postMessage(m);

let persistTimer: number | undefined;
function persist(): void {
  persistTimer ??= window.setTimeout(() => {
    persistTimer = undefined;
    vscode.setState(ui);
  }, PERSIST_DELAY_MS);
}

// ---- layout -------------------------------------------------------------------------------------
const app = document.getElementById('app')!;
document.body.classList.add('playground');
// The shell makes the whole page a polite live region; a streaming chat would then be read out
// token by token. Announcements go through `live` instead, notices through their own region.
app.setAttribute('aria-live', 'off');
const live = el('div', { className: 'pg-sr' });
live.setAttribute('role', 'status');

const toolbar = new Toolbar(post);
const composer = new Composer({
  send: (text) => {
    conversation.follow();
    post({ type: 'send', text });
  },
  cancel: () => post({ type: 'cancel' }),
  save: (as) => post({ type: 'save', as }),
  draftChanged: (text) => {
    ui.draft = text;
    persist();
  },
});
const conversation = new Conversation({
  post,
  fill: (text) => composer.fill(text),
  announce: (text) => {
    live.textContent = text;
  },
});
app.replaceChildren(toolbar.element, conversation.element, composer.element, live);

function render(): void {
  const state = ui.state ?? EMPTY;
  toolbar.element.hidden = ui.state === undefined;
  toolbar.update(state, ui.init?.trusted ?? true);
  conversation.render(state, ui.init?.strategies ?? []);
  composer.update(state.busy, state.turns.length > 0);
}

/** A streaming patch: one candidate of one turn, and the busy flag. */
function applyCandidate(m: Extract<ExtensionToPlayground, { type: 'candidate' }>): void {
  const state = ui.state;
  const turn = state?.turns.find((t) => t.id === m.turnId);
  // a patch for a turn (or a candidate index) not seen yet: the next `state` brings it
  if (!state || turn?.speaker !== 'supporter' || m.index > turn.candidates.length) return;
  const prev = turn.candidates[m.index];
  turn.candidates[m.index] = m.candidate;
  const busyChanged = state.busy !== m.busy;
  state.busy = m.busy;
  // busy enables/disables controls on every card; a new candidate changes the switcher
  if (busyChanged || !prev) render();
  else conversation.patched(m.turnId, m.index, prev, m.candidate);
  persist();
}

window.addEventListener('message', (event: MessageEvent<ExtensionToPlayground>) => {
  const m = event.data;
  switch (m?.type) {
    case 'init':
      ui.init = { strategies: m.strategies, trusted: m.trusted, version: m.version };
      setStrategyColors(m.strategies);
      ui.state = m.state;
      render();
      persist();
      break;
    case 'state':
      ui.state = m.state;
      render();
      persist();
      break;
    case 'candidate':
      applyCandidate(m);
      break;
    case 'notice':
      composer.showNotice(m.level, m.text);
      break;
  }
});

if (ui.init) setStrategyColors(ui.init.strategies);
composer.setDraft(ui.draft);
render();
vscode.postMessage({ type: 'ready' });
