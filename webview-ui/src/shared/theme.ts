// The editor's theme as the charts read it: a `--vscode-*` colour from the page, with a fallback for
// a variable the theme does not set. One reader for every webview's Chart.js options.

/** The value of a theme CSS variable on the page, or `fallback` when it is unset. */
export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The text and grid-line colours every chart uses. */
export const chartInk = (): { fg: string; grid: string } => ({
  fg: themeColor('--vscode-foreground', '#888'),
  grid: themeColor('--vscode-charts-lines', 'rgba(128,128,128,0.3)'),
});
