// The virtualised record list (@tanstack/virtual-core): only visible rows exist in the DOM, keyed by
// position so scrolling moves rows instead of rebuilding them; rows are fetched a page at a time
// from the extension (model/list.ts), and the list is a keyboard-navigable listbox.

import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { html, nothing, render } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { RowSummary } from '../../../src/protocol/viewer';
import { chip } from '../shared/chips';
import { clampPosition, listKey, pagesToFetch, rowMeta, rowsPerPage } from './model/list';
import { styleProps } from '../shared/styleProps';

export const ROW_HEIGHT = 56;
const MAX_CHIPS = 5;

export interface ListCallbacks {
  /** Ask for rows [start, start+count) of the current view version. */
  fetch(version: number, start: number, count: number): void;
  /** The selected position changed (keyboard or click). */
  select(position: number, index: number | undefined): void;
  /** Enter on a row: move focus to the record. */
  activate(): void;
}

export class RecordList {
  readonly element: HTMLElement;
  private readonly inner: HTMLElement;
  private readonly virtualizer: Virtualizer<HTMLElement, HTMLElement>;
  private rows = new Map<number, RowSummary>();
  /** The previous view's rows, drawn until this view's arrive when the view only refreshed (same query). */
  private stale = new Map<number, RowSummary>();
  private requested = new Set<number>();
  private version = -1;
  private total = 0;
  selected = -1;
  /** The file's kind: what a row's meta line counts (set before rows arrive). */
  kind = '';

  constructor(private readonly cb: ListCallbacks) {
    this.element = document.createElement('div');
    this.element.className = 'record-list';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'listbox');
    this.element.setAttribute('aria-label', 'Records');
    this.inner = document.createElement('div');
    this.inner.className = 'record-list-inner';
    this.element.append(this.inner);
    this.virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
      count: 0,
      getScrollElement: () => this.element,
      estimateSize: () => ROW_HEIGHT,
      overscan: 8,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      onChange: () => this.render(),
    });
    this.virtualizer._didMount();
    this.element.addEventListener('keydown', (e) => this.onKey(e));
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  /**
   * A new view: forget cached rows; keep the selection position if asked (restore after reload).
   * `first`: the view's rows from position 0, when they came with it (drawn without asking).
   * `refresh`: the same query run again (the file's index or analysis went on): its rows stay drawn
   * until the new ones come, so the list does not flash "Loading…".
   */
  reset(version: number, total: number, keepSelection = -1, scrollTop?: number, first: RowSummary[] = [], refresh = false): void {
    this.version = version;
    this.total = total;
    this.stale = refresh ? this.rows : new Map();
    this.rows = new Map();
    this.requested.clear();
    first.forEach((r, i) => this.rows.set(i, r));
    this.selected = keepSelection < total ? keepSelection : -1;
    this.virtualizer.setOptions({ ...this.virtualizer.options, count: total });
    this.virtualizer._willUpdate();
    if (scrollTop !== undefined) this.element.scrollTop = scrollTop;
    else if (this.selected < 0) this.element.scrollTop = 0;
    this.render();
  }

  addRows(version: number, start: number, rows: RowSummary[]): void {
    if (version !== this.version) return;
    rows.forEach((r, i) => {
      this.rows.set(start + i, r);
      this.stale.delete(start + i);
    });
    this.render();
  }

  rowAt(position: number): RowSummary | undefined {
    return this.rows.get(position);
  }

  selectPosition(position: number, focus = false): void {
    if (this.total === 0) return;
    const p = clampPosition(position, this.total);
    this.selected = p;
    this.virtualizer.scrollToIndex(p, { align: 'auto' });
    this.render();
    if (focus) this.element.focus();
    this.cb.select(p, this.rows.get(p)?.index);
  }

  private onKey(e: KeyboardEvent): void {
    const action = listKey(e.key, this.selected, this.total, rowsPerPage(this.element.clientHeight, ROW_HEIGHT));
    if (!action) return;
    e.preventDefault();
    if ('activate' in action) this.cb.activate();
    else this.selectPosition(action.select);
  }

  private render(): void {
    const items = this.virtualizer.getVirtualItems();
    this.inner.style.height = `${this.virtualizer.getTotalSize()}px`;
    render(
      repeat(
        items,
        (item) => item.index,
        (item) => this.row(item.index, item.start, this.rows.get(item.index) ?? this.stale.get(item.index)),
      ),
      this.inner,
    );
    if (this.selected >= 0) this.element.setAttribute('aria-activedescendant', `row-${this.selected}`);
    else this.element.removeAttribute('aria-activedescendant');
    const positions = items.map((item) => item.index);
    for (const page of pagesToFetch(positions, (p) => this.rows.has(p), this.requested, this.total)) {
      this.cb.fetch(this.version, page.start, page.count);
    }
  }

  private row(position: number, top: number, row: RowSummary | undefined): unknown {
    const selected = position === this.selected;
    return html`<div
      class="row ${selected ? 'selected' : ''} ${row?.invalid ? 'invalid' : ''}"
      id="row-${position}"
      role="option"
      aria-selected=${selected}
      data-index=${row ? row.index : nothing}
      ${styleProps({ transform: `translateY(${top}px)`, height: `${ROW_HEIGHT}px` })}
      @click=${row ? () => this.selectPosition(position, true) : nothing}
    >
      ${
        row
          ? html`<div class="row-head">
                <span class="row-index">#${row.index}</span
                >${row.invalid ? html`<span class="badge error">invalid</span>` : nothing}${row.strategies
                  .slice(0, MAX_CHIPS)
                  .map((s) => chip(s, { className: 'small' }))}${
                  row.strategies.length > MAX_CHIPS ? html`<span class="muted">+${row.strategies.length - MAX_CHIPS}</span>` : nothing
                }<span class="row-meta muted">${rowMeta(this.kind, row.turns, row.length)}</span>
              </div>
              <div class="row-snippet">${row.snippet || '(no text)'}</div>`
          : html`<div class="row-snippet muted">Loading…</div>`
      }
    </div>`;
  }
}
