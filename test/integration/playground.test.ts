// The Playground inside a real extension host: activation leaves onnxruntime-node unloaded; the
// first turn loads it and runs the shipped embedded models; an override regenerates stage 2; compare
// mode runs both lanes; the conversation is persisted; endpoint failures become card errors while
// the playground stays usable.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { Conversation } from '../../src/core/playground/conversation';
import type { LaneResult } from '../../src/core/playground/pipeline';
import type { TrainEmbeddedReport } from '../../src/core/embedded/trainEmbedded';
import { STRATEGIES } from '../../src/core/strategies';
import type { EscStudioApi } from '../../src/extension';
import { log } from './index';
import { api } from './host';

const ortLoaded = (): boolean => Object.keys(require.cache).some((k) => /[\\/]onnxruntime-node[\\/]/.test(k));

function lastCandidates(a: EscStudioApi): LaneResult[] {
  const turn = a.playground.session.conversation.lastSupporter();
  assert.ok(turn, 'a supporter turn exists');
  return turn.candidates;
}

describe('Playground', () => {
  it('activation does not load onnxruntime-node; the first turn does, and answers with the embedded models', async () => {
    const a = await api();
    assert.equal(ortLoaded(), false, 'onnxruntime-node was loaded at activation');
    await vscode.commands.executeCommand('escStudio.playground.focus');
    const s = a.playground.session;
    s.reset();
    s.setMode('decoupled');
    s.setBackend('embedded');
    const t0 = performance.now();
    await s.send('I lost my job last week and I cannot stop worrying about money.');
    const [c] = lastCandidates(a);
    assert.equal(c?.status, 'done', JSON.stringify(c?.error));
    assert.ok(ortLoaded(), 'onnxruntime-node is loaded on first use');
    assert.match(c!.plannerLabel ?? '', /onnxruntime-node/);
    assert.ok(STRATEGIES.includes(c!.strategy!));
    const p = c!.probabilities!;
    assert.deepEqual(Object.keys(p).sort(), [...STRATEGIES].sort());
    assert.ok(Math.abs(Object.values(p).reduce((x, y) => x + y, 0) - 1) < 1e-5);
    assert.equal(
      c!.strategy,
      STRATEGIES.reduce((best, x) => (p[x]! > p[best]! ? x : best), STRATEGIES[0]),
    );
    assert.ok(c!.reply.length > 0 && c!.latencyMs.planner! > 0 && c!.latencyMs.generator! > 0);
    log(
      `  first embedded turn (models + onnxruntime load included): ${(performance.now() - t0).toFixed(0)} ms; planner ${c!.latencyMs.planner} ms, generator ${c!.latencyMs.generator} ms`,
    );
  });

  it('an override regenerates stage 2 with the chosen strategy and keeps stage 1 on show', async () => {
    const a = await api();
    const s = a.playground.session;
    s.setBackend('embedded');
    if (s.conversation.turns.at(-1)?.speaker !== 'supporter') {
      await s.send('I lost my job last week and I cannot stop worrying about money.');
    }
    const turn = s.conversation.lastSupporter()!;
    const first = turn.candidates[0]!;
    const other = STRATEGIES.find((x) => x !== first.strategy && x !== 'Others')!;
    await s.override(turn.id, 0, other);
    assert.equal(turn.candidates.length, 2);
    assert.equal(turn.selected, 1);
    const c = turn.candidates[1]!;
    assert.equal(c.status, 'done', JSON.stringify(c.error));
    assert.equal(c.strategy, other);
    assert.equal(c.overridden, true);
    assert.deepEqual(c.probabilities, first.probabilities);
    assert.notEqual(c.reply, first.reply);
    // the dialogue continues with the selected (overridden) reply
    assert.deepEqual(s.conversation.dialogue().at(-1), { speaker: 'supporter', text: c.reply, strategy: other });
  });

  it('Regenerate offers a reply the turn has not had: three in a row are distinct, each with its relevance to the context', async () => {
    const a = await api();
    const s = a.playground.session;
    s.reset();
    s.setMode('decoupled');
    s.setBackend('embedded');
    await s.send('I feel so lonely since I moved to a new city for work.');
    const turn = s.conversation.lastSupporter()!;
    await s.regenerate(turn.id);
    await s.regenerate(turn.id);
    assert.equal(turn.candidates.length, 3);
    for (const c of turn.candidates) {
      assert.equal(c.status, 'done', JSON.stringify(c.error));
      assert.ok(c.retrieval && c.retrieval.relevance >= 0 && c.retrieval.relevance <= 1, JSON.stringify(c.retrieval));
    }
    const replies = turn.candidates.map((c) => c.reply);
    assert.equal(new Set(replies).size, 3, replies.join(' | '));
    // the first reply is the retrieval's best
    assert.equal(turn.candidates[0]!.retrieval!.rank, 0);
  });

  it('compare mode answers with both lanes; the conversation is persisted for the next session', async () => {
    const a = await api();
    const s = a.playground.session;
    s.setMode('compare');
    await s.send('Thank you. My sister says I should just apply everywhere.');
    const cs = lastCandidates(a);
    assert.deepEqual(
      cs.map((c) => c.lane),
      ['decoupled', 'vanilla'],
    );
    assert.ok(
      cs.every((c) => c.status === 'done' && c.strategy && c.reply),
      JSON.stringify(cs),
    );
    await s.persist();
    // what the next session starts from: the workspace state, read back and restored
    const stored = s.stored();
    assert.equal(stored?.mode, 'compare');
    const again = Conversation.fromJSON(stored?.turns);
    assert.equal(again.turns.length, s.conversation.turns.length);
    assert.deepEqual(again.dialogue(), s.conversation.dialogue());
    s.setMode('decoupled');
  });

  it('Save conversation and Keep both append records to a detected file of the right kind, leaving its records byte for byte', async function () {
    this.timeout(30_000);
    const a = await api();
    const s = a.playground.session;
    s.reset();
    s.setBackend('embedded');
    s.setMode('decoupled');
    // two supporter turns, the first with an overridden second candidate
    await s.send('My manager keeps criticising me in front of everyone.');
    const firstTurn = s.conversation.lastSupporter()!;
    await s.override(
      firstTurn.id,
      0,
      STRATEGIES.find((x) => x !== firstTurn.candidates[0]!.strategy)!,
    );
    await s.send('I dread going to work now.');
    await a.datasets.ready();
    const target = a.datasets.datasets.find((d) => d.kind === 'sft-planner')!.uri.fsPath;
    const before = readFileSync(target);
    const supporterTurns = s.conversation.dialogue().filter((t) => t.speaker === 'supporter').length;
    assert.equal(supporterTurns, 2);
    // the quick pick lists the workspace's planner SFT files first: accept it, as a user pressing Enter
    const accept = async (saving: Promise<void>): Promise<void> => {
      let done = false;
      void saving.then(() => (done = true));
      for (let i = 0; i < 30 && !done; i++) {
        await new Promise((r) => setTimeout(r, 200));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      await saving;
    };
    await accept(a.playground.save('planner'));
    const after = readFileSync(target);
    assert.ok(after.subarray(0, before.length).equals(before), 'the JSON Lines file keeps its bytes; records are appended');
    const added = after
      .subarray(before.length)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    assert.equal(added.length, supporterTurns);
    assert.ok(
      added.every(
        (r) =>
          r.messages[0]!.content.startsWith('You are an emotional strategy identifier') &&
          STRATEGIES.includes(r.messages.at(-1)!.content as never),
      ),
    );
    // Keep both: the first turn has two candidates with different strategies (the override) -> a planner pair
    const turn = s.conversation.turns.find(
      (t) => t.speaker === 'supporter' && t.candidates.length >= 2 && t.candidates[0]!.strategy !== t.candidates[1]!.strategy,
    );
    assert.ok(turn, 'a turn with an overridden candidate');
    const pairs = a.datasets.datasets.find((d) => d.kind === 'pref-planner')!.uri.fsPath;
    const pairsBefore = JSON.parse(readFileSync(pairs, 'utf8')) as unknown[];
    await accept(a.playground.savePair(turn.id, 1, 0, 'planner'));
    const pairsAfter = JSON.parse(readFileSync(pairs, 'utf8')) as { chosen: { content: string }; rejected: { content: string } }[];
    assert.equal(pairsAfter.length, pairsBefore.length + 1);
    assert.deepEqual(pairsAfter.slice(0, -1), pairsBefore);
    const c = turn.speaker === 'supporter' ? turn.candidates : [];
    assert.deepEqual([pairsAfter.at(-1)!.chosen.content, pairsAfter.at(-1)!.rejected.content], [c[1]!.strategy, c[0]!.strategy]);
  });

  it('ESC: Train Embedded Models from Dataset trains in a worker, writes the folder, and the Playground can use it', async function () {
    this.timeout(60_000);
    const a = await api();
    await a.datasets.ready();
    const root = vscode.workspace.workspaceFolders![0]!.uri;
    const train = vscode.Uri.joinPath(root, 'data', 'esconv_demo.json');
    const running = vscode.commands.executeCommand<TrainEmbeddedReport | undefined>('escStudio.trainEmbedded', train);
    let done = false;
    void running.then(() => (done = true));
    // accept the defaults: mine the DPO pairs, hold out 10%, the suggested folder
    for (let i = 0; i < 40 && !done; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const report = await running;
    assert.ok(report, 'the models were trained');
    const out = path.join(root.fsPath, '.esc', 'models', 'esconv_demo');
    assert.equal(report.out, out);
    assert.equal(report.counts.pairSource, 'mined');
    assert.ok(report.counts.trainTurns > 40 && report.counts.testTurns > 0 && report.counts.bank > 40, JSON.stringify(report.counts));
    assert.ok(existsSync(path.join(out, 'manifest.json')) && existsSync(path.join(out, 'planner.onnx')));
    const config = vscode.workspace.getConfiguration('escStudio.playground');
    await config.update('embeddedModels', '.esc/models/esconv_demo', vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(a.playground.backends.embeddedDir(), out);
      const s = a.playground.session;
      s.reset();
      s.setMode('decoupled');
      s.setBackend('embedded');
      await s.send('My best friend stopped talking to me.');
      const [c] = lastCandidates(a);
      assert.equal(c!.status, 'done');
      // these models, not the shipped ones (whose DPO used pref_planner_demo.json's pairs)
      assert.ok(c!.note?.includes(`(${report.counts.trainTurns} turns; DPO on ${report.counts.pairs} mined pairs)`), c!.note);
    } finally {
      await config.update('embeddedModels', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(path.join(root.fsPath, '.esc', 'models'), { recursive: true, force: true });
    }
  });

  describe('OpenAI-compatible endpoints', () => {
    let server: Server;
    let base = '';
    const stalled: ServerResponse[] = [];
    const config = vscode.workspace.getConfiguration('escStudio.playground');
    before(async () => {
      // a minimal vLLM stand-in: lists one model, the planner answers with logprobs, the generator streams
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          if (req.url === '/v1/models') {
            res.end(JSON.stringify({ data: [{ id: 'stand-in' }] }));
            return;
          }
          const r = JSON.parse(body) as { stream?: boolean; messages: { content: string }[] };
          if (r.messages[0]!.content.startsWith('You are an emotional strategy identifier')) {
            const top = [
              { token: 'Reflection', logprob: Math.log(0.6) },
              { token: 'Question', logprob: Math.log(0.3) },
              { token: 'Providing', logprob: Math.log(0.1) },
            ];
            res.end(
              JSON.stringify({
                choices: [
                  {
                    message: { role: 'assistant', content: 'Reflection of feelings' },
                    logprobs: { content: [{ token: 'Reflection', logprob: Math.log(0.6), top_logprobs: top }] },
                    finish_reason: 'stop',
                  },
                ],
              }),
            );
            return;
          }
          // what the seeker said last: earlier turns are in the history, and seeker turns that follow a
          // failed reply are joined with "\n" into one user message, as in the SFT files
          const said = (text: string): boolean => r.messages.at(-1)!.content.endsWith(text);
          if (said('please stall')) {
            // one chunk, then silence: cancel or the idle timeout must end it
            res.setHeader('content-type', 'text/event-stream');
            res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'I am ' } }] })}\n\n`);
            stalled.push(res);
            return;
          }
          if (said('please garble')) {
            res.setHeader('content-type', 'text/event-stream');
            res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'Well' } }] })}\n\n`);
            res.end('data: {"choices": [{"delta": {"content": \n\n');
            return;
          }
          if (said('please fail')) {
            res.statusCode = 500;
            res.end(JSON.stringify({ error: { message: 'CUDA out of memory' } }));
            return;
          }
          res.setHeader('content-type', 'text/event-stream');
          for (const piece of ['It sounds ', 'like you are ', 'carrying a lot.']) {
            res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
          }
          res.end('data: [DONE]\n\n');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      await config.update('planner.baseUrl', base, vscode.ConfigurationTarget.Global);
      await config.update('generator.baseUrl', base, vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      for (const k of ['planner.baseUrl', 'generator.baseUrl', 'timeoutSeconds']) {
        await config.update(k, undefined, vscode.ConfigurationTarget.Global);
      }
      for (const r of stalled) r.destroy();
      server.close();
    });

    it('planner probabilities from logprobs, the reply streamed from the generator', async () => {
      const a = await api();
      const s = a.playground.session;
      s.reset();
      s.setBackend('openai');
      await s.send('I feel so alone since I moved.');
      const [c] = lastCandidates(a);
      assert.equal(c?.status, 'done', JSON.stringify(c?.error));
      assert.equal(c!.strategy, 'Reflection of feelings');
      assert.ok(Math.abs(c!.probabilities!['Reflection of feelings']! - 0.6) < 1e-6);
      assert.equal(c!.reply, 'It sounds like you are carrying a lot.');
    });

    it('Cancel stops a stalled stream at once and keeps what arrived; Reset during a turn leaves an idle, empty playground', async () => {
      const a = await api();
      const s = a.playground.session;
      s.setBackend('openai');
      const running = s.send('please stall');
      for (let i = 0; i < 100 && !(lastCandidates(a)[0]?.reply ?? '').includes('I am'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(lastCandidates(a)[0]!.status, 'generating');
      assert.ok(s.busy);
      const t0 = performance.now();
      s.cancel();
      await running;
      assert.ok(performance.now() - t0 < 2000, 'cancel is prompt');
      const [c] = lastCandidates(a);
      assert.equal(c!.status, 'cancelled');
      assert.equal(c!.reply, 'I am ');
      assert.equal(s.busy, false);
      const again = s.send('please stall');
      for (let i = 0; i < 100 && !s.busy; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(s.busy, 'a turn is running when Reset comes');
      s.reset();
      await again;
      assert.equal(s.busy, false);
      assert.deepEqual(s.conversation.turns, []);
    });

    it('an idle timeout and a malformed stream chunk become card errors that say so', async () => {
      const a = await api();
      const s = a.playground.session;
      s.setBackend('openai');
      await config.update('timeoutSeconds', 1, vscode.ConfigurationTarget.Global);
      assert.equal((await a.playground.backends.endpointConfig('generator')).timeoutMs, 1000);
      await s.send('please stall');
      let [c] = lastCandidates(a);
      assert.equal(c!.status, 'error');
      assert.equal(c!.error!.stage, 'generator');
      assert.match(c!.error!.message, /1 s|stopped sending/);
      await config.update('timeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      await s.send('please garble');
      [c] = lastCandidates(a);
      assert.equal(c!.status, 'error');
      assert.match(c!.error!.message, /malformed|not JSON|JSON/i);
      assert.equal(c!.reply, 'Well', 'what arrived before the bad chunk is kept');
    });

    it('an HTTP 500 and a refused connection become card errors; the embedded backend still answers after', async () => {
      const a = await api();
      const s = a.playground.session;
      s.setBackend('openai');
      await s.send('now please fail');
      let [c] = lastCandidates(a);
      assert.equal(c!.status, 'error');
      assert.equal(c!.error!.stage, 'generator');
      assert.match(c!.error!.message, /500/);
      assert.match(c!.error!.message, /CUDA out of memory/);
      // a port nobody listens on
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      await config.update('planner.baseUrl', `http://127.0.0.1:${port}/v1`, vscode.ConfigurationTarget.Global);
      await s.send('are you there?');
      [c] = lastCandidates(a);
      assert.equal(c!.status, 'error');
      assert.match(c!.error!.message, new RegExp(`127\\.0\\.0\\.1:${port}.*refused`, 'i'));
      assert.ok(c!.error!.fix, 'a fix is offered');
      s.setBackend('embedded');
      await s.send('ok, then tell me something');
      [c] = lastCandidates(a);
      assert.equal(c!.status, 'done', JSON.stringify(c!.error));
      assert.equal(s.busy, false);
    });
  });
});
