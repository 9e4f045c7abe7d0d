// One dataset file open in two viewer panels shares one index (one worker): each panel keeps its own
// view. The index keeps views by version (a bounded few), and a panel's query supersedes only that
// panel's query before it — checked on the index, on OwnedQueries, and on the worker thread itself.
// Expected records come from a plain search over the parsed demo file.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { DatasetIndex, MAX_VIEWS } from '../../src/core/dataset/datasetIndex';
import type { ViewQuery } from '../../src/core/dataset/viewTypes';
import { OwnedQueries } from '../../src/core/dataset/worker/ownedQueries';
import type { DatasetWorkerMethods, WorkerData, WorkerEvent } from '../../src/core/dataset/worker/protocol';
import { CancelledError } from '../../src/core/util/cancel';
import { RpcClient } from '../../src/core/util/workerRpc';
import { DEMO_DATA } from './helpers';

const FILE = path.join(DEMO_DATA, 'esconv_demo.json');
const data = JSON.parse(readFileSync(FILE, 'utf8')) as unknown[];
const WORKER = path.join(__dirname, '..', '..', 'src', 'core', 'dataset', 'worker', 'main.js');

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v !== null && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
/** Indices of the records whose string values contain `text` (case-insensitive), in file order. */
const containing = (text: string): number[] => data.flatMap((d, i) => (strings(d).some((s) => s.toLowerCase().includes(text)) ? [i] : []));

const WORD = 'job';
const search = (text: string): ViewQuery => ({ search: { text, regex: false, caseSensitive: false }, facets: {}, sort: 'file' });
const whole: ViewQuery = { facets: {}, sort: 'file' };

describe('dataset views of several panels', () => {
  const expected = containing(WORD);
  before(() => {
    assert.ok(expected.length > 0 && expected.length < data.length, `'${WORD}' picks some records of the demo file`);
  });

  describe('the index', () => {
    const idx = new DatasetIndex(FILE);
    before(async () => {
      await idx.index();
      await idx.analyze();
    });
    after(() => idx.close());

    it('still serves the rows and positions of a view after a newer query', async () => {
      const searched = await idx.query(search(WORD));
      const all = await idx.query(whole);
      assert.equal(searched.total, expected.length);
      assert.equal(all.total, data.length);
      assert.deepEqual(
        (await idx.rows(0, 100, searched.version)).map((r) => r.index),
        expected,
        "the search's rows, after the whole file's query",
      );
      assert.deepEqual(
        (await idx.rows(0, 100, all.version)).map((r) => r.index),
        data.map((_, i) => i),
      );
      const last = expected[expected.length - 1]!;
      assert.equal(idx.positionOf(last, searched.version), expected.length - 1, 'position within the search');
      assert.equal(idx.positionOf(last, all.version), last, 'position within the whole file');
      const outside = data.findIndex((_, i) => !expected.includes(i));
      assert.equal(idx.positionOf(outside, searched.version), -1);
      // a facet view alongside both
      const emotion = all.facets.emotion![0]!;
      const faceted = await idx.query({ facets: { emotion: emotion.value }, sort: 'file' });
      assert.equal((await idx.rows(0, 100, faceted.version)).length, emotion.count);
      assert.equal((await idx.rows(0, 100, searched.version)).length, expected.length, 'the search view still answers');
    });

    it(`keeps the ${MAX_VIEWS} most recent views and refuses an evicted one`, async () => {
      const oldest = await idx.query(search(WORD));
      const later: number[] = [];
      for (let i = 0; i < MAX_VIEWS - 1; i++) later.push((await idx.query(whole)).version);
      assert.equal((await idx.rows(0, 100, oldest.version)).length, expected.length, `${MAX_VIEWS} views: the oldest is kept`);
      const newest = await idx.query(whole);
      await assert.rejects(idx.rows(0, 100, oldest.version), CancelledError, 'one more: the oldest is evicted');
      assert.throws(() => idx.positionOf(0, oldest.version), CancelledError);
      for (const v of later) assert.equal((await idx.rows(0, 1, v)).length, 1, `view ${v} is kept`);
      assert.equal((await idx.rows(0, 1, newest.version)).length, 1);
    });

    it('refuses a dropped view', async () => {
      const v = await idx.query(whole);
      idx.dropView(v.version);
      await assert.rejects(idx.rows(0, 1, v.version), CancelledError);
    });
  });

  describe('OwnedQueries', () => {
    const idx = new DatasetIndex(FILE);
    before(async () => {
      await idx.index();
      await idx.analyze();
    });
    after(() => idx.close());

    it("a second owner's query does not abort the first owner's search; the owner's own next query does", async () => {
      const released: number[] = [];
      const owners = new OwnedQueries((v) => {
        released.push(v);
        idx.dropView(v);
      });
      const run = (owner: string, q: ViewQuery) => owners.run(owner, (signal) => idx.query(q, {}, signal));
      const a = run('a', search(WORD));
      const b = await run('b', whole); // while a searches
      const aInfo = await a;
      assert.equal(aInfo.total, expected.length, "a's search ran to its end");
      assert.equal(owners.viewOf('a'), aInfo.version);
      assert.equal(owners.viewOf('b'), b.version);
      assert.deepEqual(
        (await idx.rows(0, 100, owners.viewOf('a'))).map((r) => r.index),
        expected,
      );

      // a's own next query supersedes its search still running, and its older view is released
      const slow = run('a', search('feel'));
      const next = await run('a', whole);
      await assert.rejects(slow, CancelledError);
      assert.equal(owners.viewOf('a'), next.version);
      assert.deepEqual(released, [aInfo.version], "a's replaced view, not b's");
      await assert.rejects(idx.rows(0, 1, aInfo.version), CancelledError);
      assert.equal((await idx.rows(0, 100, b.version)).length, data.length, "b's view is untouched");
    });

    it('a closed panel releases its view; an open panel keeps its own however many panels came and went', async () => {
      const owners = new OwnedQueries((v) => idx.dropView(v));
      idx.inUse = (v) => owners.inUse(v);
      try {
        const run = (owner: string, q: ViewQuery) => owners.run(owner, (signal) => idx.query(q, {}, signal));
        const kept = await run('open', search(WORD));
        // twice MAX_VIEWS panels open, query and close on the same file
        for (let i = 0; i < 2 * MAX_VIEWS; i++) {
          const v = await run(`gone-${i}`, whole);
          owners.forget(`gone-${i}`);
          await assert.rejects(idx.rows(0, 1, v.version), CancelledError, 'a closed panel’s view is released');
        }
        // and as many open at once: the first panel's view is never the one evicted
        for (let i = 0; i < 2 * MAX_VIEWS; i++) await run(`open-${i}`, whole);
        assert.deepEqual(
          (await idx.rows(0, 100, kept.version)).map((r) => r.index),
          expected,
          'the open panel still has its rows',
        );
        assert.equal(owners.viewOf('open'), kept.version);
        assert.equal(idx.positionOf(expected[0]!, kept.version), 0);
      } finally {
        idx.inUse = () => false;
      }
    });
  });

  describe('the worker thread', () => {
    let rpc: RpcClient<DatasetWorkerMethods, WorkerEvent>;
    let indexed!: Promise<void>;
    before(() => {
      let done!: () => void;
      indexed = new Promise((resolve) => (done = resolve));
      const workerData: WorkerData = { path: FILE };
      rpc = new RpcClient<DatasetWorkerMethods, WorkerEvent>(new Worker(WORKER, { workerData }), {
        name: 'the dataset worker',
        onEvent: (e) => {
          if (e.type === 'indexed') done();
        },
      });
    });
    after(() => rpc.terminate());

    it("serves each panel's own view: a second panel's query neither aborts the first's search nor takes its rows", async () => {
      await indexed;
      // sent together: the worker takes b's query while a's search reads the file
      const a = rpc.call('query', { owner: 'a', query: search(WORD) });
      const b = rpc.call('query', { owner: 'b', query: whole });
      const [aView, bView] = await Promise.all([a, b]);
      assert.equal(aView.total, expected.length);
      assert.equal(bView.total, data.length);
      assert.ok(bView.version > aView.version, "b's query is the newer");
      assert.deepEqual(
        (await rpc.call('rows', { version: aView.version, start: 0, count: 100 })).map((r) => r.index),
        expected,
        "a's rows after b's query",
      );
      const last = expected[expected.length - 1]!;
      assert.equal(await rpc.call('position', { owner: 'a', index: last }), expected.length - 1, "a's position in a's view");
      assert.equal(await rpc.call('position', { owner: 'b', index: last }), last, "b's position in b's view");
      // a's next query replaces a's view only
      const aNext = await rpc.call('query', { owner: 'a', query: whole });
      await assert.rejects(rpc.call('rows', { version: aView.version, start: 0, count: 1 }), CancelledError, "a's replaced view");
      assert.equal((await rpc.call('rows', { version: bView.version, start: 0, count: 100 })).length, data.length);
      assert.equal(await rpc.call('position', { owner: 'a', index: last }), last);
      assert.ok(aNext.version > bView.version);
    });
  });
});
