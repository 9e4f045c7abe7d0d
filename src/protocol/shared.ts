// The few runtime facts and helpers the webviews share with the extension. Webviews import only
// from src/protocol/ (lint enforces it); this module re-exports what they need from core/ and, unlike
// the message modules, pulls in no zod, so the webview bundles stay small.

export { escapeRegex } from '../core/util/regex';
export { countOf, formatBytes } from '../core/util/bytes';
export { problemsSentence } from '../core/dataset/problemWords';
export { SORT_ORDERS } from '../core/dataset/viewTypes';
export type { Strategy } from '../core/strategies';
