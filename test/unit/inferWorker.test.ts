// The Run Inference worker (core/runs/inferWorker.ts) as the extension runs it, in a worker thread
// behind core/util/workerRpc.ts, against the stand-in OpenAI server: the same records as `esc infer`
// for the same input and mode, progress up to the total, Cancel keeping the finished turns (a second
// run resumes them and asks only the rest), an endpoint failure and a bad input as named errors, and
// the embedded models offline (without leaving onnxruntime-node unloadable for the extension host).

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { main } from '../../src/cli';
import { createEngines } from '../../src/core/embedded/backend';
import { loadEmbeddedModels } from '../../src/core/embedded/modelFolder';
import type { InferProgress } from '../../src/core/runs/inferRun';
import { INFER_FAILURES, type InferWorkerMethods, type InferWorkerParams } from '../../src/core/runs/inferWorkerProtocol';
import { CancelledError } from '../../src/core/util/cancel';
import { RpcClient } from '../../src/core/util/workerRpc';
import { DEMO_DATA, REPO_ROOT, tempDir } from './helpers';
import { lastUser, manyTurns, readJson, useStandIn } from './runsFixtures';

const WORKER = path.join(__dirname, '..', '..', 'src', 'core', 'runs', 'inferWorker.js');
const VANILLA_DEMO = path.join(DEMO_DATA, 'sft_vanilla_demo.json');
const DEFAULT_MODELS = path.join(REPO_ROOT, 'dist', 'models', 'default');
const FAST_RETRY = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

describe('Run Inference worker', () => {
  const t = tempDir();
  const server = useStandIn();
  let rpc: RpcClient<InferWorkerMethods>;

  before(() => {
    rpc = new RpcClient<InferWorkerMethods>(new Worker(WORKER), { name: 'the inference worker' });
  });
  after(async () => {
    await rpc.terminate();
    t.dispose();
  });

  const endpoint = (url: string) => ({ kind: 'openai' as const, replicas: [{ baseUrl: url, model: 'm', apiKey: 'sk-secret' }] });

  it('writes the records esc infer writes for the same file and mode, with progress up to the total', async () => {
    const sp = server.route('w-sp', (b) => ({ content: lastUser(b).length % 2 ? 'Question' : 'Others' }));
    const rg = server.route('w-rg', (b) => ({ content: `reply ${b.messages.length}` }));
    const viaWorker = path.join(t.dir, 'worker.json');
    const progress: InferProgress[] = [];
    const params: InferWorkerParams = {
      file: VANILLA_DEMO,
      mode: 'decoupled',
      out: viaWorker,
      concurrency: 4,
      specs: { planner: endpoint(sp), generator: endpoint(rg) },
    };
    const summary = await rpc.call('infer', params, { onProgress: (p) => progress.push(p) });
    const viaCli = path.join(t.dir, 'cli.json');
    const code = await main(
      ['infer', VANILLA_DEMO, '--out', viaCli, '--mode', 'decoupled', '--planner', `${sp}#m`, '--generator', `${rg}#m`],
      { out: () => undefined, err: () => undefined },
    );
    assert.equal(code, 0);
    const records = readJson(viaWorker) as unknown[];
    assert.ok(records.length > 10, `the demo file has ${records.length} turns`);
    assert.deepEqual(records, readJson(viaCli));
    assert.equal(summary.records, records.length);
    assert.equal(summary.calls, 2 * records.length);
    assert.equal(progress.at(-1)!.done, records.length);
    assert.equal(progress.at(-1)!.total, records.length);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.done >= progress[i - 1]!.done, 'progress never goes back');
    assert.equal(existsSync(`${viaWorker}.checkpoint.jsonl`), false);
  });

  it('Cancel keeps the finished turns; the same run again resumes them and asks only the rest', async () => {
    const file = manyTurns(t, 'cancel.json', 40);
    const vm = server.route('w-cancel', (b) => ({ content: `[Question] to ${lastUser(b)}`, delayMs: 40 }));
    const out = path.join(t.dir, 'cancel-out.json');
    const params: InferWorkerParams = { file, mode: 'vanilla', out, concurrency: 2, specs: { vanilla: endpoint(vm) } };
    const abort = new AbortController();
    await assert.rejects(
      rpc.call('infer', params, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.done >= 6) abort.abort();
        },
      }),
      CancelledError,
    );
    assert.equal(existsSync(out), false, 'no output before every turn is done');
    const kept = readFileSync(`${out}.checkpoint.jsonl`, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"record"')).length;
    assert.ok(kept >= 6, `${kept} turns kept`);
    const asked = server.bodies.get('w-cancel')!.length;
    const summary = await rpc.call('infer', params);
    assert.equal(summary.resumed, kept);
    assert.equal(summary.records, 40);
    assert.equal(server.bodies.get('w-cancel')!.length - asked, 40 - kept, 'the rerun asks only the turns not kept');
    const records = readJson(out) as { predict_content: string }[];
    assert.deepEqual(
      records.map((r) => r.predict_content),
      Array.from({ length: 40 }, (_, k) => `to seeker ${k}`),
    );
  });

  it('an endpoint that fails for good: an InferenceError naming it; the API key is not in the message', async () => {
    const down = server.route('w-down', () => ({ status: 500 }));
    const out = path.join(t.dir, 'down.json');
    await assert.rejects(
      rpc.call('infer', {
        file: VANILLA_DEMO,
        mode: 'generator-gold',
        out,
        concurrency: 2,
        specs: { generator: endpoint(down) },
        retry: FAST_RETRY,
      }),
      (err: Error) => {
        assert.equal(err.name, INFER_FAILURES.inference);
        assert.match(err.message, /the generator at http:\/\/127\.0\.0\.1:\d+\/w-down\/v1 failed/);
        assert.doesNotMatch(err.message, /sk-secret/);
        return true;
      },
    );
  });

  it('a server that lists no model (none configured): a RoleModelError with the role as its code', async () => {
    const out = path.join(t.dir, 'nomodel.json');
    const url = `${server.origin}/nothing-here/v1`;
    await assert.rejects(
      rpc.call('infer', {
        file: VANILLA_DEMO,
        mode: 'vanilla',
        out,
        concurrency: 1,
        specs: { vanilla: { kind: 'openai', replicas: [{ baseUrl: url }] } },
      }),
      (err: Error & { code?: string }) => {
        assert.equal(err.name, INFER_FAILURES.model);
        assert.equal(err.code, 'joint');
        return true;
      },
    );
  });

  it('a file that is not vanilla SFT: a NotVanillaError, nothing written', async () => {
    const out = path.join(t.dir, 'bad.json');
    await assert.rejects(
      rpc.call('infer', { file: path.join(DEMO_DATA, 'inference_demo.json'), mode: 'vanilla', out, concurrency: 1, specs: {} }),
      (err: Error) => err.name === INFER_FAILURES.input,
    );
    assert.equal(existsSync(out), false);
  });

  it('generator-gold over a file without tags: the refusal esc infer gives (same words), nothing written, no call', async () => {
    const file = t.write(
      'untagged.json',
      JSON.stringify([
        {
          messages: [
            { role: 'system', content: 'SYS-V' },
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content: 'Hi there.' },
          ],
        },
      ]),
    );
    const rg = server.route('w-gold', () => ({ content: 'should not be asked' }));
    const out = path.join(t.dir, 'untagged-out.json');
    await assert.rejects(
      rpc.call('infer', { file, mode: 'generator-gold', out, concurrency: 1, specs: { generator: endpoint(rg) } }),
      (err: Error) => {
        assert.equal(err.name, INFER_FAILURES.gold);
        assert.equal(
          err.message,
          'none of its 1 supporter turns has a [Strategy] tag naming a strategy (an untagged file); generator-gold fills the generator’s prompt with each supporter turn’s gold strategy, read from the "[Strategy] reply" tag of a vanilla SFT file’s assistant turns (FORMATS.md §2); pass the tagged vanilla SFT file of the split instead (as esc convert esconv writes it, e.g. ESC_sft_test.json)',
        );
        return true;
      },
    );
    const err: string[] = [];
    const code = await main(['infer', file, '--out', out, '--mode', 'generator-gold', '--generator', `${rg}#m`], {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    assert.equal(code, 2);
    assert.match(
      err[0]!,
      /: none of its 1 supporter turns has a \[Strategy\] tag naming a strategy \(an untagged file\); generator-gold fills/,
    );
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.checkpoint.jsonl`), false);
    assert.equal(server.bodies.get('w-gold'), undefined);
  });

  it(
    'the embedded models in a worker leave onnxruntime-node loadable for the extension host (the Playground) afterwards',
    { skip: !existsSync(DEFAULT_MODELS) && 'run npm run build for dist/models/default' },
    async () => {
      // before anything in this thread loads onnxruntime-node (the next test's in-process esc infer does)
      const own = new RpcClient<InferWorkerMethods>(new Worker(WORKER), { name: 'another inference worker' });
      const spec = { kind: 'embedded' as const, dir: DEFAULT_MODELS };
      const out = path.join(t.dir, 'ort.json');
      await own.call('infer', { file: VANILLA_DEMO, mode: 'vanilla', out, concurrency: 2, limit: 5, specs: { vanilla: spec } });
      await own.terminate();
      const engines = await createEngines(await loadEmbeddedModels(DEFAULT_MODELS));
      assert.equal(engines.engine, 'onnxruntime', engines.fallbackReason);
      await engines.release();
    },
  );

  it(
    'the embedded models, offline: the same records as esc infer',
    { skip: !existsSync(DEFAULT_MODELS) && 'run npm run build for dist/models/default' },
    async () => {
      const out = path.join(t.dir, 'embedded.json');
      const spec = { kind: 'embedded' as const, dir: DEFAULT_MODELS };
      await rpc.call('infer', { file: VANILLA_DEMO, mode: 'decoupled', out, concurrency: 8, specs: { planner: spec, generator: spec } });
      const viaCli = path.join(t.dir, 'embedded-cli.json');
      const code = await main(
        [
          'infer',
          VANILLA_DEMO,
          '--out',
          viaCli,
          '--mode',
          'decoupled',
          '--planner',
          `embedded:${DEFAULT_MODELS}`,
          '--generator',
          `embedded:${DEFAULT_MODELS}`,
        ],
        {
          out: () => undefined,
          err: () => undefined,
        },
      );
      assert.equal(code, 0);
      assert.deepEqual(readJson(out), readJson(viaCli));
    },
  );
});
