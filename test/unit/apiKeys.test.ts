// The per-origin API-key rule: a key entered for one endpoint slot on one server is only ever found
// again for that slot on that server.

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiKeySecretKey } from '../../src/core/openai/apiKeys';

describe('apiKeySecretKey', () => {
  it('keeps the storage key that existing installs wrote: slot and origin', () => {
    assert.equal(apiKeySecretKey('planner', 'http://localhost:8000/v1'), 'escStudio.playground.apiKey.planner@http://localhost:8000');
    assert.equal(apiKeySecretKey('vanilla', 'https://api.example.org/v1'), 'escStudio.playground.apiKey.vanilla@https://api.example.org');
  });

  it('different slots on the same server keep different keys', () => {
    const url = 'http://gpu-node:8000/v1';
    const keys = new Set(['planner', 'generator', 'vanilla'].map((slot) => apiKeySecretKey(slot, url)));
    assert.equal(keys.size, 3);
  });

  it('another server, port or scheme never receives the key', () => {
    const key = apiKeySecretKey('generator', 'http://localhost:8001/v1');
    for (const other of [
      'http://localhost:8000/v1', // the planner's port
      'https://localhost:8001/v1', // another scheme
      'http://127.0.0.1:8001/v1', // the same machine by another name: not the origin the key was entered for
      'http://localhost.evil.example:8001/v1',
      'http://evil.example/?http://localhost:8001/v1',
    ]) {
      assert.notEqual(apiKeySecretKey('generator', other), key, other);
    }
  });

  it('the same server shares the key whatever the path, case of the host, default port or credentials in the URL', () => {
    const key = apiKeySecretKey('generator', 'http://gpu-node/v1');
    for (const same of [
      'http://gpu-node/v1/',
      'http://gpu-node/openai/v1',
      'http://GPU-NODE/v1',
      'http://gpu-node:80/v1',
      'http://user:pw@gpu-node/v1',
    ]) {
      assert.equal(apiKeySecretKey('generator', same), key, same);
    }
  });

  it('a URL that does not parse, or names no http(s) server, is its own scope', () => {
    assert.equal(apiKeySecretKey('vanilla', ''), 'escStudio.playground.apiKey.vanilla@');
    // without "http://" these parse with "localhost:" / "gpu-node:" as the scheme, and an opaque origin
    assert.equal(apiKeySecretKey('planner', 'localhost:8000/v1'), 'escStudio.playground.apiKey.planner@localhost:8000/v1');
    const typos = ['localhost:8000/v1', 'gpu-node:8000', 'file:///etc/passwd', 'http://gpu-node:8000/v1'];
    assert.equal(new Set(typos.map((u) => apiKeySecretKey('planner', u))).size, typos.length);
  });
});
