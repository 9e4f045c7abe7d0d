// Blind pairwise review page: the context of one turn, the seeker's last message and two replies in the
// blind order (labelled First / Second only); keys 1 / 2 / 0 (or the buttons) judge, an optional note
// goes with the judgement. The extension owns the session and the judgement file (src/protocol/review.ts);
// this page draws what it is sent and keeps {file} with setState so a reload reopens the same review.
// The runs are named only in the results panel. Data is bound as text, never parsed as HTML.

import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { ExtensionToReview, ReviewItemView, ReviewPick, ReviewState, ReviewToExtension } from '../../../src/protocol/review';
import { onMessages, vscodeApi } from '../shared/vscodeApi';
import {
  judgeMessage,
  keyPick,
  onState,
  progressText,
  restorePage,
  resultsOpen,
  resultsView,
  type Page,
  type Persisted,
} from './model/page';

const vscode = vscodeApi<Persisted, ReviewToExtension>();
const post = (m: ReviewToExtension): void => vscode.postMessage(m);
let page: Page = restorePage(vscode.getState());
let notice: { level: 'info' | 'error'; text: string } | undefined;

const app = document.getElementById('app')!;
document.body.classList.add('review');
// the shell's live region would read every redraw; the status line is the one polite region here
app.setAttribute('aria-live', 'off');

function update(next: Page): void {
  page = next;
  vscode.setState(page.persisted);
  draw();
}

function judge(pick: ReviewPick): void {
  const m = judgeMessage(page, pick);
  if (!m) return;
  post(m);
  notice = undefined;
  update({ ...page, pending: true });
}

function toggle(key: 'showGold' | 'showResults'): void {
  update({ ...page, persisted: { ...page.persisted, [key]: !page.persisted[key] } });
}

const PICK_LABELS: { pick: ReviewPick; key: string; label: string }[] = [
  { pick: 1, key: '1', label: 'First is better' },
  { pick: 0, key: '0', label: 'Tie' },
  { pick: 2, key: '2', label: 'Second is better' },
];

function itemView(state: ReviewState, item: ReviewItemView): unknown {
  const previous = item.previous?.pick;
  return html`
    <section class="review-context" aria-label="Conversation so far">
      ${item.context.length === 0 ? html`<p class="muted">(the conversation starts here)</p>` : nothing}
      ${repeat(
        item.context,
        (_m, i) => i,
        (m) =>
          html`<div class="review-msg ${m.speaker}">
            <span class="review-speaker">${m.speaker}</span><span class="review-text">${m.text}</span>
          </div>`,
      )}
      ${
        item.seeker
          ? html`<div class="review-msg seeker last">
              <span class="review-speaker">seeker (last message)</span><span class="review-text">${item.seeker}</span>
            </div>`
          : nothing
      }
    </section>
    <section class="review-replies" aria-label="The two replies">
      <article class="review-reply ${previous === 1 ? 'chosen' : ''}" aria-label="First reply" data-testid="reply-first">
        <h3>First</h3>
        <p class="review-text">${item.first}</p>
      </article>
      <article class="review-reply ${previous === 2 ? 'chosen' : ''}" aria-label="Second reply" data-testid="reply-second">
        <h3>Second</h3>
        <p class="review-text">${item.second}</p>
      </article>
    </section>
    ${
      page.persisted.showGold
        ? html`<section class="review-gold" aria-label="Reference reply">
            <h3>Reference (gold) reply</h3>
            <p class="review-text">${item.gold}</p>
          </section>`
        : nothing
    }
    <div class="review-judge" role="group" aria-label="Judgement">
      ${PICK_LABELS.map(
        (p) =>
          html`<button
            class="review-pick ${previous === p.pick ? 'chosen' : ''}"
            data-testid="pick-${p.key}"
            aria-keyshortcuts=${p.key}
            aria-pressed=${previous === p.pick ? 'true' : 'false'}
            ?disabled=${page.pending}
            @click=${() => judge(p.pick)}
          >
            <kbd>${p.key}</kbd> ${p.label}
          </button>`,
      )}
    </div>
    <label class="review-note-label" for="review-note">Note (optional, saved with the judgement)</label>
    <textarea
      id="review-note"
      class="review-note"
      data-testid="review-note"
      rows="2"
      .value=${page.note}
      @input=${(e: Event) => {
        page = { ...page, note: (e.target as HTMLTextAreaElement).value };
      }}
    ></textarea>
    <p class="review-legend muted">
      Keys: <kbd>1</kbd> first is better · <kbd>2</kbd> second is better · <kbd>0</kbd> tie (not while typing a note). The order of the
      replies is random per item; which run wrote which is shown only in the results.
    </p>
    <div class="actions">
      <button ?disabled=${item.index === 0} @click=${() => post({ type: 'goto', item: item.index - 1 })}>← Previous item</button>
      <button ?disabled=${item.index + 1 >= state.total} @click=${() => post({ type: 'goto', item: item.index + 1 })}>Next item →</button>
    </div>
  `;
}

function resultsPanel(state: ReviewState): unknown {
  const r = resultsView(state.result);
  return html`<section class="review-results" aria-label="Results" data-testid="review-results">
    <h3>Results</h3>
    <p>${r.heading}</p>
    <p class="review-tally">${r.tally}</p>
    <p>${r.sign}</p>
    ${r.agreement ? html`<p class="review-kappa">${r.agreement}</p>` : nothing}
    <ul class="review-annotators">
      ${repeat(
        r.annotators,
        (a) => a.name,
        (a) => html`<li>${a.name}: ${a.tally}</li>`,
      )}
    </ul>
  </section>`;
}

function draw(): void {
  const state = page.state;
  if (!state) {
    render(html`<p class="muted">Opening the review…</p>`, app);
    return;
  }
  const open = resultsOpen(page);
  render(
    html`
      <header class="review-header">
        <span class="file-title">${state.title}</span>
        <span class="review-progress" role="status" aria-live="polite" data-testid="review-progress">${progressText(state)}</span>
        <span class="muted">${state.judged.toLocaleString('en-US')} judged by ${state.annotator}</span>
        <button class="link-button" @click=${() => post({ type: 'changeAnnotator' })}>Change annotator…</button>
        <button aria-pressed=${page.persisted.showGold ? 'true' : 'false'} @click=${() => toggle('showGold')}>
          ${page.persisted.showGold ? 'Hide' : 'Show'} reference reply
        </button>
        <button aria-pressed=${page.persisted.showResults ? 'true' : 'false'} @click=${() => toggle('showResults')}>
          ${page.persisted.showResults ? 'Hide results' : 'Show results (reveals the runs)'}
        </button>
      </header>
      ${notice ? html`<p class="notice ${notice.level}" role="alert">${notice.text}</p>` : nothing}
      ${
        state.ignoredLines.length > 0
          ? html`<p class="notice">
              Ignored ${state.ignoredLines.length === 1 ? 'line' : 'lines'} ${state.ignoredLines.join(', ')} of the judgement file (a write
              cut short); every other judgement is counted.
            </p>`
          : nothing
      }
      ${
        state.item
          ? itemView(state, state.item)
          : html`<p class="review-done">
              All ${state.total.toLocaleString('en-US')} items judged by ${state.annotator}.
              <button @click=${() => post({ type: 'goto', item: 0 })}>Look at the first item again</button>
            </p>`
      }
      ${open ? resultsPanel(state) : nothing}
    `,
    app,
  );
  post({ type: 'rendered', item: state.item?.index ?? null });
}

const editable = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement &&
  (t.isContentEditable || t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement || t instanceof HTMLSelectElement);

document.addEventListener('keydown', (e) => {
  const pick = keyPick({
    key: e.key,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    altKey: e.altKey,
    repeat: e.repeat,
    inEditable: editable(e.target),
  });
  if (pick === undefined) return;
  e.preventDefault();
  judge(pick);
});

onMessages<ExtensionToReview>({
  state: (m) => update(onState(page, m.state)),
  notice: (m) => {
    notice = { level: m.level, text: m.text };
    update({ ...page, pending: false });
  },
});

draw();
post({ type: 'ready' });
