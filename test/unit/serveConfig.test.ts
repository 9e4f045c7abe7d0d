// Serving the trained stages: golden files for vllm / llamafactory × local / slurm (and merged), a
// quoting test that really runs the generated scripts in bash with stand-in `vllm` and
// `llamafactory-cli` executables on PATH, the planning errors, the Slurm node-list parser, and
// `esc serve-config` as a user runs it. Update the goldens with UPDATE_GOLDEN=1.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  baseUrlFor,
  defaultServeStages,
  EXPORT_DONE_FILE,
  ServeConfigError,
  servePlan,
  vllmMaxLoraRank,
  writeServePlan,
  deepspeedZeroStage,
  dpoOnSftOf,
} from '../../src/core/serve/serveConfig';
import { firstSlurmHost } from '../../src/core/serve/slurmHost';
import type { ServeOptions } from '../../src/core/serve/types';
import { ExperimentError, loadExperiment, type LoadedExperiment } from '../../src/core/training/trainConfig';
import { REPO_ROOT, tempDir } from './helpers';

const GOLDEN = path.join(REPO_ROOT, 'test', 'fixtures', 'golden', 'serve');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli.js');

/** Generated text with the machine-specific folder replaced by a placeholder. */
const normalise = (text: string, dir: string): string => text.split(dir).join('<EXPERIMENT_DIR>');

/**
 * A hand-written experiment: the planner chain trains SFT and DPO on GPU 0, the generator SFT and
 * DPO on GPUs 1,2 (tensor parallelism), the vanilla chain SFT only on GPU 3; LoRA rank 12 (vLLM
 * needs --max-lora-rank 16). Datasets are named, not read: planning a server reads no file.
 */
const EXPERIMENT = [
  'name: serve-demo',
  'model: {base: Qwen/Qwen2.5-7B-Instruct, template: qwen}',
  'datasets:',
  '  planner-sft: data/planner.jsonl',
  '  planner-dpo: data/planner-pairs.json',
  '  generator-sft: data/generator.json',
  '  generator-dpo: data/generator-pairs.json',
  '  vanilla-sft: data/vanilla.json',
  'lora: {rank: 12}',
  'gpus: {planner: "0", generator: "1,2", vanilla: "3"}',
  '',
].join('\n');

async function experimentIn(dir: string, text = EXPERIMENT): Promise<LoadedExperiment> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'esc-experiment.yaml'), text);
  return loadExperiment(path.join(dir, 'esc-experiment.yaml'));
}

describe('serve-config golden files', () => {
  const cases: [string, ServeOptions][] = [
    ['vllm-local', {}],
    ['vllm-slurm', { launcher: 'slurm' }],
    ['vllm-local-merged', { merged: true }],
    ['llamafactory-local', { engine: 'llamafactory' }],
    ['llamafactory-slurm', { engine: 'llamafactory', launcher: 'slurm' }],
    ['llamafactory-local-merged', { engine: 'llamafactory', merged: true }],
  ];
  for (const [name, opts] of cases) {
    it(name, async () => {
      const t = tempDir();
      try {
        const dir = path.join(t.dir, 'exp');
        const loaded = await experimentIn(dir);
        const plan = servePlan(loaded, path.join(dir, 'serve'), opts);
        const golden = path.join(GOLDEN, name);
        // the roles (endpoints, model names, argv) are part of the contract with the editor
        const roles = { path: path.join(dir, 'serve', 'roles.json'), content: JSON.stringify(plan.roles, null, 2) + '\n' };
        const files = [...plan.files, roles];
        if (UPDATE) {
          mkdirSync(golden, { recursive: true });
          for (const f of files) writeFileSync(path.join(golden, path.basename(f.path)), normalise(f.content, dir));
        }
        assert.deepEqual(files.map((f) => path.basename(f.path)).sort(), readdirSync(golden).sort());
        for (const f of files) {
          assert.equal(
            normalise(f.content, dir),
            readFileSync(path.join(golden, path.basename(f.path)), 'utf8'),
            `${name}/${path.basename(f.path)}`,
          );
        }
        for (const f of plan.files) assert.equal(f.executable === true, /\.(sh|sbatch)$/.test(f.path), `${f.path} executable`);
      } finally {
        t.dispose();
      }
    });
  }
});

describe('servePlan', () => {
  it('serves each chain its DPO stage, else its SFT stage, on the paper ports', async () => {
    const t = tempDir();
    try {
      const loaded = await experimentIn(t.dir);
      assert.deepEqual(defaultServeStages(loaded.experiment), ['planner-dpo', 'generator-dpo', 'vanilla-sft']);
      const plan = servePlan(loaded, path.join(t.dir, 'serve'));
      assert.deepEqual(
        plan.roles.map((r) => [r.role, r.stage, r.port, r.baseUrl, r.modelName, r.gpus]),
        [
          ['planner', 'planner-dpo', 8000, 'http://127.0.0.1:8000/v1', 'serve-demo-planner-dpo', '0'],
          ['generator', 'generator-dpo', 8001, 'http://127.0.0.1:8001/v1', 'serve-demo-generator-dpo', '1,2'],
          ['vanilla', 'vanilla-sft', 8002, 'http://127.0.0.1:8002/v1', 'serve-demo-vanilla-sft', '3'],
        ],
      );
      const planner = plan.roles[0]!;
      // the DPO adapter is a delta over base+SFT: the SFT adapter is merged first, the DPO one served as LoRA
      assert.deepEqual(planner.adapterDirs, [path.join(t.dir, 'saves', 'serve-demo', 'planner-sft'), planner.adapterDir]);
      assert.equal(planner.exportDir, path.join(t.dir, 'serve', 'merged', 'planner-sft'));
      assert.equal(planner.argv[2], planner.exportDir);
      assert.equal(plan.roles[2]!.argv[2], 'Qwen/Qwen2.5-7B-Instruct', 'an SFT stage is served on the base');
      assert.ok(plan.roles[1]!.argv.join(' ').includes('--tensor-parallel-size 2'));
      assert.ok(!plan.roles[0]!.argv.includes('--tensor-parallel-size'));
      assert.ok(!plan.roles.some((r) => r.argv.includes('--api-key')));
      assert.deepEqual(plan.warnings, []);
      assert.match(servePlan(loaded, t.dir, { engine: 'llamafactory' }).warnings!.join('\n'), /returns no logprobs/);
      assert.deepEqual(servePlan(loaded, t.dir, { engine: 'llamafactory', stages: ['generator-dpo'] }).warnings, []);
    } finally {
      t.dispose();
    }
  });

  it('serves a DPO adapter alone on the base when it ran under DeepSpeed ZeRO-3 (it resumed the SFT adapter)', async () => {
    const t = tempDir();
    try {
      const zero = (stage: unknown): string => JSON.stringify({ zero_optimization: { stage }, train_batch_size: 'auto' });
      writeFileSync(path.join(t.dir, 'z3.json'), zero(3));
      writeFileSync(path.join(t.dir, 'z2.json'), zero(2));
      const withDs = (ds: string, launcher = 'torchrun'): string => `${EXPERIMENT}launcher: ${launcher}\ndeepspeed: ${ds}\n`;
      const z3 = await experimentIn(t.dir, withDs('z3.json'));
      assert.equal(await deepspeedZeroStage(z3), 3);
      assert.equal(await dpoOnSftOf(z3), false);
      const plan = servePlan(z3, path.join(t.dir, 'serve'), { dpoOnSft: false, stages: ['planner-dpo'] });
      const planner = plan.roles[0]!;
      assert.deepEqual(
        planner.adapterDirs,
        [path.join(t.dir, 'saves', 'serve-demo', 'planner-dpo')],
        'the SFT adapter is not applied twice',
      );
      assert.equal(planner.exportDir, undefined, 'nothing to merge first');
      assert.equal(planner.argv[2], 'Qwen/Qwen2.5-7B-Instruct');
      const lf = servePlan(z3, path.join(t.dir, 'serve'), { dpoOnSft: false, engine: 'llamafactory', stages: ['planner-dpo'] });
      assert.match(lf.files.find((f) => f.path.endsWith('.yaml'))!.content, /^adapter_name_or_path: .*planner-dpo$/m);
      assert.doesNotMatch(lf.files.find((f) => f.path.endsWith('.yaml'))!.content, /planner-sft/);
      // ZeRO-2, or a DeepSpeed file that training does not use (not torchrun), keep the delta-over-SFT rule
      assert.equal(await dpoOnSftOf(await experimentIn(t.dir, withDs('z2.json'))), true);
      assert.equal(await deepspeedZeroStage(await experimentIn(t.dir, withDs('z3.json', 'local'))), undefined);
      await assert.rejects(
        deepspeedZeroStage(await experimentIn(t.dir, withDs('missing.json'))),
        /cannot read the DeepSpeed config .*missing\.json/,
      );
    } finally {
      t.dispose();
    }
  });

  it('rounds the LoRA rank up to one vLLM accepts', () => {
    assert.deepEqual([1, 2, 8, 12, 16, 33, 300, 512, 513].map(vllmMaxLoraRank), [1, 8, 8, 16, 16, 64, 320, 512, undefined]);
  });

  it('puts the LoRA module in JSON form when its path has "=" (vLLM splits name=path at every "=")', async () => {
    const t = tempDir();
    try {
      const loaded = await experimentIn(path.join(t.dir, 'a=b'));
      const argv = servePlan(loaded, path.join(t.dir, 'serve'), { stages: ['vanilla-sft'] }).roles[0]!.argv;
      const spec = argv[argv.indexOf('--lora-modules') + 1]!;
      assert.deepEqual(JSON.parse(spec), {
        name: 'serve-demo-vanilla-sft',
        path: path.join(t.dir, 'a=b', 'saves', 'serve-demo', 'vanilla-sft'),
      });
    } finally {
      t.dispose();
    }
  });

  it('refuses with every problem at once', async () => {
    const t = tempDir();
    try {
      const loaded = await experimentIn(t.dir);
      const problems = (opts: ServeOptions): string[] => {
        try {
          servePlan(loaded, path.join(t.dir, 'serve'), opts);
        } catch (err) {
          assert.ok(err instanceof ServeConfigError);
          assert.equal(err.message, err.problems.join('\n'));
          return err.problems;
        }
        assert.fail('no error');
      };
      assert.deepEqual(problems({ stages: ['planner-dpo', 'planner-sft', 'vanilla-dpo', 'critic-sft' as never] }), [
        'two stages for the planner: planner-dpo and planner-sft (one server per role)',
        'vanilla-dpo is not a stage of experiment "serve-demo" (it trains planner-sft, generator-sft, planner-dpo, generator-dpo, vanilla-sft)',
        '"critic-sft" is not a stage (one of planner-sft, generator-sft, planner-dpo, generator-dpo, vanilla-sft, vanilla-dpo)',
      ]);
      assert.deepEqual(problems({ ports: { planner: 8001 } }), ['port 8001 is used twice: by the planner and the generator']);
      assert.deepEqual(problems({ ports: { planner: 0, vanilla: 8000.5 } }), [
        'port of the planner: 0 is not a port (an integer from 1 to 65535)',
        'port of the vanilla: 8000.5 is not a port (an integer from 1 to 65535)',
      ]);
      assert.deepEqual(problems({ stages: [] }), ['no stage to serve: name at least one (e.g. planner-dpo)']);
      // a port clash with a role not served is no clash
      assert.equal(servePlan(loaded, t.dir, { stages: ['planner-dpo'], ports: { planner: 8001 } }).roles[0]!.port, 8001);
    } finally {
      t.dispose();
    }
  });

  it('refuses a LoRA rank vLLM cannot serve unless merged, and warns when two vLLM servers share a GPU', async () => {
    const t = tempDir();
    try {
      const loaded = await experimentIn(t.dir, EXPERIMENT.replace('rank: 12', 'rank: 1024').replace('vanilla: "3"', 'vanilla: "2"'));
      assert.throws(() => servePlan(loaded, t.dir), /lora.rank 1024 is above the largest LoRA rank vLLM serves \(512\)/);
      const plan = servePlan(loaded, t.dir, { merged: true });
      assert.deepEqual(plan.warnings, [
        "the generator and the vanilla share GPU 2: vLLM reserves 90% of a GPU's memory, so the second server will not start (set gpus.vanilla in the experiment, or serve fewer stages)",
      ]);
    } finally {
      t.dispose();
    }
  });

  it('a bad experiment file is an ExperimentError from loadExperiment', async () => {
    const t = tempDir();
    try {
      await assert.rejects(
        experimentIn(t.dir, 'name: [unclosed\n'),
        (err: unknown) => err instanceof ExperimentError && /is not valid YAML/.test(err.message),
      );
    } finally {
      t.dispose();
    }
  });

  it('baseUrlFor reaches a wildcard bind through the loopback address', () => {
    assert.equal(baseUrlFor('0.0.0.0', 8000), 'http://127.0.0.1:8000/v1');
    assert.equal(baseUrlFor('gpu-node-03', 8001), 'http://gpu-node-03:8001/v1');
    assert.equal(baseUrlFor('::1', 8002), 'http://[::1]:8002/v1');
  });
});

describe('Slurm node list', () => {
  it('gives the first host of squeue -o %N output', () => {
    assert.equal(firstSlurmHost('gpu-node-03\n'), 'gpu-node-03');
    assert.equal(firstSlurmHost('gpu[01-02]\n'), 'gpu01');
    assert.equal(firstSlurmHost('gpu[07,09-10],cpu5'), 'gpu07');
    assert.equal(firstSlurmHost('node1,node2'), 'node1');
    assert.equal(firstSlurmHost('rack[1-2]-gpu[007-008]'), 'rack1-gpu007');
    assert.equal(firstSlurmHost(''), undefined, 'pending: no node yet');
    assert.equal(firstSlurmHost('\n'), undefined);
    assert.equal(firstSlurmHost('(null)'), undefined);
  });
});

/** A stand-in engine: appends {name, argv, pid, cwd, env} as a JSON line to $STANDIN_LOG and exits (1 when $STANDIN_FAIL names it). */
function standIn(bin: string, name: string): void {
  mkdirSync(bin, { recursive: true });
  const file = path.join(bin, name);
  writeFileSync(
    file,
    [
      `#!${process.execPath}`,
      "const fs = require('node:fs');",
      'const e = process.env;',
      `fs.appendFileSync(e.STANDIN_LOG, JSON.stringify({ name: ${JSON.stringify(name)}, argv: process.argv.slice(2), pid: process.pid, cwd: process.cwd(),`,
      '  env: { CUDA_VISIBLE_DEVICES: e.CUDA_VISIBLE_DEVICES, API_HOST: e.API_HOST, API_PORT: e.API_PORT, API_MODEL_NAME: e.API_MODEL_NAME, ESC_ACTIVATED: e.ESC_ACTIVATED } }) + "\\n");',
      `if (e.STANDIN_FAIL === ${JSON.stringify(name)}) process.exit(1);`,
      // `export` makes its export_dir, as LLaMA-Factory's does
      "if (process.argv[2] === 'export') {",
      `  const config = require(${JSON.stringify(require.resolve('yaml'))}).parse(fs.readFileSync(process.argv[3], 'utf8'));`,
      '  fs.mkdirSync(config.export_dir, { recursive: true });',
      '}',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

interface Call {
  name: string;
  argv: string[];
  pid: number;
  cwd: string;
  env: Record<string, string | undefined>;
}

describe('serve scripts in real bash', () => {
  it('quote every path: spaces, quotes and $() run nothing; argv, GPUs and the pid are as planned', async () => {
    const t = tempDir();
    try {
      const nasty = `it's a "test" $(touch pwned) dir`;
      const dir = path.join(t.dir, nasty, 'exp `touch pwned2`');
      const loaded = await experimentIn(dir);
      const out = path.join(t.dir, `out $(touch pwned3) 'q' "dq"`);
      const bin = path.join(t.dir, 'bin');
      standIn(bin, 'vllm');
      standIn(bin, 'llamafactory-cli');
      const log = path.join(t.dir, 'calls.jsonl');
      const run = (script: string, fail?: string): Call[] => {
        writeFileSync(log, '');
        const r = spawnSync('bash', [script], {
          cwd: t.dir,
          encoding: 'utf8',
          env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, STANDIN_LOG: log, STANDIN_FAIL: fail ?? '' },
        });
        assert.equal(r.status, fail ? 1 : 0, r.stderr);
        return readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Call);
      };
      for (const engine of ['vllm', 'llamafactory'] as const) {
        for (const merged of [false, true]) {
          // a folder each, or one combination's export would be reused (skipped) by the next
          const plan = servePlan(loaded, path.join(out, `${engine}${merged ? '-merged' : ''}`), {
            engine,
            merged,
            activate: 'export ESC_ACTIVATED=yes',
          });
          await writeServePlan(plan);
          for (const role of plan.roles) {
            const what = `${engine}${merged ? ' merged' : ''} ${role.role}`;
            assert.ok(statSync(role.scriptPath).mode & 0o100, `${what}: script executable`);
            const calls = run(role.scriptPath);
            const server = calls[calls.length - 1]!;
            assert.equal(server.name, role.argv[0], what);
            assert.deepEqual(server.argv, role.argv.slice(1), what);
            assert.equal(server.env.CUDA_VISIBLE_DEVICES, role.gpus, what);
            assert.equal(server.env.ESC_ACTIVATED, 'yes', `${what}: activate line ran`);
            assert.equal(server.cwd, dir, `${what}: runs in the experiment folder`);
            for (const [k, v] of Object.entries(role.env ?? {})) assert.equal(server.env[k], v, `${what}: ${k}`);
            // exec: the server has the script's pid, the one the pid file holds
            assert.equal(readFileSync(role.pidFile!, 'utf8').trim(), String(server.pid), `${what}: pid file`);
            if (role.exportDir) {
              assert.equal(calls.length, 2, `${what}: export, then serve`);
              assert.equal(calls[0]!.name, 'llamafactory-cli');
              assert.equal(calls[0]!.argv[0], 'export');
              const config = parseYaml(readFileSync(calls[0]!.argv[1]!, 'utf8')) as Record<string, unknown>;
              assert.equal(config.export_dir, role.exportDir, `${what}: export_dir read back`);
              assert.equal(config.adapter_name_or_path, (merged ? role.adapterDirs! : role.adapterDirs!.slice(0, -1)).join(','));
            } else {
              assert.equal(calls.length, 1, `${what}: no export`);
            }
            if (engine === 'llamafactory') {
              const config = parseYaml(readFileSync(role.argv[2]!, 'utf8')) as Record<string, unknown>;
              if (merged) assert.equal(config.model_name_or_path, role.exportDir);
              else assert.equal(config.adapter_name_or_path, role.adapterDirs!.join(','), `${what}: adapters read back`);
            }
          }
        }
      }

      // the export runs once: a done-marker newer than the adapters skips it, a newer adapter redoes it
      const plan = servePlan(loaded, out, { stages: ['planner-dpo'] });
      await writeServePlan(plan);
      const role = plan.roles[0]!;
      const sft = role.adapterDirs![0]!;
      mkdirSync(sft, { recursive: true });
      writeFileSync(path.join(sft, 'adapter_config.json'), '{}');
      assert.deepEqual(
        run(role.scriptPath).map((c) => c.name),
        ['llamafactory-cli', 'vllm'],
        'first run: export, then serve',
      );
      assert.ok(existsSync(path.join(role.exportDir!, EXPORT_DONE_FILE)), 'export marked done');
      utimesSync(path.join(role.exportDir!, EXPORT_DONE_FILE), new Date(), new Date());
      utimesSync(path.join(sft, 'adapter_config.json'), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
      assert.deepEqual(
        run(role.scriptPath).map((c) => c.name),
        ['vllm'],
        'export skipped',
      );
      utimesSync(path.join(sft, 'adapter_config.json'), new Date(), new Date(Date.now() + 60_000));
      assert.deepEqual(
        run(role.scriptPath).map((c) => c.name),
        ['llamafactory-cli', 'vllm'],
        'export redone after retraining',
      );

      // a failed export stops the script before the server, and is not marked done
      rmSync(path.join(role.exportDir!, EXPORT_DONE_FILE));
      assert.deepEqual(
        run(role.scriptPath, 'llamafactory-cli').map((c) => c.name),
        ['llamafactory-cli'],
        'no server after a failed export',
      );
      assert.ok(!existsSync(path.join(role.exportDir!, EXPORT_DONE_FILE)));

      const pwned = spawnSync('find', [t.dir, process.cwd(), '-maxdepth', '4', '-name', 'pwned*'], { encoding: 'utf8' }).stdout.trim();
      assert.equal(pwned, '', 'nothing in a path ran');
    } finally {
      t.dispose();
    }
  });

  it('the Slurm wrapper names the job, the GPUs and a per-role log, and runs the quoted script', async () => {
    const t = tempDir();
    try {
      const dir = path.join(t.dir, 'exp "x" 100%');
      const loaded = await experimentIn(dir);
      const plan = servePlan(loaded, path.join(dir, 'serve'), { launcher: 'slurm', stages: ['generator-dpo'] });
      const role = plan.roles[0]!;
      assert.equal(role.baseUrl, 'http://<node>:8001/v1');
      assert.ok(role.argv.join(' ').endsWith('--host 0.0.0.0 --port 8001'), 'binds every interface under Slurm');
      const sbatch = plan.files.find((f) => f.path === role.sbatchPath)!.content;
      assert.match(sbatch, /^#SBATCH --job-name="esc-serve-serve-demo-generator"$/m);
      assert.match(sbatch, /^#SBATCH --gres=gpu:2$/m);
      assert.ok(
        sbatch.includes(
          `#SBATCH --output="${path.join(dir, 'serve').replace(/"/g, '\\"').replace(/%/g, '%%')}/serve-generator-slurm-%j.out"`,
        ),
      );
      const script = plan.files.find((f) => f.path === role.scriptPath)!.content;
      assert.ok(!script.includes('CUDA_VISIBLE_DEVICES'), 'the allocation numbers its GPUs');
    } finally {
      t.dispose();
    }
  });
});

describe('esc serve-config', () => {
  const esc = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('writes the scripts and prints one line per role, noting adapters not trained yet', async () => {
    const t = tempDir();
    try {
      const loaded = await experimentIn(t.dir);
      mkdirSync(path.join(t.dir, 'saves', 'serve-demo', 'vanilla-sft'), { recursive: true });
      writeFileSync(path.join(t.dir, 'saves', 'serve-demo', 'vanilla-sft', 'adapter_config.json'), '{}');
      const out = path.join(t.dir, 'serve');
      const r = esc('serve-config', loaded.file, '--out', out, '--ports', 'planner=9000', '--port-generator', '9001');
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.deepEqual(
        lines.filter((l) => !l.startsWith('note: ')).map((l) => l.split('\t').slice(0, 4)),
        [
          ['planner', 'planner-dpo', 'http://127.0.0.1:9000/v1', 'model serve-demo-planner-dpo'],
          ['generator', 'generator-dpo', 'http://127.0.0.1:9001/v1', 'model serve-demo-generator-dpo'],
          ['vanilla', 'vanilla-sft', 'http://127.0.0.1:8002/v1', 'model serve-demo-vanilla-sft'],
        ],
      );
      assert.ok(lines[0]!.endsWith('serve-planner.sh'));
      const notes = lines.filter((l) => l.startsWith('note: '));
      assert.equal(notes.length, 2, 'the planner and generator are untrained; the vanilla adapter is there');
      assert.match(
        notes[0]!,
        /^note: planner: no adapter yet in .*planner-sft, .*planner-dpo: train planner-sft and planner-dpo before starting serve-planner$/,
      );
      assert.ok(existsSync(path.join(out, 'serve-planner.sh')) && existsSync(path.join(out, 'merge-planner.yaml')));

      const j = esc('serve-config', loaded.file, '--out', out, '--launcher', 'slurm', '--stages', 'planner-sft', '--json');
      assert.equal(j.code, 0, j.stderr);
      const parsed = JSON.parse(j.stdout) as { roles: { baseUrl: string; sbatchPath: string }[]; files: string[] };
      assert.equal(parsed.roles[0]!.baseUrl, 'http://<node>:8000/v1');
      assert.ok(parsed.files.includes(parsed.roles[0]!.sbatchPath));

      // without --launcher, a Slurm experiment is served through Slurm too
      const slurmExp = await experimentIn(path.join(t.dir, 'slurm'), `${EXPERIMENT}launcher: slurm\n`);
      const k = esc('serve-config', slurmExp.file, '--out', path.join(t.dir, 'slurm', 'serve'), '--stages', 'planner-sft', '--json');
      assert.equal(k.code, 0, k.stderr);
      const ks = JSON.parse(k.stdout) as { launcher: string; roles: { baseUrl: string; sbatchPath?: string }[] };
      assert.equal(ks.launcher, 'slurm');
      assert.equal(ks.roles[0]!.baseUrl, 'http://<node>:8000/v1');
      assert.ok(ks.roles[0]!.sbatchPath);
    } finally {
      t.dispose();
    }
  });

  it('bad input: one line per problem, exit 2, nothing written', async () => {
    const t = tempDir();
    try {
      const loaded = await experimentIn(t.dir);
      const out = path.join(t.dir, 'never');
      const cases: [string[], RegExp][] = [
        [['--stages', 'planner-dpo,nope'], /^esc serve-config: "nope" is not a stage/],
        [['--ports', 'planner=8001'], /^esc serve-config: port 8001 is used twice: by the planner and the generator$/],
        [['--ports', 'planner=99999'], /^esc serve-config: --ports: the planner's port must be an integer from 1 to 65535, not "99999"$/],
        [['--ports', 'critic=1'], /^esc serve-config: --ports: "critic" is not a role/],
        [['--engine', 'tgi'], /^esc serve-config: --engine must be vllm or llamafactory, not "tgi"$/],
        [['--launcher', 'torchrun'], /^esc serve-config: --launcher must be local or slurm/],
      ];
      for (const [args, message] of cases) {
        const r = esc('serve-config', loaded.file, '--out', out, ...args);
        assert.equal(r.code, 2, args.join(' '));
        assert.match(r.stderr.trim().split('\n')[0]!, message);
        assert.ok(!r.stderr.includes('    at '), 'no stack trace');
      }
      writeFileSync(path.join(t.dir, 'bad.yaml'), 'name: [unclosed\n');
      const bad = esc('serve-config', path.join(t.dir, 'bad.yaml'), '--out', out);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /is not valid YAML/);
      const missing = esc('serve-config', loaded.file);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /missing --out/);
      assert.ok(!existsSync(out), 'nothing written');
    } finally {
      t.dispose();
    }
  });
});
