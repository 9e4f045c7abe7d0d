// A run folder's progress as the Runs view and the run page show it (core/training/runLog), and what
// becomes of tracked stages when their experiment file changes (core/training/stageRuns). The run
// folders are written here in LLaMA-Factory's and transformers' own layouts.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Experiment } from '../../src/core/training/experiment';
import { logChanged, readRunLog, runLogOf, TRAINER_LOG, TRAINER_STATE } from '../../src/core/training/runLog';
import { isActive, newStageRun, reloadedRuns, type StageRun } from '../../src/core/training/stageRuns';
import { stageOutputDir } from '../../src/core/training/trainConfig';
import { tempDir } from './helpers';

interface RunShape {
  /** Steps the trainer has done. */
  steps: number;
  total: number;
  /** Logging interval (logging_steps). */
  every?: number;
  /** The loss at a step; another run (other data, other learning rate) has another curve. */
  loss: (step: number) => number;
}

const logged = (r: RunShape): number[] => {
  const every = r.every ?? 10;
  return Array.from({ length: Math.floor(r.steps / every) }, (_, i) => (i + 1) * every);
};

/** LLaMA-Factory's trainer_log.jsonl: one line per logging step. */
function trainerLog(r: RunShape): string {
  return logged(r)
    .map((step) =>
      JSON.stringify({
        current_steps: step,
        total_steps: r.total,
        loss: r.loss(step),
        accuracy: 0.5,
        lr: 5e-6,
        epoch: step / r.total,
        percentage: Math.round((10000 * step) / r.total) / 100,
        elapsed_time: '0:01:00',
        remaining_time: step === r.total ? '0:00:00' : '0:05:00',
      }),
    )
    .map((l) => l + '\n')
    .join('');
}

/** transformers' trainer_state.json as a finished DPO run leaves it: log_history with the reward metrics, then the summary. */
function trainerState(r: RunShape, globalStep = r.steps): string {
  const history = logged(r).map((step) => ({
    epoch: step / r.total,
    step,
    loss: r.loss(step),
    learning_rate: 5e-6,
    'rewards/chosen': 0.01 * step,
    'rewards/rejected': -0.01 * step,
    'rewards/margins': 0.02 * step,
    'rewards/accuracies': 0.75,
  }));
  return JSON.stringify(
    { global_step: globalStep, max_steps: r.total, log_history: [...history, { step: globalStep, train_runtime: 300, train_loss: 0.5 }] },
    null,
    2,
  );
}

const thisRun = (step: number): number => Math.round(10000 * (0.7 - step / 1000)) / 10000;
const oldRun = (step: number): number => Math.round(10000 * (0.69 - step / 500)) / 10000;

describe('runLogOf: which files describe the run on show', () => {
  it('a live LLaMA-Factory run: the log’s points and progress', () => {
    const log = runLogOf({ log: trainerLog({ steps: 30, total: 100, loss: thisRun }) })!;
    assert.deepEqual(
      log.points.map((p) => [p.step, p.loss]),
      [
        [10, 0.69],
        [20, 0.68],
        [30, 0.67],
      ],
    );
    assert.equal(log.progress?.percentage, 30);
    assert.equal(log.progress?.remaining, '0:05:00');
    assert.ok(log.points.every((p) => p.rewardsMargins === undefined));
  });

  it('a finished DPO run: the state’s points bring the reward metrics; the progress stays the log’s', () => {
    const run = { steps: 100, total: 100, loss: thisRun };
    const log = runLogOf({ log: trainerLog(run), state: trainerState(run) })!;
    assert.equal(log.points.length, 10);
    assert.equal(log.points.at(-1)!.rewardsMargins, 2);
    assert.equal(log.points.at(-1)!.rewardsAccuracy, 0.75);
    assert.equal(log.progress?.percentage, 100);
    assert.equal(log.progress?.remaining, '0:00:00');
  });

  it('a finished run whose last steps the log did not record (105 steps, logged every 10) still gets its rewards', () => {
    const run = { steps: 105, total: 105, loss: thisRun };
    const log = runLogOf({ log: trainerLog(run), state: trainerState(run) })!;
    assert.equal(log.points.at(-1)!.step, 100);
    assert.equal(log.points.at(-1)!.rewardsMargins, 2);
  });

  it('a rerun next to the old trainer_state.json: the old rewards are not shown, however far along either is', () => {
    const old = trainerState({ steps: 100, total: 100, loss: oldRun });
    // the rerun just started (the old run is ahead), is half-way, or runs longer than the old one did
    for (const steps of [0, 10, 50, 100, 150]) {
      const text = trainerLog({ steps, total: 150, loss: thisRun });
      const log = runLogOf({ log: text, state: old })!;
      assert.ok(
        log.points.every((p) => p.rewardsMargins === undefined),
        `at step ${steps}`,
      );
      assert.deepEqual(log, runLogOf({ log: text }), `at step ${steps}`);
    }
  });

  it('a failed run: what it logged, at the step it stopped; an older finished run’s state beside it is ignored', () => {
    const failed = trainerLog({ steps: 40, total: 100, loss: thisRun });
    const log = runLogOf({ log: failed })!;
    assert.equal(log.progress?.step, 40);
    assert.equal(log.progress?.percentage, 40);
    assert.equal(log.progress?.lastLoss, 0.66);
    const beside = runLogOf({ log: failed, state: trainerState({ steps: 100, total: 100, loss: oldRun }) });
    assert.deepEqual(beside, log);
  });

  it('an SFT state (no reward metrics) adds nothing to the log', () => {
    const run = { steps: 100, total: 100, loss: thisRun };
    const sftState = JSON.stringify({
      global_step: 100,
      max_steps: 100,
      log_history: logged(run).map((step) => ({ step, loss: thisRun(step) })),
    });
    assert.deepEqual(runLogOf({ log: trainerLog(run), state: sftState }), runLogOf({ log: trainerLog(run) }));
  });

  it('a TRL run writes only the state: its points and progress; a folder with neither file has no log', () => {
    const log = runLogOf({ state: trainerState({ steps: 60, total: 120, loss: thisRun }) })!;
    assert.equal(log.points.length, 6);
    assert.equal(log.progress?.step, 60);
    assert.equal(log.progress?.percentage, 50);
    assert.equal(runLogOf({}), undefined);
  });
});

describe('readRunLog', () => {
  const t = tempDir();
  after(() => t.dispose());

  it('reads both files of a run folder; a missing folder has no log', async () => {
    const run = { steps: 100, total: 100, loss: thisRun };
    t.write(TRAINER_LOG, trainerLog(run));
    t.write(TRAINER_STATE, trainerState(run));
    const log = await readRunLog(t.dir);
    assert.equal(log?.points.at(-1)?.rewardsMargins, 2);
    assert.equal(await readRunLog(path.join(t.dir, 'missing')), undefined);
  });
});

describe('logChanged: when the Runs view redraws', () => {
  it('not for the same files read again; for a new step, a first log, a log that went away', () => {
    const at = (steps: number) => runLogOf({ log: trainerLog({ steps, total: 100, loss: thisRun }) });
    assert.equal(logChanged(at(30), at(30)), false);
    assert.equal(logChanged(undefined, undefined), false);
    assert.equal(logChanged(at(30), at(40)), true);
    assert.equal(logChanged(undefined, at(10)), true);
    assert.equal(logChanged(at(10), undefined), true);
  });
});

describe('reloadedRuns: an experiment file read again', () => {
  const file = '/w/decoupled.esc-experiment.yaml';
  const dir = (root: string, stage: string) => `/w/${root}/qwen/${stage}`;
  const handle = { stop: () => Promise.resolve() };

  it('a stage writing to the same folder keeps its status and log; a new stage starts as not started', () => {
    const sft: StageRun = { ...newStageRun(file, 'planner-sft', dir('saves', 'planner-sft')), status: 'succeeded', log: runLogOf({}) };
    const runs = reloadedRuns(
      file,
      [
        { stage: 'planner-sft', outputDir: dir('saves', 'planner-sft') },
        { stage: 'planner-dpo', outputDir: dir('saves', 'planner-dpo') },
      ],
      [sft],
    );
    assert.equal(runs[0], sft);
    assert.deepEqual(runs[1], {
      experimentFile: file,
      stage: 'planner-dpo',
      status: 'not-started',
      outputDir: dir('saves', 'planner-dpo'),
    });
  });

  it('output_root edited: a finished stage starts over in the new folder, a running one keeps its run (Stop must reach it)', () => {
    const done: StageRun = { ...newStageRun(file, 'planner-sft', dir('saves', 'planner-sft')), status: 'succeeded' };
    const running: StageRun<typeof handle> = {
      ...newStageRun(file, 'generator-sft', dir('saves', 'generator-sft')),
      status: 'running',
      running: handle,
    };
    const runs = reloadedRuns(
      file,
      [
        { stage: 'planner-sft', outputDir: dir('out', 'planner-sft') },
        { stage: 'generator-sft', outputDir: dir('out', 'generator-sft') },
      ],
      [done, running],
    );
    assert.deepEqual(
      runs.map((r) => [r.stage, r.status, r.outputDir]),
      [
        ['planner-sft', 'not-started', dir('out', 'planner-sft')],
        ['generator-sft', 'running', dir('saves', 'generator-sft')],
      ],
    );
    assert.equal(runs[1], running);
  });

  it('edited into an invalid file: only its running and queued stages stay listed; other experiments’ runs are not taken', () => {
    const other = '/w/vanilla.esc-experiment.yaml';
    const previous: StageRun<typeof handle>[] = [
      { ...newStageRun(file, 'planner-sft', dir('saves', 'planner-sft')), status: 'succeeded' },
      { ...newStageRun(file, 'generator-sft', dir('saves', 'generator-sft')), status: 'running', running: handle },
      { ...newStageRun(file, 'planner-dpo', dir('saves', 'planner-dpo')), status: 'queued' },
      { ...newStageRun(file, 'generator-dpo', dir('saves', 'generator-dpo')), status: 'failed' },
      { ...newStageRun(other, 'vanilla-sft', '/w/saves/v/vanilla-sft'), status: 'running', running: handle },
    ];
    const kept = reloadedRuns(file, undefined, previous);
    assert.deepEqual(
      kept.map((r) => r.stage),
      ['generator-sft', 'planner-dpo'],
    );
    assert.ok(kept.every(isActive));
    assert.deepEqual(
      previous.filter(isActive).map((r) => r.stage),
      ['generator-sft', 'planner-dpo', 'vanilla-sft'],
    );
  });
});

describe('stageOutputDir', () => {
  it('is <output_root>/<name>/<stage> from the experiment file’s folder; an absolute output_root is kept', () => {
    const loaded = (outputRoot: string) => ({
      file: '/w/exp/decoupled.esc-experiment.yaml',
      dir: '/w/exp',
      experiment: { name: 'qwen', output_root: outputRoot } as Experiment,
    });
    assert.equal(stageOutputDir(loaded('saves'), 'planner-dpo'), path.resolve('/w/exp/saves/qwen/planner-dpo'));
    assert.equal(stageOutputDir(loaded('../runs'), 'vanilla-sft'), path.resolve('/w/runs/qwen/vanilla-sft'));
    assert.equal(stageOutputDir(loaded('/scratch/esc'), 'generator-sft'), path.resolve('/scratch/esc/qwen/generator-sft'));
  });
});
