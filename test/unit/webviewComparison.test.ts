// The comparison page's front-end state, without a browser: histogram bins shared across runs, the
// confusion heatmap's cells and keyboard moves, which run it shows, the review pair, the baseline
// button, rows matched to runs, the hover texts (definition, n, delta) and the drill-downs the page
// posts — checked against the protocol's own schema, so a message the extension would refuse fails here.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultsTableView, type ResultsRun } from '../../src/core/eval/resultsTable';
import { STRATEGIES, STRATEGY_COLORS } from '../../src/core/strategies';
import { comparisonToExtension, type ComparedRun } from '../../src/protocol/comparison';
import {
  barDrill,
  chartsKey,
  lengthChart,
  mistakes,
  mistakesPredicting,
  runColorVar,
  strategySeries,
  wrapLabel,
} from '../../webview-ui/src/comparison/model/charts';
import {
  axisDrill,
  confusionDrill,
  confusionRun,
  confusionView,
  moveInGrid,
  NO_STRATEGY,
} from '../../webview-ui/src/comparison/model/confusion';
import { cellHover, deltaView, EXPORT_ITEMS, headerHover, menuIndex, progressText } from '../../webview-ui/src/comparison/model/format';
import { binCounts, niceWidth, sharedBins, summary } from '../../webview-ui/src/comparison/model/histogram';
import {
  baselineLabel,
  baselineMessage,
  chooseConfusionRun,
  isEmpty,
  onState,
  persisted,
  restorePage,
  reviewPair,
  rowViews,
  toggleSelected,
  type StateMessage,
} from '../../webview-ui/src/comparison/model/page';

const NAMES = [...STRATEGIES];

/** A run whose confusion is the identity times `diag` plus `off` everywhere else. */
function run(id: string, over: Partial<ComparedRun> = {}, diag = 10, off = 1): ComparedRun {
  const confusion = NAMES.map((_, g) => NAMES.map((_, p) => (g === p ? diag : off)));
  const unusable = NAMES.map((_, g) => (g === 0 ? 3 : 0));
  return {
    id,
    label: id.replace('/ws/', ''),
    records: 100,
    perStrategy: NAMES.map((_, s) => ({ f1: 0.5 + s / 100, preference: 1 + (s - 3.5) / 10 })),
    support: confusion.map((row, g) => row.reduce((a, b) => a + b, 0) + unusable[g]!),
    confusion,
    unusable,
    lengths: { predicted: [3, 5, 8, 13, 21], gold: [4, 4, 6, 9] },
    ...over,
  };
}

function results(file: string, acc: number, bias: number): ResultsRun {
  const text = {
    'bleu-1': 20,
    'bleu-2': 10,
    'bleu-3': 5,
    'bleu-4': 2,
    'dist-1': 3,
    'dist-2': 20,
    'dist-3': 40,
    f1: 18,
    'rouge-l': 15,
    length: 21,
  };
  return { file, records: 1792, text, strategy: { accuracy: acc, weighted_f1: acc, macro_f1: acc, p_bias: bias, error_ratio: 0.01 } };
}

function stateOf(runs: ComparedRun[], over: Partial<StateMessage> = {}): StateMessage {
  const baselineIndex = runs.findIndex((r) => r.id === over.baseline);
  return {
    type: 'state',
    strategies: NAMES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
    runs,
    table: resultsTableView(
      runs.map((r, i) => results(r.label, 0.3 + i / 10, 0.5 - i / 10)),
      baselineIndex < 0 ? {} : { baseline: baselineIndex },
    ),
    baseline: null,
    pending: [],
    failed: [],
    ...over,
  };
}

/** The extension's own check of a message (src/features/evaluations/comparisonPage.ts parses with it). */
function accepted(m: unknown): void {
  const r = comparisonToExtension.safeParse(m);
  assert.ok(r.success, `the extension would refuse ${JSON.stringify(m)}`);
  assert.deepEqual(r.data, m, 'nothing stripped on the way');
}

describe('comparison: length histograms on shared bins', () => {
  it('nice widths are 1, 2, 5 × 10^k', () => {
    assert.deepEqual([0.3, 1, 1.5, 3, 7, 11, 26, 140].map(niceWidth), [1, 1, 2, 5, 10, 20, 50, 200]);
  });

  it('one set of bins covers every series, each value counted once, within the bin budget', () => {
    const a = [1, 2, 3, 40, 41];
    const b = [10, 20, 30, 60];
    const bins = sharedBins([a, b], 10);
    assert.ok(bins.edges.length - 1 <= 10, `${bins.edges.length - 1} bins`);
    assert.ok(bins.edges[0]! <= 1 && bins.edges[bins.edges.length - 1]! > 60);
    const ca = binCounts(a, bins);
    const cb = binCounts(b, bins);
    assert.equal(ca.length, cb.length, 'the same bins for both series');
    assert.equal(ca.length, bins.labels.length);
    assert.equal(
      ca.reduce((x, y) => x + y, 0),
      a.length,
    );
    assert.equal(
      cb.reduce((x, y) => x + y, 0),
      b.length,
    );
    const width = bins.edges[1]! - bins.edges[0]!;
    assert.equal(ca[Math.floor((40 - bins.edges[0]!) / width)], 2, '40 and 41 share a bin');
  });

  it('width-1 bins are labelled by their value, wider ones by their range', () => {
    assert.deepEqual(sharedBins([[3, 4, 5]]).labels, ['3', '4', '5']);
    const wide = sharedBins([[0, 99]], 10);
    assert.equal(wide.labels[0], '0–9');
    assert.equal(wide.open, false);
  });

  it('a long tail beyond the 99th percentile goes into one open last bin', () => {
    const values = [...Array.from({ length: 500 }, (_, i) => i % 50), 2000];
    const bins = sharedBins([values], 24);
    assert.equal(bins.open, true);
    assert.match(bins.labels[bins.labels.length - 1]!, /^≥ \d+$/);
    const counts = binCounts(values, bins);
    assert.equal(counts[counts.length - 1], 1, 'only the outlier is in the tail bin');
    assert.ok(bins.edges[bins.edges.length - 2]! < 100, 'the tail does not stretch the other bins');
  });

  it('one value, or none', () => {
    const one = sharedBins([[7, 7], [7]]);
    assert.deepEqual(one.labels, ['7']);
    assert.deepEqual(binCounts([7, 7], one), [2]);
    assert.deepEqual(sharedBins([[], []]), { edges: [], open: false, labels: [] });
    assert.deepEqual(binCounts([1, 2], sharedBins([])), []);
  });

  it('mean and median', () => {
    assert.deepEqual(summary([5, 1, 3]), { mean: 3, median: 3, count: 3 });
    assert.equal(summary([1, 2, 3, 10]).median, 2.5);
  });
});

describe('comparison: the confusion heatmap', () => {
  it('rows are gold strategies, columns the 8 predicted plus "no strategy", shaded by the share of the row', () => {
    const v = confusionView(run('/ws/a'), NAMES);
    assert.equal(v.columns.length, 9);
    assert.equal(v.columns[NO_STRATEGY], 'no strategy');
    assert.equal(v.rows.length, 8);
    const q = v.rows[0]!;
    assert.equal(q.total, 10 + 7 + 3, 'diagonal, 7 mistakes and 3 unusable');
    assert.equal(q.cells[0]!.diagonal, true);
    assert.equal(q.cells[0]!.share, 0.5);
    assert.equal(q.cells[1]!.shade, Math.sqrt(0.05), 'small shares still show');
    assert.equal(q.cells[NO_STRATEGY]!.count, 3);
    assert.equal(q.cells[1]!.label, 'gold Question → predicted Restatement or Paraphrasing: 1 turn (5.0% of 20 gold Question turns)');
    assert.match(q.cells[NO_STRATEGY]!.label, /^gold Question → no strategy: 3 turns/);
    assert.equal(v.total, 20 + 7 * 17);
    const empty = confusionView(run('/ws/e', {}, 0, 0), NAMES).rows[3]!;
    assert.equal(empty.cells[0]!.share, 0, 'an empty row shades nothing (no division by zero)');
  });

  it('column totals: turns predicted as each strategy, and with no strategy', () => {
    const v = confusionView(run('/ws/a'), NAMES);
    assert.equal(v.columnTotals.length, 9);
    assert.equal(v.columnTotals[0], 10 + 7, 'the diagonal and one from each other gold row');
    assert.equal(v.columnTotals[NO_STRATEGY], 3);
    assert.equal(
      v.columnTotals.reduce((a, b) => a + b, 0),
      v.total,
    );
  });

  it('a strategy on an axis opens all its turns: gold for a row, predicted for a column', () => {
    const gold = axisDrill('/ws/a', 'gold', 2, 'Reflection of feelings', 1792);
    assert.deepEqual(gold.message, { type: 'drill', id: '/ws/a', gold: 2 });
    assert.equal(gold.hover, 'Open the 1,792 gold Reflection of feelings turns in the viewer');
    const predicted = axisDrill('/ws/a', 'predicted', 0, 'Question', 17);
    assert.deepEqual(predicted.message, { type: 'drill', id: '/ws/a', predicted: 0 });
    assert.equal(predicted.hover, 'Open the 17 turns predicted as Question in the viewer');
    accepted(gold.message);
    accepted(predicted.message);
  });

  it('shows the chosen run while it is on the page, else the first', () => {
    const runs = [run('/ws/a'), run('/ws/b')];
    assert.equal(confusionRun(runs, '/ws/b')?.id, '/ws/b');
    assert.equal(confusionRun(runs, '/ws/gone')?.id, '/ws/a');
    assert.equal(confusionRun(runs, undefined)?.id, '/ws/a');
    assert.equal(confusionRun([], '/ws/a'), undefined);
  });

  it('a cell opens its gold → predicted turns; the "no strategy" column the unusable ones', () => {
    const cell = confusionDrill('/ws/a', { gold: 2, predicted: 5 });
    assert.deepEqual(cell, { type: 'drill', id: '/ws/a', gold: 2, predicted: 5 });
    accepted(cell);
    const none = confusionDrill('/ws/a', { gold: 1, predicted: NO_STRATEGY });
    assert.deepEqual(none, { type: 'drill', id: '/ws/a', gold: 1, unusable: true });
    accepted(none);
  });

  it('arrow keys move within the grid without wrapping; Home/End to the row ends, Ctrl to the corners', () => {
    const at = { row: 3, col: 4 };
    assert.deepEqual(moveInGrid(at, 'ArrowUp', 8, 9), { row: 2, col: 4 });
    assert.deepEqual(moveInGrid(at, 'ArrowRight', 8, 9), { row: 3, col: 5 });
    assert.deepEqual(moveInGrid({ row: 0, col: 0 }, 'ArrowLeft', 8, 9), { row: 0, col: 0 });
    assert.deepEqual(moveInGrid({ row: 7, col: 8 }, 'ArrowDown', 8, 9), { row: 7, col: 8 });
    assert.deepEqual(moveInGrid(at, 'Home', 8, 9), { row: 3, col: 0 });
    assert.deepEqual(moveInGrid(at, 'End', 8, 9), { row: 3, col: 8 });
    assert.deepEqual(moveInGrid(at, 'Home', 8, 9, true), { row: 0, col: 0 });
    assert.deepEqual(moveInGrid(at, 'End', 8, 9, true), { row: 7, col: 8 });
    assert.equal(moveInGrid(at, 'Enter', 8, 9), undefined, 'Enter is the button’s own');
    assert.equal(moveInGrid(at, 'ArrowUp', 0, 0), undefined);
  });
});

describe('comparison: page state', () => {
  it('restores only well-formed choices, and persists only the choices', () => {
    assert.deepEqual(restorePage(undefined), { selected: [] });
    assert.deepEqual(restorePage('junk'), { selected: [] });
    assert.deepEqual(restorePage({ selected: ['a', 3, 'b', 'c'], confusionRun: 7 }), { selected: ['b', 'c'] });
    const page = onState(restorePage({ confusionRun: '/ws/b', selected: ['/ws/a'] }), stateOf([run('/ws/a'), run('/ws/b')]));
    assert.deepEqual(persisted(page), { selected: ['/ws/a'], confusionRun: '/ws/b' });
    assert.deepEqual(persisted(chooseConfusionRun(page, '/ws/a')).confusionRun, '/ws/a');
  });

  it('a new state drops the ticks of runs that left, keeps those still being scored', () => {
    let page = restorePage({ selected: ['/ws/a', '/ws/b'] });
    page = onState(page, stateOf([run('/ws/b')], { pending: [{ id: '/ws/a', label: 'a', done: 1, total: 2 }] }));
    assert.deepEqual(page.selected, ['/ws/a', '/ws/b']);
    page = onState(page, stateOf([run('/ws/b')]));
    assert.deepEqual(page.selected, ['/ws/b']);
  });

  it('a review compares two runs: a third tick drops the oldest; ticks come first, topped up in page order', () => {
    const runs = [run('/ws/a'), run('/ws/b'), run('/ws/c')];
    let page = onState(restorePage(undefined), stateOf(runs));
    assert.deepEqual(reviewPair(page), { type: 'review', a: '/ws/a', b: '/ws/b' }, 'nothing ticked: the first two');
    page = toggleSelected(page, '/ws/c');
    assert.deepEqual(reviewPair(page), { type: 'review', a: '/ws/c', b: '/ws/a' });
    page = toggleSelected(toggleSelected(page, '/ws/b'), '/ws/a');
    assert.deepEqual(page.selected, ['/ws/b', '/ws/a'], 'the oldest tick (c) dropped');
    assert.deepEqual(reviewPair(page), { type: 'review', a: '/ws/a', b: '/ws/b' });
    accepted(reviewPair(page));
    page = toggleSelected(page, '/ws/a');
    assert.deepEqual(page.selected, ['/ws/b'], 'a second press unticks');
    assert.equal(reviewPair(onState(page, stateOf([run('/ws/a')]))), undefined, 'one run: nothing to review');
  });

  it('the baseline button sets the baseline, and clears it on the baseline itself', () => {
    const s = stateOf([run('/ws/a'), run('/ws/b')], { baseline: '/ws/a' });
    assert.deepEqual(baselineMessage(s, '/ws/b'), { type: 'setBaseline', id: '/ws/b' });
    assert.deepEqual(baselineMessage(s, '/ws/a'), { type: 'setBaseline', id: null });
    accepted(baselineMessage(s, '/ws/a'));
    assert.equal(baselineLabel(s), 'a');
    assert.equal(baselineLabel({ ...s, baseline: null }), undefined);
  });

  it('table rows meet their runs by label (the extension’s row.file), else by position', () => {
    const runs = [run('/ws/a'), run('/ws/b')];
    const s = stateOf(runs);
    assert.deepEqual(
      rowViews(s).map((r) => [r.row.file, r.run.id]),
      [
        ['a', '/ws/a'],
        ['b', '/ws/b'],
      ],
    );
    const swapped = { ...s, table: { ...s.table, rows: [...s.table.rows].reverse() } };
    assert.deepEqual(
      rowViews(swapped).map((r) => r.run.id),
      ['/ws/b', '/ws/a'],
      'matched by name, not position',
    );
    const renamed = { ...s, table: { ...s.table, rows: s.table.rows.map((r, i) => ({ ...r, file: `other${i}` })) } };
    assert.deepEqual(
      rowViews(renamed).map((r) => r.run.id),
      ['/ws/a', '/ws/b'],
    );
  });

  it('empty: no runs, none being scored, none failed', () => {
    assert.equal(isEmpty(undefined), false, 'not before the first state (the page says it is loading)');
    assert.equal(isEmpty(stateOf([])), true);
    assert.equal(isEmpty(stateOf([], { failed: [{ id: 'x', label: 'x', message: 'bad' }] })), false);
    assert.equal(isEmpty(stateOf([run('/ws/a')])), false);
  });
});

describe('comparison: what the numbers say on hover', () => {
  const s = stateOf([run('/ws/a'), run('/ws/b')], { baseline: '/ws/a' });
  const cols = s.table.columns;
  const acc = cols.findIndex((c) => c.key === 'accuracy');
  const bias = cols.findIndex((c) => c.key === 'p_bias');

  it('a header: its definition and which value is best', () => {
    assert.match(headerHover(cols[acc]!), /^Acc\.: Strategy accuracy: .*\nBest: the highest\.$/s);
    assert.match(headerHover(cols[bias]!), /Best: the lowest\.$/);
    assert.match(headerHover(cols.find((c) => c.key === 'length')!), /No best value/);
  });

  it('a cell: value, definition, n with thousands separators, and its difference from the baseline in words', () => {
    const b = s.table.rows[1]!;
    const text = cellHover(cols[acc]!, b.cells[acc]!, 'b', 'a');
    const lines = text.split('\n');
    assert.equal(lines[0], 'Acc. of b: 40.00 (best in the column)');
    assert.equal(lines[1], cols[acc]!.definition);
    assert.equal(lines[2], `n = ${Math.round(1792 * 0.99).toLocaleString('en-US')} turns`);
    assert.equal(lines[3], '+10.00 vs a: better than the baseline');
    assert.match(cellHover(cols[bias]!, b.cells[bias]!, 'b', 'a'), /−0\.10 vs a: better than the baseline/, 'lower bias is better');
    assert.equal(cellHover(cols[acc]!, s.table.rows[0]!.cells[acc]!, 'a', 'a').split('\n').length, 3, 'the baseline has no delta');
    assert.match(cellHover(cols[acc]!, { best: false }, 'c', undefined), /no value/);
  });

  it('deltas carry their trend as words (not colour alone)', () => {
    assert.deepEqual(deltaView({ best: false, text: '1', delta: '+1.00', trend: 'better' }), {
      text: '+1.00',
      trend: 'better',
      words: 'better than the baseline',
    });
    assert.equal(deltaView({ best: false, text: '1', delta: '−0.50', trend: 'worse' })?.words, 'worse than the baseline');
    assert.equal(deltaView({ best: false, text: '1' }), undefined);
  });

  it('the export menu: three formats, copied or saved, with the e2e tests’ ids', () => {
    assert.deepEqual(
      EXPORT_ITEMS.map((i) => i.testid),
      [
        'export-markdown-clipboard',
        'export-markdown-file',
        'export-latex-clipboard',
        'export-latex-file',
        'export-csv-clipboard',
        'export-csv-file',
      ],
    );
    for (const i of EXPORT_ITEMS) accepted({ type: 'export', format: i.format, to: i.to });
    assert.equal(EXPORT_ITEMS[2]!.label, 'Copy as LaTeX (booktabs)');
    assert.equal(menuIndex('ArrowDown', 5, 6), 0, 'wraps');
    assert.equal(menuIndex('ArrowUp', 0, 6), 5);
    assert.equal(menuIndex('End', 0, 6), 5);
    assert.equal(menuIndex('ArrowDown', -1, 6), 0, 'from the button: the first item');
    assert.equal(menuIndex('x', 0, 6), undefined);
  });

  it('a pending run’s progress', () => {
    assert.equal(progressText(420, 1792), 'Scoring… 420 / 1,792 turns (23%)');
    assert.equal(progressText(0, 0), 'Scoring…');
  });
});

describe('comparison: chart data', () => {
  it('per-strategy F1 in % and preference, one series per run, hovers with their n', () => {
    const runs = [run('/ws/a'), run('/ws/b')];
    const f1 = strategySeries('f1', runs, NAMES);
    assert.equal(f1.length, 2);
    assert.deepEqual(f1[0]!.values.slice(0, 2), [50, 51]);
    assert.match(f1[0]!.hovers[0]!, /^a: F1 of Question 50\.00%\n.*\nn = 17 gold Question turns with a usable prediction \(20 in all\)$/s);
    const pref = strategySeries('preference', runs, NAMES);
    assert.equal(pref[1]!.values[0], 0.65);
    assert.match(pref[0]!.hovers[3]!, /1 = no preference/);
    assert.match(pref[0]!.hovers[3]!, /n = 56 mistakes, 7 of them predicting Self-disclosure$/);
    assert.equal(mistakes(runs[0]!), 56);
    assert.equal(mistakesPredicting(runs[0]!, 3), 7);
  });

  it('an F1 bar opens the gold turns of its strategy; a preference bar the mistakes predicting it', () => {
    assert.deepEqual(barDrill('f1', '/ws/a', 4), { type: 'drill', id: '/ws/a', gold: 4 });
    assert.deepEqual(barDrill('preference', '/ws/a', 6), { type: 'drill', id: '/ws/a', predicted: 6, mistakes: true });
    accepted(barDrill('f1', '/ws/a', 7));
    accepted(barDrill('preference', '/ws/a', 0));
  });

  it('length histograms: each run’s predicted lengths and one gold series when the runs share a split', () => {
    const a = run('/ws/a');
    const b = run('/ws/b', { lengths: { predicted: [30, 40, 50], gold: [4, 4, 6, 9] } });
    const chart = lengthChart([a, b]);
    assert.deepEqual(
      chart.series.map((s) => [s.label, s.kind]),
      [
        ['a', 'predicted'],
        ['b', 'predicted'],
        ['gold (reference)', 'gold'],
      ],
    );
    for (const s of chart.series) assert.equal(s.counts.length, chart.bins.labels.length, 'shared bins');
    assert.equal(
      chart.series[1]!.counts.reduce((x, y) => x + y, 0),
      3,
    );
    assert.match(chart.series[2]!.hover, /^mean 5\.8, median 5 tokens; n = 4 responses$/);
    const other = run('/ws/c', { lengths: { predicted: [1], gold: [100, 2] } });
    assert.deepEqual(
      lengthChart([a, other])
        .series.filter((s) => s.kind === 'gold')
        .map((s) => s.label),
      ['gold (a)', 'gold (c)'],
      'different splits: one gold series each',
    );
  });

  it('charts redraw only when their data changes, not on every progress report', () => {
    const a = run('/ws/a');
    assert.equal(chartsKey([a, run('/ws/b')]), chartsKey([{ ...a }, run('/ws/b')]), 'new objects, same data');
    assert.notEqual(chartsKey([a]), chartsKey([a, run('/ws/b')]), 'a run added');
    assert.notEqual(chartsKey([a, run('/ws/b')]), chartsKey([run('/ws/b'), a]), 'reordered');
    const rescored = run('/ws/a', { perStrategy: a.perStrategy.map((p, s) => (s === 3 ? { ...p, f1: 0.9 } : p)) });
    assert.notEqual(chartsKey([a]), chartsKey([rescored]), 'the file was scored again');
    const longer = { ...a, lengths: { predicted: a.lengths.predicted.map((n) => n + 1), gold: a.lengths.gold } };
    assert.notEqual(chartsKey([a]), chartsKey([longer]), 'only the replies’ lengths changed (a generator-gold rerun)');
    assert.notEqual(chartsKey([a]), chartsKey([{ ...a, label: 'renamed.json' }]), 'the series name changed');
  });

  it('run colours cycle through the theme’s chart colours; long strategy names wrap', () => {
    assert.equal(runColorVar(0), '--vscode-charts-blue');
    assert.equal(runColorVar(6), runColorVar(0));
    assert.deepEqual(wrapLabel('Restatement or Paraphrasing', 14), ['Restatement or', 'Paraphrasing']);
    assert.deepEqual(wrapLabel('Question'), ['Question']);
  });
});
