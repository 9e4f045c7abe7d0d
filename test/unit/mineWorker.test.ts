// The mining worker (core/runs/mineWorker.ts) as the extension runs it, in a worker thread behind
// core/util/workerRpc.ts, against the stand-in OpenAI server: with a judge, the same pairs and retained
// pairs as `esc mine` for the same input (the judge asked as the CLI asks it, so the bodies and answers
// match), the judge's tallies in the summary; Cancel keeps the finished calls and a second run resumes
// them; a bad input, an occupied output folder and an unusable model folder as named errors.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { main } from '../../src/cli';
import type { MineProgress } from '../../src/core/runs/mineRun';
import { MINE_FAILURES, type MineWorkerMethods, type MineWorkerParams } from '../../src/core/runs/mineWorkerProtocol';
import { CancelledError } from '../../src/core/util/cancel';
import { RpcClient } from '../../src/core/util/workerRpc';
import { DEMO_DATA, REPO_ROOT, tempDir } from './helpers';
import { lastUser, useStandIn } from './runsFixtures';

const WORKER = path.join(__dirname, '..', '..', 'src', 'core', 'runs', 'mineWorker.js');
const VANILLA_DEMO = path.join(DEMO_DATA, 'sft_vanilla_demo.json');
const TEMPLATE = readFileSync(path.join(REPO_ROOT, 'media', 'mine', 'retention.txt'), 'utf8');
const FAST_RETRY = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

const verdict = (keep: boolean): string =>
  JSON.stringify({
    'Should the sample be retained': keep ? 'Yes' : 'No',
    'Error Type in chosen reply': 'None',
    'Explanation for chosen reply error': '',
    'Error Type in rejected reply': keep ? 'Lack Empathy' : 'None',
    'Explanation for rejected reply error': '',
  });

describe('mining worker', () => {
  const t = tempDir();
  const server = useStandIn();
  let rpc: RpcClient<MineWorkerMethods>;

  before(() => {
    rpc = new RpcClient<MineWorkerMethods>(new Worker(WORKER), { name: 'the mining worker' });
  });
  after(async () => {
    await rpc.terminate();
    t.dispose();
  });

  const endpoint = (url: string) => ({ kind: 'openai' as const, replicas: [{ baseUrl: url, model: 'm' }] });

  it('with a judge: the pairs and retained pairs esc mine writes, the verdicts tallied', async () => {
    const rg = server.route('mw-rg', (b) => ({ content: `reply to ${lastUser(b).slice(-20)}` }));
    // kept or not by the prompt's length; one pair's answer is never JSON (reported, not a "No")
    const judge = server.route('mw-judge', (b) => {
      const prompt = lastUser(b);
      if (prompt.includes('reply to ') && prompt.length % 7 === 0) return { content: 'I think so.' };
      return { content: verdict(prompt.length % 2 === 0) };
    });
    const outDir = path.join(t.dir, 'judged');
    const params: MineWorkerParams = {
      file: VANILLA_DEMO,
      limit: 30,
      outDir,
      concurrency: 4,
      specs: { generator: endpoint(rg) },
      judge: [{ baseUrl: judge, model: 'j', apiKey: 'sk-judge' }],
      judgeTemplate: TEMPLATE,
      retry: FAST_RETRY,
    };
    const seen: MineProgress[] = [];
    const summary = await rpc.call('mine', params, { onProgress: (p) => seen.push(p) });
    const cliDir = path.join(t.dir, 'judged-cli');
    const code = await main(['mine', VANILLA_DEMO, '--out', cliDir, '--generator', `${rg}#m`, '--judge', `${judge}#j`, '--limit', '30'], {
      out: () => undefined,
      err: () => undefined,
    });
    assert.equal(code, 0);
    for (const f of ['generator-pairs.json', 'generator-pairs.retained.json']) {
      assert.equal(readFileSync(path.join(outDir, f), 'utf8'), readFileSync(path.join(cliDir, f), 'utf8'), f);
    }
    const retained = JSON.parse(readFileSync(path.join(outDir, 'generator-pairs.retained.json'), 'utf8')) as unknown[];
    const j = summary.judge!;
    assert.equal(j.retained, retained.length);
    assert.equal(j.done, j.total);
    assert.equal(j.retained + j.rejected + (j.errors['not JSON'] ?? 0), j.total);
    assert.ok(j.retained > 0 && j.rejected > 0, 'both verdicts');
    assert.ok((j.errors['not JSON'] ?? 0) > 0, 'a malformed answer is reported as such');
    assert.equal(summary.judgeErrors.length, j.errors['not JSON']);
    assert.equal(j.errorTypes['Lack Empathy'], j.retained);
    assert.equal(seen.at(-1)!.judge!.done, j.total, 'the last progress is the summary');
    // the judge is asked greedily, as esc eval / esc mine ask it
    assert.equal(server.bodies.get('mw-judge')![0]!.temperature, 0);
  });

  it('Cancel keeps the finished calls; the same run again resumes them', async () => {
    const sp = server.route('mw-sp', (b) => ({ content: ['Question', 'Others'][lastUser(b).length % 2], delayMs: 20 }));
    const outDir = path.join(t.dir, 'cancelled');
    const params: MineWorkerParams = { file: VANILLA_DEMO, outDir, concurrency: 2, specs: { planner: endpoint(sp) }, retry: FAST_RETRY };
    const abort = new AbortController();
    let last: MineProgress | undefined;
    await assert.rejects(
      rpc.call('mine', params, {
        signal: abort.signal,
        onProgress: (p) => {
          last = p;
          if (p.calls >= 10) abort.abort();
        },
      }),
      CancelledError,
    );
    const kept = last!.roles.planner!.done;
    assert.ok(kept >= 10 && kept < last!.roles.planner!.total, `stopped midway (${kept})`);
    const summary = await rpc.call('mine', params);
    assert.equal(summary.resumed, kept);
    assert.equal(summary.calls, summary.roles.planner!.total - kept);
  });

  it('planner or generator pairs over a file without gold strategies: the refusal esc mine gives (same words), nothing written, no call', async () => {
    const FROM = 'read from the "[Strategy] reply" tag of a vanilla SFT file’s assistant turns (FORMATS.md §2); ';
    const PASS = 'pass the tagged vanilla SFT file of the split instead (as esc convert esconv writes it, e.g. vanilla_train.json)';
    const PLANNER = `planner pairs compare the SFT planner’s prediction with each supporter turn’s gold strategy, ${FROM}`;
    const GENERATOR = `generator pairs fill the generator’s prompt with each supporter turn’s gold strategy, ${FROM}`;
    const record = (...replies: string[]): unknown => ({
      messages: [
        { role: 'system', content: 'SYS-V' },
        ...replies.flatMap((content) => [
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content },
        ]),
      ],
    });
    const untagged = t.write('untagged.json', JSON.stringify([record('Hi there.')]));
    const partly = t.write('partly.json', JSON.stringify([record('[Question] How are you?'), record('[Others] Hm.', 'No tag here.')]));
    const sp = server.route('mw-gold-sp', () => ({ content: 'should not be asked' }));
    const rg = server.route('mw-gold-rg', () => ({ content: 'should not be asked' }));
    const cases: [string, 'planner' | 'generator', string][] = [
      [untagged, 'planner', `none of its 1 supporter turns has a [Strategy] tag naming a strategy (an untagged file); ${PLANNER}${PASS}`],
      [
        partly,
        'generator',
        `1 of its 3 supporter turns have no [Strategy] tag naming a strategy, the first in record 1 (message 4: "No tag here."); ${GENERATOR}tag those turns, or ${PASS}`,
      ],
      [
        path.join(DEMO_DATA, 'sft_planner_demo.jsonl'),
        'planner',
        `this is a planner SFT file (record 0 has the SP system prompt): its assistant turns are strategy names, not tagged replies; ${PLANNER}${PASS}`,
      ],
    ];
    for (const [file, role, expected] of cases) {
      const outDir = path.join(t.dir, `gold-${path.basename(file)}`);
      const url = role === 'planner' ? sp : rg;
      await assert.rejects(
        rpc.call('mine', { file, outDir, concurrency: 1, limit: 1, specs: { [role]: endpoint(url) }, retry: FAST_RETRY }),
        (err: Error) => {
          assert.equal(err.name, MINE_FAILURES.gold);
          assert.equal(err.message, expected);
          return true;
        },
      );
      assert.equal(existsSync(outDir), false, 'no output folder, no checkpoint');
      // esc mine: the same words, exit 2
      const err: string[] = [];
      const code = await main(['mine', file, '--out', outDir, `--${role}`, `${url}#m`], { out: () => undefined, err: (l) => err.push(l) });
      assert.equal(code, 2);
      assert.deepEqual(err, [`esc mine: ${file}: ${expected}`]);
      assert.equal(existsSync(outDir), false);
    }
    assert.equal(server.bodies.get('mw-gold-sp'), undefined);
    assert.equal(server.bodies.get('mw-gold-rg'), undefined);
  });

  it('failures cross as named errors: a non-vanilla file, an occupied folder, an unusable model folder', async () => {
    const sp = server.route('mw-sp2', () => ({ content: 'Question' }));
    const base = { outDir: path.join(t.dir, 'x'), concurrency: 2, specs: { planner: endpoint(sp) }, retry: FAST_RETRY };
    await assert.rejects(rpc.call('mine', { ...base, file: path.join(DEMO_DATA, 'pref_planner_demo.json') }), {
      name: MINE_FAILURES.input,
    });
    const occupied = path.join(t.dir, 'occupied');
    await main(['mine', VANILLA_DEMO, '--out', occupied, '--planner', `${sp}#m`, '--limit', '3'], {
      out: () => undefined,
      err: () => undefined,
    });
    // pairs files no checkpoint vouches for (esc mine wrote them; its checkpoint is gone)
    rmSync(path.join(occupied, 'mine.checkpoint.jsonl'));
    await assert.rejects(rpc.call('mine', { ...base, file: VANILLA_DEMO, outDir: occupied }), (e: Error) => {
      assert.equal(e.name, MINE_FAILURES.outDir);
      assert.match(e.message, /planner-pairs\.json/);
      return true;
    });
    await assert.rejects(
      rpc.call('mine', { ...base, file: VANILLA_DEMO, specs: { planner: { kind: 'embedded', dir: path.join(t.dir, 'no-models') } } }),
      (e: Error & { code?: string }) => {
        assert.equal(e.name, MINE_FAILURES.model);
        assert.equal(e.code, 'planner');
        return true;
      },
    );
  });
});
