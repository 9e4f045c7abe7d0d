// The data shapes the dataset viewer works with, shared by the index (in a worker), the extension and
// the webview (type-only there).

import type { DetectedKind } from '../formats/kinds';
import type { RecordView } from './recordView';
import type { SearchQuery } from './search';

export const FACETS = ['strategy', 'rejected', 'emotion', 'problem', 'errorType', 'retained'] as const;
export type Facet = (typeof FACETS)[number];

/** Sort orders of the record list, with their labels (one list for the index, protocol and webview). */
export const SORT_ORDERS = {
  file: 'File order',
  'length-desc': 'Longest first',
  'length-asc': 'Shortest first',
  'turns-desc': 'Most turns first',
  'turns-asc': 'Fewest turns first',
} as const;
export type SortOrder = keyof typeof SORT_ORDERS;

/**
 * An explicit set of records to show (e.g. the turns behind a confusion cell of an evaluation), named
 * for the banner above the list. Indices outside the file are ignored; duplicates count once.
 */
export interface ViewSubset {
  label: string;
  indices: number[];
}

export interface ViewQuery {
  search?: SearchQuery;
  /** Selected value per facet (records must have it). */
  facets: Partial<Record<Facet, string>>;
  sort: SortOrder;
  /** Only these records are in the view (search and facets apply within them). */
  subset?: ViewSubset;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface ViewInfo {
  /** Increases with every query; rows answer for one version. */
  version: number;
  total: number;
  /** Records of the file in the query's subset (distinct, in range), when it has one. */
  subsetTotal?: number;
  /** Counts of each facet's values among records matching the subset, the search and the other facets. */
  facets: Partial<Record<Facet, FacetValue[]>>;
  /** Search matches (occurrences) in the view, when a search is active; undefined while not counted. */
  matches?: number;
  searchMs?: number;
  /** Set when the search text is not a valid regular expression. */
  searchError?: string;
}

export interface RowSummary {
  index: number;
  snippet: string;
  strategies: string[];
  turns: number;
  length: number;
  /** The record could not be parsed or fails its schema. */
  invalid?: boolean;
}

export interface RecordDetail {
  index: number;
  kind: DetectedKind;
  start: number;
  end: number;
  /** The parsed record, or undefined when it is not valid JSON. */
  value?: unknown;
  /** How to draw it (undefined for a record that is not an object of the file's kind). */
  view?: RecordView;
  /** Raw JSON text of a record that does not parse (cut at RAW_TEXT_LIMIT characters); empty otherwise. */
  raw: string;
  rawTruncated: boolean;
  problems: { path: string; message: string }[];
}

export const RAW_TEXT_LIMIT = 1_000_000;

export interface IndexProgress {
  phase: 'indexing' | 'analyzing' | 'searching';
  bytes: number;
  size: number;
  records: number;
}
