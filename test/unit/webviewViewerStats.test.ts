// The dataset viewer's words about numbers, without a browser: a row's "1 turn · 12 words" line per
// kind (planner rows count turns, not "0 words"), a facet that keeps its name after a pick, the
// facets a generator-pair file offers, and the Statistics tab's summary lines and wrapped axis labels.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countOf, rowMeta } from '../../webview-ui/src/viewer/model/list';
import { EMPTY_QUERY, facetControls, facetOptions, withFacet } from '../../webview-ui/src/viewer/model/query';
import { hasTurns, lengthSides, summaryRows, wrapLabel } from '../../webview-ui/src/viewer/model/stats';
import type { DatasetStats, Distribution } from '../../src/protocol/viewer';
import { axisDrill } from '../../webview-ui/src/comparison/model/confusion';
import { turnCount } from '../../webview-ui/src/comparison/model/format';

describe('viewer rows: counts with the right noun', () => {
  it('"1 turn" in the singular, "n turns" otherwise, words only where there are replies', () => {
    assert.equal(countOf(1, 'turn'), '1 turn');
    assert.equal(countOf(0, 'turn'), '0 turns');
    assert.equal(countOf(1204, 'word'), '1,204 words');
    assert.equal(rowMeta('sft-vanilla', 1, 1), '1 turn · 1 word');
    assert.equal(rowMeta('esconv', 12, 230), '12 turns · 230 words');
    assert.equal(rowMeta('pref-planner', 5, 0), '5 turns', 'a planner pair answers with a strategy: no "0 words"');
    assert.equal(rowMeta('pref-planner', 1, 0), '1 turn');
    assert.equal(rowMeta('sft-planner', 3, 0), '3 turns');
    assert.equal(rowMeta('error-stats', 1, 17), '17 words', 'a judged response has no turns');
    assert.equal(rowMeta('inference', 1, 40), '1 turn · 40 words');
  });
});

describe('viewer facets: a picked value keeps its label', () => {
  const facets = {
    strategy: [
      { value: 'Question', count: 12 },
      { value: 'Others', count: 3 },
    ],
  };

  it('the selected option names the facet, as "all" does, so a closed select still says what it filters', () => {
    const [before] = facetControls('pref-planner', facets, EMPTY_QUERY);
    assert.equal(facetOptions(before!)[0]!.text, 'Chosen strategy: all');
    const picked = withFacet(EMPTY_QUERY, 'strategy', 'Question');
    const [after] = facetControls('pref-planner', facets, picked);
    assert.equal(after!.label, 'Chosen strategy', 'the label is the same after the pick');
    const options = facetOptions(after!);
    const selected = options.find((o) => o.value === after!.current)!;
    assert.equal(selected.text, 'Chosen strategy: Question (12)');
    assert.equal(options.find((o) => o.value === 'Others')!.text, 'Others (3)', 'the other options stay short');
  });

  it('a picked value no record of the view has any more stays the selected option (the select does not fall back to "all")', () => {
    const picked = withFacet(withFacet(EMPTY_QUERY, 'strategy', 'Question'), 'emotion', 'anger');
    // the search left no anger record: the index answers no emotion values
    const controls = facetControls('esconv', { strategy: facets.strategy }, picked);
    const emotion = controls.find((c) => c.facet === 'emotion');
    assert.ok(emotion, 'the filter on emotion is still drawn');
    assert.equal(emotion.current, 'anger');
    assert.deepEqual(emotion.values, [{ value: 'anger', count: 0 }]);
    assert.equal(facetOptions(emotion).find((o) => o.value === 'anger')!.text, 'Emotion: anger (0)');
  });

  it('a generator-pair file has no "rejected strategy" filter when the index gives it none', () => {
    const controls = facetControls('pref-generator', { strategy: facets.strategy }, EMPTY_QUERY);
    assert.deepEqual(
      controls.map((c) => c.label),
      ['Chosen strategy'],
    );
  });
});

const dist = (count: number, median: number, mean: number): Distribution => ({
  count,
  min: 0,
  max: median * 2,
  mean,
  median,
  histogram: { edges: [0, 1], counts: [count] },
});

describe('viewer Statistics tab words', () => {
  const base = { invalid: 0, turns: dist(4, 5, 5.5), length: dist(4, 18, 19.25) };

  it('an inference file: accuracy, F1s and the no-strategy share, gold and predicted lengths (no "rejected")', () => {
    const stats = {
      ...base,
      kind: 'inference',
      records: 4,
      strategies: { gold: {}, predicted: {}, other: {} },
      predictedLength: dist(4, 12, 12.5),
      prediction: {
        turns: 4,
        unscored: 1,
        accuracy: 0.5,
        weighted_f1: 0.4567,
        macro_f1: 0.25,
        p_bias: 0,
        error_ratio: 0.25,
        per_strategy_f1: {},
        confusion: {},
      },
    } as unknown as DatasetStats;
    const rows = Object.fromEntries(summaryRows(stats));
    assert.equal(rows['strategy accuracy'], '50.0% of 4 turns (1 record with no gold strategy of the 8 not scored)');
    assert.equal(rows['weighted F1'], '45.7%');
    assert.equal(rows['macro F1'], '25.0%');
    assert.match(rows['no strategy predicted']!, /^25\.0%/);
    assert.equal(rows['gold length'], 'median 18 words, mean 19.3');
    assert.equal(rows['predicted length'], 'median 12 words, mean 12.5');
    assert.equal(rows['reply length'], undefined);
    assert.deepEqual(
      lengthSides(stats)!.map((s) => s[0]),
      ['gold', 'predicted'],
    );
    assert.equal(hasTurns(stats), true);
  });

  it('an error-statistics file: the share with an empathy error, and no turns', () => {
    const stats = {
      ...base,
      kind: 'error-stats',
      records: 12,
      strategies: { responses: {}, other: {} },
      errorTypes: { unspecified: 2 },
      empathyErrors: { Yes: 8, No: 4 },
    } as unknown as DatasetStats;
    const rows = Object.fromEntries(summaryRows(stats));
    assert.equal(rows['empathy error'], '8 responses of 12 (66.7%)');
    assert.equal(rows.turns, undefined, 'no turns line');
    assert.equal(hasTurns(stats), false, 'no "turns per record" chart');
    assert.equal(lengthSides(stats), undefined);
  });

  it('pairs compare chosen and rejected lengths', () => {
    const stats = { ...base, kind: 'pref-vanilla', records: 4, strategies: {}, rejectedLength: dist(4, 9, 9) } as unknown as DatasetStats;
    assert.deepEqual(
      lengthSides(stats)!.map((s) => s[0]),
      ['chosen', 'rejected'],
    );
  });

  it('axis labels wrap at spaces and keep every word (none cut off)', () => {
    assert.deepEqual(wrapLabel('Restatement or Paraphrasing'), ['Restatement or', 'Paraphrasing']);
    assert.deepEqual(wrapLabel('Affirmation and Reassurance'), ['Affirmation and', 'Reassurance']);
    assert.deepEqual(wrapLabel('Providing Suggestions'), ['Providing', 'Suggestions']);
    assert.deepEqual(wrapLabel('Question'), ['Question']);
    assert.deepEqual(wrapLabel('no strategy'), ['no strategy']);
    for (const label of ['Restatement or Paraphrasing', 'Affirmation and Reassurance', 'Providing Suggestions', 'Reflection of feelings']) {
      assert.equal(wrapLabel(label).join(' '), label);
    }
  });
});

describe('"1 turn" in the singular on the comparison page too', () => {
  it('counts of one turn say "turn"', () => {
    assert.equal(turnCount(1), '1 turn');
    assert.equal(turnCount(1792), '1,792 turns');
    assert.equal(axisDrill('r', 'gold', 0, 'Question', 1).hover, 'Open the 1 gold Question turn in the viewer');
    assert.equal(axisDrill('r', 'predicted', 0, 'Question', 1).hover, 'Open the 1 turn predicted as Question in the viewer');
    assert.equal(axisDrill('r', 'predicted', 0, 'Question', 2).hover, 'Open the 2 turns predicted as Question in the viewer');
  });
});
