// Chart.js as the webview pages use it: the one place its parts are registered, and the options every
// chart starts from (theme ink, no animation, sized by its box). Chart.js is tree-shaken, so each kind
// of chart is its own registration: a page carries only the parts of the kinds it calls for (the
// comparison page, with bars only, does not carry chartjs-chart-matrix).

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { chartInk } from './theme';

/** Bar charts on category and linear axes, with tooltips and legends. */
export function registerBarCharts(): void {
  Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
}

/** Line charts (points joined by lines) on linear and category axes, with tooltips and legends. */
export function registerLineCharts(): void {
  Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);
}

/** Matrix (heat-map) charts on category axes, with tooltips. */
export function registerMatrixCharts(): void {
  Chart.register(MatrixController, MatrixElement, CategoryScale, Tooltip);
}

type Options<T extends ChartType> = NonNullable<ChartConfiguration<T>['options']>;
type Ticks = NonNullable<NonNullable<Options<'bar'>['scales']>['x']>['ticks'];

/**
 * The options every chart starts from, in the theme's colours as they are now (call again after a
 * theme change): text and grid lines in the theme's ink, a legend in the same ink, y from zero.
 * `ticks` adds to each axis's ticks (e.g. whole numbers on a count axis). `T` is the kind of chart
 * they are for (bar unless said): the same options fit both.
 */
export function baseChartOptions<T extends 'bar' | 'line' = 'bar'>(ticks: { x?: Ticks; y?: Ticks } = {}): Options<T> {
  const { fg, grid } = chartInk();
  const options: Options<'bar'> & Options<'line'> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    color: fg,
    plugins: { legend: { labels: { color: fg } } },
    scales: {
      x: { ticks: { color: fg, ...ticks.x }, grid: { color: grid } },
      y: { ticks: { color: fg, ...ticks.y }, grid: { color: grid }, beginAtZero: true },
    },
  };
  return options as Options<T>;
}
