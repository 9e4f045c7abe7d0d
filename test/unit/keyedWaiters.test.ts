// KeyedWaiters (core/util/keyedWaiters.ts): each waiter resolves once, with the value fired for its key only.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedWaiters } from '../../src/core/util/keyedWaiters';

describe('KeyedWaiters', () => {
  it('resolves every waiter of a key with the next value fired for it, and only those', async () => {
    const w = new KeyedWaiters<string>();
    const a1 = w.wait('a');
    const a2 = w.wait('a');
    let bDone = false;
    void w.wait('b').then(() => (bDone = true));
    w.fire('a', 'boot');
    assert.deepEqual(await Promise.all([a1, a2]), ['boot', 'boot']);
    await new Promise((r) => setImmediate(r));
    assert.equal(bDone, false, 'another key waits on');
    const a3 = w.wait('a');
    w.fire('a', 'init');
    assert.equal(await a3, 'init', 'a waiter made after a fire gets the next one');
  });
});
