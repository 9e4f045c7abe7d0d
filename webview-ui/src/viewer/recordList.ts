// The virtualised record list (@tanstack/virtual-core): only visible rows exist in the DOM, rows are
// fetched a page at a time from the extension, and the list is a keyboard-navigable listbox.

import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import type { RowSummary } from '../../../src/protocol/viewer';
import { chip } from '../shared/chips';
import { el } from '../shared/vscodeApi';

export const ROW_HEIGHT = 56;
const PAGE = 100;
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
  private requested = new Set<number>();
  private version = -1;
  private total = 0;
  selected = -1;

  constructor(private readonly cb: ListCallbacks) {
    this.element = el('div', { className: 'record-list' });
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'listbox');
    this.element.setAttribute('aria-label', 'Records');
    this.inner = el('div', { className: 'record-list-inner' });
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

  /** A new view: forget cached rows; keep the selection position if asked (restore after reload). */
  reset(version: number, total: number, keepSelection = -1, scrollTop?: number): void {
    this.version = version;
    this.total = total;
    this.rows.clear();
    this.requested.clear();
    this.selected = keepSelection < total ? keepSelection : -1;
    this.virtualizer.setOptions({ ...this.virtualizer.options, count: total });
    this.virtualizer._willUpdate();
    if (scrollTop !== undefined) this.element.scrollTop = scrollTop;
    else if (this.selected < 0) this.element.scrollTop = 0;
    this.render();
  }

  addRows(version: number, start: number, rows: RowSummary[]): void {
    if (version !== this.version) return;
    rows.forEach((r, i) => this.rows.set(start + i, r));
    this.render();
  }

  rowAt(position: number): RowSummary | undefined {
    return this.rows.get(position);
  }

  /** Number of rows currently drawn (for tests and the status line). */
  get renderedCount(): number {
    return this.inner.childElementCount;
  }

  selectPosition(position: number, focus = false): void {
    if (this.total === 0) return;
    const p = Math.max(0, Math.min(this.total - 1, position));
    this.selected = p;
    this.virtualizer.scrollToIndex(p, { align: 'auto' });
    this.render();
    if (focus) this.element.focus();
    this.cb.select(p, this.rows.get(p)?.index);
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
    if (e.key in moves) this.selectPosition((this.selected < 0 ? -1 : this.selected) + moves[e.key]!);
    else if (e.key === 'Home') this.selectPosition(0);
    else if (e.key === 'End') this.selectPosition(this.total - 1);
    else if (e.key === 'Enter') this.cb.activate();
    else return;
    e.preventDefault();
  }

  private render(): void {
    const items = this.virtualizer.getVirtualItems();
    this.inner.style.height = `${this.virtualizer.getTotalSize()}px`;
    const missing = new Set<number>();
    const children: HTMLElement[] = [];
    for (const item of items) {
      const row = this.rows.get(item.index);
      if (!row) missing.add(Math.floor(item.index / PAGE) * PAGE);
      children.push(this.renderRow(item.index, item.start, row));
    }
    this.inner.replaceChildren(...children);
    if (this.selected >= 0) this.element.setAttribute('aria-activedescendant', `row-${this.selected}`);
    else this.element.removeAttribute('aria-activedescendant');
    for (const start of missing) {
      if (this.requested.has(start)) continue;
      this.requested.add(start);
      this.cb.fetch(this.version, start, Math.min(PAGE, this.total - start));
    }
  }

  private renderRow(position: number, top: number, row: RowSummary | undefined): HTMLElement {
    const div = el('div', { className: `row${position === this.selected ? ' selected' : ''}${row?.invalid ? ' invalid' : ''}` });
    div.id = `row-${position}`;
    div.setAttribute('role', 'option');
    div.setAttribute('aria-selected', String(position === this.selected));
    div.style.transform = `translateY(${top}px)`;
    div.style.height = `${ROW_HEIGHT}px`;
    if (!row) {
      div.append(el('div', { className: 'row-snippet muted', text: 'Loading…' }));
      return div;
    }
    div.dataset.index = String(row.index);
    const head = el('div', { className: 'row-head' }, el('span', { className: 'row-index', text: `#${row.index}` }));
    if (row.invalid) head.append(el('span', { className: 'badge error', text: 'invalid' }));
    for (const s of row.strategies.slice(0, MAX_CHIPS)) head.append(chip(s, 'small'));
    if (row.strategies.length > MAX_CHIPS) head.append(el('span', { className: 'muted', text: `+${row.strategies.length - MAX_CHIPS}` }));
    head.append(el('span', { className: 'row-meta muted', text: `${row.turns} turns · ${row.length} words` }));
    div.append(head, el('div', { className: 'row-snippet', text: row.snippet || '(no text)' }));
    div.addEventListener('click', () => this.selectPosition(position, true));
    return div;
  }
}
