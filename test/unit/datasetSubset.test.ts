// The viewer's index filtered to an explicit set of records (the turns behind an evaluation's number):
// the subset alone, with a facet, with a search, empty, and with indices outside the file. Checked
// against a plain count over the demo inference file.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DatasetIndex } from '../../src/core/dataset/datasetIndex';
import type { ViewQuery } from '../../src/core/dataset/viewTypes';
import { DEMO_DATA } from './helpers';

interface InferenceRecord {
  GT_strategy: string;
  predict_strategy: string;
  GT_content: string;
}

const FILE = path.join(DEMO_DATA, 'inference_demo.json');
const data = JSON.parse(readFileSync(FILE, 'utf8')) as InferenceRecord[];

describe('dataset index with a subset', () => {
  const idx = new DatasetIndex(FILE);
  before(async () => {
    await idx.index();
    await idx.analyze();
  });
  after(() => idx.close());

  const allRows = async (): Promise<number[]> => (await idx.rows(0, 1000)).map((r) => r.index);
  const query = (q: Partial<ViewQuery>): ViewQuery => ({ facets: {}, sort: 'file', ...q });

  it('shows only the records of the subset, in the sort order, with facet counts among them', async () => {
    assert.ok(data.length > 10, 'the demo file has enough records to pick from');
    const indices = [9, 2, 5, 0, 2];
    const info = await idx.query(query({ subset: { label: 'picked', indices } }));
    assert.equal(info.total, 4, 'a duplicate index counts once');
    assert.equal(info.subsetTotal, 4);
    assert.deepEqual(await allRows(), [0, 2, 5, 9], 'file order, whatever the order given');
    // the gold-strategy facet counts only the subset's records
    const expected = new Map<string, number>();
    for (const i of new Set(indices)) expected.set(data[i]!.GT_strategy, (expected.get(data[i]!.GT_strategy) ?? 0) + 1);
    assert.deepEqual(new Map(info.facets.strategy!.map((f) => [f.value, f.count])), expected);
    const whole = await idx.query(query({}));
    assert.equal(whole.total, data.length, 'without a subset the whole file is back');
    assert.equal(whole.subsetTotal, undefined);
  });

  it('applies facets within the subset', async () => {
    const indices = data.map((_, i) => i).filter((i) => i % 2 === 0);
    const gold = data[indices[0]!]!.GT_strategy;
    const info = await idx.query(query({ subset: { label: 'even', indices }, facets: { strategy: gold } }));
    const expected = indices.filter((i) => data[i]!.GT_strategy === gold);
    assert.equal(info.total, expected.length);
    assert.deepEqual(await allRows(), expected);
    assert.equal(info.subsetTotal, indices.length, 'the subset size is before the facet');
    // the facet's own counts ignore its selection but keep the subset
    const evenGold = indices.filter((i) => data[i]!.GT_strategy === gold).length;
    assert.equal(info.facets.strategy!.find((f) => f.value === gold)!.count, evenGold);
    const predicted = new Set(expected.map((i) => data[i]!.predict_strategy));
    assert.deepEqual(new Set(info.facets.rejected!.map((f) => f.value)), predicted, 'predicted strategies of the shown records only');
  });

  it('searches within the subset', async () => {
    const word = 'you';
    const hits = data.map((_, i) => i).filter((i) => JSON.stringify(data[i]).toLowerCase().includes(word));
    assert.ok(hits.length > 2, 'the search word is common in the demo file');
    const subset = [
      hits[0]!,
      hits[1]!,
      ...data
        .map((_, i) => i)
        .filter((i) => !hits.includes(i))
        .slice(0, 2),
    ];
    const info = await idx.query(
      query({ subset: { label: 'mixed', indices: subset }, search: { text: word, regex: false, caseSensitive: false } }),
    );
    assert.equal(info.total, 2, 'only the subset records the search matches');
    assert.deepEqual(
      await allRows(),
      [hits[0]!, hits[1]!].sort((a, b) => a - b),
    );
    assert.ok((info.matches ?? 0) >= 2);
  });

  it('an empty subset shows nothing, and says so', async () => {
    const info = await idx.query(query({ subset: { label: 'none', indices: [] } }));
    assert.equal(info.total, 0);
    assert.equal(info.subsetTotal, 0);
    assert.deepEqual(await allRows(), []);
    assert.deepEqual(info.facets.strategy ?? [], []);
  });

  it('ignores indices outside the file', async () => {
    const info = await idx.query(query({ subset: { label: 'out', indices: [1, data.length, data.length + 100, -1, 1.5, 3] } }));
    assert.equal(info.total, 2);
    assert.equal(info.subsetTotal, 2);
    assert.deepEqual(await allRows(), [1, 3]);
    assert.equal(idx.positionOf(3), 1, 'positions are within the filtered view');
    assert.equal(idx.positionOf(2), -1, 'a record outside the subset is not in the view');
  });
});
