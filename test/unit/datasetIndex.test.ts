// The viewer's model on real and demo files: index, analyse, search, facets, sort, rows, records.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DatasetIndex } from '../../src/core/dataset/datasetIndex';
import { DEMO_DATA, sharedData, sharedFile, tempDir } from './helpers';

/** Every string value of a record (not its keys or numbers), the plain recursive way: the reference the search is held to. */
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v !== null && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];

describe('dataset index', () => {
  it('indexes, analyses and searches the real ESConv file like a plain reference', { skip: sharedData.skip }, async () => {
    const file = sharedFile('FailedESConv.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    const idx = new DatasetIndex(file);
    let first = -1;
    await idx.index({ firstRecords: (n) => (first = n) });
    assert.equal(idx.count, 196);
    assert.equal(first, 196, 'a file under 200 records announces its first page when indexing ends');
    await idx.analyze();
    assert.equal(idx.invalidCount, 0);
    for (const [query, caseSensitive] of [
      ['depress', false],
      ['COVID', true],
      ['covid', false],
    ] as const) {
      const info = await idx.query({ search: { text: query, regex: false, caseSensitive }, facets: {}, sort: 'file' });
      const re = new RegExp(query, caseSensitive ? 'g' : 'gi');
      const expected = data.filter((d) => (strings(d).join('\n').match(re)?.length ?? 0) > 0);
      assert.equal(info.total, expected.length, `${query}: records`);
      const occurrences = data.reduce((n, d) => n + (strings(d).join('\n').match(re)?.length ?? 0), 0);
      assert.equal(info.matches, occurrences, `${query}: occurrences`);
    }
    const regex = await idx.query({ search: { text: '\\bfeel(ing)?s?\\b', regex: true, caseSensitive: false }, facets: {}, sort: 'file' });
    assert.ok(regex.total > 0);
    const bad = await idx.query({ search: { text: '(unclosed', regex: true, caseSensitive: false }, facets: {}, sort: 'file' });
    assert.match(bad.searchError ?? '', /Invalid regular expression/);
    // facets: emotion counts equal a plain count
    const all = await idx.query({ facets: {}, sort: 'file' });
    const anxiety = all.facets.emotion!.find((f) => f.value === 'anxiety')!;
    assert.equal(anxiety.count, data.filter((d) => d.emotion_type === 'anxiety').length);
    const filtered = await idx.query({ facets: { emotion: 'anxiety' }, sort: 'turns-desc' });
    assert.equal(filtered.total, anxiety.count);
    const rows = await idx.rows(0, 5);
    assert.ok(
      rows.every((r, i) => i === 0 || r.turns <= rows[i - 1]!.turns),
      'sorted by turns, descending',
    );
    assert.equal(data[rows[0]!.index]!.emotion_type, 'anxiety');
    const rec = await idx.record(rows[0]!.index);
    assert.deepEqual(rec.value, data[rows[0]!.index]);
    await idx.close();
  });

  it('lists invalid records and keeps serving the valid ones of a truncated file', async () => {
    const t = tempDir();
    try {
      const text = readFileSync(path.join(DEMO_DATA, 'pref_planner_demo.json'), 'utf8');
      const records = JSON.parse(text) as Record<string, unknown>[];
      delete records[2]!.chosen;
      const file = t.write('broken.json', JSON.stringify(records, null, 2).slice(0, -40));
      const idx = new DatasetIndex(file);
      await idx.index();
      await idx.analyze();
      assert.equal(idx.count, records.length - 1);
      assert.deepEqual(
        idx.problems.map((p) => p.index),
        [2, records.length - 1],
      );
      const rows = await idx.rows(0, 100);
      assert.equal(rows.length, records.length - 1);
      assert.equal(rows[2]!.invalid, true);
      assert.deepEqual(rows[0]!.strategies.length, 2);
      await idx.close();
    } finally {
      t.dispose();
    }
  });

  it('holds the rest of the index after the first records until the caller lets it go; the first page serves meanwhile', async () => {
    const t = tempDir();
    try {
      // about 3 MB: more than one read chunk, so there is a rest to hold
      const records = Array.from({ length: 6000 }, (_, i) => ({
        messages: [
          { role: 'user', content: `seeker turn ${i} ` + 'words '.repeat(70) },
          { role: 'assistant', content: `[Question] supporter turn ${i}?` },
        ],
      }));
      const file = t.write('many.json', JSON.stringify(records));
      const idx = new DatasetIndex(file);
      let announced = 0;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let asked = 0;
      const indexing = idx.index({
        firstRecords: (n) => (announced = n),
        afterFirstRecords: () => {
          asked++;
          return held;
        },
      });
      while (asked === 0) await new Promise((r) => setTimeout(r, 5));
      const whileHeld = idx.count;
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(announced >= 200 && whileHeld < records.length, `held at ${whileHeld} of ${records.length}`);
      assert.equal(idx.count, whileHeld, 'nothing more indexed while held');
      // the first view and page answer from what is indexed
      const view = await idx.query({ facets: {}, sort: 'file' });
      assert.equal(view.total, whileHeld);
      const rows = await idx.rows(0, 100);
      assert.equal(rows.length, 100);
      assert.equal(rows[5]!.index, 5);
      release();
      await indexing;
      assert.equal(idx.count, records.length);
      assert.equal(asked, 1, 'asked once');
      await idx.close();
    } finally {
      t.dispose();
    }
  });
});
