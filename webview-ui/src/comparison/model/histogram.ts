// Response-length histograms with one set of bins shared by every series (each run's predicted
// lengths and the gold reference), so bars of the same bin compare across runs. Bin widths are
// "nice" integers (1, 2, 5 × 10^k tokens); a long tail beyond the 99th percentile of all values goes
// into one open last bin ("≥ 120") instead of squashing the rest of the chart.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

export interface Bins {
  /** Bin k holds the values in [edges[k], edges[k+1]); the last bin also holds everything above (when `open`). */
  edges: number[];
  /** Whether the last bin is open-ended (it collects the tail). */
  open: boolean;
  /** One label per bin: "7", "10–14", "≥ 120". */
  labels: string[];
}

const EMPTY: Bins = { edges: [], open: false, labels: [] };

/** A "nice" bin width: the smallest of 1, 2, 5 × 10^k that is at least `raw` (and at least 1). */
export function niceWidth(raw: number): number {
  if (!(raw > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Bins shared by all the series, at most `maxBins` of them (the tail bin included). */
export function sharedBins(series: readonly (readonly number[])[], maxBins = 24): Bins {
  const all = series.flatMap((s) => s.filter((x) => Number.isFinite(x))).sort((a, b) => a - b);
  if (all.length === 0) return EMPTY;
  const min = all[0]!;
  const max = all[all.length - 1]!;
  const p99 = all[Math.max(0, Math.ceil(0.99 * all.length) - 1)]!;
  // clip only a real tail: values well beyond the 99th percentile
  const top = max > p99 * 1.25 && max - p99 > 2 ? p99 : max;
  const clipped = top < max;
  const budget = clipped ? maxBins - 1 : maxBins;
  const start = Math.floor(min);
  // the first edge is a multiple of the width, which can cost one more bin: widen until it fits
  const edgesFor = (width: number): number[] => {
    const e = [Math.floor(start / width) * width];
    while (e[e.length - 1]! <= top) e.push(e[e.length - 1]! + width);
    return e;
  };
  let edges = edgesFor(niceWidth((top - start + 1) / budget));
  while (edges.length - 1 > budget) edges = edgesFor(niceWidth(edges[1]! - edges[0]! + 1));
  const width = edges[1]! - edges[0]!;
  const open = clipped && edges[edges.length - 1]! <= max;
  if (open) edges.push(edges[edges.length - 1]! + width);
  const n = edges.length - 1;
  const labels = edges.slice(0, -1).map((e, k) => {
    if (open && k === n - 1) return `≥ ${e}`;
    return width === 1 ? `${e}` : `${e}–${e + width - 1}`;
  });
  return { edges, open, labels };
}

/** How many values fall in each bin (values below the first edge count in the first bin). */
export function binCounts(values: readonly number[], bins: Bins): number[] {
  const n = bins.edges.length - 1;
  const counts = new Array<number>(Math.max(0, n)).fill(0);
  if (n <= 0) return counts;
  const first = bins.edges[0]!;
  const width = bins.edges[1]! - first;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const k = Math.min(n - 1, Math.max(0, Math.floor((v - first) / width)));
    counts[k]!++;
  }
  return counts;
}

/** Mean and median of a series, for the chart's summary line. */
export function summary(values: readonly number[]): { mean: number; median: number; count: number } {
  if (values.length === 0) return { mean: 0, median: 0, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, median, count: values.length };
}
