// The mining page's front-end state, without a browser: the bars per role and the judge's, the pace
// (calls/s, an ETA from this session's pace only), the pairs rows, the planner's gold → predicted grid
// (the eight in order, off-list answers by count and folded), the judge's retention and error types,
// which buttons each status allows; and what the page posts, checked against the protocol's own schema.
// Also the experiment edit behind "Add to experiment's DPO stages" (comments and other entries kept).

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { setDpoDatasets, ExperimentEditError } from '../../src/core/training/dpoDatasets';
import { STRATEGIES, STRATEGY_COLORS } from '../../src/core/strategies';
import { miningToExtension, type MineProgress, type MiningState } from '../../src/protocol/mining';
import {
  bars,
  controls,
  duration,
  hasDpoFiles,
  heatmap,
  judgeView,
  MAX_OFF_LIST,
  OTHER_ANSWERS,
  pace,
  pairsRows,
  statusText,
} from '../../webview-ui/src/mining/model/page';

const NAMES = [...STRATEGIES];

function progress(over: Partial<MineProgress> = {}): MineProgress {
  return {
    roles: { planner: { done: 30, total: 120 }, generator: { done: 10, total: 120 } },
    calls: 40,
    retries: 2,
    resumed: 0,
    elapsedMs: 8000,
    pairs: { plannerDifferent: 21, plannerSame: 9, generator: 10, vanilla: 0 },
    plannerConfusion: { Question: { 'Self-disclosure': 4, Others: 2 }, 'Affirmation and Reassurance': { Question: 15 } },
    ...over,
  };
}

function state(over: Partial<MiningState> = {}): MiningState {
  return {
    type: 'state',
    status: 'running',
    input: 'data/sft_vanilla_train.json',
    outDir: 'data/ipm-sft_vanilla_train',
    roles: ['planner', 'generator'],
    judge: false,
    models: 'Playground endpoints',
    progress: progress(),
    files: [],
    strategies: NAMES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
    ...over,
  };
}

describe('mining page model', () => {
  it('one bar per role asked, then the judge’s', () => {
    const b = bars(state());
    assert.deepEqual(
      b.map((x) => [x.key, x.done, x.total]),
      [
        ['planner', 30, 120],
        ['generator', 10, 120],
      ],
    );
    assert.equal(b[0]!.fraction, 0.25);
    assert.equal(b[0]!.text, '30 / 120 (25 %)');
    const judged = bars(
      state({ judge: true, progress: progress({ judge: { done: 5, total: 120, retained: 3, rejected: 2, errors: {}, errorTypes: {} } }) }),
    );
    assert.deepEqual(judged.at(-1), { key: 'judge', label: 'Judge', done: 5, total: 120, fraction: 5 / 120, text: '5 / 120 (4 %)' });
    // before the first progress: empty bars, not NaN
    const none = bars(state({ progress: undefined }));
    assert.ok(none.every((x) => x.fraction === 0 && x.text === '0 / 0 (0 %)'));
  });

  it('calls/s over the session; the ETA from this session’s pace, the resumed work not counted as its own', () => {
    const p = pace(progress(), 'running');
    assert.equal(p.callsPerSecond, '5.0');
    // 40 of 240 done in 8 s → 200 left at 5/s = 40 s
    assert.equal(p.eta, '40s');
    assert.equal(p.retries, 2);
    // 30 of the 40 came from the checkpoint: 10 in 8 s → 200 left take 160 s
    assert.equal(pace(progress({ resumed: 30 }), 'running').eta, '2m40s');
    assert.equal(pace(progress({ calls: 400, elapsedMs: 8000 }), 'running').callsPerSecond, '50');
    assert.equal(pace(progress(), 'done').eta, 'done');
    assert.equal(pace(progress(), 'cancelled').eta, '–');
    assert.equal(pace(progress({ resumed: 40 }), 'running').eta, '–');
    assert.equal(pace(undefined, 'starting').callsPerSecond, '–');
    assert.equal(duration(3_725_000), '1h02m');
  });

  it('pairs so far per role asked, the planner’s split by strategy', () => {
    assert.deepEqual(
      pairsRows(state()).map((r) => [r.file, r.count]),
      [
        ['planner-pairs', 21],
        ['planner-same', 9],
        ['generator-pairs', 10],
      ],
    );
    assert.deepEqual(
      pairsRows(state({ roles: ['vanilla'] })).map((r) => r.file),
      ['vanilla-pairs'],
    );
  });

  it('the planner grid: gold and predicted in the eight’s order, shades from the largest cell', () => {
    const h = heatmap(progress().plannerConfusion, NAMES)!;
    assert.deepEqual(h.gold, ['Question', 'Affirmation and Reassurance']);
    assert.deepEqual(h.predicted, ['Question', 'Self-disclosure', 'Others']);
    assert.deepEqual(
      h.cells.map((r) => r.map((c) => c.n)),
      [
        [0, 4, 2],
        [15, 0, 0],
      ],
    );
    assert.equal(h.cells[1]![0]!.shade, 1);
    assert.equal(h.cells[0]![1]!.shade, 4 / 15);
    assert.equal(h.total, 21);
    assert.equal(heatmap({}, NAMES), undefined);
    assert.equal(heatmap(undefined, NAMES), undefined);
  });

  it('off-list planner answers: columns by count after the eight, the rarest folded into one', () => {
    const h = heatmap({ Question: { 'asking a question': 5, 'I think Others': 3, '': 1, banana: 2, Others: 1 } }, NAMES)!;
    assert.equal(h.predicted.length, 1 + MAX_OFF_LIST);
    assert.deepEqual(h.predicted, ['Others', 'asking a question', 'I think Others', OTHER_ANSWERS]);
    // banana (2) and the empty answer (1) fold together
    assert.deepEqual(
      h.cells[0]!.map((c) => c.n),
      [1, 5, 3, 3],
    );
    assert.equal(h.total, 12);
  });

  it('the judge: retention over the verdicts, error types and pairs without a verdict, most first', () => {
    const j = judgeView(
      progress({
        judge: {
          done: 9,
          total: 20,
          retained: 6,
          rejected: 2,
          errors: { 'not JSON': 1, other: 0 },
          errorTypes: { 'Template Response': 2, 'Lack Empathy': 5, 'Early Emotion Shift': 1 },
        },
      }),
    )!;
    assert.equal(j.retention, '75.0 %');
    assert.deepEqual(
      j.errorTypes.map((x) => x.type),
      ['Lack Empathy', 'Template Response', 'Early Emotion Shift'],
    );
    assert.deepEqual(j.errors, [{ type: 'not JSON', n: 1 }]);
    assert.equal(judgeView(progress())?.retention, undefined);
    assert.equal(
      judgeView(progress({ judge: { done: 0, total: 3, retained: 0, rejected: 0, errors: {}, errorTypes: {} } }))!.retention,
      '–',
    );
  });

  it('buttons by status: Cancel while it runs, Resume once stopped or failed, the files once done', () => {
    const off = { resumeDisabled: false };
    assert.deepEqual(controls(state()), { cancel: true, stopping: false, resume: false, resumeDisabled: true, results: false });
    assert.deepEqual(controls(state({ status: 'stopping' })), {
      cancel: false,
      stopping: true,
      resume: false,
      resumeDisabled: true,
      results: false,
    });
    assert.deepEqual(controls(state({ status: 'cancelled' })), { cancel: false, stopping: false, resume: true, ...off, results: false });
    assert.deepEqual(controls(state({ status: 'failed' })), { cancel: false, stopping: false, resume: true, ...off, results: false });
    const done = state({ status: 'done', files: [{ key: 'planner-pairs', name: 'planner-pairs.json', records: 21 }] });
    assert.deepEqual(controls(done), { cancel: false, stopping: false, resume: false, ...off, results: true });
    assert.equal(hasDpoFiles(done), true);
    assert.equal(hasDpoFiles(state({ status: 'done', files: [{ key: 'planner-same', name: 'planner-same.json', records: 9 }] })), false);
    assert.match(statusText(done), /21 pairs in 1 files/);
    assert.match(statusText(state({ status: 'cancelled' })), /40 of 240 answers are kept/);
  });

  it('Resume is disabled while a run starts or runs, and once pressed until a new status comes back (no second run)', () => {
    for (const status of ['starting', 'running'] as const) assert.equal(controls(state({ status })).resumeDisabled, true, status);
    const stopped = state({ status: 'cancelled' });
    assert.equal(controls(stopped).resumeDisabled, false);
    assert.equal(controls(stopped, true).resume, true);
    assert.equal(controls(stopped, true).resumeDisabled, true);
    assert.equal(controls(state({ status: 'failed' }), true).resumeDisabled, true);
  });

  it('what the page posts is what the extension accepts', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'cancel' },
      { type: 'resume' },
      { type: 'open', file: 'generator-pairs.retained' },
      { type: 'addToExperiment' },
      { type: 'fix', fix: 'testConnection' },
    ]) {
      assert.ok(miningToExtension.safeParse(m).success, JSON.stringify(m));
    }
    // a path is never accepted: the page names one of the run's files, the extension finds it
    assert.equal(miningToExtension.safeParse({ type: 'open', file: '/etc/passwd' }).success, false);
    assert.equal(miningToExtension.safeParse({ type: 'fix', fix: 'rm -rf' }).success, false);
  });
});

describe('setDpoDatasets', () => {
  const YAML = `# my experiment
name: demo   # keep me
model:
  base: Qwen/Qwen2.5-7B-Instruct
  template: qwen
datasets:
  planner-sft: data/planner_train.json  # SFT
  generator-sft: data/generator_train.json
  generator-dpo: old/generator.json
`;

  it('sets the DPO entries in place: comments, order and the other entries kept', () => {
    const edit = setDpoDatasets(YAML, { 'planner-dpo': 'data/ipm/planner-pairs.json', 'generator-dpo': 'data/ipm/generator-pairs.json' });
    assert.equal(edit.changed, true);
    assert.deepEqual(edit.replaced, [{ stage: 'generator-dpo', before: 'old/generator.json', after: 'data/ipm/generator-pairs.json' }]);
    assert.match(edit.text, /^# my experiment\nname: demo +# keep me\n/);
    assert.match(edit.text, /planner-sft: data\/planner_train.json +# SFT/);
    const parsed = parse(edit.text) as { datasets: Record<string, string>; model: unknown };
    assert.deepEqual(parsed.datasets, {
      'planner-sft': 'data/planner_train.json',
      'generator-sft': 'data/generator_train.json',
      'generator-dpo': 'data/ipm/generator-pairs.json',
      'planner-dpo': 'data/ipm/planner-pairs.json',
    });
    assert.deepEqual(parsed.model, { base: 'Qwen/Qwen2.5-7B-Instruct', template: 'qwen' });
  });

  it('the same entries again change nothing; a file without datasets gets them', () => {
    const once = setDpoDatasets(YAML, { 'generator-dpo': 'old/generator.json' });
    assert.deepEqual(once, { text: YAML, replaced: [], changed: false });
    const bare = setDpoDatasets('name: x\n', { 'vanilla-dpo': 'v.json' });
    assert.deepEqual(parse(bare.text), { name: 'x', datasets: { 'vanilla-dpo': 'v.json' } });
  });

  it('a file it cannot edit safely: one clear error', () => {
    assert.throws(() => setDpoDatasets('name: [unclosed\n', { 'planner-dpo': 'p.json' }), ExperimentEditError);
    assert.throws(() => setDpoDatasets('- a\n- b\n', { 'planner-dpo': 'p.json' }), /not a YAML mapping/);
    assert.throws(() => setDpoDatasets('datasets: [a, b]\n', { 'planner-dpo': 'p.json' }), /not a mapping/);
  });
});
