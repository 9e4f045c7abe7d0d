// The comparison page's table (resultsTableView) and drill-downs (core/eval/drill.ts), on hand-written
// runs: the best marks, deltas and trends are worked out by hand from the numbers below.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drillIndices, drillLabel } from '../../src/core/eval/drill';
import { resultsTableView, type ResultsRun } from '../../src/core/eval/resultsTable';

const text = (bleu2: number, length: number) => ({
  'bleu-1': 20,
  'bleu-2': bleu2,
  'bleu-3': 5,
  'bleu-4': 2.5,
  'dist-1': 90,
  'dist-2': 95,
  'dist-3': 97,
  f1: 25,
  'rouge-l': 22,
  length,
});
const A: ResultsRun = {
  file: 'a.json',
  records: 10,
  text: text(10, 15.5),
  strategy: { accuracy: 0.3, weighted_f1: 0.25, macro_f1: 0.2, p_bias: 1.5, error_ratio: 0.1 },
};
const B: ResultsRun = {
  file: 'b.json',
  records: 10,
  text: text(9, 20),
  strategy: { accuracy: 0.35, weighted_f1: 0.25, macro_f1: 0.22, p_bias: 1.2, error_ratio: 0.2 },
};

describe('comparison table view', () => {
  const view = resultsTableView([A, B], { baseline: 0 });
  const col = (key: string) => view.columns.findIndex((c) => c.key === key);
  const cell = (row: number, key: string) => view.rows[row]!.cells[col(key)]!;

  it('has the paper column order with a definition for each column', () => {
    assert.deepEqual(
      view.columns.map((c) => c.label),
      [
        'BLEU-1',
        'BLEU-2',
        'BLEU-3',
        'BLEU-4',
        'Dist-1',
        'Dist-2',
        'Dist-3',
        'F1',
        'ROUGE-L',
        'Len.',
        'Acc.',
        'W-F1',
        'M-F1',
        'Bias',
        'Err.',
      ],
    );
    for (const c of view.columns) assert.ok(c.definition.length > 20, c.key);
  });

  it('marks the best per column: highest, lowest for bias and error ratio, none for length; ties both', () => {
    assert.equal(cell(0, 'bleu-2').best, true);
    assert.equal(cell(1, 'bleu-2').best, false);
    assert.equal(cell(1, 'accuracy').best, true);
    assert.equal(cell(1, 'p_bias').best, true, 'lower bias is better');
    assert.equal(cell(0, 'error_ratio').best, true, 'lower error ratio is better');
    assert.equal(cell(0, 'length').best, false);
    assert.equal(cell(1, 'length').best, false);
    assert.equal(cell(0, 'weighted_f1').best, true, 'a tie marks both');
    assert.equal(cell(1, 'weighted_f1').best, true);
  });

  it('gives the shown values, deltas from the baseline with their trend, and n', () => {
    assert.equal(cell(1, 'accuracy').text, '35.00');
    assert.equal(cell(1, 'accuracy').delta, '+5.00');
    assert.equal(cell(1, 'accuracy').trend, 'better');
    assert.equal(cell(1, 'bleu-2').delta, '\u22121.00');
    assert.equal(cell(1, 'bleu-2').trend, 'worse');
    assert.equal(cell(1, 'p_bias').delta, '\u22120.30');
    assert.equal(cell(1, 'p_bias').trend, 'better', 'a lower bias is an improvement');
    assert.equal(cell(1, 'error_ratio').trend, 'worse');
    assert.equal(cell(1, 'length').trend, 'same', 'length has no better direction');
    assert.equal(cell(1, 'weighted_f1').trend, 'same');
    assert.equal(cell(0, 'accuracy').delta, undefined, 'the baseline has no delta');
    assert.equal(view.rows[0]!.baseline, true);
    assert.equal(cell(0, 'bleu-2').n, 10);
    assert.equal(cell(1, 'accuracy').n, 8, 'strategy metrics count the 8 turns with a usable prediction');
  });

  it('has no deltas without a baseline and no best with one run', () => {
    const one = resultsTableView([A]);
    assert.ok(one.rows[0]!.cells.every((c) => c.delta === undefined && !c.best));
  });
});

describe('drill-down', () => {
  // gold:      0 0 1 1 2 7
  // predicted: 0 1 1 -1 1 0
  const turns = { gold: [0, 0, 1, 1, 2, 7], predicted: [0, 1, 1, -1, 1, 0] };
  it('finds the turns behind a confusion cell, a gold strategy and a preference', () => {
    assert.deepEqual(drillIndices(turns, { gold: 0, predicted: 1 }), [1]);
    assert.deepEqual(drillIndices(turns, { gold: 1 }), [2, 3]);
    assert.deepEqual(drillIndices(turns, { predicted: 1, mistakes: true }), [1, 4]);
    assert.deepEqual(drillIndices(turns, { gold: 3 }), []);
    assert.deepEqual(drillIndices(turns, { gold: 1, unusable: true }), [3], "the confusion's no-strategy column");
    assert.deepEqual(drillIndices(turns, { unusable: true }), [3]);
  });
  it('labels them', () => {
    assert.equal(drillLabel({ gold: 0, predicted: 2 }), 'gold Question → predicted Reflection of feelings');
    assert.equal(drillLabel({ predicted: 7, mistakes: true }), 'predicted Others, wrongly');
    assert.equal(drillLabel({ gold: 1, unusable: true }), 'gold Restatement or Paraphrasing → no strategy predicted');
  });
});
