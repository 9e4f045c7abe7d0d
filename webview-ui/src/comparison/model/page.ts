// The comparison page's state: the extension's last `state` message plus the user's own choices
// (which run's confusion is shown, which runs are ticked for a review). Only the choices persist
// (setState): the extension sends the whole state again on `ready`.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { ComparedRun, ComparisonToExtension, ExtensionToComparison, TableView } from '../../../../src/protocol/comparison';

export type StateMessage = Extract<ExtensionToComparison, { type: 'state' }>;
export type TableRow = TableView['rows'][number];

/** What survives a reload. */
export interface Persisted {
  confusionRun?: string;
  selected?: string[];
}

export interface Page {
  state?: StateMessage;
  /** The run the confusion heatmap shows (kept while the run is away: it may come back after scoring). */
  confusionRun?: string;
  /** Runs ticked for "Review two runs…", oldest first (at most two). */
  selected: string[];
}

/** The saved choices, checked (a webview's saved state is whatever an older version wrote). */
export function restorePage(saved: unknown): Page {
  const s = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
  const selected = Array.isArray(s.selected) ? s.selected.filter((x): x is string => typeof x === 'string').slice(-2) : [];
  return { selected, ...(typeof s.confusionRun === 'string' ? { confusionRun: s.confusionRun } : {}) };
}

export function persisted(page: Page): Persisted {
  return { selected: page.selected, ...(page.confusionRun !== undefined ? { confusionRun: page.confusionRun } : {}) };
}

/** A new state from the extension: ticks on runs that left the page are dropped. */
export function onState(page: Page, state: StateMessage): Page {
  const present = new Set([...state.runs.map((r) => r.id), ...state.pending.map((p) => p.id)]);
  return { ...page, state, selected: page.selected.filter((id) => present.has(id)) };
}

export function chooseConfusionRun(page: Page, id: string): Page {
  return { ...page, confusionRun: id };
}

/** Ticks or unticks a run for review; a third tick drops the oldest (a review compares two). */
export function toggleSelected(page: Page, id: string): Page {
  if (page.selected.includes(id)) return { ...page, selected: page.selected.filter((x) => x !== id) };
  return { ...page, selected: [...page.selected, id].slice(-2) };
}

/** The two runs "Review two runs…" starts with: the ticked ones, topped up with the first others; undefined under two runs. */
export function reviewPair(page: Page): Extract<ComparisonToExtension, { type: 'review' }> | undefined {
  const runs = page.state?.runs ?? [];
  const ids = runs.map((r) => r.id);
  const ticked = ids.filter((id) => page.selected.includes(id));
  const pair = [...ticked, ...ids.filter((id) => !ticked.includes(id))].slice(0, 2);
  return pair.length === 2 ? { type: 'review', a: pair[0]!, b: pair[1]! } : undefined;
}

/** The baseline button of a row: pressing the baseline's own clears it. */
export function baselineMessage(state: StateMessage, id: string): Extract<ComparisonToExtension, { type: 'setBaseline' }> {
  return { type: 'setBaseline', id: state.baseline === id ? null : id };
}

export interface RowView {
  run: ComparedRun;
  row: TableRow;
}

/**
 * The table's rows with their runs. The extension builds the table from the runs in the same order
 * (row.file is the run's label); a row is matched by id or label first, by position otherwise.
 */
export function rowViews(state: StateMessage): RowView[] {
  const used = new Set<ComparedRun>();
  const out: RowView[] = [];
  state.table.rows.forEach((row, i) => {
    const byName = state.runs.find((r) => !used.has(r) && (r.id === row.file || r.label === row.file));
    const byPos = state.runs[i] && !used.has(state.runs[i]) ? state.runs[i] : undefined;
    const run = byName ?? byPos;
    if (!run) return;
    used.add(run);
    out.push({ run, row });
  });
  return out;
}

/** Nothing to compare and nothing coming: the page shows its empty state. */
export function isEmpty(state: StateMessage | undefined): boolean {
  return state !== undefined && state.runs.length === 0 && state.pending.length === 0 && state.failed.length === 0;
}

/** The label of the baseline run, if any. */
export function baselineLabel(state: StateMessage): string | undefined {
  return state.runs.find((r) => r.id === state.baseline)?.label;
}
