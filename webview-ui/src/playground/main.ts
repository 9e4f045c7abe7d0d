// Playground webview: a chat with the DecoupledESC pipeline. The extension owns the conversation and
// sends it whole (`state`) or one candidate at a time while a reply streams (`candidate`); this page
// keeps a copy (model/session.ts, persisted with setState so a reload redraws at once), draws it
// with lit-html and posts the user's actions. Messages follow src/protocol/playground.ts; data is
// bound as text, never parsed as HTML.

import { html, render } from 'lit-html';
import { keyed } from 'lit-html/directives/keyed.js';
import type { ExtensionToPlayground, PlaygroundToExtension, StrategyChip } from '../../../src/protocol/playground';
import { setStrategyColors } from '../shared/chips';
import { onMessages, vscodeApi } from '../shared/vscodeApi';
import { Composer } from './composer';
import { Conversation } from './conversation';
import { renderKeepingFocus } from './focus';
import { announcements, type Seen } from './model/announce';
import {
  EMPTY_STATE,
  onCandidate,
  onInit,
  onState,
  persisted,
  restoreSession,
  setKeepBoth,
  type Persisted,
  type Session,
} from './model/session';
import { toolbarView } from './model/toolbar';
import { toolbar } from './toolbar';

/** One empty list until `init`: the cards' guard compares it by identity. */
const NO_STRATEGIES: StrategyChip[] = [];

/** setState copies the whole conversation; while a reply streams, do it at most this often. */
const PERSIST_DELAY_MS = 250;

const vscode = vscodeApi<Persisted, PlaygroundToExtension>();
const post = (m: PlaygroundToExtension): void => vscode.postMessage(m);
let session: Session = restoreSession(vscode.getState());
/** What the status region last said; a new id re-announces the same words. */
let spoken = { id: 0, text: '' };
let seen: Seen | undefined;

let persistTimer: number | undefined;
function persist(): void {
  persistTimer ??= window.setTimeout(() => {
    persistTimer = undefined;
    vscode.setState(persisted(session));
  }, PERSIST_DELAY_MS);
}

const app = document.getElementById('app')!;
document.body.classList.add('playground');
// The shell makes the whole page a polite live region; a streaming chat would then be read out
// token by token. Announcements go through the status region instead, notices through their own.
app.setAttribute('aria-live', 'off');

const composer = new Composer({
  send: (text) => {
    conversation.follow();
    post({ type: 'send', text });
  },
  cancel: () => post({ type: 'cancel' }),
  save: (as) => post({ type: 'save', as }),
  draftChanged: (text) => update({ ...session, draft: text }),
  redraw: () => draw(),
});
const conversation = new Conversation({
  post,
  fill: (text) => composer.fill(text),
  setKeepBoth: (turnId, next) => {
    update(setKeepBoth(session, turnId, next));
    if (next) conversation.reveal(turnId);
  },
  redraw: () => draw(),
});

function draw(): void {
  const state = session.state ?? EMPTY_STATE;
  const strategies = session.init?.strategies ?? NO_STRATEGIES;
  renderKeepingFocus(() =>
    render(
      // the toolbar waits for the extension's first answer (nothing saved yet)
      html`${toolbar(toolbarView(state, session.init?.trusted ?? true), post, session.state === undefined)}
        ${conversation.view(state, strategies, session.keepBoth)}
        ${composer.view({ draft: session.draft, busy: state.busy, hasTurns: state.turns.length > 0 })}
        <div class="pg-sr" role="status">${keyed(spoken.id, spoken.text)}</div>`,
      app,
    ),
  );
  conversation.afterDraw(state.turns.length === 0);
}

/** A new session: drawn, persisted, and the replies that just finished or failed announced. */
function update(next: Session): void {
  const stateChanged = next.state !== session.state;
  session = next;
  if (stateChanged) {
    const said = announcements(session.state, seen);
    seen = said.seen;
    if (said.texts.length > 0) spoken = { id: spoken.id + 1, text: said.texts.join(' ') };
  }
  draw();
  persist();
}

onMessages<ExtensionToPlayground>({
  init: (m) => {
    setStrategyColors(m.strategies);
    update(onInit(session, m));
  },
  state: (m) => update(onState(session, m.state)),
  candidate: (m) => update(onCandidate(session, m)),
  notice: (m) => composer.showNotice(m.level, m.text),
});

if (session.init) setStrategyColors(session.init.strategies);
seen = announcements(session.state, undefined).seen;
draw();
composer.autosize();
post({ type: 'ready' });
