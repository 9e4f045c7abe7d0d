// An endpoint set without a model name: the model Test Connection suggests and the Playground's
// batch runs use (withServedModel) is the LoRA adapter a vLLM server lists (its card names the base as
// its parent), not the base model it lists first; without LoRA cards, the first model.

import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { PAPER_PRESETS } from '../../src/core/openai/config';
import { withServedModel } from '../../src/core/openai/servedModel';
import { testConnection } from '../../src/core/openai/testConnection';

async function serveModels(data: unknown[]): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ object: 'list', data }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

describe('the model of an endpoint set without one', () => {
  it('is the LoRA card (with a parent), not the base model listed first', async () => {
    const { url, server } = await serveModels([
      { id: 'Qwen/Qwen2.5-7B-Instruct', object: 'model', parent: null },
      { id: 'exp-planner-dpo', object: 'model', parent: 'Qwen/Qwen2.5-7B-Instruct' },
    ]);
    try {
      const cfg = { ...PAPER_PRESETS.planner, baseUrl: url, model: '', apiKey: 'EMPTY', timeoutMs: 5000 };
      const r = await testConnection(cfg);
      assert.ok(r.ok);
      assert.equal(r.suggestedModel, 'exp-planner-dpo');
      assert.equal((await withServedModel(cfg, 'planner')).model, 'exp-planner-dpo');
    } finally {
      server.close();
    }
  });

  it('is the first model when none is a LoRA card', async () => {
    const { url, server } = await serveModels([
      { id: 'merged-a', object: 'model' },
      { id: 'merged-b', object: 'model' },
    ]);
    try {
      const cfg = { ...PAPER_PRESETS.generator, baseUrl: url, model: '', apiKey: 'EMPTY', timeoutMs: 5000 };
      assert.equal((await withServedModel(cfg, 'generator')).model, 'merged-a');
    } finally {
      server.close();
    }
  });
});
