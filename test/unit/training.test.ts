// Training configs: golden files for both backends and all launchers (from the demo experiment), a
// quoting test that really runs the generated scripts in bash, the dataset_info.json merge, and log
// parsing on logs shaped like LLaMA-Factory's and transformers'/TRL's.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { mergeDatasetInfo } from '../../src/core/training/datasetInfo';
import { parseTrainerLog, parseTrainerState } from '../../src/core/training/logs';
import { ExperimentError, loadExperiment, planTrainConfig, writeGeneratedFiles } from '../../src/core/training/trainConfig';
import { REPO_ROOT, tempDir } from './helpers';

const GOLDEN = path.join(REPO_ROOT, 'test', 'fixtures', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Generated text with the machine-specific folders replaced by placeholders. */
const normalise = (text: string, dir: string): string => text.split(dir).join('<EXPERIMENT_DIR>');

describe('train-config golden files', () => {
  for (const backend of ['llamafactory', 'trl'] as const) {
    for (const launcher of ['local', 'torchrun', 'slurm'] as const) {
      it(`${backend} + ${launcher}`, async () => {
        const t = tempDir();
        try {
          const dir = path.join(t.dir, 'demo');
          cpSync(path.join(REPO_ROOT, 'demo'), dir, { recursive: true });
          const loaded = await loadExperiment(path.join(dir, 'esc-experiment.yaml'), { backend, launcher });
          const plan = await planTrainConfig(loaded, { outDir: path.join(dir, 'configs') });
          const golden = path.join(GOLDEN, `${backend}-${launcher}`);
          // TRL data copies are large and derived; their line counts are checked instead
          const files = plan.files.filter((f) => !f.path.includes(`${path.sep}data${path.sep}`));
          if (UPDATE) {
            mkdirSync(golden, { recursive: true });
            for (const f of files) writeFileSync(path.join(golden, path.basename(f.path)), normalise(f.content, dir));
          }
          assert.deepEqual(files.map((f) => path.basename(f.path)).sort(), readdirSync(golden).sort());
          for (const f of files) {
            assert.equal(
              normalise(f.content, dir),
              readFileSync(path.join(golden, path.basename(f.path)), 'utf8'),
              `${backend}-${launcher}/${path.basename(f.path)}`,
            );
          }
          if (backend === 'trl') {
            // the demo's planner pairs and its vanilla (VM) pairs, from LLaMA-Factory's ranking layout
            for (const [stage, count] of [
              ['planner-dpo', 16],
              ['vanilla-dpo', 32],
            ] as const) {
              const pairs = plan.files.find((f) => f.path.endsWith(`${path.sep}${stage}.jsonl`))!;
              const rows = pairs.content
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as { prompt: unknown[]; chosen: unknown[]; rejected: unknown[] });
              assert.equal(rows.length, count, stage);
              assert.ok(
                rows.every((r) => r.prompt.length > 0 && r.chosen.length === 1 && r.rejected.length === 1),
                `${stage}: TRL preference layout`,
              );
            }
          }
        } finally {
          t.dispose();
        }
      });
    }
  }

  it('refuses a dataset of the wrong kind or a missing one', async () => {
    const t = tempDir();
    try {
      const dir = path.join(t.dir, 'demo');
      cpSync(path.join(REPO_ROOT, 'demo'), dir, { recursive: true });
      const exp = path.join(dir, 'esc-experiment.yaml');
      writeFileSync(
        exp,
        readFileSync(exp, 'utf8')
          .replace('planner-dpo: data/pref_planner_demo.json', 'planner-dpo: data/sft_vanilla_demo.json')
          .replace('generator-sft: data/sft_generator_demo.json', 'generator-sft: data/missing.json'),
      );
      const loaded = await loadExperiment(exp);
      await assert.rejects(planTrainConfig(loaded, { outDir: path.join(dir, 'configs') }), (err: unknown) => {
        assert.ok(err instanceof ExperimentError);
        assert.ok(
          err.problems.some((p) =>
            /planner-dpo: dataset data\/sft_vanilla_demo.json is a sft-vanilla file; this stage needs a pref-planner file/.test(p),
          ),
          err.message,
        );
        assert.ok(
          err.problems.some((p) => /generator-sft: .*no such file/.test(p)),
          err.message,
        );
        return true;
      });
    } finally {
      t.dispose();
    }
  });

  it('reports experiment-file errors with their path', async () => {
    const t = tempDir();
    try {
      const bad = t.write('bad.yaml', 'name: "has space"\nmodel: {base: x}\ndatasets: {}\nlora: {rank: -1}\n');
      await assert.rejects(loadExperiment(bad), (err: unknown) => {
        const msg = (err as Error).message;
        assert.match(msg, /name: letters, digits/);
        assert.match(msg, /model\.template/);
        assert.match(msg, /lora\.rank/);
        return true;
      });
      // ".." would put the stages' folders beside the output root, "." in it
      const dots = t.write('dots.yaml', 'name: ".."\nmodel: {base: x, template: qwen}\ndatasets: {}\n');
      await assert.rejects(loadExperiment(dots), /name: not only dots/);
    } finally {
      t.dispose();
    }
  });
});

describe('stage scripts in real bash', () => {
  it('pass exactly the config path and env, whatever the paths hold, and run nothing else', async () => {
    const t = tempDir();
    try {
      // a folder name with spaces, quotes, $(), backticks, ;, * and non-ASCII
      const nasty = path.join(t.dir, `exp "q" 'a' $(touch PWNED1) \`touch PWNED2\`; * é`);
      mkdirSync(path.join(nasty, 'data'), { recursive: true });
      for (const f of ['sft_planner_demo.jsonl', 'pref_planner_demo.json']) {
        cpSync(path.join(REPO_ROOT, 'demo', 'data', f), path.join(nasty, 'data', f));
      }
      const stubDir = path.join(t.dir, 'bin $(touch PWNED3)');
      mkdirSync(stubDir);
      // the stand-in CLI records what it was given (the real CLI is a GPU Python program)
      const stub = path.join(stubDir, 'llamafactory-cli');
      writeFileSync(
        stub,
        `#!/usr/bin/env node\nrequire('fs').writeFileSync(process.env.ESC_TEST_OUT, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: { CUDA_VISIBLE_DEVICES: process.env.CUDA_VISIBLE_DEVICES, LLAMABOARD_ENABLED: process.env.LLAMABOARD_ENABLED, LLAMABOARD_WORKDIR: process.env.LLAMABOARD_WORKDIR } }));\n`,
        { mode: 0o755 },
      );
      const exp = path.join(nasty, 'esc-experiment.yaml');
      writeFileSync(
        exp,
        [
          'name: quoting',
          'model: {base: "org/model $(touch PWNED4)", template: qwen}',
          'datasets:',
          '  planner-sft: data/sft_planner_demo.jsonl',
          '  planner-dpo: data/pref_planner_demo.json',
          'output_root: "out dir; `touch PWNED5`"',
          'gpus: {planner: "2,3"}',
          '',
        ].join('\n'),
      );
      const loaded = await loadExperiment(exp);
      const outDir = path.join(nasty, 'configs *');
      const plan = await planTrainConfig(loaded, { outDir, cli: stub });
      await writeGeneratedFiles(plan.files);
      for (const stage of ['planner-sft', 'planner-dpo']) {
        const result = path.join(t.dir, `${stage}.json`);
        const r = spawnSync('bash', [plan.stageFiles[stage]!.script], { encoding: 'utf8', env: { ...process.env, ESC_TEST_OUT: result } });
        assert.equal(r.status, 0, r.stderr);
        const seen = JSON.parse(readFileSync(result, 'utf8')) as { argv: string[]; cwd: string; env: Record<string, string> };
        assert.deepEqual(seen.argv, ['train', `configs */${stage}.yaml`]);
        assert.equal(seen.cwd, nasty);
        assert.deepEqual(seen.env, {
          CUDA_VISIBLE_DEVICES: '2,3',
          LLAMABOARD_ENABLED: '1',
          LLAMABOARD_WORKDIR: `out dir; \`touch PWNED5\`/quoting/${stage}`,
        });
        assert.ok(existsSync(path.join(nasty, `out dir; \`touch PWNED5\``, 'quoting', stage)), 'the output folder was made');
        const yaml = readFileSync(plan.stageFiles[stage]!.config, 'utf8');
        assert.match(yaml, /model_name_or_path: org\/model \$\(touch PWNED4\)/);
      }
      // a command substitution would have run in the test's folder, the experiment folder or /
      // (find gets argv directly: no shell of ours may expand these names)
      const pwned = spawnSync('find', [t.dir, nasty, process.cwd(), '/', '-maxdepth', '3', '-name', 'PWNED*'], {
        encoding: 'utf8',
      }).stdout.trim();
      assert.equal(pwned, '', 'nothing else ran');
    } finally {
      t.dispose();
    }
  });
});

describe('dataset_info.json merge', () => {
  it('keeps every other entry and its place, replaces ours in place, appends new ones', () => {
    const existing = JSON.stringify(
      { alpaca: { file_name: 'a.json' }, esc_x_planner_sft: { file_name: 'old.json' }, zeta: { file_name: 'z.json' } },
      null,
      2,
    );
    const entry = { file_name: 'new.json', formatting: 'sharegpt' as const, columns: { messages: 'messages' }, tags: {} };
    const merged = JSON.parse(
      mergeDatasetInfo(existing, { esc_x_planner_sft: entry, esc_x_planner_dpo: { ...entry, ranking: true } }),
    ) as Record<string, { file_name: string }>;
    assert.deepEqual(Object.keys(merged), ['alpaca', 'esc_x_planner_sft', 'zeta', 'esc_x_planner_dpo']);
    assert.equal(merged.esc_x_planner_sft!.file_name, 'new.json');
    assert.throws(() => mergeDatasetInfo('{ broken', {}), /not valid JSON.*left untouched/);
  });
});

describe('trainer log parsing', () => {
  it('LLaMA-Factory trainer_log.jsonl: points, progress, a partial last line, NaN, a restart', () => {
    const lines = [
      '{"current_steps": 10, "total_steps": 100, "loss": 1.25, "lr": 9.5e-05, "epoch": 0.3, "percentage": 10.0, "elapsed_time": "0:01:02", "remaining_time": "0:09:18"}',
      '{"current_steps": 20, "total_steps": 100, "loss": NaN, "lr": 9e-05, "epoch": 0.6, "percentage": 20.0, "elapsed_time": "0:02:03", "remaining_time": "0:08:12"}',
      '{"current_steps": 20, "total_steps": 100, "eval_loss": 1.1, "epoch": 0.6, "percentage": 20.0, "elapsed_time": "0:02:10", "remaining_time": "0:08:40"}',
      // restarted from scratch: steps go back
      '{"current_steps": 5, "total_steps": 100, "loss": 1.4, "accuracy": 0.5, "lr": 1e-05, "epoch": 0.1, "percentage": 5.0, "elapsed_time": "0:00:30", "remaining_time": "0:09:30"}',
      '{"current_steps": 10, "total_steps": 100, "loss": 1.2, "accuracy": 0.75, "lr": 2e-05, "epoch": 0.2, "percentage": 10.0, "elapsed_time": "0:01:00", "remaining_time": "0:09:00"}',
      '{"current_steps": 15, "total_st',
    ];
    const log = parseTrainerLog(lines.join('\n'));
    assert.deepEqual(
      log.points.map((p) => p.step),
      [5, 10],
    );
    assert.deepEqual(
      log.points.map((p) => p.rewardsAccuracy),
      [0.5, 0.75],
    );
    assert.equal(log.skippedLines, 1);
    assert.deepEqual(log.progress, { step: 10, totalSteps: 100, percentage: 10, elapsed: '0:01:00', remaining: '0:09:00', lastLoss: 1.2 });
    const nan = parseTrainerLog(lines.slice(0, 3).join('\n'));
    assert.equal(nan.points[1]!.loss, undefined, 'NaN loss is no number');
    assert.equal(nan.points[2]!.evalLoss, 1.1);
    assert.equal(nan.progress!.lastLoss, 1.25, 'the last finite loss');
  });

  it('transformers/TRL trainer_state.json: loss, learning rate and the DPO reward metrics', () => {
    const state = {
      global_step: 20,
      max_steps: 40,
      log_history: [
        {
          epoch: 0.5,
          grad_norm: 3.1,
          learning_rate: 5e-6,
          loss: 0.6931,
          'rewards/chosen': 0.01,
          'rewards/rejected': -0.02,
          'rewards/accuracies': 0.6,
          'rewards/margins': 0.03,
          'logps/chosen': -120.5,
          step: 10,
        },
        { epoch: 1, eval_loss: 0.65, 'eval_rewards/accuracies': 0.7, step: 20 },
        {
          epoch: 1,
          learning_rate: 2.5e-6,
          loss: 0.61,
          'rewards/chosen': 0.2,
          'rewards/rejected': -0.3,
          'rewards/accuracies': 0.8,
          'rewards/margins': 0.5,
          step: 20,
        },
        { epoch: 1, step: 20, train_runtime: 100.2, train_loss: 0.65 },
      ],
    };
    const log = parseTrainerState(JSON.stringify(state, null, 2));
    assert.deepEqual(
      log.points.map((p) => [p.step, p.loss, p.evalLoss, p.rewardsMargins]),
      [
        [10, 0.6931, undefined, 0.03],
        [20, undefined, 0.65, undefined],
        [20, 0.61, undefined, 0.5],
      ],
    );
    assert.deepEqual(log.progress, { step: 20, totalSteps: 40, percentage: 50, lastLoss: 0.61 });
    assert.deepEqual(
      parseTrainerState('{ "log_history": [ {"step": 1, "loss": 1.0}, {"st').points,
      [],
      'a half-written file gives nothing rather than garbage',
    );
  });
});

describe('pipeline', () => {
  it('runs the chains concurrently, each DPO after its SFT, and never starts a DPO whose SFT failed', async () => {
    const { runPipeline } = await import('../../src/core/training/pipeline');
    const events: string[] = [];
    const running = new Set<string>();
    let maxConcurrent = 0;
    const final = await runPipeline(
      ['planner-sft', 'generator-sft', 'planner-dpo', 'generator-dpo', 'vanilla-sft'],
      async (stage) => {
        running.add(stage);
        maxConcurrent = Math.max(maxConcurrent, running.size);
        await new Promise((r) => setTimeout(r, stage.includes('generator') ? 30 : 10));
        running.delete(stage);
        return { code: stage === 'generator-sft' ? 1 : 0 };
      },
      (stage, status) => events.push(`${stage}:${status}`),
    );
    assert.equal(maxConcurrent, 3, 'the three chains ran at once (no GPU lanes given)');
    assert.deepEqual(Object.fromEntries(final), {
      'planner-sft': 'succeeded',
      'planner-dpo': 'succeeded',
      'generator-sft': 'failed',
      'generator-dpo': 'not-started',
      'vanilla-sft': 'succeeded',
    });
    assert.ok(events.indexOf('planner-dpo:running') > events.indexOf('planner-sft:succeeded'), 'DPO waited for its SFT');
    assert.ok(!events.includes('generator-dpo:running'), 'the generator DPO never started');
  });
});

describe('slurm job tracking', () => {
  it('reads sbatch, squeue and sacct output', async () => {
    const { parseSbatchJobId, squeueStatus, sacctOutcome } = await import('../../src/core/training/slurm');
    assert.equal(parseSbatchJobId('123456\n'), '123456');
    assert.equal(parseSbatchJobId('778;gpu-cluster\n'), '778');
    assert.equal(parseSbatchJobId('sbatch: error: invalid partition'), undefined);
    assert.equal(squeueStatus('PENDING\n'), 'queued');
    assert.equal(squeueStatus('RUNNING'), 'running');
    assert.equal(squeueStatus(''), undefined);
    assert.deepEqual(sacctOutcome('COMPLETED \n'), { code: 0 });
    assert.deepEqual(sacctOutcome('CANCELLED by 1000'), { code: undefined, stopped: true });
    assert.deepEqual(sacctOutcome('OUT_OF_MEMORY'), { code: 1 });
    // with -o State,ExitCode: the job script's own code ("<code>:<signal>"), a signal as 128 + n
    assert.deepEqual(sacctOutcome('FAILED      127:0 \n'), { code: 127 });
    assert.deepEqual(sacctOutcome('TIMEOUT 0:15'), { code: 143 });
    assert.deepEqual(sacctOutcome('OUT_OF_MEMORY 0:0'), { code: 1 });
    assert.equal(sacctOutcome('RUNNING'), undefined);
  });
});

describe('pipeline GPU lanes', () => {
  it('chains that share a GPU run one after the other; chains on other GPUs run alongside', async () => {
    const { runPipeline, lanesOf, chainsOf } = await import('../../src/core/training/pipeline');
    const gpus = { planner: '0', generator: '1', vanilla: '0,2' } as const;
    assert.deepEqual(
      lanesOf(chainsOf(['planner-sft', 'generator-sft', 'vanilla-sft']), (c) => gpus[c]),
      [[['planner-sft'], ['vanilla-sft']], [['generator-sft']]],
    );
    const running = new Set<string>();
    const together: string[][] = [];
    await runPipeline(
      ['planner-sft', 'planner-dpo', 'generator-sft', 'vanilla-sft'],
      async (stage) => {
        running.add(stage);
        together.push([...running].sort());
        await new Promise((r) => setTimeout(r, 15));
        running.delete(stage);
        return { code: 0 };
      },
      () => undefined,
      { gpus: (c) => gpus[c] },
    );
    assert.ok(
      together.every((set) => !(set.some((s) => s.startsWith('planner')) && set.includes('vanilla-sft'))),
      `planner and vanilla share GPU 0: ${JSON.stringify(together)}`,
    );
    assert.ok(
      together.some((set) => set.includes('generator-sft') && set.length > 1),
      'the generator chain ran alongside',
    );
  });

  it('a stage stopped while queued is never started, and its DPO neither', async () => {
    const { runPipeline } = await import('../../src/core/training/pipeline');
    const started: string[] = [];
    const final = await runPipeline(
      ['planner-sft', 'planner-dpo'],
      async (s) => (started.push(s), { code: 0 }),
      () => undefined,
      { cancelled: (s) => s === 'planner-sft' },
    );
    assert.deepEqual(started, []);
    assert.deepEqual(Object.fromEntries(final), { 'planner-sft': 'stopped', 'planner-dpo': 'not-started' });
  });
});

describe('generated files, details', () => {
  it('Slurm: no CUDA_VISIBLE_DEVICES in the stage script, #SBATCH values quoted for Slurm', async () => {
    const { stageScript, stageSbatch } = await import('../../src/core/training/scripts');
    const { experimentSchema } = await import('../../src/core/training/experiment');
    const e = experimentSchema.parse({
      name: 'x',
      launcher: 'slurm',
      model: { base: 'm', template: 'qwen' },
      datasets: { 'planner-sft': 'a.json' },
    });
    assert.doesNotMatch(
      stageScript(e, 'planner-sft', { experimentDir: '/e', configPath: 'c.yaml', outputDir: 'o' }),
      /CUDA_VISIBLE_DEVICES/,
    );
    const sb = stageSbatch(e, 'planner-sft', '/a b/s.sh', '/out dir/100%/x');
    assert.match(sb, /#SBATCH --output="\/out dir\/100%%\/x\/slurm-%j.out"/);
    assert.match(sb, /bash '\/a b\/s.sh'/);
  });

  it('TRL data copies keep a sharegpt system column as the first message', async () => {
    const t = tempDir();
    try {
      const dir = path.join(t.dir, 'demo');
      cpSync(path.join(REPO_ROOT, 'demo'), dir, { recursive: true });
      const exp = path.join(dir, 'esc-experiment.yaml');
      writeFileSync(
        exp,
        readFileSync(exp, 'utf8').replace('vanilla-sft: data/sft_vanilla_demo.json', 'vanilla-sft: data/sft_vanilla_sharegpt.json'),
      );
      const plan = await planTrainConfig(await loadExperiment(exp, { backend: 'trl' }), { outDir: path.join(dir, 'configs') });
      const copy = plan.files.find((f) => f.path.endsWith(`${path.sep}vanilla-sft.jsonl`))!;
      const first = JSON.parse(copy.content.split('\n')[0]!) as { messages: { role: string }[] };
      assert.deepEqual(
        first.messages.slice(0, 2).map((m) => m.role),
        ['system', 'user'],
      );
      await assert.rejects(
        planTrainConfig(
          await loadExperiment(exp, { backend: 'trl' }).then((l) => ({
            ...l,
            experiment: { ...l.experiment, dpo: { ...l.experiment.dpo, loss: 'orpo' as const } },
          })),
          { outDir: path.join(dir, 'c2') },
        ),
        /TRL's DPO takes one of/,
      );
    } finally {
      t.dispose();
    }
  });
});
