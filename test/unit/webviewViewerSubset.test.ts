// The viewer filtered to an explicit set of records (a drill-down from another feature): the query the
// extension sets, the search box keeping the subset, the banner line, removing it, and the bounds the
// extension holds a `query` message's subset to.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUBSET_INDICES_MAX, SUBSET_LABEL_MAX, viewerToExtension, type ViewQuery } from '../../src/protocol/viewer';
import {
  appliedQuery,
  EMPTY_QUERY,
  isFiltered,
  positionOutcome,
  queryFrom,
  restoredQuery,
  searchInputOf,
  subsetLine,
  withFacet,
  withoutSubset,
} from '../../webview-ui/src/viewer/model/query';

const cell = { label: 'gold Question → predicted Reflection of feelings', indices: [4, 9, 17] };

describe('viewer subset (drill-down)', () => {
  it('an applied query replaces the subset, facets and search, and keeps the sort', () => {
    const user: ViewQuery = {
      search: { text: 'job', regex: false, caseSensitive: false },
      facets: { emotion: 'anger' },
      sort: 'length-desc',
      subset: { label: 'an older cell', indices: [1] },
    };
    const q = appliedQuery(user, { subset: cell });
    assert.deepEqual(q, { facets: {}, sort: 'length-desc', subset: cell });
    assert.deepEqual(searchInputOf(q), { text: '', regex: false, caseSensitive: false }, 'the search box empties');
    const withFacets = appliedQuery(user, { subset: cell, facets: { strategy: 'Question' } });
    assert.deepEqual(withFacets.facets, { strategy: 'Question' });
    assert.deepEqual(appliedQuery(user, {}), { facets: {}, sort: 'length-desc' }, 'no subset: the whole file, unfiltered');
  });

  it('typing a search or picking a facet keeps the subset', () => {
    const q = appliedQuery(EMPTY_QUERY, { subset: cell });
    assert.deepEqual(queryFrom({ text: 'sad', regex: false, caseSensitive: false }, q).subset, cell);
    assert.deepEqual(withFacet(q, 'emotion', 'sadness').subset, cell);
    assert.equal('subset' in queryFrom({ text: '', regex: false, caseSensitive: false }, EMPTY_QUERY), false);
  });

  it('removing the subset returns to the whole file and keeps the rest of the query', () => {
    const q = withFacet(appliedQuery(EMPTY_QUERY, { subset: cell }), 'emotion', 'sadness');
    const back = withoutSubset(q);
    assert.equal(back.subset, undefined);
    assert.equal('subset' in back, false, 'nothing left to persist');
    assert.deepEqual(back.facets, { emotion: 'sadness' });
    assert.deepEqual(q.subset, cell, 'the query it came from is unchanged');
    assert.equal(isFiltered(withoutSubset(appliedQuery(EMPTY_QUERY, { subset: cell }))), false);
  });

  it('counts a subset as a filter: a jump to a record outside it clears it', () => {
    const q = appliedQuery(EMPTY_QUERY, { subset: cell });
    assert.equal(isFiltered(q), true);
    assert.deepEqual(positionOutcome({ index: 2, position: -1 }, 2, q), { clearThenJump: 2 });
  });

  it('says what the list shows: turns of an inference file, records of others', () => {
    assert.equal(subsetLine(cell, 'inference', 12), 'Showing 12 turns: gold Question → predicted Reflection of feelings');
    assert.equal(subsetLine(cell, 'inference', 1), 'Showing 1 turn: gold Question → predicted Reflection of feelings');
    assert.equal(subsetLine({ label: 'picked', indices: [] }, 'esconv', 0), 'Showing 0 records: picked');
    assert.equal(subsetLine({ label: ' ', indices: [1] }, 'sft-vanilla', 1234), 'Showing 1,234 records');
    assert.equal(subsetLine(cell, 'inference', undefined), 'Showing the selected turns: gold Question → predicted Reflection of feelings');
  });

  it('the extension accepts a bounded subset in a query message and refuses anything else', () => {
    const msg = (subset: unknown): unknown => ({ type: 'query', query: { facets: {}, sort: 'file', subset } });
    const ok = viewerToExtension.safeParse(msg(cell));
    assert.ok(ok.success);
    assert.deepEqual(ok.data.type === 'query' && ok.data.query.subset, cell);
    assert.ok(viewerToExtension.safeParse(msg({ label: 'x'.repeat(SUBSET_LABEL_MAX), indices: [] })).success);
    assert.ok(!viewerToExtension.safeParse(msg({ label: 'x'.repeat(SUBSET_LABEL_MAX + 1), indices: [] })).success, 'label too long');
    assert.ok(!viewerToExtension.safeParse(msg({ label: 'x', indices: [-1] })).success, 'negative index');
    assert.ok(!viewerToExtension.safeParse(msg({ label: 'x', indices: [1.5] })).success, 'fractional index');
    assert.ok(!viewerToExtension.safeParse(msg({ label: 'x', indices: ['1'] })).success, 'not a number');
    assert.ok(!viewerToExtension.safeParse(msg({ indices: [1] })).success, 'no label');
    const big = new Array<number>(SUBSET_INDICES_MAX).fill(0);
    assert.ok(viewerToExtension.safeParse(msg({ label: 'x', indices: big })).success, 'a million indices');
    big.push(0);
    assert.ok(!viewerToExtension.safeParse(msg({ label: 'x', indices: big })).success, 'over a million');
  });

  it('a restored subset holds for the file version it was shown on; after a change it is dropped, with a reason', () => {
    const saved: ViewQuery = {
      search: { text: 'job', regex: false, caseSensitive: false },
      facets: { emotion: 'anger' },
      sort: 'length-desc',
      subset: cell,
    };
    assert.deepEqual(restoredQuery(saved, '100:5', '100:5'), { query: saved }, 'same version: kept');
    assert.deepEqual(restoredQuery(saved, undefined, '100:5'), { query: saved }, 'no version saved (an older page): kept');
    const changed = restoredQuery(saved, '100:5', '120:9');
    assert.equal(changed.query.subset, undefined);
    assert.deepEqual(changed.query.search, saved.search, 'the search stays');
    assert.deepEqual(changed.query.facets, saved.facets, 'the facets stay');
    assert.equal(changed.query.sort, 'length-desc', 'the sort stays');
    assert.match(changed.notice ?? '', /changed since “gold Question → predicted Reflection of feelings” was shown/);
    const plain: ViewQuery = { facets: {}, sort: 'file' };
    assert.deepEqual(restoredQuery(plain, '100:5', '120:9'), { query: plain }, 'nothing to drop without a subset');
  });
});
