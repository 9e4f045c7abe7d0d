// The viewer's query as the user edits it: the search box and its toggles, the facet filters
// (labelled for the file's kind), the sort order, the subset another feature drilled into (its banner
// line, its removal); and what to do when a jump to a record finds it hidden by that query.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { Facet, FacetValue, ViewInfo, ViewQuery, ViewSubset } from '../../../../src/protocol/viewer';

/** The search box and its two toggles, as typed (the query runs debounced from these). */
export interface SearchInput {
  text: string;
  regex: boolean;
  caseSensitive: boolean;
}

export { appliedQuery, EMPTY_QUERY } from '../../../../src/protocol/viewerQuery';

const COMMON: Record<Exclude<Facet, 'strategy' | 'rejected'>, string> = {
  emotion: 'Emotion',
  problem: 'Problem',
  errorType: 'Error type',
  retained: 'Retained',
};

/** Facet labels in display order: pairs say chosen/rejected, inference outputs gold/predicted. */
export function facetLabels(kind: string): Record<Facet, string> {
  if (kind === 'inference') return { strategy: 'Gold strategy', rejected: 'Predicted strategy', ...COMMON };
  if (kind.startsWith('pref')) return { strategy: 'Chosen strategy', rejected: 'Rejected strategy', ...COMMON };
  return { strategy: 'Strategy', rejected: 'Rejected strategy', ...COMMON };
}

export interface FacetControl {
  facet: Facet;
  label: string;
  values: FacetValue[];
  /** The value filtered on, '' for all. */
  current: string;
}

/** The facet filters to draw: those the view has values for, in label order. */
export function facetControls(kind: string, facets: ViewInfo['facets'], query: ViewQuery): FacetControl[] {
  const labels = facetLabels(kind);
  return (Object.keys(labels) as Facet[])
    .filter((f) => facets[f] !== undefined || query.facets[f] !== undefined)
    .map((f) => {
      const current = query.facets[f] ?? '';
      const values = facets[f] ?? [];
      // the value filtered on stays an option when no record of the view has it any more (another
      // filter or the search left none): else the select would show its first option, "all", while
      // the filter still applies
      const kept = current === '' || values.some((v) => v.value === current) ? values : [{ value: current, count: 0 }, ...values];
      return { facet: f, label: labels[f], values: kept, current };
    });
}

export interface FacetOption {
  value: string;
  text: string;
}

/**
 * The options of a facet's select. A closed select shows only its selected option's text, so the
 * picked value carries the facet's name too ("Chosen strategy: Question (12)"), as "all" does: the
 * label stays on screen after a pick.
 */
export function facetOptions(c: FacetControl): FacetOption[] {
  return [
    { value: '', text: `${c.label}: all` },
    ...c.values.map((v) => ({
      value: v.value,
      text: v.value === c.current ? `${c.label}: ${v.value} (${v.count})` : `${v.value} (${v.count})`,
    })),
  ];
}

/** `query` with one facet set, or cleared by ''. */
export function withFacet(query: ViewQuery, facet: Facet, value: string): ViewQuery {
  const facets = { ...query.facets };
  if (value) facets[facet] = value;
  else delete facets[facet];
  return { ...query, facets };
}

/** The query to run from the search box, its toggles and the current filters, sort and subset. */
export function queryFrom(input: SearchInput, query: ViewQuery): ViewQuery {
  const search = input.text ? { text: input.text, regex: input.regex, caseSensitive: input.caseSensitive } : undefined;
  return { search, facets: query.facets, sort: query.sort, ...(query.subset ? { subset: query.subset } : {}) };
}

/** `query` back on the whole file (its search, facets and sort kept). */
export function withoutSubset(query: ViewQuery): ViewQuery {
  const rest = { ...query };
  delete rest.subset;
  return rest;
}

/**
 * The subset banner: "Showing 12 turns: gold Question → predicted Reflection of feelings" (an
 * inference record is one turn; other files count records). `total` is the index's count of the
 * subset's records in this file (undefined until a view answers).
 */
export function subsetLine(subset: ViewSubset, kind: string, total: number | undefined): string {
  const word = kind === 'inference' ? 'turn' : 'record';
  const label = subset.label.trim();
  const count = total === undefined ? `the selected ${word}s` : `${total.toLocaleString('en-US')} ${word}${total === 1 ? '' : 's'}`;
  return label ? `Showing ${count}: ${label}` : `Showing ${count}`;
}

export function searchInputOf(query: ViewQuery): SearchInput {
  return { text: query.search?.text ?? '', regex: query.search?.regex ?? false, caseSensitive: query.search?.caseSensitive ?? false };
}

export function isFiltered(query: ViewQuery): boolean {
  return query.search !== undefined || Object.keys(query.facets).length > 0 || query.subset !== undefined;
}

/** What the answer to "where is record `index` in the view?" leads to. */
export type PositionOutcome =
  /** Select the row (and move focus to the list for a jump the user asked for). */
  | { select: number; focus: boolean }
  /** The record the user jumped to is hidden by the search, filters or subset: clear them, then ask again. */
  | { clearThenJump: number }
  | undefined;

export function positionOutcome(
  answer: { index: number; position: number },
  jumpRequested: number | undefined,
  query: ViewQuery,
): PositionOutcome {
  const asked = answer.index === jumpRequested;
  if (answer.position >= 0) return { select: answer.position, focus: asked };
  if (asked && isFiltered(query)) return { clearThenJump: answer.index };
  return undefined;
}

/**
 * A saved query as it holds for the file now: a subset names records by index in the file as it was
 * (`savedVersion`, size and modification time) and would show other records once the file changed, so
 * then it is dropped, with a line that says why. The search, facets and sort stay.
 */
export function restoredQuery(query: ViewQuery, savedVersion: string | undefined, version: string): { query: ViewQuery; notice?: string } {
  if (!query.subset || savedVersion === undefined || savedVersion === version) return { query };
  return {
    query: withoutSubset(query),
    notice: `The file changed since “${query.subset.label}” was shown: its records may be others now, so the whole file is shown.`,
  };
}
