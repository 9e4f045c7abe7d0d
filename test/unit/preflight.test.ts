// Preflight: every problem of a launch at once, each with its fixes as ids — on a copy of the demo
// experiment made wrong in every way at the same time (no CLI, no GPU, a dataset of the wrong kind, a
// missing one, one that is not JSON, an output that exists), and on the demo as shipped.

import * as assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { launchable, onPath, preflight, type PreflightOptions } from '../../src/core/training/preflight';
import { REPO_ROOT, tempDir } from './helpers';

const options = (over: Partial<PreflightOptions> = {}): PreflightOptions => ({
  configDir: (l) => path.join(l.dir, '.esc', l.experiment.name),
  cli: { llamafactory: 'llamafactory-cli', trl: 'trl' },
  requireGpu: true,
  // no CLI on this PATH, and no GPU
  probes: { onPath: (c) => onPath(c, '/usr/bin:/bin'), gpuVisible: async () => false },
  ...over,
});

function demoCopy(dir: string, edit: (yaml: string) => string = (y) => y): string {
  cpSync(path.join(REPO_ROOT, 'demo'), dir, { recursive: true });
  const file = path.join(dir, 'esc-experiment.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return file;
}

describe('preflight', () => {
  it('finds every problem at once: no CLI, no GPU, wrong-kind / missing / invalid datasets, an existing output', async () => {
    const t = tempDir();
    try {
      const dir = path.join(t.dir, 'demo');
      const file = demoCopy(dir, (y) =>
        y
          .replace('planner-dpo: data/pref_planner_demo.json', 'planner-dpo: data/sft_vanilla_demo.json')
          .replace('generator-sft: data/sft_generator_demo.json', 'generator-sft: data/missing.json')
          .replace('vanilla-sft: data/sft_vanilla_demo.json', 'vanilla-sft: data/broken.json'),
      );
      writeFileSync(path.join(dir, 'data', 'broken.json'), '{"not": "a list"}');
      mkdirSync(path.join(dir, 'saves', 'demo-qwen', 'planner-sft'), { recursive: true });
      writeFileSync(path.join(dir, 'saves', 'demo-qwen', 'planner-sft', 'trainer_log.jsonl'), '{"current_steps": 1}\n');
      const report = await preflight(file, options());
      const seen = report.problems.map((p) => `${p.code}${p.stage ? ` ${p.stage}` : ''}: ${p.fixes.join(',')}`);
      assert.deepEqual(seen.sort(), [
        'cli-missing: setCli,setActivate',
        'dataset-invalid vanilla-sft: openDataset,validateDataset,editExperiment',
        'dataset-missing generator-sft: editExperiment',
        'dataset-wrong-kind planner-dpo: openDataset,validateDataset,editExperiment',
        'no-gpu: gpuHelp,useSlurm,skipGpuCheck',
        'output-exists planner-sft: overwrite,renameExperiment',
      ]);
      const byCode = new Map(report.problems.map((p) => [p.code, p]));
      assert.match(byCode.get('dataset-wrong-kind')!.message, /is a sft-vanilla file; this stage needs a pref-planner file/);
      assert.equal(byCode.get('dataset-wrong-kind')!.path, path.join(dir, 'data', 'sft_vanilla_demo.json'));
      assert.equal(byCode.get('dataset-wrong-kind')!.field, 'datasets.planner-dpo');
      assert.match(byCode.get('cli-missing')!.message, /llamafactory-cli is not on PATH.*escStudio\.training\.llamafactoryCli/);
      assert.match(byCode.get('no-gpu')!.message, /CUDA_VISIBLE_DEVICES.*Slurm/);
      assert.equal(report.plan, undefined, 'no configs can be written with bad datasets');
      assert.equal(launchable(report), false);
    } finally {
      t.dispose();
    }
  });

  it("launching one stage names another stage's broken dataset with its own fixes (the configs are written for every stage)", async () => {
    const t = tempDir();
    try {
      const dir = path.join(t.dir, 'demo');
      const file = demoCopy(dir, (y) => y.replace('vanilla-sft: data/sft_vanilla_demo.json', 'vanilla-sft: data/missing.json'));
      const report = await preflight(file, options({ stages: ['planner-sft'] }));
      const seen = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.code} ${p.stage ?? ''}: ${p.fixes.join(',')}`);
      assert.deepEqual(seen, ['dataset-missing vanilla-sft: editExperiment'], 'not one generic "configs" problem');
    } finally {
      t.dispose();
    }
  });

  it('with sound datasets the configs can still be written on a machine without CLI or GPU (Write Configs Only)', async () => {
    const t = tempDir();
    try {
      const file = demoCopy(path.join(t.dir, 'demo'));
      const report = await preflight(file, options());
      assert.deepEqual(report.problems.map((p) => p.code).sort(), ['cli-missing', 'no-gpu']);
      assert.ok(report.plan, 'the configs are planned');
      assert.ok(report.plan.files.some((f) => f.path.endsWith('planner-sft.sh')));
      assert.equal(launchable(report), true, 'warnings only: Launch Anyway');
    } finally {
      t.dispose();
    }
  });

  it('nothing to say when the CLI runs and a GPU is there; none of the machine checks under Slurm or when the GPU check is off', async () => {
    const t = tempDir();
    try {
      const cli = t.write('llamafactory-cli', '#!/bin/sh\n');
      chmodSync(cli, 0o755);
      const file = demoCopy(path.join(t.dir, 'demo'));
      const ok = await preflight(file, options({ cli: { llamafactory: cli, trl: 'trl' }, probes: { gpuVisible: async () => true } }));
      assert.deepEqual(ok.problems, []);
      const noCheck = await preflight(file, options({ requireGpu: false }));
      assert.deepEqual(
        noCheck.problems.map((p) => p.code),
        ['cli-missing'],
      );
      const slurm = demoCopy(path.join(t.dir, 'slurm'), (y) => y.replace('launcher: local', 'launcher: slurm'));
      assert.deepEqual((await preflight(slurm, options())).problems, []);
    } finally {
      t.dispose();
    }
  });

  it('a DPO stage alone needs its SFT adapter; an invalid experiment file says each of its errors', async () => {
    const t = tempDir();
    try {
      const file = demoCopy(path.join(t.dir, 'demo'));
      const dpo = await preflight(file, options({ stages: ['planner-dpo'], requireGpu: false, probes: { onPath: async () => true } }));
      assert.deepEqual(
        dpo.problems.map((p) => [p.code, p.fixes]),
        [['sft-adapter-missing', ['launchWithSft']]],
      );
      const bad = t.write('bad.esc-experiment.yaml', 'name: "has space"\nmodel: {base: x}\ndatasets: {}\n');
      const invalid = await preflight(bad, options());
      assert.ok(
        invalid.problems.length >= 2 && invalid.problems.every((p) => p.code === 'experiment-invalid' && p.fixes[0] === 'editExperiment'),
      );
    } finally {
      t.dispose();
    }
  });
});
