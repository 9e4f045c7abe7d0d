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

// VS Code's own defaults for its chart colours (Dark Modern), used only if a theme leaves one unset.
const CHART_COLOR_FALLBACKS: Record<string, string> = {
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-yellow': '#cca700',
};

/** A series colour: one of the theme's `--vscode-charts-*` colours. */
export const chartColor = (name: string): string => themeColor(name, CHART_COLOR_FALLBACKS[name] ?? '#888');
