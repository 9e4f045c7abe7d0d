// Draws one record from its RecordView: chat bubbles with strategy chips, pairs side by side with a
// word-level diff (model/diff.ts) and its legend, gold vs predicted, annotation cards; a raw JSON
// toggle and copy. Text only: lit-html binds every value as text.

import { html, nothing, type TemplateResult } from 'lit-html';
import type { RecordDetail, RecordView, SideView, TurnView } from '../../../src/protocol/viewer';
import { chip } from '../shared/chips';
import { longText } from '../shared/text';
import { diffSides, type DiffSegment } from './model/diff';

export interface PaneOptions {
  pattern: RegExp | undefined;
  raw: boolean;
  onToggleRaw(): void;
  onCopy(text: string): void;
  onRevealInText(index: number): void;
}

type Part = TemplateResult | typeof nothing;

function turn(t: TurnView, pattern: RegExp | undefined): TemplateResult {
  return html`<div class="bubble ${t.speaker} ${t.placeholder ? 'placeholder' : ''}">
    <div class="bubble-head">
      <span class="speaker">${t.speaker}</span>${t.strategy !== undefined ? chip(t.strategy) : nothing}${
        t.feedback !== undefined ? html`<span class="badge" title="seeker feedback (1-5)">feedback ${t.feedback}</span>` : nothing
      }
    </div>
    ${t.placeholder ? html`<div class="text muted">(placeholder turn: the supporter spoke twice)</div>` : longText(t.text, pattern)}
  </div>`;
}

function turns(list: TurnView[], pattern: RegExp | undefined): TemplateResult {
  return html`<div class="turns">${list.map((t) => turn(t, pattern))}</div>`;
}

function systemPrompt(text: string | undefined): Part {
  if (text === undefined) return nothing;
  return html`<details class="system">
    <summary>System prompt</summary>
    ${longText(text, undefined, 'system-text')}
  </details>`;
}

function meta(pairs: [string, string][], pattern: RegExp | undefined): Part {
  if (pairs.length === 0) return nothing;
  return html`<dl class="meta">
    ${pairs.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${longText(v, pattern)}</dd>`,
    )}
  </dl>`;
}

/**
 * Words only in one reply are marked by side: the chosen (or gold) reply's in a positive colour, the
 * rejected (or predicted) reply's in a neutral one — never red for the chosen reply.
 */
function diffText(segments: DiffSegment[], side: 'chosen' | 'rejected'): TemplateResult {
  const parts = segments.map((s) => (s.only ? html`<span class="diff-only ${side}" title="only in this reply">${s.text}</span>` : s.text));
  // one line: .text is white-space: pre-wrap, so whitespace around ${parts} would show
  return html`<div class="text">${parts}</div>`;
}

function diffLegend(titles: [string, string]): TemplateResult {
  const key = (side: 'chosen' | 'rejected', title: string): TemplateResult =>
    html`<span class="diff-key"><span class="diff-only ${side}">words</span> only in the ${title.toLowerCase()} reply</span>`;
  return html`<div class="diff-legend" aria-label="Diff legend">${key('chosen', titles[0])}${key('rejected', titles[1])}</div>`;
}

function sides(titles: [string, string], a: SideView, b: SideView, big: boolean): TemplateResult {
  const diff = big ? undefined : diffSides(a.text, b.text);
  const column = (title: string, s: SideView, side: 'chosen' | 'rejected', segments: DiffSegment[] | undefined): TemplateResult =>
    html`<section class="side ${side}">
      <div class="side-head">
        <span class="side-title">${title}</span>${s.strategy !== undefined ? chip(s.strategy, { className: big ? 'big' : '' }) : nothing}
      </div>
      ${big ? nothing : segments ? diffText(segments, side) : longText(s.text, undefined)}
    </section>`;
  return html`${diff ? diffLegend(titles) : nothing}
    <div class="sides">${column(titles[0], a, 'chosen', diff?.[0])}${column(titles[1], b, 'rejected', diff?.[1])}</div>`;
}

function view(v: RecordView, pattern: RegExp | undefined): TemplateResult {
  switch (v.layout) {
    case 'dialogue':
      return html`${meta(v.meta, pattern)}${systemPrompt(v.system)}${
        v.conditioned !== undefined
          ? html`<div class="conditioned"><span>Reply conditioned on </span>${chip(v.conditioned)}</div>`
          : nothing
      }${turns(v.turns, pattern)}${
        v.answer !== undefined
          ? html`<div class="answer"><span>Planner answer → </span>${chip(v.answer, { className: 'big' })}</div>`
          : nothing
      }`;
    case 'pair': {
      const heading =
        v.pairKind === 'planner'
          ? 'Chosen vs rejected strategy'
          : v.pairKind === 'generator'
            ? 'Chosen vs rejected reply (same strategy)'
            : 'Chosen vs rejected reply';
      return html`${systemPrompt(v.system)}
        <h3>Shared context</h3>
        ${turns(v.context, pattern)}
        <h3>${heading}</h3>
        ${sides(['Chosen', 'Rejected'], v.chosen, v.rejected, v.pairKind === 'planner')}
        ${
          v.remained.length > 0
            ? html`<section class="card remained">
                <h3>Judge annotations (remained)</h3>
                ${meta(v.remained, pattern)}
              </section>`
            : nothing
        }`;
    }
    case 'inference': {
      const same = v.gold.strategy === v.predicted.strategy;
      return html`<h3>Context</h3>
        ${turns(v.context, pattern)}
        <h3>${same ? 'Gold vs predicted — same strategy ✓' : 'Gold vs predicted — different strategy ✗'}</h3>
        ${sides(['Gold', 'Predicted'], v.gold, v.predicted, false)}`;
    }
    case 'card':
      return html`<section class="card">${meta(v.fields, pattern)}</section>`;
  }
}

export function recordTemplate(d: RecordDetail, opts: PaneOptions): TemplateResult {
  const json = d.value === undefined ? d.raw : JSON.stringify(d.value, null, 2);
  return html`<div class="pane-toolbar">
      <span class="record-title">Record ${d.index}</span>
      <span class="muted">bytes ${d.start}–${d.end}</span>
      <button class="link-button" aria-pressed=${opts.raw} @click=${opts.onToggleRaw}>
        ${opts.raw ? 'Show formatted' : 'Show raw JSON'}
      </button>
      <button class="link-button" @click=${() => opts.onCopy(json)}>Copy JSON</button>
      <button class="link-button" @click=${() => opts.onRevealInText(d.index)}>Open in text editor</button>
    </div>
    ${
      d.problems.length > 0
        ? html`<div class="record-problems" title="Why this record is invalid" role="alert">
            ${d.problems.map((p) => html`<div>${p.path ? p.path + ': ' : ''}${p.message}</div>`)}
          </div>`
        : nothing
    }
    ${
      opts.raw || !d.view
        ? html`${longText(json, opts.pattern, 'raw-json')}${d.rawTruncated ? html`<div class="muted">Raw text cut at 1,000,000 characters.</div>` : nothing}`
        : view(d.view, opts.pattern)
    }`;
}
