// The gold → predicted confusion of one run, as the page draws it: an HTML table of buttons (one per
// cell: keyboard-reachable, clickable, readable by a screen reader, unlike a canvas), rows = gold
// strategy, columns = predicted strategy plus "no strategy" (predictions that named none of the 8,
// left out of the strategy metrics). A cell is shaded by its share of its gold row (the row's recall
// profile; square-root scaled), so a rare strategy's mistakes are as visible as a frequent one's; the
// count is printed.
//
// Which run is shown: the one the user picked (persisted) while it is on the page, else the first.
// Keyboard: one tab stop for the grid; arrows move, Home/End go to the row's ends, Ctrl+Home/End to
// the grid's corners.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { ComparedRun } from '../../../../src/protocol/comparison';
import { turnCount } from './format';

/** The column index of "no strategy" (after the 8 predicted strategies). */
export const NO_STRATEGY = 8;

export interface ConfusionCell {
  gold: number;
  /** 0..7, or NO_STRATEGY. */
  predicted: number;
  count: number;
  /** count / the gold row's turns (0 when the row is empty). */
  share: number;
  /** How strongly the cell is coloured, 0..1: the square root of the share, so small shares still show. */
  shade: number;
  diagonal: boolean;
  /** What the cell's hover and accessible name say. */
  label: string;
}

export interface ConfusionRow {
  gold: number;
  name: string;
  /** Gold turns of the strategy (usable predictions and not). */
  total: number;
  cells: ConfusionCell[];
}

export interface ConfusionView {
  /** Column headers: the 8 names and "no strategy". */
  columns: string[];
  /** Turns in each column (predicted as the strategy; the last: no strategy). */
  columnTotals: number[];
  rows: ConfusionRow[];
  /** Turns in the matrix (all cells). */
  total: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const count = (n: number): string => n.toLocaleString('en-US');

/** The run whose confusion is shown: the chosen one while it is on the page, else the first run. */
export function confusionRun(runs: readonly ComparedRun[], chosen: string | undefined): ComparedRun | undefined {
  return runs.find((r) => r.id === chosen) ?? runs[0];
}

export function confusionView(run: ComparedRun, names: readonly string[]): ConfusionView {
  const rows = names.map((name, gold): ConfusionRow => {
    const values = [...(run.confusion[gold] ?? names.map(() => 0)), run.unusable[gold] ?? 0];
    const total = values.reduce((a, b) => a + b, 0);
    const cells = values.map((n, predicted): ConfusionCell => {
      const share = total === 0 ? 0 : n / total;
      const target = predicted === NO_STRATEGY ? 'no strategy' : `predicted ${names[predicted]}`;
      const turns = n === 1 ? 'turn' : 'turns';
      return {
        gold,
        predicted,
        count: n,
        share,
        shade: Math.sqrt(share),
        diagonal: predicted === gold,
        label: `gold ${name} → ${target}: ${count(n)} ${turns} (${pct(share)} of ${count(total)} gold ${name} ${total === 1 ? 'turn' : 'turns'})`,
      };
    });
    return { gold, name, total, cells };
  });
  const columnTotals = [...names, 'no strategy'].map((_, k) => rows.reduce((a, r) => a + r.cells[k]!.count, 0));
  return { columns: [...names, 'no strategy'], columnTotals, rows, total: rows.reduce((a, r) => a + r.total, 0) };
}

/**
 * A strategy's name on an axis opens all its turns: a row header, the gold turns of the strategy; a
 * column header, the turns predicted as it (right or wrong). With its hover text.
 */
export function axisDrill(id: string, axis: 'gold' | 'predicted', strategy: number, name: string, turns: number) {
  const what =
    axis === 'gold' ? `the ${count(turns)} gold ${name} ${turns === 1 ? 'turn' : 'turns'}` : `the ${turnCount(turns)} predicted as ${name}`;
  return {
    message: axis === 'gold' ? ({ type: 'drill', id, gold: strategy } as const) : ({ type: 'drill', id, predicted: strategy } as const),
    hover: `Open ${what} in the viewer`,
  };
}

/** The drill-down a confusion cell opens (the "no strategy" column: gold turns with no usable prediction). */
export function confusionDrill(id: string, cell: { gold: number; predicted: number }) {
  return cell.predicted === NO_STRATEGY
    ? ({ type: 'drill', id, gold: cell.gold, unusable: true } as const)
    : ({ type: 'drill', id, gold: cell.gold, predicted: cell.predicted } as const);
}

export interface GridPos {
  row: number;
  col: number;
}

/** Where a key moves the focus in a rows × cols grid (no wrapping), or undefined for other keys. */
export function moveInGrid(pos: GridPos, key: string, rows: number, cols: number, ctrl = false): GridPos | undefined {
  if (rows <= 0 || cols <= 0) return undefined;
  const clamp = (p: GridPos): GridPos => ({ row: Math.min(rows - 1, Math.max(0, p.row)), col: Math.min(cols - 1, Math.max(0, p.col)) });
  switch (key) {
    case 'ArrowUp':
      return clamp({ row: pos.row - 1, col: pos.col });
    case 'ArrowDown':
      return clamp({ row: pos.row + 1, col: pos.col });
    case 'ArrowLeft':
      return clamp({ row: pos.row, col: pos.col - 1 });
    case 'ArrowRight':
      return clamp({ row: pos.row, col: pos.col + 1 });
    case 'Home':
      return ctrl ? { row: 0, col: 0 } : clamp({ row: pos.row, col: 0 });
    case 'End':
      return ctrl ? { row: rows - 1, col: cols - 1 } : clamp({ row: pos.row, col: cols - 1 });
    default:
      return undefined;
  }
}
