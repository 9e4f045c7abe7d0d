// The dataset viewer's front-end state, without a browser: the pair diff as segments (which side a
// word belongs to), list selection and paging, the query and facet filters, and the header lines.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIFF_MAX_CHARS, diffSides } from '../../webview-ui/src/viewer/model/diff';
import { clampPosition, listKey, PAGE, pagesToFetch, rowsPerPage } from '../../webview-ui/src/viewer/model/list';
import {
  EMPTY_QUERY,
  facetControls,
  facetLabels,
  isFiltered,
  positionOutcome,
  queryFrom,
  searchInputOf,
  withFacet,
} from '../../webview-ui/src/viewer/model/query';
import {
  countsLine,
  invalidRecords,
  matchLine,
  problemLine,
  problemsSummary,
  problemTarget,
  progressPercent,
} from '../../webview-ui/src/viewer/model/status';
import type { ViewQuery } from '../../src/protocol/viewer';

const text = (segs: { text: string }[]): string => segs.map((s) => s.text).join('');
const only = (segs: { text: string; only: boolean }[]): string[] => segs.filter((s) => s.only).map((s) => s.text.trim());

describe('viewer pair diff', () => {
  const chosen = 'It sounds like losing your job has been really hard on you.';
  const rejected = 'Losing your job is common, just apply somewhere else.';

  it("keeps each side's own text and flags, on that side, the words the other side lacks", () => {
    const [a, b] = diffSides(chosen, rejected)!;
    assert.equal(text(a), chosen, 'the chosen side shows the chosen reply');
    assert.equal(text(b), rejected, 'the rejected side shows the rejected reply');
    // the regression behind the colours: words only in the chosen reply are flagged on the chosen
    // side (drawn chosen-positive), words only in the rejected reply on the rejected side (neutral)
    const aOnly = only(a).join(' ');
    const bOnly = only(b).join(' ');
    assert.match(aOnly, /sounds/);
    assert.match(aOnly, /hard/);
    assert.doesNotMatch(aOnly, /apply/);
    assert.match(bOnly, /apply/);
    assert.doesNotMatch(bOnly, /sounds/);
    assert.ok(!/\bjob\b/.test(aOnly) && !/\bjob\b/.test(bOnly), 'a shared word is flagged on neither side');
  });

  it('flags nothing for identical replies', () => {
    const [a, b] = diffSides(chosen, chosen)!;
    assert.deepEqual(only(a), []);
    assert.deepEqual(only(b), []);
    assert.equal(text(a), chosen);
  });

  it('does not diff replies too long to diff without freezing the view', () => {
    const long = 'word '.repeat(DIFF_MAX_CHARS / 5);
    assert.equal(diffSides(long, 'x'), undefined);
    assert.notEqual(diffSides('a', 'b'), undefined);
  });
});

describe('viewer record list keys and paging', () => {
  it('moves the selection with the keys, within the list', () => {
    assert.deepEqual(listKey('ArrowDown', -1, 10, 5), { select: 0 }, 'nothing selected: down selects the first row');
    assert.deepEqual(listKey('ArrowDown', 3, 10, 5), { select: 4 });
    assert.deepEqual(listKey('j', 3, 10, 5), { select: 4 });
    assert.deepEqual(listKey('k', 3, 10, 5), { select: 2 });
    assert.deepEqual(listKey('ArrowUp', 0, 10, 5), { select: 0 }, 'stays on the first row');
    assert.deepEqual(listKey('ArrowDown', 9, 10, 5), { select: 9 }, 'stays on the last row');
    assert.deepEqual(listKey('PageDown', 3, 10, 5), { select: 8 });
    assert.deepEqual(listKey('PageDown', 8, 10, 5), { select: 9 });
    assert.deepEqual(listKey('PageUp', 3, 10, 5), { select: 0 });
    assert.deepEqual(listKey('Home', 7, 10, 5), { select: 0 });
    assert.deepEqual(listKey('End', 2, 10, 5), { select: 9 });
    assert.deepEqual(listKey('Enter', 2, 10, 5), { activate: true });
    assert.equal(listKey('a', 2, 10, 5), undefined, 'other keys are left to the page');
    assert.equal(listKey('ArrowDown', -1, 0, 5), undefined, 'an empty list selects nothing');
  });

  it('pages by a screenful less one row, at least one', () => {
    assert.equal(rowsPerPage(560, 56), 9);
    assert.equal(rowsPerPage(30, 56), 1);
    assert.equal(clampPosition(-3, 10), 0);
    assert.equal(clampPosition(12, 10), 9);
  });

  it('asks once for each page a visible row is missing from, the last page cut at the total', () => {
    const requested = new Set<number>();
    const total = 250;
    const loaded = new Set([95, 96]);
    const visible = Array.from({ length: 20 }, (_, i) => 90 + i);
    assert.deepEqual(
      pagesToFetch(visible, (p) => loaded.has(p), requested, total),
      [
        { start: 0, count: PAGE },
        { start: 100, count: PAGE },
      ],
    );
    assert.deepEqual(
      pagesToFetch(visible, (p) => loaded.has(p), requested, total),
      [],
      'pages already asked for are not asked again',
    );
    assert.deepEqual(
      pagesToFetch([240, 249], () => false, requested, total),
      [{ start: 200, count: 50 }],
    );
    assert.deepEqual(
      pagesToFetch([5], () => true, new Set(), total),
      [],
      'loaded rows need nothing',
    );
  });
});

describe('viewer query and facets', () => {
  it('labels the facets for the file kind', () => {
    assert.equal(facetLabels('pref-generator').strategy, 'Chosen strategy');
    assert.equal(facetLabels('inference').rejected, 'Predicted strategy');
    assert.equal(facetLabels('sft-vanilla').strategy, 'Strategy');
  });

  it('draws only the facets the view has values for, in label order, with the current filter', () => {
    const query = withFacet(EMPTY_QUERY, 'emotion', 'anxiety');
    const controls = facetControls(
      'esconv',
      { emotion: [{ value: 'anxiety', count: 3 }], strategy: [{ value: 'Question', count: 9 }] },
      query,
    );
    assert.deepEqual(
      controls.map((c) => [c.facet, c.label, c.current]),
      [
        ['strategy', 'Strategy', ''],
        ['emotion', 'Emotion', 'anxiety'],
      ],
    );
  });

  it('sets and clears a facet without changing the query it came from', () => {
    const q = withFacet(EMPTY_QUERY, 'strategy', 'Question');
    assert.deepEqual(q.facets, { strategy: 'Question' });
    assert.deepEqual(EMPTY_QUERY.facets, {});
    assert.deepEqual(withFacet(q, 'strategy', '').facets, {});
    assert.equal(isFiltered(q), true);
    assert.equal(isFiltered(EMPTY_QUERY), false);
  });

  it('runs the search box as typed; an empty box is no search', () => {
    const base: ViewQuery = { facets: { emotion: 'anger' }, sort: 'turns-desc' };
    assert.deepEqual(queryFrom({ text: 'job', regex: true, caseSensitive: false }, base), {
      search: { text: 'job', regex: true, caseSensitive: false },
      facets: { emotion: 'anger' },
      sort: base.sort,
    });
    assert.equal(queryFrom({ text: '', regex: true, caseSensitive: true }, base).search, undefined);
    assert.deepEqual(searchInputOf(EMPTY_QUERY), { text: '', regex: false, caseSensitive: false });
  });

  it('a jump to a record selects it, or clears the search and filters when they hide it', () => {
    const filtered = withFacet(EMPTY_QUERY, 'strategy', 'Others');
    assert.deepEqual(positionOutcome({ index: 7, position: 3 }, 7, filtered), { select: 3, focus: true });
    assert.deepEqual(
      positionOutcome({ index: 7, position: 3 }, undefined, filtered),
      { select: 3, focus: false },
      'a restore does not steal focus',
    );
    assert.deepEqual(positionOutcome({ index: 7, position: -1 }, 7, filtered), { clearThenJump: 7 });
    assert.equal(positionOutcome({ index: 7, position: -1 }, 7, EMPTY_QUERY), undefined, 'nothing to clear');
    assert.equal(
      positionOutcome({ index: 7, position: -1 }, undefined, filtered),
      undefined,
      'only a jump the user asked for clears filters',
    );
  });
});

describe('viewer header and problems lines', () => {
  it('counts records, with an ellipsis while indexing and the invalid ones once analysed', () => {
    const p = { records: 1234, indexed: false, size: 2048, analyzed: false, invalid: 2 };
    assert.match(countsLine(p), /^1,234 records… · /);
    assert.doesNotMatch(countsLine(p), /invalid/);
    assert.match(countsLine({ ...p, indexed: true, analyzed: true }), /^1,234 records · .* · 2 invalid$/);
  });

  it('says how many records match, how many the filters keep, or why the expression is invalid', () => {
    assert.equal(matchLine({ version: 1, total: 12, facets: {}, matches: 40, searchMs: 3.4 }, 130), '40 matches in 12 records (3 ms)');
    assert.equal(matchLine({ version: 1, total: 12, facets: {} }, 130), '12 of 130 records');
    // one is singular
    assert.equal(matchLine({ version: 1, total: 1, facets: {}, matches: 1, searchMs: 1 }, 1), '1 match in 1 record (1 ms)');
    assert.equal(matchLine({ version: 1, total: 0, facets: {} }, 1), '0 of 1 record');
    assert.match(countsLine({ records: 1, indexed: true, size: 10, analyzed: true, invalid: 0 }), /^1 record · /);
    assert.equal(matchLine({ version: 1, total: 130, facets: {} }, 130), '');
    assert.equal(
      matchLine({ version: 1, total: 0, facets: {}, searchError: 'Invalid regular expression: /(/: Unterminated group' }, 130),
      'Invalid regular expression: /(/: Unterminated group',
    );
  });

  it('summarises problems by invalid record and locates each one', () => {
    const problems = [
      { index: 3, offset: 10, path: '[3].messages', message: 'expected array' },
      { index: 3, offset: 12, path: '', message: 'bad role' },
      { offset: 99, path: '', message: 'file truncated' },
    ];
    assert.equal(invalidRecords(problems), 2);
    assert.equal(problemsSummary(problems.slice(0, 1), 1, 10), '⚠ 1 of 10 records is invalid. Invalid records are marked in the list.');
    assert.equal(
      problemsSummary(problems, 2, 10),
      '⚠ 2 of 10 records are invalid; file truncated. Invalid records are marked in the list.',
    );
    // nothing could be read as records: one plain sentence, no "0 of 0 records invalid", nothing said to be listed
    assert.equal(
      problemsSummary([{ offset: 0, path: '', message: 'The top level is a single JSON object, not an array of records.' }], 0, 0),
      '⚠ The file is not a JSON array or JSON Lines: the top level is a single JSON object, not an array of records.',
    );
    assert.deepEqual(problemLine(problems[0]!), { where: 'record 3', text: ' [3].messages: expected array' });
    assert.deepEqual(problemLine(problems[2]!), { where: 'byte 99', text: ' file truncated' });
    // a truncated file: the cut-off record is not in the list, so its link goes to the byte where reading stopped
    const cut = {
      index: 4,
      offset: 812,
      path: '[4]',
      message: 'The file ends inside record 4, which starts at byte 700: it is truncated.',
    };
    assert.deepEqual(problemTarget(cut, 4), { offset: 812 });
    assert.deepEqual(problemTarget(problems[0]!, 4), { record: 3 });
    assert.equal(problemLine(cut, 4).where, 'record 4, byte 812');
    assert.equal(
      problemsSummary([cut], 1, 4),
      '⚠ 1 of 5 records is invalid; the file ends inside record 4, which starts at byte 700: it is truncated.',
    );
    assert.equal(progressPercent(50, 200), 25);
    assert.equal(progressPercent(300, 200), 100);
    assert.equal(progressPercent(0, 0), 100);
  });
});
