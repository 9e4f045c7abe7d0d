// The bench's empty webview panel (src/features/datasets/viewer/emptyPanel.ts): stamps the wall-clock
// time its script ran, as the viewer stamps its first rows (webview-ui/src/viewer/main.ts stampFirstRows).
/* global document */
'use strict';
const nav = performance.getEntriesByType('navigation')[0];
document.body.dataset.shownAt = String(Date.now());
document.body.dataset.htmlDeliveredMs = String(Math.round(nav ? nav.responseEnd : 0));
document.body.dataset.scriptStartMs = String(Math.round(performance.now()));
