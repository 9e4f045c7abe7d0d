// A run page: loss, eval loss, learning rate and (for DPO) rewards and accuracy of one stage, drawn
// with Chart.js from the trainer's own logs and updated live as they grow; for a stage that failed,
// its exit code and the last lines it printed.

import { Chart, type ChartDataset, type ScaleOptions } from 'chart.js';
import type { ExtensionToRunPage, RunPageToExtension, TrainPoint } from '../../../src/protocol/runPage';
import { el, vscodeApi } from '../shared/vscodeApi';
import { baseChartOptions, registerLineCharts } from '../shared/charts';
import { chartColor, chartInk } from '../shared/theme';

registerLineCharts();

const vscode = vscodeApi<ExtensionToRunPage, RunPageToExtension>();
const app = document.getElementById('app')!;
const title = el('h2', { className: 'run-title' });
const status = el('div', { className: 'run-status muted' });
status.setAttribute('aria-live', 'polite');
const grid = el('div', { className: 'chart-grid' });
/** How a failed or stopped stage ended: its exit code and the last lines it printed. */
const ending = el('section', { className: 'run-ending record-problems' });
ending.hidden = true;
app.append(title, status, ending, grid);

interface Series {
  label: string;
  key: keyof TrainPoint;
  color: string;
}

const CHARTS: { title: string; series: Series[] }[] = [
  {
    title: 'Loss',
    series: [
      { label: 'loss', key: 'loss', color: '--vscode-charts-blue' },
      { label: 'eval loss', key: 'evalLoss', color: '--vscode-charts-orange' },
    ],
  },
  { title: 'Learning rate', series: [{ label: 'learning rate', key: 'lr', color: '--vscode-charts-green' }] },
  {
    title: 'DPO rewards',
    series: [
      { label: 'rewards/chosen', key: 'rewardsChosen', color: '--vscode-charts-green' },
      { label: 'rewards/rejected', key: 'rewardsRejected', color: '--vscode-charts-red' },
      { label: 'rewards/margins', key: 'rewardsMargins', color: '--vscode-charts-purple' },
    ],
  },
  { title: 'DPO reward accuracy', series: [{ label: 'rewards/accuracies', key: 'rewardsAccuracy', color: '--vscode-charts-blue' }] },
];

const charts = new Map<string, Chart>();

function drawEnding(m: ExtensionToRunPage): void {
  const e = m.ending;
  ending.hidden = !e || (!e.exit && e.lines.length === 0);
  if (ending.hidden || !e) return ending.replaceChildren();
  const head = el('div', {
    className: 'run-exit',
    text: `${m.status[0]!.toUpperCase()}${m.status.slice(1)}${e.exit ? ` with ${e.exit}` : ''}`,
  });
  const lines =
    e.lines.length > 0
      ? el('pre', { className: 'run-output raw-json', text: e.lines.join('\n') })
      : el('div', { className: 'muted', text: 'It printed nothing (esc-run.log in its output folder is empty or absent).' });
  ending.replaceChildren(head, el('div', { className: 'muted', text: `Last lines of its output (esc-run.log):` }), lines);
}

function draw(points: TrainPoint[], ended: boolean): void {
  for (const spec of CHARTS) {
    const datasets: ChartDataset<'line'>[] = spec.series
      .map((s) => ({
        label: s.label,
        data: points.filter((p) => typeof p[s.key] === 'number').map((p) => ({ x: p.step, y: p[s.key] as number })),
        borderColor: chartColor(s.color),
        backgroundColor: chartColor(s.color),
        pointRadius: 2,
        tension: 0.2,
      }))
      .filter((d) => d.data.length > 0);
    let chart = charts.get(spec.title);
    if (datasets.length === 0) continue;
    if (!chart) {
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      const box = el('div', { className: 'chart-box' }, canvas);
      box.style.height = '240px';
      grid.append(el('figure', { className: 'chart' }, el('figcaption', { text: spec.title }), box));
      // steps on a linear x axis (the base axes are plain ticks and grid lines, which it takes as they
      // are); y not from zero: a loss or a reward is read where it moves (and rewards go below zero)
      const base = baseChartOptions<'line'>();
      chart = new Chart(canvas, {
        type: 'line',
        data: { datasets },
        options: {
          ...base,
          parsing: false,
          scales: {
            x: {
              ...(base.scales?.x as ScaleOptions<'linear'>),
              type: 'linear',
              title: { display: true, text: 'step', color: chartInk().fg },
            },
            y: { ...base.scales?.y, beginAtZero: false },
          },
        },
      });
      charts.set(spec.title, chart);
    } else {
      chart.data.datasets = datasets;
      chart.update('none');
    }
    const last = datasets.map((d) => `${d.label} ${(d.data[d.data.length - 1] as { y: number }).y}`).join(', ');
    chart.canvas.setAttribute('aria-label', `${spec.title} over ${points.length} logged steps; latest: ${last}`);
  }
  const empty = ended
    ? 'No trainer log: the stage ended before training logged a step (its output above says why).'
    : 'No trainer log yet: the charts appear with the first logged step.';
  const note = grid.querySelector(':scope > p');
  if (charts.size === 0) {
    if (note) note.textContent = empty;
    else grid.append(el('p', { className: 'muted', text: empty }));
  } else note?.remove();
}

function render(m: ExtensionToRunPage): void {
  title.textContent = m.title;
  status.textContent = [m.status, m.progress, m.folder].filter(Boolean).join(' · ');
  drawEnding(m);
  draw(m.points, m.ending !== undefined);
}

window.addEventListener('message', (e: MessageEvent<ExtensionToRunPage>) => {
  if (e.data?.type !== 'update') return;
  vscode.setState(e.data);
  render(e.data);
});

const saved = vscode.getState();
if (saved) render(saved);
vscode.postMessage({ type: 'ready' });
