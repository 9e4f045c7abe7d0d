// ESC Dataset Viewer webview: header with progress and problems, Records tab (search, facets, sort,
// the subset banner, virtual list, record pane) and Statistics tab, drawn with lit-html from one page model. State
// that survives hide/show and reload (tab, query, selection, scroll) is kept with setState.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import { html, nothing, render } from 'lit-html';
import { guard } from 'lit-html/directives/guard.js';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import { live } from 'lit-html/directives/live.js';
import { createRef, ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import { SORT_ORDERS } from '../../../src/protocol/shared';
import type {
  AppliedQuery,
  DatasetStats,
  ExtensionToViewer,
  RecordDetail,
  RowSummary,
  ValidationProblem,
  ViewerBoot,
  ViewerTab,
  ViewerToExtension,
  ViewInfo,
  ViewQuery,
} from '../../../src/protocol/viewer';
import { setStrategyColors } from '../shared/chips';
import { searchPattern } from '../shared/text';
import { dispatch, type Handlers } from '../shared/model/dispatch';
import { onMessages, vscodeApi } from '../shared/vscodeApi';
import {
  appliedQuery,
  EMPTY_QUERY,
  facetControls,
  facetOptions,
  positionOutcome,
  queryFrom,
  restoredQuery,
  searchInputOf,
  subsetLine,
  withFacet,
  withoutSubset,
} from './model/query';
import {
  BANNER_PROBLEMS,
  countsLine,
  invalidRecords,
  matchLine,
  problemLine,
  problemsSummary,
  problemTarget,
  progressPercent,
} from './model/status';
import { RecordList } from './recordList';
import { recordTemplate } from './recordPane';
import { renderStats } from './statsTab';
import { styleProps } from '../shared/styleProps';

interface State {
  tab: ViewerTab;
  query: ViewQuery;
  selectedIndex?: number;
  selectedPosition?: number;
  scrollTop?: number;
  raw: boolean;
  /** The file's version the query was made on (init's `version`). */
  fileVersion?: string;
}

const vscode = vscodeApi<State, ViewerToExtension>();
const saved = vscode.getState();
const state: State = saved ?? { tab: 'records', query: EMPTY_QUERY, raw: false };
const save = (): void => vscode.setState(state);
const post = (m: ViewerToExtension): void => vscode.postMessage(m);
const t0 = performance.now();
/** How long a new page waits for the boot or init its `ready` brings before asking again. */
const BOOT_GRACE_MS = 3000;

/** What the extension has reported about the file, and the inputs not yet run as a query. */
const file = {
  name: '',
  size: 0,
  kind: 'unknown',
  kindLabel: '',
  records: 0,
  indexed: false,
  analyzed: false,
  stats: undefined as DatasetStats | undefined,
  problems: [] as ValidationProblem[],
  invalid: 0,
  progress: { shown: true, pct: 0, title: '' },
  error: undefined as string | undefined,
  facets: {} as ViewInfo['facets'],
  /** The subset's record count from the last view (undefined until one answers). */
  subsetTotal: undefined as number | undefined,
  matchLine: '',
  search: searchInputOf(state.query),
  detail: undefined as RecordDetail | undefined,
  /** Why a restored subset was dropped (shown where the subset was, until dismissed). */
  notice: undefined as string | undefined,
};
let viewVersion = -1;
let pendingJump: number | undefined;
/** Set while a jump from the problem list waits for its position: a hidden record clears the filters. */
let jumpRequested: number | undefined;
/** A selected position whose row had not arrived yet. */
let pendingSelect: number | undefined;
let firstRowsShown = false;
let restoring = state.selectedPosition !== undefined;
/** Set while a boot is applied: one drawing at the end, and no query (its view came with it). */
let booting = false;
/** Whether init or a boot arrived: a new page takes whichever comes first, and a boot only if new. */
let started = false;
/** The view asked for is the current query run again: the list keeps its rows until the new ones come. */
let refreshing = false;

const app = document.getElementById('app')!;
const searchInput = createRef<HTMLInputElement>();
const pane = createRef<HTMLElement>();
const statsBox = document.createElement('div');
const list = new RecordList({
  fetch: (version, start, count) => post({ type: 'rows', version, start, count }),
  select: (position, index) => {
    state.selectedPosition = position;
    save();
    pendingSelect = index === undefined ? position : undefined;
    if (index !== undefined) requestRecord(index);
  },
  activate: () => pane.value?.focus(),
});
list.element.addEventListener('scroll', () => {
  state.scrollTop = list.scrollTop;
  save();
});

// ---- drawing -------------------------------------------------------------------------------------
function draw(): void {
  if (booting) return;
  render(
    html`<header class="viewer-header">
        <span class="file-title">${file.name}</span>
        <span class="kind-badge" title=${ifDefined(file.kindLabel ? file.kind : undefined)}
          >${file.kindLabel ? (file.kind === 'unknown' ? 'not an ESC dataset' : file.kindLabel) : ''}</span
        >
        <span class="muted">${countsLine(file)}</span>
        <div
          class="progress"
          role="progressbar"
          aria-valuenow=${Math.round(file.progress.pct)}
          title=${file.progress.title}
          ?hidden=${!file.progress.shown}
        >
          <div class="progress-fill" ${styleProps({ width: `${file.progress.pct}%` })}></div>
        </div>
      </header>
      <div class="banner error" role="alert" ?hidden=${file.error === undefined}>${file.error}</div>
      ${problemsBanner()}
      <div class="tabs" role="tablist">${tab('records', 'Records')}${tab('stats', 'Statistics')}</div>
      <div class="records-tab" ?hidden=${state.tab !== 'records'}>
        ${toolbar()}${subsetBanner()}
        <div class="split">
          ${list.element}
          <div class="record-pane" tabindex="0" aria-label="Record" ${ref(pane)}>
            ${guard([file.detail, state.raw, state.query.search], recordPane)}
          </div>
        </div>
      </div>
      <div class="stats-tab" ?hidden=${state.tab !== 'stats'}>${statsBox}</div>`,
    app,
  );
}

function tab(t: ViewerTab, label: string): unknown {
  return html`<button class="tab" role="tab" aria-selected=${state.tab === t} @click=${() => showTab(t)}>${label}</button>`;
}

function problemsBanner(): unknown {
  // a file with no records says why in the error banner, in one sentence: no second banner repeats it
  if (file.problems.length === 0 || (file.indexed && file.records === 0 && file.error !== undefined)) return nothing;
  return html`<div class="banner" title="Problems in this file">
    <details>
      <summary>${problemsSummary(file.problems, file.invalid, file.records)}</summary>
      <ul class="problem-list">
        ${file.problems.slice(0, BANNER_PROBLEMS).map((p) => {
          const line = problemLine(p, file.records);
          // a record the list has is selected; a cut-off record or a file-level problem opens the text there
          const target = problemTarget(p, file.records);
          const go = (): void => ('record' in target ? jumpTo(target.record) : post({ type: 'revealOffset', offset: target.offset }));
          return html`<li><button class="link-button" @click=${go}>${line.where}</button><span>${line.text}</span></li>`;
        })}
      </ul>
    </details>
    <button class="link-button" @click=${() => post({ type: 'validate' })}>Show in Problems panel</button>
  </div>`;
}

function toolbar(): unknown {
  const toggle = (text: string, label: string, key: 'regex' | 'caseSensitive'): unknown =>
    html`<label class="toggle" title=${label}
      ><input
        type="checkbox"
        aria-label=${label}
        .checked=${live(file.search[key])}
        @change=${(e: Event) => {
          file.search = { ...file.search, [key]: (e.target as HTMLInputElement).checked };
          runQuery();
        }}
      /><span>${text}</span></label
    >`;
  return html`<div class="toolbar">
    <input
      class="search"
      type="search"
      title="Search all text (press / to focus)"
      placeholder="Search all records…"
      aria-label="Search all records"
      .value=${live(file.search.text)}
      @input=${(e: Event) => {
        file.search = { ...file.search, text: (e.target as HTMLInputElement).value };
        runQuery(250);
      }}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Enter') runQuery();
        if (e.key === 'ArrowDown') list.selectPosition(0, true);
      }}
      ${ref(searchInput)}
    />
    ${toggle('.*', 'Regular expression', 'regex')}${toggle('Aa', 'Match case', 'caseSensitive')}
    <span class="match-info muted" aria-live="polite">${file.matchLine}</span>
    <div class="facets">
      ${repeat(
        facetControls(file.kind, file.facets, state.query),
        (c) => c.facet,
        (c) =>
          html`<select
            class="facet"
            title=${c.label}
            aria-label=${c.label}
            data-facet=${c.facet}
            @change=${(e: Event) => {
              state.query = withFacet(state.query, c.facet, (e.target as HTMLSelectElement).value);
              runQuery();
            }}
          >
            ${facetOptions(c).map((o) => html`<option value=${o.value} .selected=${live(c.current === o.value)}>${o.text}</option>`)}
          </select>`,
      )}
      ${file.analyzed ? nothing : html`<span class="muted">Filters and sorting appear when analysis finishes…</span>`}
    </div>
    <select
      class="sort"
      title="Sort records"
      aria-label="Sort records"
      @change=${(e: Event) => {
        state.query = { ...state.query, sort: (e.target as HTMLSelectElement).value as ViewQuery['sort'] };
        runQuery();
      }}
    >
      ${Object.entries(SORT_ORDERS).map(([v, label]) => html`<option value=${v} .selected=${live(state.query.sort === v)}>${label}</option>`)}
    </select>
  </div>`;
}

/** Which records the list is limited to (set by another feature), with a button back to the whole file. */
function subsetBanner(): unknown {
  const subset = state.query.subset;
  if (!subset && file.notice !== undefined) {
    return html`<div class="subset-banner" role="status">
      <span class="subset-label">${file.notice}</span>
      <button class="subset-remove" title="Dismiss" aria-label="Dismiss this note" @click=${dismissNotice}>×</button>
    </div>`;
  }
  if (!subset) return nothing;
  return html`<div class="subset-banner" role="status">
    <span class="subset-label">${subsetLine(subset, file.kind, file.subsetTotal)}</span>
    <button
      class="subset-remove"
      title="Show the whole file"
      aria-label="Remove this filter and show the whole file"
      @click=${removeSubset}
    >
      ×
    </button>
  </div>`;
}

function recordPane(): unknown {
  if (!file.detail) return html`<p class="muted">Select a record (↑/↓, PageUp/PageDown, Home/End).</p>`;
  return recordTemplate(file.detail, {
    pattern: searchPattern(state.query.search),
    raw: state.raw,
    onToggleRaw: () => {
      state.raw = !state.raw;
      save();
      draw();
    },
    onCopy: (text) => post({ type: 'copy', text }),
    onRevealInText: (index) => post({ type: 'revealInText', index }),
  });
}

// ---- behaviour -----------------------------------------------------------------------------------
function showTab(t: ViewerTab): void {
  state.tab = t;
  save();
  draw();
  if (t === 'stats') renderStats(statsBox, file.stats, !file.analyzed);
}

let debounce: number | undefined;
function runQuery(delay = 0): void {
  window.clearTimeout(debounce);
  debounce = window.setTimeout(() => {
    state.query = queryFrom(file.search, state.query);
    save();
    if (state.query.search) file.matchLine = 'Searching…';
    draw();
    refreshing = false; // another query: the rows on screen are not its rows
    post({ type: 'query', query: state.query });
  }, delay);
}

document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== searchInput.value) {
    e.preventDefault();
    showTab('records');
    searchInput.value?.focus();
  }
});

function requestRecord(index: number): void {
  state.selectedIndex = index;
  save();
  post({ type: 'record', index });
}

function jumpTo(index: number): void {
  showTab('records');
  jumpRequested = index;
  post({ type: 'position', index });
}

function dismissNotice(): void {
  file.notice = undefined;
  draw();
  searchInput.value?.focus();
}

function removeSubset(): void {
  state.query = withoutSubset(state.query);
  file.subsetTotal = undefined;
  runQuery();
  // the button goes with the banner: keep the keyboard in the records
  searchInput.value?.focus();
}

/** The extension set the query (a drill-down): show exactly those records from the top. */
function applyQuery(applied: AppliedQuery): void {
  state.query = appliedQuery(state.query, applied);
  file.search = searchInputOf(state.query);
  file.subsetTotal = undefined;
  file.detail = undefined;
  state.selectedIndex = undefined;
  state.selectedPosition = undefined;
  state.scrollTop = undefined;
  restoring = false;
  state.tab = 'records';
  save();
}

function clearQuery(): void {
  file.search = { ...file.search, text: '' };
  state.query = EMPTY_QUERY;
  save();
}

/** Asks for the view of the current query (after the file's records changed). */
function requery(): void {
  if (booting) return;
  refreshing = true;
  post({ type: 'query', query: state.query });
}

/** A view of the current query; `rows`, its rows from position 0 when they came with it (the boot). */
function onView(info: ViewInfo, rows?: RowSummary[]): void {
  if (info.version < viewVersion) return; // an older query answered late
  viewVersion = info.version;
  file.progress.shown = !file.analyzed;
  const restore = restoring;
  restoring = false;
  list.reset(info.version, info.total, -1, restore ? state.scrollTop : undefined, rows, refreshing);
  refreshing = false;
  if (!firstRowsShown && rows && rows.length > 0) stampFirstRows();
  file.facets = info.facets;
  file.subsetTotal = info.subsetTotal;
  file.matchLine = matchLine(info, file.records);
  draw();
  if (pendingJump !== undefined) {
    jumpRequested = pendingJump;
    post({ type: 'position', index: pendingJump });
    pendingJump = undefined;
  }
  // the selected record may sit elsewhere in a re-sorted or re-filtered view: ask where
  if (restore && state.selectedIndex !== undefined) post({ type: 'position', index: state.selectedIndex });
}

function stampFirstRows(): void {
  firstRowsShown = true;
  document.body.dataset.firstRowsMs = String(Math.round(performance.now() - t0));
  document.body.dataset.firstRowsAt = String(Date.now());
  document.body.dataset.scriptStartMs = String(Math.round(t0)); // since this page's navigation began
  // when VS Code's webview host delivered this page's HTML (its share of the first-page time)
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  document.body.dataset.htmlDeliveredMs = String(Math.round(nav?.responseEnd ?? 0));
}

const handlers: Handlers<ExtensionToViewer> = {
  boot: (m) => {
    if (!saved && !started) startFrom(m.boot);
  },
  init: (m) => {
    started = true;
    setStrategyColors(m.strategies);
    file.name = m.file;
    file.size = m.size;
    document.body.dataset.documentOpenedAt = String(m.openedAt);
    if (!m.query) {
      const restored = restoredQuery(state.query, state.fileVersion, m.version);
      state.query = restored.query;
      if (restored.notice) file.notice = restored.notice;
    }
    state.fileVersion = m.version;
    save();
    if (m.query) applyQuery(m.query);
    if (m.tab) state.tab = m.tab;
    if (m.resetSearch) {
      state.query = { ...state.query, search: undefined };
      file.search = searchInputOf(state.query);
      save();
    }
    showTab(state.tab);
  },
  progress: ({ progress: p }) => {
    const pct = progressPercent(p.bytes, p.size);
    file.progress = { shown: true, pct, title: `${p.phase} ${Math.round(pct)}%` };
    if (p.phase === 'indexing') file.records = p.records;
    draw();
  },
  firstRecords: (m) => {
    file.kind = m.kind;
    list.kind = m.kind;
    file.kindLabel = m.kindLabel;
    file.records = m.records;
    draw();
    requery();
  },
  indexed: ({ info }) => {
    file.indexed = true;
    file.records = info.records;
    if (info.problems.length > 0) {
      file.problems = info.problems;
      file.invalid = invalidRecords(info.problems);
    }
    if (info.records === 0) {
      const sentence = problemsSummary(info.problems, invalidRecords(info.problems), 0).replace(/^⚠ /, '');
      file.error = sentence || 'This file has no records.';
    }
    draw();
    restoring = restoring || state.selectedPosition !== undefined;
    requery();
  },
  analyzed: (m) => {
    file.analyzed = true;
    file.stats = m.stats;
    file.problems = m.problems;
    file.invalid = m.invalid;
    file.progress.shown = false;
    draw();
    if (state.tab === 'stats') renderStats(statsBox, file.stats, false);
    restoring = state.selectedPosition !== undefined;
    requery();
  },
  view: (m) => onView(m.info),
  rows: (m) => {
    if (m.version !== viewVersion) return;
    list.addRows(m.version, m.start, m.rows);
    if (!firstRowsShown && m.rows.length > 0) stampFirstRows();
    const row = pendingSelect === undefined ? undefined : list.rowAt(pendingSelect);
    if (row) {
      requestRecord(row.index);
      pendingSelect = undefined;
    }
  },
  record: (m) => {
    if (m.detail.index !== state.selectedIndex) return;
    file.detail = m.detail;
    draw();
  },
  position: (m) => {
    const outcome = positionOutcome(m, jumpRequested, state.query);
    if (!outcome) return;
    if ('select' in outcome) return list.selectPosition(outcome.select, outcome.focus);
    // hidden by the current search or filters: clear them, then jump
    pendingJump = outcome.clearThenJump;
    jumpRequested = undefined;
    clearQuery();
    draw();
    refreshing = false;
    post({ type: 'query', query: state.query });
  },
  applyQuery: (m) => {
    applyQuery(m.query);
    showTab('records');
    runQuery();
  },
  showTab: (m) => showTab(m.tab),
  error: (m) => {
    file.error = m.message;
    draw();
  },
};
onMessages(handlers);

/** Draws the page from a boot: what init, the events so far, a view and its rows would. */
function startFrom(b: ViewerBoot): void {
  document.body.dataset.bootReadyMs = String(b.readyMs);
  booting = true;
  handlers.init(b.init);
  for (const m of b.events) dispatch(handlers, m);
  state.query = b.query;
  file.search = searchInputOf(state.query);
  save();
  booting = false;
  onView(b.view, b.rows);
  showTab(state.tab);
  post({ type: 'booted' });
}

showTab(state.tab);
// a new page takes the boot the extension sent ahead of it, when it did (it arrives as the page loads)
post({ type: 'ready', fresh: !saved });
if (!saved) {
  // should a boot the extension sent never arrive, ask as a page with state does: nothing stays blank
  window.setTimeout(() => {
    if (!started) post({ type: 'ready', fresh: true, retry: true });
  }, BOOT_GRACE_MS);
}
