// The dataset tasks worker (core/dataset/worker/tasks.ts) run as the extension runs it, in a worker
// thread behind core/util/workerRpc.ts: validation with line/column positions, detection with
// progress, the append and its Cancel (the file untouched), and a failure that reaches the caller.

import * as assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { DatasetTaskMethods, ReadProgress } from '../../src/core/dataset/worker/tasks';
import { CancelledError } from '../../src/core/util/cancel';
import { RpcClient } from '../../src/core/util/workerRpc';
import { tempDir, type TempDir } from './helpers';

const WORKER = path.join(__dirname, '..', '..', 'src', 'core', 'dataset', 'worker', 'tasks.js');
const PLANNER_LINE = readFileSync(path.join(__dirname, '..', '..', '..', 'demo', 'data', 'sft_planner_demo.jsonl'), 'utf8').split('\n')[0]!;

describe('dataset tasks worker', () => {
  let tasks: RpcClient<DatasetTaskMethods>;
  let t: TempDir;
  /** A planner SFT file of about 3 MB: several read chunks, so progress and Cancel happen mid-file. */
  let big: string;

  before(() => {
    tasks = new RpcClient<DatasetTaskMethods>(new Worker(WORKER), { name: 'the dataset tasks worker' });
    t = tempDir();
    const lines = Math.ceil((3 << 20) / (PLANNER_LINE.length + 1));
    big = t.write('big.jsonl', (PLANNER_LINE + '\n').repeat(lines));
  });
  after(async () => {
    await tasks.terminate();
    t.dispose();
  });

  it('validates off the calling thread, with the line and column of each problem for a small file', async () => {
    const turn = [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: '[Question] How are you?' },
    ];
    const records = [{ messages: turn }, { messages: turn }];
    const text = JSON.stringify(records, null, 2);
    const file = t.write('truncated.json', text.slice(0, text.length - 12));
    const { report, positions } = await tasks.call('validate', { path: file, positionsBelow: 1 << 20 });
    assert.equal(report.valid, false);
    assert.match(report.problems[0]!.message, /truncated/);
    assert.equal(positions?.length, report.problems.length);
    assert.ok(positions![0]!.line > 5, `placed where the file ends, line ${positions![0]!.line}`);
    // over the limit VS Code opens as text: no positions are computed
    const over = await tasks.call('validate', { path: file, positionsBelow: 10 });
    assert.equal(over.positions, undefined);
  });

  it('detects and counts with progress, a file of no ESC kind too', async () => {
    const seen: ReadProgress[] = [];
    const r = await tasks.call('detect', { path: big }, { onProgress: (p) => seen.push(p) });
    assert.equal(r.detection.kind, 'sft-planner');
    assert.equal(r.size, statSync(big).size);
    assert.ok(seen.length >= 3, `${seen.length} progress reports`);
    assert.equal(seen[seen.length - 1]!.read, r.size);
    const other = t.write('other.json', JSON.stringify([{ a: 1 }, { a: 2 }]));
    assert.equal((await tasks.call('detect', { path: other })).records, 2);
    assert.equal((await tasks.call('inspect', { path: other })).records, 0, 'inspect (the Datasets view) does not count it');
  });

  it('appends records, and a Cancel during the read leaves the file as it was', async () => {
    const record = JSON.parse(PLANNER_LINE) as object;
    const before = readFileSync(big);
    const abort = new AbortController();
    const cancelled = tasks.call(
      'append',
      { path: big, records: [record], kind: 'sft-planner' },
      { signal: abort.signal, onProgress: () => abort.abort() },
    );
    await assert.rejects(cancelled, CancelledError);
    assert.ok(readFileSync(big).equals(before), 'the file is unchanged');
    const done = await tasks.call('append', { path: big, records: [record], kind: 'sft-planner' });
    assert.equal(done.appended, 1);
    assert.ok(readFileSync(big).subarray(0, before.length).equals(before), 'the records before are kept byte for byte');
  });

  it("an append refused for the file's kind rejects with the reason, not as a cancel", async () => {
    await assert.rejects(tasks.call('append', { path: big, records: [{ a: 1 }], kind: 'sft-planner' }), (e: Error) => {
      assert.ok(!(e instanceof CancelledError));
      assert.match(e.message, /nothing was written/);
      return true;
    });
  });

  it('a file that cannot be read rejects with the reason', async () => {
    await assert.rejects(tasks.call('inspect', { path: path.join(t.dir, 'missing.json') }), /ENOENT/);
  });
});
