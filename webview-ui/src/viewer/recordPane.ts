// Draws one record from its RecordView: chat bubbles with strategy chips, pairs side by side with a
// word-level diff, gold vs predicted, annotation cards; a raw JSON toggle and copy. Text only.

import { diffWords } from 'diff';
import type { RecordDetail, RecordView, SideView, TurnView } from '../../../src/protocol/viewer';
import { chip } from '../shared/chips';
import { longText } from '../shared/text';
import { el } from '../shared/vscodeApi';

export interface PaneOptions {
  pattern: RegExp | undefined;
  raw: boolean;
  onToggleRaw(): void;
  onCopy(text: string): void;
  onRevealInText(index: number): void;
}

function turn(t: TurnView, pattern: RegExp | undefined): HTMLElement {
  const bubble = el('div', { className: `bubble ${t.speaker}${t.placeholder ? ' placeholder' : ''}` });
  const head = el('div', { className: 'bubble-head' }, el('span', { className: 'speaker', text: t.speaker }));
  if (t.strategy !== undefined) head.append(chip(t.strategy));
  if (t.feedback !== undefined) {
    head.append(el('span', { className: 'badge', text: `feedback ${t.feedback}`, title: 'seeker feedback (1-5)' }));
  }
  bubble.append(head);
  if (t.placeholder) bubble.append(el('div', { className: 'text muted', text: '(placeholder turn: the supporter spoke twice)' }));
  else bubble.append(longText(t.text, pattern));
  return bubble;
}

function turns(list: TurnView[], pattern: RegExp | undefined): HTMLElement {
  const box = el('div', { className: 'turns' });
  for (const t of list) box.append(turn(t, pattern));
  return box;
}

function systemPrompt(text: string | undefined): HTMLElement | undefined {
  if (text === undefined) return undefined;
  const d = el('details', { className: 'system' });
  d.append(el('summary', { text: 'System prompt' }), longText(text, undefined, 'system-text'));
  return d;
}

function meta(pairs: [string, string][], pattern: RegExp | undefined): HTMLElement | undefined {
  if (pairs.length === 0) return undefined;
  const dl = el('dl', { className: 'meta' });
  for (const [k, v] of pairs) dl.append(el('dt', { text: k }), el('dd', {}, longText(v, pattern)));
  return dl;
}

/** Longer replies are shown without a diff: the diff is quadratic and would freeze the view. */
const DIFF_MAX_CHARS = 12_000;

/** Word-level diff of two texts: each side shows its own words, the ones not in the other marked. */
function diffSides(a: string, b: string): [DocumentFragment | HTMLElement, DocumentFragment | HTMLElement] {
  if (a.length + b.length > DIFF_MAX_CHARS) return [longText(a, undefined), longText(b, undefined)];
  const left = document.createDocumentFragment();
  const right = document.createDocumentFragment();
  for (const part of diffWords(a, b)) {
    if (!part.added) left.append(part.removed ? el('del', { text: part.value, title: 'only in this reply' }) : part.value);
    if (!part.removed) right.append(part.added ? el('ins', { text: part.value, title: 'only in this reply' }) : part.value);
  }
  return [left, right];
}

function sides(titles: [string, string], a: SideView, b: SideView, big: boolean): HTMLElement {
  const grid = el('div', { className: 'sides' });
  const [da, db] = big ? [undefined, undefined] : diffSides(a.text, b.text);
  const column = (title: string, s: SideView, diffed: DocumentFragment | HTMLElement | undefined, cls: string): HTMLElement => {
    const col = el('section', { className: `side ${cls}` });
    const head = el('div', { className: 'side-head' }, el('span', { className: 'side-title', text: title }));
    if (s.strategy !== undefined) head.append(chip(s.strategy, big ? 'big' : ''));
    col.append(head);
    if (!big) col.append(el('div', { className: 'text' }, diffed!));
    return col;
  };
  grid.append(column(titles[0], a, da, 'chosen'), column(titles[1], b, db, 'rejected'));
  return grid;
}

function view(v: RecordView, pattern: RegExp | undefined): HTMLElement[] {
  const out: (HTMLElement | undefined)[] = [];
  switch (v.layout) {
    case 'dialogue':
      out.push(meta(v.meta, pattern), systemPrompt(v.system));
      if (v.conditioned !== undefined) {
        out.push(el('div', { className: 'conditioned' }, el('span', { text: 'Reply conditioned on ' }), chip(v.conditioned)));
      }
      out.push(turns(v.turns, pattern));
      if (v.answer !== undefined) {
        out.push(el('div', { className: 'answer' }, el('span', { text: 'Planner answer → ' }), chip(v.answer, 'big')));
      }
      break;
    case 'pair':
      out.push(systemPrompt(v.system));
      out.push(el('h3', { text: 'Shared context' }), turns(v.context, pattern));
      if (v.pairKind === 'planner') {
        out.push(el('h3', { text: 'Chosen vs rejected strategy' }), sides(['Chosen', 'Rejected'], v.chosen, v.rejected, true));
      } else {
        const title = v.pairKind === 'generator' ? 'Chosen vs rejected reply (same strategy)' : 'Chosen vs rejected reply';
        out.push(el('h3', { text: title }), sides(['Chosen', 'Rejected'], v.chosen, v.rejected, false));
      }
      if (v.remained.length > 0) {
        const card = el('section', { className: 'card remained' }, el('h3', { text: 'Judge annotations (remained)' }));
        card.append(meta(v.remained, pattern)!);
        out.push(card);
      }
      break;
    case 'inference': {
      out.push(el('h3', { text: 'Context' }), turns(v.context, pattern));
      const same = v.gold.strategy === v.predicted.strategy;
      out.push(
        el('h3', { text: same ? 'Gold vs predicted — same strategy ✓' : 'Gold vs predicted — different strategy ✗' }),
        sides(['Gold', 'Predicted'], v.gold, v.predicted, false),
      );
      break;
    }
    case 'card':
      out.push(el('section', { className: 'card' }, meta(v.fields, pattern)!));
      break;
  }
  return out.filter((x): x is HTMLElement => x !== undefined);
}

export function renderRecord(pane: HTMLElement, d: RecordDetail, opts: PaneOptions): void {
  const json = d.value === undefined ? d.raw : JSON.stringify(d.value, null, 2);
  const toolbar = el(
    'div',
    { className: 'pane-toolbar' },
    el('span', { className: 'record-title', text: `Record ${d.index}` }),
    el('span', { className: 'muted', text: `bytes ${d.start}–${d.end}` }),
  );
  const rawButton = el('button', { className: 'link-button', text: opts.raw ? 'Show formatted' : 'Show raw JSON' });
  rawButton.setAttribute('aria-pressed', String(opts.raw));
  rawButton.addEventListener('click', opts.onToggleRaw);
  const copy = el('button', { className: 'link-button', text: 'Copy JSON' });
  copy.addEventListener('click', () => opts.onCopy(json));
  const reveal = el('button', { className: 'link-button', text: 'Open in text editor' });
  reveal.addEventListener('click', () => opts.onRevealInText(d.index));
  toolbar.append(rawButton, copy, reveal);
  const body: HTMLElement[] = [toolbar];
  if (d.problems.length > 0) {
    const box = el('div', { className: 'record-problems', title: 'Why this record is invalid' });
    box.setAttribute('role', 'alert');
    for (const p of d.problems) box.append(el('div', { text: `${p.path ? p.path + ': ' : ''}${p.message}` }));
    body.push(box);
  }
  if (opts.raw || !d.view) {
    body.push(longText(json, opts.pattern, 'raw-json'));
    if (d.rawTruncated) body.push(el('div', { className: 'muted', text: 'Raw text cut at 1,000,000 characters.' }));
  } else {
    body.push(...view(d.view, opts.pattern));
  }
  pane.replaceChildren(...body);
}
