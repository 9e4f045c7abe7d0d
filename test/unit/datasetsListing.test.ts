// Which files the Datasets view lists and what it says about them (issue 13 §4): an empty file, a
// top-level object holding ESC data, broken JSON and a truncated dataset are listed; a package manifest
// and an array of numbers are not; the background check counts invalid records (a record cut off by the
// end of the file included) and reads only the head of a large file; the problems are said in one
// plain sentence, never "0 of 0 records invalid" or "0 invalid records, 1 problems".

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { surveyFile } from '../../src/core/formats/candidate';
import { quickCheck } from '../../src/core/dataset/quickCheck';
import { problemsSentence } from '../../src/core/dataset/problemWords';
import { DEMO_DATA, tempDir, type TempDir } from './helpers';

const PLANNER_LINE = readFileSync(path.join(DEMO_DATA, 'sft_planner_demo.jsonl'), 'utf8').split('\n')[0]!;
const PAIRS = JSON.parse(readFileSync(path.join(DEMO_DATA, 'pref_generator_filtered.json'), 'utf8')) as Record<string, unknown>[];

describe('Datasets view listing', () => {
  let t: TempDir;
  before(() => {
    t = tempDir();
  });
  after(() => t.dispose());

  it('lists an empty file as invalid, with a plain reason', async () => {
    const s = await surveyFile(t.write('empty.json', ''));
    assert.equal(s.listing, 'invalid');
    assert.match(s.reason!, /empty/i);
  });

  it('lists a top-level object holding an ESC record or a wrapped split, not a manifest or settings', async () => {
    const one = await surveyFile(t.write('one.json', JSON.stringify(PAIRS[0])));
    assert.equal(one.listing, 'invalid');
    assert.match(one.reason!, /single JSON object/);
    assert.equal((await surveyFile(t.write('wrapped.json', JSON.stringify({ train: [{ messages: [] }] })))).listing, 'invalid');
    assert.equal(
      (await surveyFile(t.write('package.json', JSON.stringify({ name: 'x', version: '1.0.0', scripts: {} })))).listing,
      undefined,
    );
    assert.equal((await surveyFile(t.write('settings.json', '{"editor.tabSize": 2}'))).listing, undefined);
    // notes about records (the demo's sources) are not records
    const notes = { generator_rejections: [{ dialogue: 0, turn: 3, rejected: 'no' }] };
    assert.equal((await surveyFile(t.write('notes.json', JSON.stringify(notes)))).listing, undefined);
  });

  it('lists broken JSON and ESC records that no longer classify, not a parseable array of something else', async () => {
    const broken = await surveyFile(t.write('broken.json', '{"messages": [ oops'));
    assert.equal(broken.listing, 'invalid');
    assert.match(broken.reason!, /not valid JSON/);
    assert.equal((await surveyFile(t.write('escish.json', '[{"messages": "x"}]'))).listing, 'invalid');
    assert.equal((await surveyFile(t.write('numbers.json', '[1, 2, 3]'))).listing, undefined);
    assert.equal((await surveyFile(t.write('points.jsonl', '{"x": 1}\n{"x": 2}\n'))).listing, undefined);
  });

  it('lists a truncated dataset under its kind, and its check counts the cut-off record where reading stopped', async () => {
    const text = JSON.stringify(PAIRS.slice(0, 3));
    const file = t.write('truncated.json', Buffer.from(text).subarray(0, Buffer.byteLength(text) - 40));
    const s = await surveyFile(file);
    assert.equal(s.listing, 'dataset');
    assert.equal(s.detection.kind, 'pref-generator');
    assert.equal(s.records, 2);
    assert.ok(s.problems > 0);
    const c = await quickCheck(file);
    assert.equal(c.records, 2);
    assert.equal(c.invalid, 1);
    assert.equal(c.problems[0]!.index, 2);
    assert.equal(c.problems[0]!.offset, Buffer.byteLength(text) - 40, 'the problem is where reading stopped');
    assert.equal(
      problemsSentence(c),
      `1 of 3 records is invalid; ${c.problems[0]!.message[0]!.toLowerCase()}${c.problems[0]!.message.slice(1)}`,
    );
  });

  it('checks the records of a file with invalid ones, with their strategy mix, without a manual validation', async () => {
    const bad = [PAIRS[0], { ...PAIRS[1], rejected: 5 }, PAIRS[2], { ...PAIRS[0], chosen: null }];
    const c = await quickCheck(t.write('invalid.json', JSON.stringify(bad)));
    assert.equal(c.kind, 'pref-generator');
    assert.deepEqual([c.records, c.invalid, c.problemCount, c.complete], [4, 2, 2, true]);
    assert.deepEqual(
      c.problems.map((p) => p.index),
      [1, 3],
    );
    assert.deepEqual([c.stats?.records, c.stats?.invalid], [4, 2], 'the mix is of the valid records');
    assert.equal(problemsSentence(c), '2 of 4 records are invalid.');
  });

  it('reads only the head of a large file and says so', async () => {
    const file = t.write('big.jsonl', (PLANNER_LINE + '\n').repeat(2000));
    const c = await quickCheck(file, { maxBytes: 64 * 1024 });
    assert.equal(c.complete, false);
    assert.ok(c.records > 0 && c.records < 2000, `${c.records} records checked`);
    assert.equal(c.invalid, 0);
    assert.equal((await quickCheck(file)).records, 2000);
  });

  it('says a file that is not a list of records in one plain sentence', async () => {
    const obj = await quickCheck(t.write('obj.json', JSON.stringify(PAIRS[0])));
    assert.equal(
      problemsSentence(obj),
      'The file is not a JSON array or JSON Lines: the top level is a single JSON object, not an array of records or JSON Lines (one record per line).',
    );
    assert.equal(problemsSentence(await quickCheck(t.write('empty2.json', ''))), 'The file is empty: it has no records.');
    assert.equal(problemsSentence({ records: 10, invalid: 0, problemCount: 0, problems: [] }), undefined);
    assert.equal(
      problemsSentence({ records: 10, invalid: 0, problemCount: 1, problems: [{ index: 4, message: 'Missing "," before record 4.' }] }),
      '1 syntax problem between records.',
    );
  });
});
