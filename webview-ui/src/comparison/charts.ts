// The comparison charts, drawn with Chart.js like the viewer's Statistics tab: per-strategy F1 and
// Bradley–Terry preference as grouped bars (one series per run, coloured like the run's swatch in
// the table; the preference chart has a dashed line at 1 = no preference), and the response-length
// histograms (each run's predicted lengths and the gold reference on shared bins). Colours come from
// the theme (--vscode-charts-*), read again when the theme changes.
//
// A canvas is neither focusable nor readable, so each strategy chart also has its values as a table
// of buttons under a "Values" disclosure: the same drill-downs from the keyboard (and for tests:
// data-testid="f1-value" / "preference-value", data-run = run index, data-strategy = strategy index).

import { Chart, type ChartConfiguration, type Plugin } from 'chart.js';
import { html, type TemplateResult } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import type { ComparedRun, ComparisonToExtension } from '../../../src/protocol/comparison';
import {
  barDrill,
  chartsKey,
  lengthChart,
  runColorVar,
  strategySeries,
  wrapLabel,
  type LengthChart,
  type StrategyChart,
  type StrategySeries,
} from './model/charts';
import { baseChartOptions, registerBarCharts } from '../shared/charts';
import { chartColor, chartInk, themeColor } from '../shared/theme';

registerBarCharts();

type Post = (m: ComparisonToExtension) => void;

const runColor = (i: number): string => chartColor(runColorVar(i));

/** One canvas and its chart: created on first draw, updated in place after (the canvas is lit-html's). */
export class ChartSlot {
  private canvas: HTMLCanvasElement | undefined;
  private chart: Chart | undefined;
  /** lit-html's ref callback: the canvas appeared or went away. */
  readonly ref = (el: Element | undefined): void => {
    if (el === this.canvas) return;
    this.chart?.destroy();
    this.chart = undefined;
    this.canvas = el instanceof HTMLCanvasElement ? el : undefined;
  };

  /** A canvas without its chart (lit-html made a new one): it must be drawn even if the data did not change. */
  get blank(): boolean {
    return this.canvas !== undefined && this.chart === undefined;
  }

  draw(config: () => ChartConfiguration): void {
    if (!this.canvas) return;
    const c = config();
    if (this.chart) {
      this.chart.data = c.data;
      if (c.options) this.chart.options = c.options;
      this.chart.update('none');
    } else this.chart = new Chart(this.canvas, c);
  }
}

// every strategy named under its bars (wrapped, never skipped)
const baseOptions = (): ReturnType<typeof baseChartOptions> => baseChartOptions({ x: { autoSkip: false } });

/** A dashed horizontal line at y = 1 with its meaning, drawn over the preference bars. */
const noPreferenceLine: Plugin<'bar'> = {
  id: 'escNoPreference',
  afterDatasetsDraw(chart) {
    const y = chart.scales.y?.getPixelForValue(1);
    const area = chart.chartArea;
    if (y === undefined || y < area.top || y > area.bottom) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = chartInk().fg;
    ctx.fillStyle = ctx.strokeStyle;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(area.left, y);
    ctx.lineTo(area.right, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText('1 = no preference', area.right - 4, y - 2);
    ctx.restore();
  },
};

export function strategyConfig(kind: StrategyChart, series: StrategySeries[], names: readonly string[], post: Post): ChartConfiguration {
  const opts = baseOptions();
  return {
    type: 'bar',
    data: {
      labels: names.map((n) => wrapLabel(n, 12)),
      datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: runColor(i), borderColor: runColor(i) })),
    },
    options: {
      ...opts,
      scales: {
        ...opts.scales,
        y: {
          ...opts.scales!.y,
          ...(kind === 'f1'
            ? { max: 100, title: { display: true, text: 'F1 (%)', color: opts.color as string } }
            : { title: { display: true, text: 'strength (sum 8)', color: opts.color as string } }),
        },
      },
      plugins: {
        ...opts.plugins,
        tooltip: {
          callbacks: {
            title: (items) => names[items[0]?.dataIndex ?? 0] ?? '',
            label: (item) => (series[item.datasetIndex]?.hovers[item.dataIndex] ?? '').split('\n'),
            footer: () => (kind === 'f1' ? 'Click: the gold turns of this strategy' : 'Click: the mistakes predicting this strategy'),
          },
        },
      },
      onHover: (e, elements) => {
        const target = e.native?.target;
        if (target instanceof HTMLElement) target.style.cursor = elements.length > 0 ? 'pointer' : 'default';
      },
      onClick: (_e, elements) => {
        const hit = elements[0];
        const s = hit ? series[hit.datasetIndex] : undefined;
        if (hit && s) post(barDrill(kind, s.id, hit.index));
      },
    },
    plugins: kind === 'preference' ? [noPreferenceLine] : [],
  } as ChartConfiguration;
}

/** The histograms of the runs shown (computed once: the page redraws on every focus move and progress report). */
let lengthCache: { key: string; chart: LengthChart } | undefined;
function lengths(runs: readonly ComparedRun[]): LengthChart {
  const key = `${chartsKey(runs)}#${runs.map((r) => `${r.lengths.predicted.length}/${r.lengths.gold.length}`).join(',')}`;
  if (lengthCache?.key !== key) lengthCache = { key, chart: lengthChart(runs) };
  return lengthCache.chart;
}

export function lengthsConfig(runs: readonly ComparedRun[]): ChartConfiguration {
  const chart = lengths(runs);
  const opts = baseOptions();
  const gold = themeColor('--vscode-descriptionForeground', '#999');
  let k = 0;
  return {
    type: 'bar',
    data: {
      labels: chart.bins.labels,
      datasets: chart.series.map((s) => {
        const color = s.kind === 'gold' ? gold : runColor(k++);
        return { label: s.label, data: s.counts, backgroundColor: color, borderColor: color, barPercentage: 0.95, categoryPercentage: 0.9 };
      }),
    },
    options: {
      ...opts,
      scales: {
        x: {
          ...opts.scales!.x,
          ticks: { ...opts.scales!.x!.ticks, autoSkip: true, maxRotation: 45 },
          title: { display: true, text: 'tokens per response', color: opts.color as string },
        },
        y: {
          ...opts.scales!.y,
          ticks: { ...opts.scales!.y!.ticks, precision: 0 },
          title: { display: true, text: 'responses', color: opts.color as string },
        },
      },
      plugins: {
        ...opts.plugins,
        tooltip: {
          callbacks: {
            title: (items) => `${items[0]?.label ?? ''} tokens`,
            label: (item) => `${item.dataset.label}: ${String(item.raw)} responses`,
            footer: (items) => {
              const s = chart.series[items[0]?.datasetIndex ?? 0];
              return s ? s.hover : '';
            },
          },
        },
      },
    },
  } as ChartConfiguration;
}

/** The values of a strategy chart as a table of buttons (the keyboard's way to the same drill-downs). */
function valuesTable(kind: StrategyChart, series: StrategySeries[], names: readonly string[], post: Post): TemplateResult {
  return html`<details class="cmp-values">
    <summary>Values</summary>
    <table class="cmp-values-table">
      <thead>
        <tr>
          <th scope="col">Strategy</th>
          ${series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${names.map(
          (name, k) =>
            html`<tr>
              <th scope="row">${name}</th>
              ${series.map(
                (s, i) =>
                  html`<td class="num">
                    <button
                      class="cmp-link"
                      data-testid=${`${kind}-value`}
                      data-run=${i}
                      data-strategy=${k}
                      title=${s.hovers[k] ?? ''}
                      @click=${() => post(barDrill(kind, s.id, k))}
                    >
                      ${kind === 'f1' ? s.values[k]!.toFixed(2) : s.values[k]!.toFixed(3)}
                    </button>
                  </td>`,
              )}
            </tr>`,
        )}
      </tbody>
    </table>
  </details>`;
}

export interface ChartSlots {
  f1: ChartSlot;
  preference: ChartSlot;
  lengths: ChartSlot;
}

const CAPTIONS: Record<StrategyChart, [string, string]> = {
  f1: ['Per-strategy F1 (%)', 'Click a bar to open the gold turns of that strategy in the viewer.'],
  preference: [
    'Per-strategy preference (Bradley–Terry)',
    'Above 1: the model predicts the strategy too often when wrong. Click a bar to open those mistakes in the viewer.',
  ],
};

export function strategyFigure(
  kind: StrategyChart,
  runs: readonly ComparedRun[],
  names: readonly string[],
  slot: ChartSlot,
  post: Post,
): TemplateResult {
  const series = strategySeries(kind, runs, names);
  const [title, note] = CAPTIONS[kind];
  const summary = series.map((s) => `${s.label}: ${names.map((n, k) => `${n} ${s.values[k]}`).join(', ')}`).join('; ');
  return html`<figure class="chart cmp-figure">
    <figcaption>${title}</figcaption>
    <div class="chart-box cmp-chart-box">
      <canvas data-testid=${`chart-${kind}`} role="img" aria-label=${`${title}. ${summary}`} ${ref(slot.ref)}></canvas>
    </div>
    <p class="muted chart-note">${note}</p>
    ${valuesTable(kind, series, names, post)}
  </figure>`;
}

export function lengthsFigure(runs: readonly ComparedRun[], slot: ChartSlot): TemplateResult {
  const chart = lengths(runs);
  const summary = chart.series.map((s) => `${s.label}: ${s.hover}`);
  return html`<figure class="chart cmp-figure">
    <figcaption>Response length (tokens)</figcaption>
    <div class="chart-box cmp-chart-box">
      <canvas
        data-testid="chart-lengths"
        role="img"
        aria-label=${`Response length histograms. ${summary.join('; ')}`}
        ${ref(slot.ref)}
      ></canvas>
    </div>
    <ul class="muted chart-note cmp-length-notes">
      ${summary.map((s) => html`<li>${s}</li>`)}
    </ul>
  </figure>`;
}
