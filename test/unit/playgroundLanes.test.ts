// The one lane dispatcher (core/playground/pipeline runLanes), as the Playground session and `esc chat`
// drive it: per-lane streaming updates, per-stage latencies, overrides, cancel, failures, and the
// order in which lanes run. The backends are small scripted models (the pipeline's own interfaces).

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InferenceError, type DialogueTurn, type Generator, type JointModel, type Planner } from '../../src/core/dialogue/types';
import { laneJobs, pendingLane, runLanes, type LaneResult } from '../../src/core/playground/pipeline';
import type { Strategy } from '../../src/core/strategies';

const history: DialogueTurn[] = [{ speaker: 'seeker', text: 'I lost my job.' }];

/** Waits `ms`, or rejects as fetch does when the signal fires. */
async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch((e: unknown) => {
    throw signal?.aborted ? new InferenceError('cancelled', 'aborted') : e;
  });
}

/** Who did what, in order, across lanes: shows whether lanes overlapped. */
type Log = string[];

function planner(log: Log, ms = 20): Planner & { calls: number } {
  return {
    label: 'test planner',
    note: 'planner note',
    calls: 0,
    async plan(_h, signal) {
      this.calls++;
      log.push('plan:start');
      await wait(ms, signal);
      log.push('plan:end');
      return { strategy: 'Question', probabilities: { Question: 0.7, 'Self-disclosure': 0.3 } as never };
    },
  };
}

function generator(log: Log, chunks: string[], ms = 10, fail?: Error): Generator & { asked: Strategy[] } {
  return {
    label: 'test generator',
    asked: [],
    async *generate(_h, strategy, signal) {
      this.asked.push(strategy);
      for (const c of chunks) {
        await wait(ms, signal);
        log.push(`gen:${c}`);
        yield c;
      }
      if (fail) throw fail;
    },
  };
}

function joint(log: Log, chunks: string[], ms = 10): JointModel {
  return {
    label: 'test joint',
    async *respond(_h, signal) {
      for (const c of chunks) {
        await wait(ms, signal);
        log.push(`joint:${c}`);
        yield c;
      }
    },
  };
}

/** Every update, copied (the pipeline updates one object in place). */
function recorder(): { updates: { index: number; r: LaneResult }[]; onUpdate: (index: number, r: LaneResult) => void } {
  const updates: { index: number; r: LaneResult }[] = [];
  return { updates, onUpdate: (index, r) => updates.push({ index, r: structuredClone(r) }) };
}

describe('runLanes', () => {
  it('decoupled: planning, then the strategy with its probabilities, then the reply growing chunk by chunk, with each stage timed', async () => {
    const log: Log = [];
    const p = planner(log, 30);
    const g = generator(log, ['It sounds ', 'hard.'], 20);
    const rec = recorder();
    const [r] = await runLanes(laneJobs('decoupled'), history, { planner: p, generator: g }, { onUpdate: rec.onUpdate });
    assert.deepEqual(
      rec.updates.map((u) => [u.index, u.r.status, u.r.strategy ?? null, u.r.reply]),
      [
        [0, 'planning', null, ''],
        [0, 'generating', 'Question', ''],
        [0, 'generating', 'Question', 'It sounds '],
        [0, 'generating', 'Question', 'It sounds hard.'],
        [0, 'done', 'Question', 'It sounds hard.'],
      ],
    );
    assert.deepEqual(g.asked, ['Question']);
    assert.equal(r!.overridden, false);
    assert.equal(r!.plannerLabel, 'test planner');
    assert.equal(r!.generatorLabel, 'test generator');
    assert.equal(r!.note, 'planner note');
    assert.deepEqual(r!.probabilities, { Question: 0.7, 'Self-disclosure': 0.3 });
    // timers may fire a little early; the stages take at least ~30 ms and ~2 x 20 ms
    assert.ok(r!.latencyMs.planner! >= 25, `planner ${r!.latencyMs.planner}`);
    assert.ok(r!.latencyMs.generator! >= 35, `generator ${r!.latencyMs.generator}`);
  });

  it('an override skips the planner, generates for the chosen strategy and keeps stage 1 on show', async () => {
    const log: Log = [];
    const p = planner(log);
    const g = generator(log, ['Me too, once.']);
    const probabilities = { Question: 0.7, 'Self-disclosure': 0.3 };
    const job = { lane: 'decoupled' as const, strategy: 'Self-disclosure' as const, probabilities, plannerLatencyMs: 12.5 };
    assert.equal(pendingLane(job).status, 'generating');
    const [r] = await runLanes([job], history, { planner: p, generator: g });
    assert.equal(p.calls, 0);
    assert.deepEqual(g.asked, ['Self-disclosure']);
    assert.equal(r!.status, 'done');
    assert.equal(r!.overridden, true);
    assert.equal(r!.strategy, 'Self-disclosure');
    assert.deepEqual(r!.probabilities, probabilities);
    assert.equal(r!.latencyMs.planner, 12.5);
    assert.equal(r!.note, undefined, "the planner's note is not shown for a strategy it did not choose");
  });

  it('compare: both lanes run at once, each reporting under its own index; the vanilla strategy comes from the answer’s tag', async () => {
    const log: Log = [];
    const rec = recorder();
    const results = await runLanes(
      laneJobs('compare'),
      history,
      { planner: planner(log, 40), generator: generator(log, ['Which job?']), joint: joint(log, ['[Question] ', 'What ', 'happened?']) },
      { onUpdate: rec.onUpdate },
    );
    assert.deepEqual(
      results.map((r) => [r.lane, r.status, r.strategy, r.reply]),
      [
        ['decoupled', 'done', 'Question', 'Which job?'],
        ['vanilla', 'done', 'Question', 'What happened?'],
      ],
    );
    // the vanilla lane streamed while the planner was still thinking
    assert.ok(log.indexOf('joint:[Question] ') < log.indexOf('plan:end'), log.join(', '));
    assert.ok(rec.updates.filter((u) => u.index === 1).every((u) => u.r.lane === 'vanilla'));
    assert.ok(rec.updates.filter((u) => u.index === 0).every((u) => u.r.lane === 'decoupled'));
    assert.equal(results[1]!.latencyMs.planner, undefined);
    assert.ok(results[1]!.latencyMs.generator! > 0);
  });

  it('sequential (esc chat): the vanilla lane starts only after the decoupled one is done', async () => {
    const log: Log = [];
    await runLanes(
      laneJobs('compare'),
      history,
      { planner: planner(log), generator: generator(log, ['a', 'b']), joint: joint(log, ['[Question] c']) },
      { sequential: true },
    );
    assert.deepEqual(log, ['plan:start', 'plan:end', 'gen:a', 'gen:b', 'joint:[Question] c']);
  });

  it('a vanilla answer without a [Strategy] tag is kept whole and says so', async () => {
    const [r] = await runLanes(laneJobs('vanilla'), history, { joint: joint([], ['Tell me more.']) });
    assert.equal(r!.status, 'done');
    assert.equal(r!.strategy, undefined);
    assert.equal(r!.reply, 'Tell me more.');
    assert.match(r!.note ?? '', /does not start with a \[Strategy\] tag/);
  });

  it('cancel ends every running lane as cancelled and keeps what had arrived', async () => {
    const log: Log = [];
    const abort = new AbortController();
    const running = runLanes(
      laneJobs('compare'),
      history,
      {
        planner: planner(log, 5),
        generator: generator(log, ['I am ', 'here', ' for you'], 30),
        joint: joint(log, ['[Question] ', 'Why?'], 30),
      },
      {
        signal: abort.signal,
        onUpdate: (_i, r) => {
          if (r.lane === 'decoupled' && r.reply === 'I am ') abort.abort();
        },
      },
    );
    const [d, v] = await running;
    assert.equal(d!.status, 'cancelled');
    assert.equal(d!.reply, 'I am ');
    assert.equal(d!.error, undefined);
    assert.equal(v!.status, 'cancelled');
    assert.ok(!log.includes('gen:here'));
  });

  it('a failing lane becomes an error card at its stage, with its fix; the other lane still answers', async () => {
    const log: Log = [];
    const fails = generator(log, ['Well'], 5, new InferenceError('HTTP 500: CUDA out of memory', 'http', 'testConnection'));
    const [d, v] = await runLanes(laneJobs('compare'), history, {
      planner: planner(log, 5),
      generator: fails,
      joint: joint(log, ['[Question] Why?']),
    });
    assert.equal(d!.status, 'error');
    assert.deepEqual(d!.error, { stage: 'generator', message: 'HTTP 500: CUDA out of memory', fix: 'testConnection' });
    assert.equal(d!.reply, 'Well', 'what arrived before the failure is kept');
    assert.equal(v!.status, 'done');

    const broken: Planner = {
      label: 'p',
      plan: () => Promise.reject(new Error('socket hang up')),
    };
    const [e] = await runLanes(laneJobs('decoupled'), history, { planner: broken, generator: generator(log, ['x']) });
    assert.deepEqual(e!.error, { stage: 'planner', message: 'socket hang up' });
    const [empty] = await runLanes(laneJobs('decoupled'), history, { planner: planner(log, 1), generator: generator(log, ['  ']) });
    assert.equal(empty!.status, 'error');
    assert.match(empty!.error!.message, /empty reply/);
  });

  it('backends that fail to load end every lane at the stage it would have started with', async () => {
    const failure = new InferenceError('cannot read manifest.json', 'other', 'retrain');
    const jobs = [...laneJobs('compare'), { lane: 'decoupled' as const, strategy: 'Question' as const }];
    const rec = recorder();
    const results = await runLanes(jobs, history, Promise.reject(failure), { onUpdate: rec.onUpdate });
    assert.deepEqual(
      results.map((r) => [r.lane, r.status, r.error?.stage, r.error?.fix, r.overridden]),
      [
        ['decoupled', 'error', 'planner', 'retrain', false],
        ['vanilla', 'error', 'generator', 'retrain', false],
        ['decoupled', 'error', 'generator', 'retrain', true],
      ],
    );
    assert.deepEqual(
      rec.updates.map((u) => u.index),
      [0, 1, 2],
    );
    // the user had cancelled while they loaded: cancelled, not an error
    const abort = new AbortController();
    abort.abort();
    const [c] = await runLanes(laneJobs('decoupled'), history, Promise.reject(failure), { signal: abort.signal });
    assert.equal(c!.status, 'cancelled');
  });

  it('a lane whose models the caller left out is a programming error, not a card', async () => {
    await assert.rejects(runLanes(laneJobs('vanilla'), history, { planner: planner([]) }), TypeError);
  });
});
