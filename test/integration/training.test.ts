// Launching in a real VS Code: a stand-in `llamafactory-cli` is placed first on PATH by this test.
// The real CLI is a GPU Python program that cannot run on these machines; the stand-in checks its
// YAML argument exists, writes trainer_log.jsonl lines over a few seconds to the config's
// output_dir, and exits 0 or 1 as the test asks. Everything else — configs, scripts, terminals,
// exit tracking, the pipeline, the Runs view, Stop — is the real extension.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { log } from './index';
import { SBATCH_REFUSAL, STAND_IN_LLAMAFACTORY_CLI as STUB, STAND_IN_SBATCH_REFUSING } from '../fixtures/standInCli';
import { api, workspaceDir } from './host';

describe('Training launch in a real VS Code (stand-in llamafactory-cli)', function () {
  this.timeout(180_000);
  const stubDir = path.join(tmpdir(), `esc-stub-${process.pid}`);
  const stubLog = path.join(stubDir, 'calls.log');

  before(async () => {
    mkdirSync(stubDir, { recursive: true });
    writeFileSync(path.join(stubDir, 'llamafactory-cli'), STUB, { mode: 0o755 });
    writeFileSync(stubLog, '');
    // first on PATH: for the preflight in this extension host, and for the terminals
    process.env.PATH = `${stubDir}${path.delimiter}${process.env.PATH ?? ''}`;
    await vscode.workspace
      .getConfiguration('terminal.integrated.env')
      .update(
        'linux',
        { PATH: `${stubDir}:\${env:PATH}`, ESC_STUB_LOG: stubLog, ESC_STUB_DIR: stubDir },
        vscode.ConfigurationTarget.Workspace,
      );
    await vscode.workspace.getConfiguration('escStudio.training').update('requireGpu', false, vscode.ConfigurationTarget.Workspace);
  });

  it('runs the pipeline: chains concurrently, DPO after its SFT, a failed SFT never starts its DPO; progress shows in the Runs view', async () => {
    const a = await api();
    writeFileSync(path.join(stubDir, 'fail'), 'generator-sft\n');
    const experiment = vscode.Uri.file(path.join(workspaceDir(), 'esc-experiment.yaml'));
    await a.runsModel.ready();
    const launched = vscode.commands.executeCommand<Map<string, string>>('escStudio.launchPipeline', experiment);
    // while it runs, the Runs view shows a running stage with progress from trainer_log.jsonl
    let sawProgress = '';
    const deadline = Date.now() + 60_000;
    while (!sawProgress && Date.now() < deadline) {
      const exp = a.runs.getChildren().find((n) => n.type === 'experiment');
      for (const node of exp ? a.runs.getChildren(exp) : []) {
        const d = String(a.runs.getTreeItem(node).description ?? '');
        if (/^running · \d+%/.test(d)) sawProgress = d;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(sawProgress, 'a running stage showed its progress');
    log(`  Runs view while running: "${sawProgress}"`);
    const final = await launched;
    assert.deepEqual(Object.fromEntries(final), {
      'planner-sft': 'succeeded',
      'generator-sft': 'failed',
      'planner-dpo': 'succeeded',
      'generator-dpo': 'not-started',
      'vanilla-sft': 'succeeded',
      'vanilla-dpo': 'succeeded',
    });
    const calls = readFileSync(stubLog, 'utf8').trim().split('\n');
    const at = (line: string): number => calls.indexOf(line);
    assert.ok(
      at('planner-sft start') < at('generator-sft end') && at('generator-sft start') < at('planner-sft end'),
      `chains ran concurrently: ${calls.join(', ')}`,
    );
    assert.ok(at('planner-dpo start') > at('planner-sft end'), 'the planner DPO waited for its SFT');
    assert.equal(at('generator-dpo start'), -1, 'the generator DPO never started');
    assert.ok(at('vanilla-dpo start') > at('vanilla-sft end'), 'the vanilla DPO waited for its SFT');
    const stageItem = a.runs.getTreeItem({ type: 'stage', run: a.runsModel.find(experiment.fsPath, 'planner-sft')! });
    assert.match(String(stageItem.description), /^succeeded · 100%/);
    // the generated, quoted script a user can rerun by hand
    assert.ok(existsSync(path.join(workspaceDir(), '.esc', 'demo-qwen', 'planner-sft.sh')));
  });

  it('Stop ends the running process and marks the stage stopped', async () => {
    const a = await api();
    writeFileSync(path.join(stubDir, 'slow'), '');
    const file = path.join(workspaceDir(), 'stop.esc-experiment.yaml');
    writeFileSync(
      file,
      ['name: stoptest', 'model: {base: x/y, template: qwen}', 'datasets:', '  planner-sft: data/sft_planner_demo.jsonl', ''].join('\n'),
    );
    await a.runsModel.load();
    const launched = vscode.commands.executeCommand<Map<string, string>>('escStudio.launchPipeline', vscode.Uri.file(file));
    let run = a.runsModel.find(file, 'planner-sft');
    const deadline = Date.now() + 30_000;
    while (!(run?.running && run.log?.progress) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      run = a.runsModel.find(file, 'planner-sft');
    }
    assert.ok(run?.running, 'the stage is running');
    const pid = Number(readFileSync(path.join(run.outputDir, 'esc-run.pid'), 'utf8'));
    await vscode.commands.executeCommand('escStudio.stopRun', { type: 'stage', run });
    const final = await launched;
    assert.equal(final.get('planner-sft'), 'stopped');
    const alive = (() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(alive, false, 'the process is gone');
    const calls = readFileSync(stubLog, 'utf8').trim().split('\n');
    assert.equal(calls[calls.length - 1], 'planner-sft start', 'the stopped run never reached its end');
    rmSync(path.join(stubDir, 'slow'), { force: true });
  });
});

describe('A stage that fails says why', function () {
  this.timeout(90_000);

  it('a CLI missing inside the activated environment: the stage fails with exit code 127 and bash\'s "not found" in its tooltip', async () => {
    const a = await api();
    const training = vscode.workspace.getConfiguration('escStudio.training');
    const file = path.join(workspaceDir(), 'nocli.esc-experiment.yaml');
    writeFileSync(
      file,
      ['name: nocli', 'model: {base: x/y, template: qwen}', 'datasets:', '  planner-sft: data/sft_planner_demo.jsonl', ''].join('\n'),
    );
    // with an activation command the CLI is on PATH only inside it, so the preflight cannot see that it is missing
    await training.update('llamafactoryCli', 'llamafactory-cli-not-installed', vscode.ConfigurationTarget.Workspace);
    await training.update('activateCommand', 'true', vscode.ConfigurationTarget.Workspace);
    await training.update('requireGpu', false, vscode.ConfigurationTarget.Workspace);
    try {
      await a.runsModel.load();
      const final = await vscode.commands.executeCommand<Map<string, string>>('escStudio.launchPipeline', vscode.Uri.file(file));
      assert.equal(final?.get('planner-sft'), 'failed');
      const run = a.runsModel.find(file, 'planner-sft')!;
      assert.equal(run.exitCode, 127);
      const item = (): vscode.TreeItem => a.runs.getTreeItem({ type: 'stage', run });
      // the last lines are read once the stage has failed (and again when tee has caught up)
      const deadline = Date.now() + 10_000;
      while (!/not found/.test(String(item().tooltip)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const tooltip = String(item().tooltip);
      assert.match(tooltip, /exit code 127 \(command not found\)/);
      assert.match(tooltip, /exec: llamafactory-cli-not-installed: not found/);
      assert.match(String(item().description), /^failed · exit code 127/);
      assert.match(run.output?.at(-1) ?? '', /exec: llamafactory-cli-not-installed: not found/);
      assert.ok(existsSync(path.join(run.outputDir, 'esc-run.log')), 'the output is kept in the output folder');
      log(`  failed stage, Runs view tooltip: "${tooltip.split('\n').slice(-2).join(' | ')}"`);
    } finally {
      await training.update('llamafactoryCli', undefined, vscode.ConfigurationTarget.Workspace);
      await training.update('activateCommand', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(file, { force: true });
      await a.runsModel.load();
    }
  });
});

describe('Slurm launch in a real VS Code (stand-in sbatch)', function () {
  this.timeout(60_000);
  const stubDir = path.join(tmpdir(), `esc-sbatch-${process.pid}`);
  const pathBefore = process.env.PATH;

  before(() => {
    mkdirSync(stubDir, { recursive: true });
    writeFileSync(path.join(stubDir, 'sbatch'), STAND_IN_SBATCH_REFUSING, { mode: 0o755 });
    // the extension host submits the job itself (no terminal): its PATH is the one that counts
    process.env.PATH = `${stubDir}${path.delimiter}${pathBefore ?? ''}`;
  });
  after(() => {
    process.env.PATH = pathBefore;
    rmSync(stubDir, { recursive: true, force: true });
  });

  it("a refused sbatch fails the stage with sbatch's own message, and opens no terminal for a job that does not exist", async () => {
    const a = await api();
    const file = path.join(workspaceDir(), 'slurm.esc-experiment.yaml');
    writeFileSync(
      file,
      [
        'name: slurmtest',
        'launcher: slurm',
        'model: {base: x/y, template: qwen}',
        'datasets:',
        '  planner-sft: data/sft_planner_demo.jsonl',
        '',
      ].join('\n'),
    );
    try {
      await a.runsModel.load();
      const terminals = vscode.window.terminals.length;
      const final = await vscode.commands.executeCommand<Map<string, string>>('escStudio.launchPipeline', vscode.Uri.file(file));
      assert.equal(final.get('planner-sft'), 'failed');
      const run = a.runsModel.find(file, 'planner-sft')!;
      assert.equal(run.error, SBATCH_REFUSAL, "the stage keeps sbatch's message, not prefixed twice");
      const tooltip = String(a.runs.getTreeItem({ type: 'stage', run }).tooltip);
      assert.ok(tooltip.includes(SBATCH_REFUSAL), `the Runs view shows it: ${tooltip}`);
      assert.equal(vscode.window.terminals.length, terminals, 'no terminal was opened');
      log(`  refused sbatch, Runs view tooltip: "${tooltip.split('\n')[1]}"`);
    } finally {
      rmSync(file, { force: true });
      await a.runsModel.load();
    }
  });
});

describe('Runs started elsewhere', function () {
  this.timeout(60_000);
  it('ESC: Open Run Folder attaches a folder outside the workspace and follows its log as it grows', async () => {
    const a = await api();
    const dir = path.join(tmpdir(), `esc-attached-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const line = (step: number): string =>
      JSON.stringify({
        current_steps: step,
        total_steps: 10,
        loss: 2 - step / 10,
        lr: 1e-5,
        epoch: step / 10,
        percentage: step * 10,
        elapsed_time: '0:00:01',
        remaining_time: '0:00:09',
      }) + '\n';
    writeFileSync(path.join(dir, 'trainer_log.jsonl'), line(1));
    await vscode.commands.executeCommand('escStudio.openRunFolder', vscode.Uri.file(dir));
    const describe = (): string => {
      const node = a.runs.getChildren().find((n) => n.type === 'attached' && n.run.dir === dir);
      return node ? String(a.runs.getTreeItem(node).description) : '';
    };
    const waitFor = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!re.test(describe()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.match(describe(), re);
    };
    await waitFor(/^10%/);
    writeFileSync(path.join(dir, 'trainer_log.jsonl'), line(1) + line(2) + line(3));
    await waitFor(/^30% · ETA 0:00:09 · loss 1\.7000$/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('ESC: New Decoupled Experiment in a real VS Code', function () {
  this.timeout(60_000);
  it('writes an experiment file from the guided picks, with a detected dataset of the right kind per stage', async () => {
    const a = await api();
    await a.datasets.ready();
    const created = vscode.commands.executeCommand<vscode.Uri | undefined>('escStudio.newExperiment');
    let result: vscode.Uri | undefined | 'pending' = 'pending';
    void created.then((u) => (result = u));
    // accept the default of each step (name, first preset, backend, launcher, the first file per stage), with up
    // to 30 s for all of them: on a loaded machine a pick can take seconds to show
    for (let i = 0; i < 75 && result === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const uri = await created;
    assert.ok(uri, 'an experiment file was written');
    assert.equal(path.basename(uri.fsPath), 'decoupled-qwen.esc-experiment.yaml', 'the existing esc-experiment.yaml was left alone');
    const { loadExperiment } = await import('../../src/core/training/trainConfig');
    const loaded = await loadExperiment(uri.fsPath);
    assert.equal(loaded.experiment.model.base, 'Qwen/Qwen2.5-7B-Instruct');
    assert.equal(loaded.experiment.model.template, 'qwen');
    assert.deepEqual(loaded.experiment.datasets, {
      'planner-sft': 'data/sft_planner_demo.jsonl',
      'generator-sft': 'data/sft_generator_demo.json',
      'planner-dpo': 'data/pref_planner_demo.json',
      'generator-dpo': 'data/pref_generator_demo.json',
      'vanilla-sft': 'data/sft_vanilla_demo.json',
      // pref_vanilla_trl.jsonl, in TRL's layout that LLaMA-Factory cannot read, is not offered
      'vanilla-dpo': 'data/pref_vanilla_demo.json',
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
