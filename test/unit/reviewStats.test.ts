// The blind review's statistics (core/eval/reviewStats): win/tie/loss, the exact sign test, Cohen's and
// Fleiss' kappa against hand computations and Fleiss' (1971) worked example, and differentially against
// scipy.stats.binomtest and sklearn's cohen_kappa_score on generated inputs.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cohenKappa, fleissKappa, reviewResult, signTest, tally, type Choice, type Verdict } from '../../src/core/eval/reviewStats';
import { pythonReference, referenceSkip } from '../reference/python';

const close = (actual: number, expected: number, tol = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} is not ${expected}`);

describe('review statistics', () => {
  it('tallies wins, ties and losses of run A', () => {
    assert.deepEqual(tally(['a', 'a', 'b', 'tie', 'a']), { win: 3, tie: 1, loss: 1 });
    assert.deepEqual(tally([]), { win: 0, tie: 0, loss: 0 });
  });

  it('the sign test by hand: 3 against 1 is 2·(1 + 4)/16, ties are dropped, a balance is 1', () => {
    close(signTest(3, 1), 0.625);
    close(signTest(1, 3), 0.625);
    close(signTest(10, 0), 2 / 1024);
    close(signTest(5, 1), (2 * (1 + 6)) / 64);
    assert.equal(signTest(0, 0), 1);
    assert.equal(signTest(4, 4), 1);
    assert.equal(signTest(4, 5), 1);
  });

  it('the sign test stays finite where 2^-n underflows (a 1,792-turn split)', () => {
    const p = signTest(1000, 792);
    assert.ok(p > 0 && p < 1e-6, String(p));
    assert.ok(signTest(1792, 0) === 0 || signTest(1792, 0) < 1e-300);
    close(signTest(896, 896), 1);
  });

  it("Cohen's kappa by hand", () => {
    // po = 2/3; marginals a 2/3·1/3 + b 1/3·2/3 = 4/9; (6/9 − 4/9)/(5/9) = 0.4
    close(cohenKappa(['a', 'b', 'a'], ['a', 'b', 'b']), 0.4);
    close(cohenKappa(['a', 'b', 'tie'], ['a', 'b', 'tie']), 1);
    // total disagreement on two categories used evenly: po 0, pe 1/2 → −1
    close(cohenKappa(['a', 'b'], ['b', 'a']), -1);
    assert.ok(Number.isNaN(cohenKappa(['a', 'a'], ['a', 'a'])), 'one category throughout is not measurable');
    assert.ok(Number.isNaN(cohenKappa([], [])));
    assert.throws(() => cohenKappa(['a'], []));
  });

  it("Fleiss' kappa: the 1971 worked example (10 subjects, 14 raters, 5 categories) is 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const k = fleissKappa(table);
    assert.equal(k.toFixed(3), '0.210');
    // P̄ = 0.378, P̄e = 0.2128 (the article's intermediate values)
    close(k, (0.378 - 0.21275510204081632) / (1 - 0.21275510204081632), 1e-3);
    assert.throws(
      () =>
        fleissKappa([
          [1, 1],
          [2, 1],
        ]),
      /subject 1/,
    );
  });

  it("Fleiss' kappa by hand: 3 raters, 2 items", () => {
    // item 0: a a b → P = (4+1−3)/6 = 1/3; item 1: b b b → P = 1. P̄ = 2/3; p_a = 2/6, p_b = 4/6 → P̄e = 5/9
    close(
      fleissKappa([
        [2, 1, 0],
        [0, 3, 0],
      ]),
      (2 / 3 - 5 / 9) / (1 - 5 / 9),
    );
  });

  it('one annotator: win/tie/loss of their judgements, the sign test, no agreement', () => {
    const v = (item: number, choice: Choice): Verdict => ({ item, annotator: 'ann', choice });
    const r = reviewResult([v(0, 'a'), v(1, 'a'), v(2, 'b'), v(3, 'tie'), v(4, 'a')]);
    assert.deepEqual(r.items, { win: 3, tie: 1, loss: 1 });
    close(r.p, 0.625);
    assert.deepEqual({ ...r.perAnnotator }, { ann: { win: 3, tie: 1, loss: 1 } });
    assert.equal(r.agreement, undefined);
  });

  it("two annotators: items by majority, Cohen's kappa over the items both judged", () => {
    const r = reviewResult([
      { item: 0, annotator: 'x', choice: 'a' },
      { item: 0, annotator: 'y', choice: 'a' },
      { item: 1, annotator: 'x', choice: 'b' },
      { item: 1, annotator: 'y', choice: 'b' },
      { item: 2, annotator: 'x', choice: 'a' },
      { item: 2, annotator: 'y', choice: 'b' },
      { item: 3, annotator: 'x', choice: 'tie' }, // y did not judge item 3
    ]);
    // item 2 is 1 vote each: a tie of the item
    assert.deepEqual(r.items, { win: 1, tie: 2, loss: 1 });
    assert.deepEqual({ ...r.perAnnotator }, { x: { win: 2, tie: 1, loss: 1 }, y: { win: 1, tie: 0, loss: 2 } });
    assert.equal(r.agreement?.method, 'cohen');
    assert.equal(r.agreement?.items, 3);
    // x: a b a, y: a b b → 0.4 (as by hand above)
    close(r.agreement!.kappa, 0.4);
  });

  it('an annotator may be called anything, __proto__ included', () => {
    const r = reviewResult([
      { item: 0, annotator: '__proto__', choice: 'a' },
      { item: 0, annotator: 'bob', choice: 'a' },
    ]);
    assert.deepEqual(Object.keys(r.perAnnotator).sort(), ['__proto__', 'bob']);
    assert.deepEqual({ ...r.perAnnotator['__proto__'] }, { win: 1, tie: 0, loss: 0 });
  });

  it("three annotators: Fleiss' kappa over the items all three judged", () => {
    const r = reviewResult([
      { item: 0, annotator: 'x', choice: 'a' },
      { item: 0, annotator: 'y', choice: 'a' },
      { item: 0, annotator: 'z', choice: 'b' },
      { item: 1, annotator: 'x', choice: 'b' },
      { item: 1, annotator: 'y', choice: 'b' },
      { item: 1, annotator: 'z', choice: 'b' },
      { item: 2, annotator: 'x', choice: 'a' },
    ]);
    assert.equal(r.agreement?.method, 'fleiss');
    assert.equal(r.agreement?.items, 2);
    close(r.agreement!.kappa, (2 / 3 - 5 / 9) / (1 - 5 / 9));
    assert.deepEqual(r.items, { win: 2, tie: 0, loss: 1 });
  });
});

describe('review statistics against scipy and sklearn', { skip: referenceSkip }, () => {
  it('signTest equals scipy.stats.binomtest(win, win + loss, 0.5).pvalue', async () => {
    const cases = fc.sample(fc.tuple(fc.nat({ max: 60 }), fc.nat({ max: 60 })), { numRuns: 150, seed: 7 });
    cases.push([0, 0], [3, 1], [1000, 792], [400, 380], [0, 900], [17, 17]);
    const answers = await pythonReference(
      'review_stats.py',
      cases.map(([win, loss]) => JSON.stringify({ op: 'sign', win, loss })),
    );
    cases.forEach(([win, loss], i) => {
      const expected = JSON.parse(answers[i]!) as number;
      const actual = signTest(win, loss);
      assert.ok(
        Math.abs(actual - expected) <= 1e-9 * Math.max(expected, 1e-300) || Math.abs(actual - expected) < 1e-15,
        `${win} vs ${loss}: ${actual} against scipy's ${expected}`,
      );
    });
  });

  it("cohenKappa equals sklearn's cohen_kappa_score on generated pairs of ratings", async () => {
    const choice = fc.constantFrom<Choice>('a', 'b', 'tie');
    const pairs = fc.sample(
      fc
        .integer({ min: 1, max: 40 })
        .chain((n) => fc.tuple(fc.array(choice, { minLength: n, maxLength: n }), fc.array(choice, { minLength: n, maxLength: n }))),
      { numRuns: 200, seed: 11 },
    );
    const answers = await pythonReference(
      'review_stats.py',
      pairs.map(([x, y]) => JSON.stringify({ op: 'cohen', x, y })),
    );
    let measured = 0;
    pairs.forEach(([x, y], i) => {
      const expected = JSON.parse(answers[i]!) as number | null;
      const actual = cohenKappa(x, y);
      if (expected === null) {
        assert.ok(Number.isNaN(actual), `${JSON.stringify([x, y])}: ${actual} where sklearn has NaN`);
      } else {
        measured++;
        close(actual, expected, 1e-12);
      }
    });
    assert.ok(measured > 150, `only ${measured} measurable pairs`);
  });
});
