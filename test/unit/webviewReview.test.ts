// The review page's front-end state, without a browser: restoring after a reload, which key presses
// judge (never while typing a note), no double judgement while one is pending, the note following the
// item, the progress line and the results panel's text.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReviewResultView, ReviewState } from '../../src/protocol/review';
import {
  formatP,
  judgeMessage,
  keyPick,
  onState,
  progressText,
  restorePage,
  resultsOpen,
  resultsView,
} from '../../webview-ui/src/review/model/page';

const RESULT: ReviewResultView = {
  runA: 'runs/a.json',
  runB: 'runs/b.json',
  items: { win: 3, tie: 1, loss: 1 },
  p: 0.625,
  perAnnotator: { ann: { win: 3, tie: 1, loss: 1 } },
};

function state(over: Partial<ReviewState> = {}): ReviewState {
  return {
    file: '/w/reviews/a-vs-b.review.jsonl',
    title: 'a-vs-b.review.jsonl',
    annotator: 'ann',
    total: 1792,
    judged: 11,
    item: { index: 11, context: [], seeker: 'hi', first: 'one', second: 'two', gold: 'gold' },
    result: RESULT,
    ignoredLines: [],
    ...over,
  };
}

describe('review page model', () => {
  it('restores the judgement file and the toggles from setState, and ignores junk', () => {
    assert.deepEqual(restorePage({ file: '/w/r.review.jsonl', showGold: true, showResults: false }).persisted, {
      file: '/w/r.review.jsonl',
      showGold: true,
      showResults: false,
    });
    assert.deepEqual(restorePage(undefined).persisted, { file: undefined, showGold: false, showResults: false });
    assert.deepEqual(restorePage({ file: 3, showGold: 'yes' }).persisted, { file: undefined, showGold: false, showResults: false });
  });

  it('a state keeps the file for the serializer; the note follows the item', () => {
    let page = onState(restorePage(undefined), state());
    assert.equal(page.persisted.file, '/w/reviews/a-vs-b.review.jsonl');
    assert.equal(page.note, '');
    page = { ...page, note: 'typing…' };
    // the same item again (e.g. a toggle elsewhere): the draft stays
    assert.equal(onState(page, state()).note, 'typing…');
    // the next item: empty; an item judged before: its note
    assert.equal(onState(page, state({ item: { ...state().item!, index: 12 } })).note, '');
    const earlier = state({ item: { ...state().item!, index: 3, previous: { pick: 2, note: 'too long' } } });
    assert.equal(onState(page, earlier).note, 'too long');
  });

  it('keys 1 / 2 / 0 judge; not in a text field, not with modifiers, not on auto-repeat', () => {
    assert.equal(keyPick({ key: '1', inEditable: false }), 1);
    assert.equal(keyPick({ key: '2', inEditable: false }), 2);
    assert.equal(keyPick({ key: '0', inEditable: false }), 0);
    assert.equal(keyPick({ key: '1', inEditable: true }), undefined, 'typing a note never judges');
    assert.equal(keyPick({ key: '1', inEditable: false, ctrlKey: true }), undefined);
    assert.equal(keyPick({ key: '2', inEditable: false, metaKey: true }), undefined);
    assert.equal(keyPick({ key: '0', inEditable: false, altKey: true }), undefined);
    assert.equal(keyPick({ key: '1', inEditable: false, repeat: true }), undefined);
    for (const key of ['3', 'Enter', 'ArrowRight', 'a', ' ', 'constructor']) {
      assert.equal(keyPick({ key, inEditable: false }), undefined, key);
    }
  });

  it('the judge message names the item shown and carries a trimmed note; none while pending or when done', () => {
    const page = onState(restorePage(undefined), state());
    assert.deepEqual(judgeMessage(page, 2), { type: 'judge', item: 11, pick: 2 });
    assert.deepEqual(judgeMessage({ ...page, note: '  vague  ' }, 0), { type: 'judge', item: 11, pick: 0, note: 'vague' });
    assert.equal(judgeMessage({ ...page, pending: true }, 1), undefined);
    assert.equal(judgeMessage(onState(page, state({ item: undefined, judged: 1792 })), 1), undefined);
    // the next state ends the wait, even for the same item (a re-judgement)
    assert.equal(onState({ ...page, pending: true }, state()).pending, false);
    assert.equal(onState({ ...page, pending: true, note: 'sent' }, state()).note, '', 'a sent note is not kept for the next item');
  });

  it('progress reads "12 / 1,792" on item 12, and the judged count when done', () => {
    assert.equal(progressText(state()), '12 / 1,792');
    assert.equal(progressText(state({ item: undefined, judged: 1792 })), '1,792 / 1,792');
  });

  it('the results open on request or once everything is judged; the runs are named only there', () => {
    const page = onState(restorePage(undefined), state());
    assert.equal(resultsOpen(page), false);
    assert.equal(resultsOpen({ ...page, persisted: { ...page.persisted, showResults: true } }), true);
    assert.equal(resultsOpen(onState(page, state({ judged: 1792, item: undefined }))), true);
    const v = resultsView(RESULT);
    assert.equal(v.heading, 'A = runs/a.json, B = runs/b.json');
    assert.equal(v.tally, 'A against B: 3 win / 1 tie / 1 loss');
    assert.equal(v.sign, 'Two-sided sign test over 4 untied items: p = 0.625');
    assert.equal(v.agreement, undefined);
    assert.deepEqual(v.annotators, [{ name: 'ann', tally: '3 win / 1 tie / 1 loss' }]);
  });

  it('kappa and p as the panel writes them', () => {
    const two = resultsView({ ...RESULT, agreement: { method: 'cohen', kappa: 0.4, items: 3, annotators: ['x', 'y'] } });
    assert.equal(two.agreement, "Cohen's κ = 0.400 over 3 items judged by all 2 annotators");
    const three = resultsView({ ...RESULT, agreement: { method: 'fleiss', kappa: null, items: 1, annotators: ['x', 'y', 'z'] } });
    assert.equal(three.agreement, "Fleiss' κ: not measurable over 1 item judged by all 3 annotators");
    assert.equal(resultsView({ ...RESULT, items: { win: 0, tie: 2, loss: 0 } }).sign, 'Sign test: no untied items yet');
    assert.equal(formatP(0.0421), 'p = 0.042');
    assert.equal(formatP(0.00001234), 'p = 1.2e-5');
    assert.equal(formatP(1), 'p = 1.000');
  });
});
