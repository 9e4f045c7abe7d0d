// Text rendering helpers for webviews: data is only ever inserted as text nodes, with search
// matches wrapped in <mark> elements created through the DOM API.

import { escapeRegex } from '../../../src/protocol/shared';

export { formatBytes } from '../../../src/protocol/shared';

/** Characters shown for one text before a "show all" button (a 5 MB string must not freeze the view). */
export const TEXT_CLIP = 20_000;

export function highlighted(text: string, pattern: RegExp | undefined): DocumentFragment {
  const frag = document.createDocumentFragment();
  if (!pattern) {
    frag.append(text);
    return frag;
  }
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    if (m.index > last) frag.append(text.slice(last, m.index));
    const mark = document.createElement('mark');
    mark.textContent = m[0];
    frag.append(mark);
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}

/** A text block that clips very long text and offers to show the rest. */
export function longText(text: string, pattern: RegExp | undefined, className = 'text'): HTMLElement {
  const el = document.createElement('div');
  el.className = className;
  if (text.length <= TEXT_CLIP) {
    el.append(highlighted(text, pattern));
    return el;
  }
  el.append(highlighted(text.slice(0, TEXT_CLIP), pattern));
  const more = document.createElement('button');
  more.className = 'link-button';
  more.textContent = `… show all ${text.length.toLocaleString('en-US')} characters`;
  more.addEventListener('click', () => {
    el.replaceChildren(highlighted(text, pattern));
  });
  el.append(more);
  return el;
}

export function searchPattern(q: { text: string; regex: boolean; caseSensitive: boolean } | undefined): RegExp | undefined {
  if (!q || q.text === '') return undefined;
  try {
    const source = q.regex ? q.text : escapeRegex(q.text);
    return new RegExp(source, q.caseSensitive ? 'gu' : 'giu');
  } catch {
    return undefined;
  }
}
