// core/util/workerRpc.ts over a real worker thread (test/fixtures/rpcTestWorker.ts): results, errors,
// progress, cancellation as a type, events, and a worker that dies while calls wait.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../../src/core/util/cancel';
import { RpcClient, WorkerStoppedError } from '../../src/core/util/workerRpc';
import type { TestEvent, TestMethods } from '../fixtures/rpcTestWorker';

const WORKER = path.join(__dirname, '..', 'fixtures', 'rpcTestWorker.js');

function start(onEvent?: (e: TestEvent) => void): { client: RpcClient<TestMethods, TestEvent>; stops: WorkerStoppedError[] } {
  const stops: WorkerStoppedError[] = [];
  const client = new RpcClient<TestMethods, TestEvent>(new Worker(WORKER), {
    name: 'the test worker',
    onEvent,
    onStop: (e) => stops.push(e),
  });
  return { client, stops };
}

describe('workerRpc', () => {
  const { client } = start();
  after(() => client.terminate());

  it('answers calls with their typed results, concurrently', async () => {
    const results = await Promise.all([client.call('add', { a: 1, b: 2 }), client.call('add', { a: 40, b: 2 })]);
    assert.deepEqual(results, [3, 42]);
  });

  it("rejects with the handler's error, its name and message kept", async () => {
    await assert.rejects(client.call('fail', { message: 'no such file' }), (e: Error) => {
      assert.equal(e.name, 'RangeError');
      assert.equal(e.message, 'no such file');
      assert.ok(!(e instanceof CancelledError));
      return true;
    });
  });

  it("keeps a Node error's code (callers decide by ENOENT, not by the message)", async () => {
    await assert.rejects(client.call('missing', { path: '/gone.json' }), (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ENOENT');
      assert.match(e.message, /gone\.json/);
      return true;
    });
  });

  it('params that cannot cross threads reject the call, and the client keeps working', async () => {
    const controller = new AbortController();
    await assert.rejects(client.call('echo', { f: () => 1 }, { signal: controller.signal }), /could not be cloned/);
    controller.abort(); // its listener is gone with it: no cancel is posted for a call that was never sent
    assert.equal(await client.call('add', { a: 2, b: 3 }), 5);
    assert.equal(await client.call('echo', { ok: true }).then((v) => JSON.stringify(v)), '{"ok":true}');
  });

  it('passes progress to the caller, in order, before the result', async () => {
    const seen: number[] = [];
    const result = await client.call('count', { steps: 4 }, { onProgress: (n) => seen.push(n) });
    assert.equal(result, 4);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it('cancels through an AbortSignal: the call rejects with a CancelledError and the worker stops counting', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    const call = client.call(
      'count',
      { steps: 10_000 },
      {
        signal: abort.signal,
        onProgress: (n) => {
          seen.push(n);
          if (n === 3) abort.abort();
        },
      },
    );
    await assert.rejects(call, CancelledError);
    assert.ok(seen.length < 10, `stopped after ${seen.length} steps`);
    // the worker is free for the next call
    assert.equal(await client.call('add', { a: 2, b: 2 }), 4);
  });

  it('a signal aborted before the call never reaches the worker', async () => {
    await assert.rejects(client.call('add', { a: 1, b: 1 }, { signal: AbortSignal.abort() }), CancelledError);
  });

  it('the worker has the last word on a cancel: finished work still resolves, a real failure still rejects as one', async () => {
    const a = new AbortController();
    const finished = client.call('finishDespiteCancel', null, { signal: a.signal });
    a.abort();
    assert.equal(await finished, 'written');
    const b = new AbortController();
    const failed = client.call('failAfterCancel', null, { signal: b.signal });
    b.abort();
    await assert.rejects(failed, (e: Error) => !(e instanceof CancelledError) && e.message === 'disk full');
  });

  it('a handler that refuses with a CancelledError is a cancel, not an error', async () => {
    await assert.rejects(client.call('refuse', null), CancelledError);
  });

  it('an unknown method is an error that names it', async () => {
    const untyped = client as unknown as RpcClient<{ nope: { params: null; result: null } }>;
    await assert.rejects(untyped.call('nope', null), /no method "nope"/);
  });
});

describe('workerRpc events and a worker that dies', () => {
  it('delivers events sent outside any call', async () => {
    const events: TestEvent[] = [];
    const { client } = start((e) => events.push(e));
    await client.call('announce', { times: 3 });
    assert.deepEqual(events, [{ n: 0 }, { n: 1 }, { n: 2 }]);
    await client.terminate();
  });

  it('a crash rejects every waiting call with a WorkerStoppedError, and later calls at once', async () => {
    const { client, stops } = start();
    const waiting = client.call('count', { steps: 100_000 });
    const crashing = client.call('crash', null);
    await Promise.all([
      assert.rejects(waiting, (e: Error) => e instanceof WorkerStoppedError && /the test worker failed: worker blew up/.test(e.message)),
      assert.rejects(crashing, WorkerStoppedError),
    ]);
    await assert.rejects(client.call('add', { a: 1, b: 1 }), WorkerStoppedError);
    assert.equal(stops.length, 1, 'onStop is called once');
    assert.ok(client.stopped);
  });

  it('an exit rejects waiting calls and reports the exit code', async () => {
    const { client, stops } = start();
    await assert.rejects(client.call('exit', { code: 3 }), (e: Error) => e instanceof WorkerStoppedError && e.exitCode === 3);
    assert.equal(stops[0]?.exitCode, 3);
  });

  it('terminate() rejects the calls still waiting', async () => {
    const { client } = start();
    const waiting = assert.rejects(client.call('count', { steps: 100_000 }), /the test worker was stopped/);
    await client.terminate();
    await waiting;
  });
});
