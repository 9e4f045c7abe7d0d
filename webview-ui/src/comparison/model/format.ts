// What the numbers say on hover and to a screen reader: each column's definition, the n it is taken
// over, the difference from the baseline and whether it is better; the export menu's items.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { ComparisonToExtension, TableCellView, TableColumnView } from '../../../../src/protocol/comparison';

export const count = (n: number): string => n.toLocaleString('en-US');

/** "1 turn", "1,792 turns". */
export const turnCount = (n: number): string => `${count(n)} turn${n === 1 ? '' : 's'}`;

const BEST_RULE: Record<TableColumnView['best'], string> = {
  max: 'Best: the highest.',
  min: 'Best: the lowest.',
  none: 'No best value (neither higher nor lower is better).',
};

/** A column header's hover: what the number is and which value is best. */
export function headerHover(col: TableColumnView): string {
  return `${col.label}: ${col.definition}\n${BEST_RULE[col.best]}`;
}

export interface DeltaView {
  text: string;
  trend: 'better' | 'worse' | 'same';
  /** The words behind the colour, for the hover and screen readers. */
  words: string;
}

export function deltaView(cell: TableCellView): DeltaView | undefined {
  if (cell.delta === undefined) return undefined;
  const trend = cell.trend ?? 'same';
  const words = trend === 'better' ? 'better than the baseline' : trend === 'worse' ? 'worse than the baseline' : 'same as the baseline';
  return { text: cell.delta, trend, words };
}

/** A cell's hover: the value, the definition, n, best, and the difference from the baseline. */
export function cellHover(col: TableColumnView, cell: TableCellView, run: string, baseline: string | undefined): string {
  if (cell.text === undefined) return `${col.label} of ${run}: no value (not measured for this run).\n${col.definition}`;
  const lines = [`${col.label} of ${run}: ${cell.text}${cell.best ? ' (best in the column)' : ''}`, col.definition];
  if (cell.n !== undefined) lines.push(`n = ${count(cell.n)} ${cell.n === 1 ? 'turn' : 'turns'}`);
  const d = deltaView(cell);
  if (d && baseline !== undefined) lines.push(`${d.text} vs ${baseline}: ${d.words}`);
  return lines.join('\n');
}

export type ExportMessage = Extract<ComparisonToExtension, { type: 'export' }>;

export interface ExportItem {
  format: ExportMessage['format'];
  to: ExportMessage['to'];
  label: string;
  /** export-latex-clipboard, export-csv-file… (the e2e tests click them). */
  testid: string;
}

const FORMAT_NAMES: Record<ExportMessage['format'], string> = { markdown: 'Markdown', latex: 'LaTeX (booktabs)', csv: 'CSV' };

/** The Export menu: each format copied or saved. */
export const EXPORT_ITEMS: readonly ExportItem[] = (['markdown', 'latex', 'csv'] as const).flatMap((format) =>
  (['clipboard', 'file'] as const).map((to): ExportItem => ({
    format,
    to,
    label: `${to === 'clipboard' ? 'Copy' : 'Save'} as ${FORMAT_NAMES[format]}${to === 'file' ? '…' : ''}`,
    testid: `export-${format}-${to}`,
  })),
);

/** Arrow keys, Home and End in a menu: the item to move to (wrapping), or undefined for other keys. */
export function menuIndex(key: string, current: number, count: number): number | undefined {
  const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: count - 1 };
  if (count === 0 || !Object.hasOwn(moves, key)) return undefined;
  return (moves[key]! + count) % count;
}

/** A pending run's progress line. */
export function progressText(done: number, total: number): string {
  if (total <= 0) return 'Scoring…';
  return `Scoring… ${count(done)} / ${count(total)} turns (${Math.floor((100 * done) / total)}%)`;
}
