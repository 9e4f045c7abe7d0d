// What the Statistics tab says in words, apart from the charts: the summary lines per kind (an
// inference file's strategy metrics, an error-statistics file's share of responses with an empathy
// error), which charts a kind has, and axis labels wrapped onto lines so none is cut off.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { DatasetStats, Distribution } from '../../../../src/protocol/viewer';
import { countOf } from './list';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const lengthLine = (d: Distribution): string => `median ${d.median} words, mean ${d.mean.toFixed(1)}`;

/** The summary list above the charts, as [term, description] pairs. */
export function summaryRows(stats: DatasetStats): [string, string][] {
  const rows: [string, string][] = [
    ['records', stats.records.toLocaleString('en-US')],
    ['invalid', String(stats.invalid)],
  ];
  const p = stats.prediction;
  if (p) {
    const unscored = p.unscored ? ` (${countOf(p.unscored, 'record')} with no gold strategy of the 8 not scored)` : '';
    rows.push(
      ['strategy accuracy', `${pct(p.accuracy)} of ${countOf(p.turns, 'turn')}${unscored}`],
      ['weighted F1', pct(p.weighted_f1)],
      ['macro F1', pct(p.macro_f1)],
      ['no strategy predicted', `${pct(p.error_ratio)} (left out of accuracy and F1, as in esc eval)`],
    );
  }
  const e = stats.empathyErrors;
  if (e) {
    const judged = Object.values(e).reduce((a, b) => a + b, 0);
    const yes = e.Yes ?? 0;
    rows.push([
      'empathy error',
      `${countOf(yes, 'response')} of ${judged.toLocaleString('en-US')}${judged ? ` (${pct(yes / judged)})` : ''}`,
    ]);
  }
  if (hasTurns(stats)) rows.push(['turns', `median ${stats.turns.median}, mean ${stats.turns.mean.toFixed(1)}, max ${stats.turns.max}`]);
  if (stats.length.count > 0) {
    if (stats.predictedLength) {
      rows.push(['gold length', lengthLine(stats.length)], ['predicted length', lengthLine(stats.predictedLength)]);
    } else rows.push([stats.kind === 'error-stats' ? 'response length' : 'reply length', lengthLine(stats.length)]);
  }
  return rows;
}

/** A judged response of an error-statistics file is one reply, not a conversation: it has no turns to chart. */
export const hasTurns = (stats: DatasetStats): boolean => stats.kind !== 'error-stats';

/** The two sides of a length comparison, or undefined for a kind with one side. */
export function lengthSides(stats: DatasetStats): [string, Distribution][] | undefined {
  const other = stats.predictedLength ?? stats.rejectedLength;
  if (!other) return undefined;
  const names = stats.predictedLength ? ['gold', 'predicted'] : ['chosen', 'rejected'];
  return [
    [names[0]!, stats.length],
    [names[1]!, other],
  ];
}

/**
 * A label broken into lines of at most `width` characters at spaces (a longer word stays whole), for
 * an axis: a chart cuts a long single-line label off at its edge ("nent or Paraphrasing").
 */
export function wrapLabel(label: string, width = 16): string[] {
  const lines: string[] = [];
  for (const word of label.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
