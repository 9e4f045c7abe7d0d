// ESC Dataset Viewer webview: header with progress and problems, Records tab (search, facets, sort,
// virtual list, record pane) and Statistics tab. State survives hide/show and reload via setState.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import { SORT_ORDERS } from '../../../src/protocol/shared';
import type {
  DatasetStats,
  ExtensionToViewer,
  Facet,
  FacetValue,
  RecordDetail,
  ValidationProblem,
  ViewerTab,
  ViewerToExtension,
  ViewInfo,
  ViewQuery,
} from '../../../src/protocol/viewer';
import { setStrategyColors } from '../shared/chips';
import { formatBytes, searchPattern } from '../shared/text';
import { el, vscodeApi } from '../shared/vscodeApi';
import { RecordList } from './recordList';
import { renderRecord } from './recordPane';
import { renderStats } from './statsTab';

interface State {
  tab: ViewerTab;
  query: ViewQuery;
  selectedIndex?: number;
  selectedPosition?: number;
  scrollTop?: number;
  raw: boolean;
}

const FACET_LABELS: Record<string, Record<Facet, string>> = {
  default: {
    strategy: 'Strategy',
    rejected: 'Rejected strategy',
    emotion: 'Emotion',
    problem: 'Problem',
    errorType: 'Error type',
    retained: 'Retained',
  },
  inference: {
    strategy: 'Gold strategy',
    rejected: 'Predicted strategy',
    emotion: 'Emotion',
    problem: 'Problem',
    errorType: 'Error type',
    retained: 'Retained',
  },
  pair: {
    strategy: 'Chosen strategy',
    rejected: 'Rejected strategy',
    emotion: 'Emotion',
    problem: 'Problem',
    errorType: 'Error type',
    retained: 'Retained',
  },
};

const vscode = vscodeApi<State, ViewerToExtension>();
const state: State = vscode.getState() ?? { tab: 'records', query: { facets: {}, sort: 'file' }, raw: false };
const save = (): void => vscode.setState(state);
const post = (m: ViewerToExtension): void => vscode.postMessage(m);
const t0 = performance.now();

let kind = 'unknown';
let size = 0;
let records = 0;
let analyzed = false;
let indexed = false;
let stats: DatasetStats | undefined;
let problems: ValidationProblem[] = [];
let invalid = 0;
let viewVersion = -1;
let pendingJump: number | undefined;
/** A selected position whose row had not arrived yet. */
let pendingSelect: number | undefined;
let firstRowsShown = false;
let currentDetail: RecordDetail | undefined;
let restoring = state.selectedPosition !== undefined;

// ---- layout -------------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const title = el('span', { className: 'file-title' });
const kindBadge = el('span', { className: 'kind-badge' });
const counts = el('span', { className: 'muted' });
const progressBar = el('div', { className: 'progress' }, el('div', { className: 'progress-fill' }));
progressBar.setAttribute('role', 'progressbar');
const banner = el('div', { className: 'banner', title: 'Problems in this file' });
banner.hidden = true;
const errorBox = el('div', { className: 'banner error' });
errorBox.setAttribute('role', 'alert');
errorBox.hidden = true;

const tabRecords = el('button', { className: 'tab', text: 'Records' });
const tabStats = el('button', { className: 'tab', text: 'Statistics' });
for (const [b, t] of [
  [tabRecords, 'records'],
  [tabStats, 'stats'],
] as const) {
  b.setAttribute('role', 'tab');
  b.addEventListener('click', () => showTab(t));
}
const tabs = el('div', { className: 'tabs' }, tabRecords, tabStats);
tabs.setAttribute('role', 'tablist');

const searchInput = el('input', { className: 'search', title: 'Search all text (press / to focus)' });
searchInput.type = 'search';
searchInput.placeholder = 'Search all records…';
searchInput.setAttribute('aria-label', 'Search all records');
searchInput.value = state.query.search?.text ?? '';
const regexBox = checkbox('.*', 'Regular expression', state.query.search?.regex ?? false);
const caseBox = checkbox('Aa', 'Match case', state.query.search?.caseSensitive ?? false);
const matchInfo = el('span', { className: 'match-info muted' });
matchInfo.setAttribute('aria-live', 'polite');
const facetBar = el('div', { className: 'facets' });
const sortSelect = el('select', { className: 'sort', title: 'Sort records' });
sortSelect.setAttribute('aria-label', 'Sort records');
for (const [v, label] of Object.entries(SORT_ORDERS)) {
  const o = el('option', { text: label });
  o.value = v;
  sortSelect.append(o);
}
sortSelect.value = state.query.sort;

const list = new RecordList({
  fetch: (version, start, count) => post({ type: 'rows', version, start, count }),
  select: (position, index) => {
    state.selectedPosition = position;
    save();
    pendingSelect = index === undefined ? position : undefined;
    if (index !== undefined) requestRecord(index);
  },
  activate: () => pane.focus(),
});
const pane = el('div', { className: 'record-pane' });
pane.tabIndex = 0;
pane.setAttribute('aria-label', 'Record');
pane.append(el('p', { className: 'muted', text: 'Select a record (↑/↓, PageUp/PageDown, Home/End).' }));

const toolbar = el('div', { className: 'toolbar' }, searchInput, regexBox.label, caseBox.label, matchInfo, facetBar, sortSelect);
const recordsTab = el('div', { className: 'records-tab' }, toolbar, el('div', { className: 'split' }, list.element, pane));
const statsTab = el('div', { className: 'stats-tab' });
app.append(
  el('header', { className: 'viewer-header' }, title, kindBadge, counts, progressBar),
  errorBox,
  banner,
  tabs,
  recordsTab,
  statsTab,
);

function checkbox(text: string, label: string, checked: boolean): { input: HTMLInputElement; label: HTMLElement } {
  const input = el('input');
  input.type = 'checkbox';
  input.checked = checked;
  const l = el('label', { className: 'toggle', title: label }, input, el('span', { text }));
  input.setAttribute('aria-label', label);
  input.addEventListener('change', () => runQuery());
  return { input, label: l };
}

// ---- behaviour -----------------------------------------------------------------------------------
function showTab(tab: ViewerTab): void {
  state.tab = tab;
  save();
  recordsTab.hidden = tab !== 'records';
  statsTab.hidden = tab !== 'stats';
  tabRecords.setAttribute('aria-selected', String(tab === 'records'));
  tabStats.setAttribute('aria-selected', String(tab === 'stats'));
  if (tab === 'stats') renderStats(statsTab, stats, !analyzed);
}

function currentQuery(): ViewQuery {
  const text = searchInput.value;
  return {
    search: text ? { text, regex: regexBox.input.checked, caseSensitive: caseBox.input.checked } : undefined,
    facets: state.query.facets,
    sort: sortSelect.value as ViewQuery['sort'],
  };
}

let debounce: number | undefined;
function runQuery(delay = 0): void {
  window.clearTimeout(debounce);
  debounce = window.setTimeout(() => {
    state.query = currentQuery();
    save();
    if (state.query.search) matchInfo.textContent = 'Searching…';
    post({ type: 'query', query: state.query });
  }, delay);
}

searchInput.addEventListener('input', () => runQuery(250));
searchInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') runQuery();
  if (e.key === 'ArrowDown') list.selectPosition(0, true);
});
sortSelect.addEventListener('change', () => runQuery());
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== searchInput) {
    e.preventDefault();
    showTab('records');
    searchInput.focus();
  }
});

function requestRecord(index: number): void {
  state.selectedIndex = index;
  save();
  post({ type: 'record', index });
}

function renderFacets(facets: ViewInfo['facets']): void {
  const labels = FACET_LABELS[kind === 'inference' ? 'inference' : kind.startsWith('pref') ? 'pair' : 'default']!;
  facetBar.replaceChildren();
  for (const f of Object.keys(labels) as Facet[]) {
    const values: FacetValue[] | undefined = facets[f];
    if (!values) continue;
    const select = el('select', { className: 'facet', title: labels[f] });
    select.setAttribute('aria-label', labels[f]);
    select.dataset.facet = f;
    const all = el('option', { text: `${labels[f]}: all` });
    all.value = '';
    select.append(all);
    for (const v of values) {
      const o = el('option', { text: `${v.value} (${v.count})` });
      o.value = v.value;
      select.append(o);
    }
    select.value = state.query.facets[f] ?? '';
    select.addEventListener('change', () => {
      if (select.value) state.query.facets[f] = select.value;
      else delete state.query.facets[f];
      runQuery();
    });
    facetBar.append(select);
  }
  if (!analyzed) facetBar.append(el('span', { className: 'muted', text: 'Filters and sorting appear when analysis finishes…' }));
}

function renderBanner(): void {
  if (problems.length === 0) {
    banner.hidden = true;
    return;
  }
  banner.hidden = false;
  const summary = `⚠ ${invalid} invalid record${invalid === 1 ? '' : 's'}${problems.length > invalid ? `, ${problems.length} problems` : ''} — the valid records are shown.`;
  const details = el('details', {}, el('summary', { text: summary }));
  const ul = el('ul', { className: 'problem-list' });
  for (const p of problems.slice(0, 500)) {
    const where = p.index === undefined ? `byte ${p.offset}` : `record ${p.index}`;
    const li = el('li');
    const b = el('button', { className: 'link-button', text: where });
    if (p.index !== undefined) b.addEventListener('click', () => jumpTo(p.index!));
    else b.disabled = true;
    li.append(b, el('span', { text: ` ${p.path ? p.path + ': ' : ''}${p.message}` }));
    ul.append(li);
  }
  details.append(ul);
  const validate = el('button', { className: 'link-button', text: 'Show in Problems panel' });
  validate.addEventListener('click', () => post({ type: 'validate' }));
  banner.replaceChildren(details, validate);
}

/** Set while a jump from the problem list waits for its position: a hidden record clears the filters. */
let jumpRequested: number | undefined;

function jumpTo(index: number): void {
  showTab('records');
  jumpRequested = index;
  post({ type: 'position', index });
}

function updateHeader(): void {
  counts.textContent = `${records.toLocaleString('en-US')} records${indexed ? '' : '…'} · ${formatBytes(size)}${analyzed && invalid ? ` · ${invalid} invalid` : ''}`;
}

function onView(info: ViewInfo): void {
  if (info.version < viewVersion) return; // an older query answered late
  viewVersion = info.version;
  progressBar.hidden = analyzed;
  const restore = restoring;
  restoring = false;
  list.reset(info.version, info.total, -1, restore ? state.scrollTop : undefined);
  renderFacets(info.facets);
  if (info.searchError) {
    matchInfo.textContent = `Invalid regular expression: ${info.searchError.replace(/^Invalid regular expression: /, '')}`;
  } else if (info.matches !== undefined) {
    matchInfo.textContent = `${info.matches.toLocaleString('en-US')} matches in ${info.total.toLocaleString('en-US')} records (${Math.round(info.searchMs ?? 0)} ms)`;
  } else {
    matchInfo.textContent =
      info.total === records ? '' : `${info.total.toLocaleString('en-US')} of ${records.toLocaleString('en-US')} records`;
  }
  if (pendingJump !== undefined) {
    jumpRequested = pendingJump;
    post({ type: 'position', index: pendingJump });
    pendingJump = undefined;
  }
  // the selected record may sit elsewhere in a re-sorted or re-filtered view: ask where
  if (restore && state.selectedIndex !== undefined) post({ type: 'position', index: state.selectedIndex });
}

list.element.addEventListener('scroll', () => {
  state.scrollTop = list.scrollTop;
  save();
});

window.addEventListener('message', (event: MessageEvent<ExtensionToViewer>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      setStrategyColors(m.strategies);
      title.textContent = m.file;
      document.body.dataset.documentOpenedAt = String(m.openedAt);
      size = m.size;
      updateHeader();
      if (m.tab) state.tab = m.tab;
      if (m.resetSearch) {
        state.query = { ...state.query, search: undefined };
        searchInput.value = '';
        save();
      }
      showTab(state.tab);
      break;
    case 'progress': {
      const fill = progressBar.firstElementChild as HTMLElement;
      const pct = m.progress.size ? Math.min(100, (100 * m.progress.bytes) / m.progress.size) : 100;
      fill.style.width = `${pct}%`;
      progressBar.hidden = false;
      progressBar.setAttribute('aria-valuenow', String(Math.round(pct)));
      progressBar.title = `${m.progress.phase} ${Math.round(pct)}%`;
      if (m.progress.phase === 'indexing') {
        records = m.progress.records;
        updateHeader();
      }
      break;
    }
    case 'firstRecords':
      kind = m.kind;
      records = m.records;
      kindBadge.textContent = m.kind === 'unknown' ? 'not an ESC dataset' : m.kindLabel;
      kindBadge.title = m.kind;
      updateHeader();
      post({ type: 'query', query: state.query });
      break;
    case 'indexed':
      indexed = true;
      records = m.info.records;
      updateHeader();
      if (m.info.problems.length > 0) {
        problems = m.info.problems;
        invalid = m.info.problems.filter((p) => p.index !== undefined).length;
        renderBanner();
      }
      if (m.info.records === 0 && m.info.problems.length > 0) {
        errorBox.hidden = false;
        errorBox.textContent = m.info.problems[0]!.message;
      } else if (m.info.records === 0) {
        errorBox.hidden = false;
        errorBox.textContent = 'This file has no records.';
      }
      restoring = restoring || state.selectedPosition !== undefined;
      post({ type: 'query', query: state.query });
      break;
    case 'analyzed':
      analyzed = true;
      stats = m.stats;
      problems = m.problems;
      invalid = m.invalid;
      progressBar.hidden = true;
      updateHeader();
      renderBanner();
      if (state.tab === 'stats') renderStats(statsTab, stats, false);
      restoring = state.selectedPosition !== undefined;
      post({ type: 'query', query: state.query });
      break;
    case 'view':
      onView(m.info);
      break;
    case 'rows':
      if (m.version !== viewVersion) break;
      list.addRows(m.version, m.start, m.rows);
      if (!firstRowsShown && m.rows.length > 0) {
        firstRowsShown = true;
        document.body.dataset.firstRowsMs = String(Math.round(performance.now() - t0));
        document.body.dataset.firstRowsAt = String(Date.now());
        document.body.dataset.scriptStartMs = String(Math.round(t0)); // since this page's navigation began
        // when VS Code's webview host delivered this page's HTML (its share of the first-page time)
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        document.body.dataset.htmlDeliveredMs = String(Math.round(nav?.responseEnd ?? 0));
      }
      if (pendingSelect !== undefined && list.rowAt(pendingSelect)) {
        requestRecord(list.rowAt(pendingSelect)!.index);
        pendingSelect = undefined;
      }
      break;
    case 'record':
      if (m.detail.index !== state.selectedIndex) break;
      currentDetail = m.detail;
      drawRecord();
      break;
    case 'position':
      if (m.position >= 0) list.selectPosition(m.position, m.index === jumpRequested);
      else if (m.index === jumpRequested && (state.query.search !== undefined || Object.keys(state.query.facets).length > 0)) {
        // hidden by the current search or filters: clear them, then jump
        pendingJump = m.index;
        jumpRequested = undefined;
        searchInput.value = '';
        state.query = { facets: {}, sort: 'file' };
        sortSelect.value = 'file';
        post({ type: 'query', query: state.query });
      }
      break;
    case 'showTab':
      showTab(m.tab);
      break;
    case 'error':
      errorBox.hidden = false;
      errorBox.textContent = m.message;
      break;
  }
});

function drawRecord(): void {
  if (!currentDetail) return;
  renderRecord(pane, currentDetail, {
    pattern: searchPattern(state.query.search),
    raw: state.raw,
    onToggleRaw: () => {
      state.raw = !state.raw;
      save();
      drawRecord();
    },
    onCopy: (text) => post({ type: 'copy', text }),
    onRevealInText: (index) => post({ type: 'revealInText', index }),
  });
}

showTab(state.tab);
post({ type: 'ready' });
