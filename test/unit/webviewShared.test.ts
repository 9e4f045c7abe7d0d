// The webviews' shared, DOM-free logic: typed message dispatch and search highlighting.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispatch, type Handlers } from '../../webview-ui/src/shared/model/dispatch';
import { highlightSegments, searchPattern } from '../../webview-ui/src/shared/model/highlight';

type Msg = { type: 'a'; n: number } | { type: 'b'; s: string };

describe('webview message dispatch', () => {
  const calls: string[] = [];
  const handlers: Handlers<Msg> = { a: (m) => calls.push(`a${m.n}`), b: (m) => calls.push(`b${m.s}`) };

  it('runs the handler of the message type with the message', () => {
    calls.length = 0;
    assert.equal(dispatch(handlers, { type: 'b', s: 'x' }), true);
    assert.equal(dispatch(handlers, { type: 'a', n: 2 }), true);
    assert.deepEqual(calls, ['bx', 'a2']);
  });

  it('ignores what is not a message of the protocol, including names inherited by every object', () => {
    calls.length = 0;
    for (const m of [
      undefined,
      null,
      'a',
      42,
      {},
      { type: 3 },
      { type: 'c' },
      { type: 'constructor' },
      { type: 'toString' },
      { type: '__proto__' },
    ]) {
      assert.equal(dispatch(handlers, m), false, JSON.stringify(m));
    }
    assert.deepEqual(calls, []);
  });
});

describe('search highlighting', () => {
  const join = (segs: { text: string }[]): string => segs.map((s) => s.text).join('');

  it('cuts a text into plain and matching segments that join back to it', () => {
    const text = 'My brother and my Brother-in-law';
    const segs = highlightSegments(text, searchPattern({ text: 'brother', regex: false, caseSensitive: false }));
    assert.equal(join(segs), text);
    assert.deepEqual(
      segs.filter((s) => s.match).map((s) => s.text),
      ['brother', 'Brother'],
    );
    const exact = highlightSegments(text, searchPattern({ text: 'brother', regex: false, caseSensitive: true }));
    assert.deepEqual(
      exact.filter((s) => s.match).map((s) => s.text),
      ['brother'],
    );
  });

  it('skips empty matches instead of looping, and returns the text whole without a pattern', () => {
    const segs = highlightSegments('baaab', /a*/gu);
    assert.equal(join(segs), 'baaab');
    assert.deepEqual(
      segs.filter((s) => s.match).map((s) => s.text),
      ['aaa'],
    );
    assert.deepEqual(highlightSegments('plain', undefined), [{ text: 'plain', match: false }]);
    assert.deepEqual(highlightSegments('', undefined), []);
  });

  it('treats the search as literal text unless it is a regular expression; an invalid one highlights nothing', () => {
    assert.deepEqual(
      highlightSegments('a.b axb', searchPattern({ text: 'a.b', regex: false, caseSensitive: true })).filter((s) => s.match),
      [{ text: 'a.b', match: true }],
    );
    assert.equal(
      highlightSegments('a.b axb', searchPattern({ text: 'a.b', regex: true, caseSensitive: true })).filter((s) => s.match).length,
      2,
    );
    assert.equal(searchPattern({ text: '(unclosed', regex: true, caseSensitive: false }), undefined);
    assert.equal(searchPattern({ text: '', regex: false, caseSensitive: false }), undefined);
    assert.equal(searchPattern(undefined), undefined);
  });
});
