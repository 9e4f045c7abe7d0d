// The Statistics tab, drawn with Chart.js (and chartjs-chart-matrix for the planner's chosen ->
// rejected strategy matrix and an inference file's gold -> predicted confusion, counts printed in
// the cells) from the same DatasetStats `esc stats` prints. Colours come from the theme
// (--vscode-charts-*) and the shared strategy palette. What it says in words: model/stats.ts.

import { Chart, type ChartConfiguration, type Plugin } from 'chart.js';
import type { MatrixElement } from 'chartjs-chart-matrix';
import type { Distribution, DatasetStats, StrategyCounts } from '../../../src/protocol/viewer';
import { baseChartOptions, registerBarCharts, registerMatrixCharts } from '../shared/charts';
import { strategyColor } from '../shared/chips';
import { el } from '../shared/vscodeApi';
import { chartColor, chartInk } from '../shared/theme';
import { hasTurns, lengthSides, summaryRows, wrapLabel } from './model/stats';

registerBarCharts();
registerMatrixCharts();

const charts: Chart[] = [];

function figure(title: string, description: string, config: ChartConfiguration, height = 260): HTMLElement {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${title}: ${description}`);
  const box = el('div', { className: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  const fig = el('figure', { className: 'chart' }, el('figcaption', { text: title }), box);
  charts.push(new Chart(canvas, config));
  return fig;
}

/** A category tick on lines (Chart.js draws an array as lines), so a long strategy name fits beside its row. */
function wrappedTick(this: { getLabelForValue(v: number): string }, value: number | string): string[] {
  return wrapLabel(this.getLabelForValue(Number(value)));
}

const describe = (labels: string[], values: number[]): string => labels.map((l, i) => `${l} ${values[i]}`).join(', ');

// counts on y: whole numbers only
const baseOptions = (): ChartConfiguration['options'] => baseChartOptions({ y: { precision: 0 } });

function strategyChart(stats: DatasetStats): HTMLElement {
  const s = stats.strategies;
  const columns = Object.entries(s).filter(([k]) => k !== 'other' && k !== 'matrix') as [string, StrategyCounts][];
  const labels = [...Object.keys(columns[0]![1]), ...Object.keys(s.other)];
  const palette = [chartColor('--vscode-charts-blue'), chartColor('--vscode-charts-red')];
  const datasets = columns.map(([name, counts], i) => ({
    label: name,
    data: labels.map((l) => (l in counts ? counts[l as keyof StrategyCounts] : name === columns[0]![0] ? (s.other[l] ?? 0) : 0)),
    backgroundColor: columns.length === 1 ? labels.map((l) => strategyColor(l) ?? '#888') : palette[i % palette.length],
  }));
  const title =
    columns.length === 1 ? `Strategy distribution (${columns[0]![0]})` : `Strategy distribution: ${columns.map((c) => c[0]).join(' vs ')}`;
  const { fg, grid } = chartInk();
  // bars run across, names on the left: a long name under a vertical bar was rotated and cut off at the edge
  return figure(
    title,
    datasets.map((d) => `${d.label}: ${describe(labels, d.data)}`).join('; '),
    {
      type: 'bar',
      data: { labels, datasets },
      options: {
        ...baseOptions(),
        indexAxis: 'y',
        scales: {
          x: { beginAtZero: true, ticks: { color: fg, precision: 0 }, grid: { color: grid } },
          y: { ticks: { color: fg, autoSkip: false, callback: wrappedTick }, grid: { display: false } },
        },
        plugins: { legend: { display: columns.length > 1, labels: { color: fg } } },
      },
    },
    Math.max(260, labels.length * (columns.length > 1 ? 40 : 30) + 60),
  );
}

interface MatrixSpec {
  title: string;
  /** Row names (y, top to bottom) and column names (x). */
  rows: string[];
  columns: string[];
  value(row: string, column: string): number;
  rowTitle: string;
  columnTitle: string;
  /** What a cell's tooltip and the figure's description say. */
  cellText(row: string, column: string, n: number): string;
}

/** Prints each non-zero cell's count at its centre, in a colour that reads on the cell's shade. */
const cellCounts: Plugin = {
  id: 'cellCounts',
  afterDatasetsDraw(chart) {
    const meta = chart.getDatasetMeta(0);
    const cells = chart.data.datasets[0]?.data as { v: number }[] | undefined;
    if (!cells) return;
    const max = Math.max(1, ...cells.map((c) => c.v));
    const { ctx } = chart;
    ctx.save();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.font = `12px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
    meta.data.forEach((element, i) => {
      const v = cells[i]?.v ?? 0;
      if (v === 0) return;
      const { x, y } = (element as unknown as MatrixElement).getCenterPoint(true);
      ctx.fillStyle = v / max > 0.55 ? '#ffffff' : chartInk().fg;
      ctx.fillText(v.toLocaleString('en-US'), x, y);
    });
    ctx.restore();
  },
};

function matrixChart(m: MatrixSpec): HTMLElement {
  const cells = m.rows.flatMap((r) => m.columns.map((c) => ({ x: c, y: r, v: m.value(r, c) })));
  const max = Math.max(1, ...cells.map((c) => c.v));
  const base = chartColor('--vscode-charts-purple');
  const { fg } = chartInk();
  const opts = baseOptions();
  // every name shown whole: rows wrapped onto lines, columns turned (too narrow for a name across)
  const axis = (labels: string[], text: string, across: boolean) => ({
    type: 'category',
    labels,
    offset: true,
    title: { display: true, text, color: fg },
    ticks: across
      ? { color: fg, autoSkip: false, callback: wrappedTick }
      : { color: fg, autoSkip: false, minRotation: 45, maxRotation: 90 },
    grid: { display: false },
  });
  return figure(
    m.title,
    cells
      .filter((c) => c.v > 0)
      .map((c) => m.cellText(c.y, c.x, c.v))
      .join(', ') || 'none',
    {
      type: 'matrix',
      data: {
        datasets: [
          {
            label: m.title,
            data: cells,
            backgroundColor: (ctx: { raw?: unknown }) => {
              const v = (ctx.raw as { v?: number } | undefined)?.v ?? 0;
              return v === 0 ? 'rgba(128,128,128,0.08)' : colorWithAlpha(base, 0.15 + 0.85 * (v / max));
            },
            width: ({ chart }: { chart: Chart }) => (chart.chartArea?.width ?? 0) / m.columns.length - 2,
            height: ({ chart }: { chart: Chart }) => (chart.chartArea?.height ?? 0) / m.rows.length - 2,
          },
        ],
      },
      options: {
        ...opts,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: () => '',
              label: (ctx: { raw: unknown }) => {
                const r = ctx.raw as { x: string; y: string; v: number };
                return m.cellText(r.y, r.x, r.v);
              },
            },
          },
        },
        scales: { x: axis(m.columns, m.columnTitle, false), y: { ...axis(m.rows, m.rowTitle, true), reverse: false } },
      },
      plugins: [cellCounts],
    } as unknown as ChartConfiguration,
    460,
  );
}

function plannerMatrix(matrix: Record<string, StrategyCounts>): HTMLElement {
  const names = Object.keys(matrix);
  return matrixChart({
    title: 'Chosen → rejected strategy (planner pairs)',
    rows: names,
    columns: names,
    value: (c, r) => matrix[c]![r as keyof StrategyCounts],
    rowTitle: 'chosen',
    columnTitle: 'rejected',
    cellText: (c, r, n) => `chosen ${c} → rejected ${r}: ${n}`,
  });
}

function confusionMatrix(confusion: Record<string, Record<string, number>>): HTMLElement {
  const rows = Object.keys(confusion);
  const columns = Object.keys(confusion[rows[0]!] ?? {});
  return matrixChart({
    title: 'Gold → predicted strategy (turns)',
    rows,
    columns,
    value: (g, p) => confusion[g]?.[p] ?? 0,
    rowTitle: 'gold',
    columnTitle: 'predicted',
    cellText: (g, p, n) => `gold ${g} → ${p === 'no strategy' ? 'no strategy' : `predicted ${p}`}: ${n} turn${n === 1 ? '' : 's'}`,
  });
}

function colorWithAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1]!, 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha.toFixed(3)})`;
}

function histogram(title: string, series: [string, Distribution][]): HTMLElement {
  const edges = series[0]![1].histogram.edges;
  const labels = edges.slice(0, -1).map((e, i) => (edges[i + 1]! - e === 1 ? `${e}` : `${e}–${edges[i + 1]! - 1}`));
  const palette = [chartColor('--vscode-charts-blue'), chartColor('--vscode-charts-red')];
  const datasets = series.map(([name, d], i) => ({ label: name, data: d.histogram.counts, backgroundColor: palette[i % 2] }));
  const summary = series.map(([name, d]) => `${name}: median ${d.median}, mean ${d.mean.toFixed(1)}, max ${d.max}`).join('; ');
  const fig = figure(title, summary, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      ...baseOptions(),
      plugins: { legend: { display: series.length > 1, labels: { color: chartInk().fg } } },
    },
  });
  fig.append(el('div', { className: 'muted chart-note', text: summary }));
  return fig;
}

function distributionChart(title: string, table: Record<string, number>): HTMLElement {
  const entries = Object.entries(table).sort((a, b) => b[1] - a[1]);
  const labels = entries.map((e) => e[0]);
  const values = entries.map((e) => e[1]);
  const { fg } = chartInk();
  return figure(
    title,
    describe(labels, values),
    {
      type: 'bar',
      data: { labels, datasets: [{ label: title, data: values, backgroundColor: chartColor('--vscode-charts-green') }] },
      options: {
        ...baseOptions(),
        indexAxis: 'y',
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, color: fg } },
          y: { ticks: { color: fg } },
        },
        plugins: { legend: { display: false } },
      },
    },
    Math.max(140, 28 * labels.length + 40),
  );
}

export function renderStats(container: HTMLElement, stats: DatasetStats | undefined, analyzing: boolean): void {
  for (const c of charts.splice(0)) c.destroy();
  if (!stats) {
    container.replaceChildren(
      el('p', { className: 'muted', text: analyzing ? 'Computing statistics…' : 'No statistics: this file is not an ESC dataset.' }),
    );
    return;
  }
  const summary = el('dl', { className: 'meta stats-summary' });
  for (const [k, v] of summaryRows(stats)) summary.append(el('dt', { text: k }), el('dd', { text: v }));
  const grid = el('div', { className: 'chart-grid' });
  grid.append(strategyChart(stats));
  if ('matrix' in stats.strategies && stats.strategies.matrix) grid.append(plannerMatrix(stats.strategies.matrix));
  if (stats.prediction) grid.append(confusionMatrix(stats.prediction.confusion));
  if (stats.empathyErrors) grid.append(distributionChart('Contains empathy error (responses)', stats.empathyErrors));
  if (hasTurns(stats)) grid.append(histogram('Turns per record', [['turns', stats.turns]]));
  if (stats.length.count > 0) {
    const sides = lengthSides(stats);
    grid.append(
      sides
        ? histogram(`Reply length in words: ${sides[0][0]} vs ${sides[1][0]}`, sides)
        : histogram(stats.kind === 'error-stats' ? 'Response length in words' : 'Reply length in words (supporter turns)', [
            ['words', stats.length],
          ]),
    );
  }
  if (stats.emotions) grid.append(distributionChart('Emotion types', stats.emotions));
  if (stats.problems) grid.append(distributionChart('Problem types', stats.problems));
  if (stats.errorTypes && Object.keys(stats.errorTypes).length > 0) grid.append(distributionChart('Error types', stats.errorTypes));
  if (stats.retained) grid.append(distributionChart('Retained by the judge', stats.retained));
  container.replaceChildren(summary, grid);
}
