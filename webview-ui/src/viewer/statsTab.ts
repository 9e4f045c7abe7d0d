// The Statistics tab, drawn with Chart.js (and chartjs-chart-matrix for the planner's chosen ->
// rejected strategy matrix) from the same DatasetStats `esc stats` prints. Colours come from the
// theme (--vscode-charts-*) and the shared strategy palette.

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import type { Distribution, DatasetStats, StrategyCounts } from '../../../src/protocol/viewer';
import { strategyColor } from '../shared/chips';
import { el } from '../shared/vscodeApi';
import { chartInk, themeColor } from '../shared/theme';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend, MatrixController, MatrixElement);

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

const describe = (labels: string[], values: number[]): string => labels.map((l, i) => `${l} ${values[i]}`).join(', ');

function baseOptions(stacked = false): ChartConfiguration['options'] {
  const { fg, grid } = chartInk();
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    color: fg,
    plugins: { legend: { labels: { color: fg } } },
    scales: {
      x: { ticks: { color: fg }, grid: { color: grid }, stacked },
      y: { ticks: { color: fg, precision: 0 }, grid: { color: grid }, beginAtZero: true, stacked },
    },
  };
}

function strategyChart(stats: DatasetStats): HTMLElement {
  const s = stats.strategies;
  const columns = Object.entries(s).filter(([k]) => k !== 'other' && k !== 'matrix') as [string, StrategyCounts][];
  const labels = [...Object.keys(columns[0]![1]), ...Object.keys(s.other)];
  const palette = [themeColor('--vscode-charts-blue', '#3b82f6'), themeColor('--vscode-charts-red', '#ef4444')];
  const datasets = columns.map(([name, counts], i) => ({
    label: name,
    data: labels.map((l) => (l in counts ? counts[l as keyof StrategyCounts] : name === columns[0]![0] ? (s.other[l] ?? 0) : 0)),
    backgroundColor: columns.length === 1 ? labels.map((l) => strategyColor(l) ?? '#888') : palette[i % palette.length],
  }));
  const title =
    columns.length === 1 ? `Strategy distribution (${columns[0]![0]})` : `Strategy distribution: ${columns.map((c) => c[0]).join(' vs ')}`;
  return figure(title, datasets.map((d) => `${d.label}: ${describe(labels, d.data)}`).join('; '), {
    type: 'bar',
    data: { labels, datasets },
    options: {
      ...baseOptions(),
      plugins: { legend: { display: columns.length > 1, labels: { color: themeColor('--vscode-foreground', '#888') } } },
    },
  });
}

function matrixChart(matrix: Record<string, StrategyCounts>): HTMLElement {
  const names = Object.keys(matrix);
  const cells = names.flatMap((c) => names.map((r) => ({ x: r, y: c, v: matrix[c]![r as keyof StrategyCounts] })));
  const max = Math.max(1, ...cells.map((c) => c.v));
  const base = themeColor('--vscode-charts-purple', '#a855f7');
  const opts = baseOptions();
  return figure(
    'Chosen → rejected strategy (planner pairs)',
    cells
      .filter((c) => c.v > 0)
      .map((c) => `${c.y} → ${c.x}: ${c.v}`)
      .join(', ') || 'no pairs',
    {
      type: 'matrix',
      data: {
        datasets: [
          {
            label: 'pairs',
            data: cells,
            backgroundColor: (ctx: { raw?: unknown }) => {
              const v = (ctx.raw as { v?: number } | undefined)?.v ?? 0;
              return v === 0 ? 'rgba(128,128,128,0.08)' : colorWithAlpha(base, 0.15 + 0.85 * (v / max));
            },
            width: ({ chart }: { chart: Chart }) => (chart.chartArea?.width ?? 0) / names.length - 2,
            height: ({ chart }: { chart: Chart }) => (chart.chartArea?.height ?? 0) / names.length - 2,
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
                return `chosen ${r.y} → rejected ${r.x}: ${r.v}`;
              },
            },
          },
        },
        scales: {
          x: {
            type: 'category',
            labels: names,
            offset: true,
            title: { display: true, text: 'rejected', color: themeColor('--vscode-foreground', '#888') },
            ticks: { color: themeColor('--vscode-foreground', '#888') },
            grid: { display: false },
          },
          y: {
            type: 'category',
            labels: names,
            offset: true,
            reverse: false,
            title: { display: true, text: 'chosen', color: themeColor('--vscode-foreground', '#888') },
            ticks: { color: themeColor('--vscode-foreground', '#888') },
            grid: { display: false },
          },
        },
      },
    } as unknown as ChartConfiguration,
    380,
  );
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
  const palette = [themeColor('--vscode-charts-blue', '#3b82f6'), themeColor('--vscode-charts-red', '#ef4444')];
  const datasets = series.map(([name, d], i) => ({ label: name, data: d.histogram.counts, backgroundColor: palette[i % 2] }));
  const summary = series.map(([name, d]) => `${name}: median ${d.median}, mean ${d.mean.toFixed(1)}, max ${d.max}`).join('; ');
  const fig = figure(title, summary, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      ...baseOptions(),
      plugins: { legend: { display: series.length > 1, labels: { color: themeColor('--vscode-foreground', '#888') } } },
    },
  });
  fig.append(el('div', { className: 'muted chart-note', text: summary }));
  return fig;
}

function distributionChart(title: string, table: Record<string, number>): HTMLElement {
  const entries = Object.entries(table).sort((a, b) => b[1] - a[1]);
  const labels = entries.map((e) => e[0]);
  const values = entries.map((e) => e[1]);
  return figure(
    title,
    describe(labels, values),
    {
      type: 'bar',
      data: { labels, datasets: [{ label: title, data: values, backgroundColor: themeColor('--vscode-charts-green', '#22c55e') }] },
      options: {
        ...baseOptions(),
        indexAxis: 'y',
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, color: themeColor('--vscode-foreground', '#888') } },
          y: { ticks: { color: themeColor('--vscode-foreground', '#888') } },
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
  const row = (k: string, v: string): void => void summary.append(el('dt', { text: k }), el('dd', { text: v }));
  row('records', stats.records.toLocaleString('en-US'));
  row('invalid', String(stats.invalid));
  row('turns', `median ${stats.turns.median}, mean ${stats.turns.mean.toFixed(1)}, max ${stats.turns.max}`);
  if (stats.length.count > 0) row('reply length', `median ${stats.length.median} words, mean ${stats.length.mean.toFixed(1)}`);
  const grid = el('div', { className: 'chart-grid' });
  grid.append(strategyChart(stats));
  if ('matrix' in stats.strategies && stats.strategies.matrix) grid.append(matrixChart(stats.strategies.matrix));
  grid.append(histogram('Turns per record', [['turns', stats.turns]]));
  if (stats.length.count > 0) {
    const pairLike = stats.rejectedLength !== undefined;
    const names = stats.kind === 'inference' ? ['gold', 'predicted'] : ['chosen', 'rejected'];
    grid.append(
      histogram(
        pairLike ? `Reply length in words: ${names[0]} vs ${names[1]}` : 'Reply length in words (supporter turns)',
        pairLike
          ? [
              [names[0]!, stats.length],
              [names[1]!, stats.rejectedLength!],
            ]
          : [['words', stats.length]],
      ),
    );
  }
  if (stats.emotions) grid.append(distributionChart('Emotion types', stats.emotions));
  if (stats.problems) grid.append(distributionChart('Problem types', stats.problems));
  if (stats.errorTypes && Object.keys(stats.errorTypes).length > 0) grid.append(distributionChart('Error types', stats.errorTypes));
  if (stats.retained) grid.append(distributionChart('Retained by the judge', stats.retained));
  container.replaceChildren(summary, grid);
}
