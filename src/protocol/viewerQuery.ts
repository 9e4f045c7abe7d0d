// The viewer's query facts both sides compute with: the page over its own query, the extension for the
// first view it sends with the page (ViewerBoot in viewer.ts). Zod-free, so the webview bundle stays small.

import type { ViewQuery } from '../core/dataset/viewTypes';
import type { AppliedQuery } from './viewer';

/** Rows travel a page at a time: what the list asks for, and the first page an opening page carries. */
export const ROWS_PAGE = 100;

/** The query of a page that has none saved: the whole file in file order. */
export const EMPTY_QUERY: ViewQuery = { facets: {}, sort: 'file' };

/**
 * The query the extension set (a drill-down) applied over `query`: its subset replaces any before it,
 * its facets replace the user's, the search is cleared, so exactly those records show; the user's sort
 * order stays.
 */
export function appliedQuery(query: ViewQuery, applied: AppliedQuery): ViewQuery {
  return { facets: { ...applied.facets }, sort: query.sort, ...(applied.subset ? { subset: applied.subset } : {}) };
}
