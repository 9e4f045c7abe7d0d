// The checkpoint and worker pool shared by esc infer and the judge (core/runs/resumable.ts).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Checkpoint, CheckpointError, runPool } from '../../src/core/runs/resumable';
import { tempDir } from './helpers';

const KEY = { format: 'test/1', input: 'abc' };

describe('Checkpoint', () => {
  it('a new checkpoint starts with its key; a reopened one gives back its entries', () => {
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'sub dir', 'out.json.checkpoint.jsonl');
      const first = Checkpoint.open(file, KEY, 'input');
      assert.deepEqual(first.entries, []);
      first.checkpoint.append({ i: 0, answer: 'a' });
      first.checkpoint.append({ i: 1, answer: 'b' });
      first.checkpoint.close();
      assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(KEY)}\n{"i":0,"answer":"a"}\n{"i":1,"answer":"b"}\n`);
      const again = Checkpoint.open(file, KEY, 'input');
      again.checkpoint.close();
      assert.deepEqual(again.entries, [
        { i: 0, answer: 'a' },
        { i: 1, answer: 'b' },
      ]);
    } finally {
      t.dispose();
    }
  });

  it('a torn last line (a kill mid-write) is ignored, and the next entry starts on a line of its own', () => {
    const t = tempDir();
    try {
      const file = t.write('cp.jsonl', `${JSON.stringify(KEY)}\n{"i":0,"answer":"a"}\n{"i":1,"ans`);
      const resumed = Checkpoint.open(file, KEY, 'input');
      assert.deepEqual(resumed.entries, [{ i: 0, answer: 'a' }]);
      resumed.checkpoint.append({ i: 1, answer: 'b' });
      resumed.checkpoint.close();
      const after = Checkpoint.open(file, KEY, 'input');
      after.checkpoint.close();
      assert.deepEqual(after.entries, [
        { i: 0, answer: 'a' },
        { i: 1, answer: 'b' },
      ]);
    } finally {
      t.dispose();
    }
  });

  it("another run's checkpoint is refused and left as it was", () => {
    const t = tempDir();
    try {
      const content = `${JSON.stringify({ ...KEY, input: 'other' })}\n{"i":0}\n`;
      const file = t.write('cp.jsonl', content);
      assert.throws(
        () => Checkpoint.open(file, KEY, 'input or models'),
        (e: Error) => {
          assert.ok(e instanceof CheckpointError);
          assert.match(e.message, /belongs to another run \(other input or models\)/);
          return true;
        },
      );
      assert.equal(readFileSync(file, 'utf8'), content);
    } finally {
      t.dispose();
    }
  });

  it('an empty file (killed before its key was written) starts afresh', () => {
    const t = tempDir();
    try {
      const file = t.write('cp.jsonl', '');
      const cp = Checkpoint.open(file, KEY, 'input');
      cp.checkpoint.close();
      assert.deepEqual(cp.entries, []);
      assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(KEY)}\n`);
    } finally {
      t.dispose();
    }
  });
});

describe('runPool', () => {
  const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('runs every item with at most `concurrency` at once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, undefined, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick(5 + (n % 3) * 3);
      seen.push(n);
      inFlight--;
    });
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(most, 3);
  });

  it('the first failure stops the pool: no new item starts, the calls in flight see the abort, and it is thrown', async () => {
    const started: number[] = [];
    let abortedInFlight = 0;
    await assert.rejects(
      runPool([1, 2, 3, 4, 5, 6], 2, undefined, async (n, signal) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        await tick(20);
        if (signal.aborted) abortedInFlight++;
      }),
      /boom/,
    );
    assert.deepEqual(started, [1, 2]);
    assert.equal(abortedInFlight, 1);
  });

  it("the caller's abort stops it and is thrown", async () => {
    const controller = new AbortController();
    let count = 0;
    await assert.rejects(
      runPool([1, 2, 3, 4], 1, controller.signal, async () => {
        count++;
        controller.abort(new Error('stopped by the user'));
        await tick(1);
      }),
      /stopped by the user/,
    );
    assert.equal(count, 1);
  });
});
