// The page's toolbar: Add runs…, the Export menu (Markdown / LaTeX / CSV, copied or saved) and
// Review two runs… (the ticked runs, else the first two), with a line saying what the deltas are
// against. The menu is a real menu for the keyboard: arrows move, Escape closes and gives the focus
// back to its button, Tab or a click elsewhere closes it.

import { html, nothing, type TemplateResult } from 'lit-html';
import type { ComparisonToExtension } from '../../../src/protocol/comparison';
import { EXPORT_ITEMS, menuIndex } from './model/format';
import { baselineLabel, reviewPair, type Page } from './model/page';

type Post = (m: ComparisonToExtension) => void;

export interface MenuControl {
  open: boolean;
  setOpen(open: boolean, focus?: 'first' | 'button'): void;
}

export function toolbar(page: Page, menu: MenuControl, post: Post): TemplateResult {
  const state = page.state;
  const runs = state?.runs ?? [];
  const pair = reviewPair(page);
  const pairLabel = pair ? `${runs.find((r) => r.id === pair.a)?.label} vs ${runs.find((r) => r.id === pair.b)?.label}` : '';
  const base = state ? baselineLabel(state) : undefined;
  const onMenuKey = (e: KeyboardEvent): void => {
    const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role=menuitem]')];
    if (e.key === 'Escape') {
      e.preventDefault();
      menu.setOpen(false, 'button');
      return;
    }
    if (e.key === 'Tab') {
      menu.setOpen(false);
      return;
    }
    const next = menuIndex(e.key, items.indexOf(document.activeElement as HTMLElement), items.length);
    if (next === undefined) return;
    e.preventDefault();
    items[next]?.focus();
  };
  return html`<header class="cmp-toolbar">
    <div class="cmp-actions">
      <button
        class="cmp-btn"
        data-testid="add-runs"
        title="Pick inference files to score and compare"
        @click=${() => post({ type: 'add' })}
      >
        Add runs…
      </button>
      <div class="cmp-menu-wrap">
        <button
          class="cmp-btn secondary"
          data-testid="export-menu"
          aria-haspopup="menu"
          aria-expanded=${menu.open ? 'true' : 'false'}
          ?disabled=${runs.length === 0}
          title="Export the results table (paper column order)"
          @click=${() => menu.setOpen(!menu.open, 'first')}
        >
          Export ▾
        </button>
        ${
          menu.open
            ? html`<div class="cmp-menu" role="menu" aria-label="Export the table" @keydown=${onMenuKey}>
                ${EXPORT_ITEMS.map(
                  (item) =>
                    html`<button
                      class="cmp-menu-item"
                      role="menuitem"
                      tabindex="-1"
                      data-testid=${item.testid}
                      @click=${() => {
                        menu.setOpen(false, 'button');
                        post({ type: 'export', format: item.format, to: item.to });
                      }}
                    >
                      ${item.label}
                    </button>`,
                )}
              </div>`
            : nothing
        }
      </div>
      <button
        class="cmp-btn secondary"
        data-testid="review-runs"
        ?disabled=${!pair}
        title=${pair ? `Blind pairwise review: ${pairLabel} (tick two rows to choose)` : 'Needs two evaluated runs'}
        @click=${() => pair && post(pair)}
      >
        Review two runs…
      </button>
    </div>
    <div class="cmp-toolbar-note muted" data-testid="baseline-note">
      ${
        runs.length === 0
          ? nothing
          : base
            ? html`Deltas against <strong>${base}</strong> (press its ◉ again to clear).`
            : 'No baseline: press ○ on a row to show every other row’s difference from it.'
      }
    </div>
  </header>`;
}
