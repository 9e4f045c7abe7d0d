// Text for the webviews: data is only ever rendered as text (lit-html binds it as text nodes), with
// search matches in <mark> elements from the template, never from the data.

import { html, nothing, render, type TemplateResult } from 'lit-html';
import { highlightSegments, TEXT_CLIP } from './model/highlight';

export { formatBytes } from '../../../src/protocol/shared';
export { searchPattern } from './model/highlight';

export function highlighted(text: string, pattern: RegExp | undefined): (string | TemplateResult)[] {
  return highlightSegments(text, pattern).map((s) => (s.match ? html`<mark>${s.text}</mark>` : s.text));
}

/**
 * A text block that clips very long text and offers to show the rest. The block renders itself (its
 * own small lit-html root), so "show all" needs no state in the page that holds it.
 */
export function longText(text: string, pattern: RegExp | undefined, className = 'text'): HTMLElement {
  const box = document.createElement('div');
  box.className = className;
  const draw = (all: boolean): void => {
    const clipped = !all && text.length > TEXT_CLIP;
    const label = `… show all ${text.length.toLocaleString('en-US')} characters`;
    // one line each: the box is often white-space: pre-wrap, so template whitespace would show
    const more = clipped ? html`<button class="link-button" @click=${() => draw(true)}>${label}</button>` : nothing;
    render(html`${highlighted(clipped ? text.slice(0, TEXT_CLIP) : text, pattern)}${more}`, box);
  };
  draw(false);
  return box;
}
