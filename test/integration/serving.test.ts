// Serving in a real VS Code: a stand-in `vllm` (test/fixtures/standInVllm.ts behind a sh wrapper) and a
// stand-in `nvidia-smi` listing two GPUs are placed first on PATH by this test — in this extension
// host's process.env (the preflight) and through terminal.integrated.env.linux (the servers' terminals).
// The real vLLM needs a GPU these machines lack; everything else — the plan, the preflight, the
// scripts, the terminals and their wrapper, /models polling, the Runs view rows, the Playground
// endpoints, Stop Serving's process-group kill — is the real extension.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import type { RunInferenceResult } from '../../src/features/evaluations/runInference';
import type { MinePairsResult } from '../../src/features/mining';
import type { ServeStagesResult, Server } from '../../src/features/serving';
import { groupAlive, processAlive as alive } from '../../src/core/util/processGroup';
import { onPath } from '../../src/core/training/preflight';
import { STAND_IN_FAILURE, STAND_IN_LLAMAFACTORY_EXPORT, STAND_IN_REPLY, STAND_IN_SLURM } from '../fixtures/standInVllm';
import { api, withTimeout, workspaceDir } from './host';
import { log } from './index';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

/** The stand-in's starts: the server's pid, its engine child's, and its argv. */
const starts = (argvLog: string): { pid: number; engine: number; argv: string[] }[] =>
  readFileSync(argvLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { pid: number; engine: number; argv: string[] });

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Serving in a real VS Code (stand-in vllm)', function () {
  this.timeout(120_000);
  const stubDir = path.join(tmpdir(), `esc-vllm-${process.pid}`);
  const argvLog = path.join(stubDir, 'argv.log');
  const playground = vscode.workspace.getConfiguration('escStudio.playground');
  const ENDPOINT_KEYS = ['planner.baseUrl', 'planner.model', 'generator.baseUrl', 'generator.model'];
  let file = '';
  let ports: { planner: number; generator: number };

  /** The Runs view's rows of the experiment's servers, as drawn. */
  const rows = async (): Promise<{ server: Server; item: vscode.TreeItem }[]> => {
    const a = await api();
    const exp = a.runs.getChildren().find((n) => n.type === 'experiment' && n.entry.file === file);
    return (exp ? a.runs.getChildren(exp) : []).flatMap((n) =>
      n.type === 'row' ? [{ server: n.value as Server, item: a.runs.getTreeItem(n) }] : [],
    );
  };

  before(async () => {
    mkdirSync(stubDir, { recursive: true });
    const fixture = path.join(__dirname, '..', 'fixtures', 'standInVllm.js');
    writeFileSync(path.join(stubDir, 'vllm'), `#!/bin/sh\nexec ${quote([process.execPath, fixture])} "$@"\n`, { mode: 0o755 });
    // a DPO adapter is served on base+SFT merged, which the script exports first with LLaMA-Factory
    writeFileSync(path.join(stubDir, 'llamafactory-cli'), STAND_IN_LLAMAFACTORY_EXPORT, { mode: 0o755 });
    writeFileSync(
      path.join(stubDir, 'nvidia-smi'),
      '#!/bin/sh\necho "GPU 0: Stand-in GPU (UUID: GPU-stand-in-0)"\necho "GPU 1: Stand-in GPU (UUID: GPU-stand-in-1)"\n',
      { mode: 0o755 },
    );
    writeFileSync(argvLog, '');
    process.env.PATH = `${stubDir}${path.delimiter}${process.env.PATH ?? ''}`;
    await vscode.workspace
      .getConfiguration('terminal.integrated.env')
      .update(
        'linux',
        { PATH: `${stubDir}:\${env:PATH}`, ESC_VLLM_LOG: argvLog, ESC_VLLM_DIR: stubDir },
        vscode.ConfigurationTarget.Workspace,
      );
    ports = { planner: await freePort(), generator: await freePort() };
    await vscode.workspace.getConfiguration('escStudio.serving').update('ports', ports, vscode.ConfigurationTarget.Workspace);
    for (const k of ENDPOINT_KEYS) {
      await playground.update(k, undefined, vscode.ConfigurationTarget.Global);
      await playground.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    }
    // an experiment whose four stages succeeded: each output folder holds its adapter
    const ws = workspaceDir();
    file = path.join(ws, 'serve.esc-experiment.yaml');
    writeFileSync(
      file,
      [
        'name: servetest',
        'model: {base: Qwen/Qwen2.5-7B-Instruct, template: qwen}',
        'datasets:',
        '  planner-sft: data/sft_planner_demo.jsonl',
        '  generator-sft: data/sft_generator_demo.json',
        '  planner-dpo: data/pref_planner_demo.json',
        '  generator-dpo: data/pref_generator_demo.json',
        'gpus: {planner: "0", generator: "1"}',
        '',
      ].join('\n'),
    );
    const saves = path.join(ws, 'saves', 'servetest');
    for (const stage of ['planner-sft', 'generator-sft', 'planner-dpo', 'generator-dpo']) {
      mkdirSync(path.join(saves, stage), { recursive: true });
      writeFileSync(path.join(saves, stage, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16 }));
    }
    await (await api()).runsModel.load();
  });

  after(async () => {
    await vscode.commands.executeCommand('escStudio.stopServing', vscode.Uri.file(file));
    for (const k of ENDPOINT_KEYS) await playground.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('escStudio.serving').update('ports', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(file, { force: true });
    rmSync(path.join(workspaceDir(), 'saves', 'servetest'), { recursive: true, force: true });
    rmSync(stubDir, { recursive: true, force: true });
  });

  it('Serve Stages → ready in the Runs view → a Playground turn answered by the served planner and generator → Stop Serving ends the process group', async () => {
    const a = await api();
    const s = a.playground.session;
    s.setBackend('embedded');
    const result = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
      experiment: file,
      stages: ['planner-dpo', 'generator-dpo'],
    }))!;
    assert.equal(result.status, 'started', JSON.stringify(result.problems));
    const plan = result.plan!;
    assert.deepEqual(
      plan.roles.map((r) => [r.role, r.baseUrl, r.modelName]),
      [
        ['planner', `http://127.0.0.1:${ports.planner}/v1`, 'servetest-planner-dpo'],
        ['generator', `http://127.0.0.1:${ports.generator}/v1`, 'servetest-generator-dpo'],
      ],
    );
    // starting first (the stand-in waits before it listens), then ready, as the Runs view draws them
    const starting = (await rows()).map((r) => String(r.item.description));
    assert.equal(starting.length, 2);
    assert.ok(
      starting.every((d) => d.startsWith('starting')),
      starting.join(' | '),
    );
    const ready = await until('both servers ready', 60_000, async () => {
      const rs = await rows();
      return rs.length === 2 && rs.every((r) => String(r.item.description).startsWith('ready')) ? rs : undefined;
    });
    log(`  Runs view: ${ready.map((r) => `${String(r.item.label)}: ${String(r.item.description)}`).join(' | ')}`);
    // the Playground is pointed at them (nothing else was configured, so nothing was asked), and its session uses them
    assert.equal(await withTimeout(result.settled!, 10_000, 'the Playground endpoints set'), 'replaced');
    assert.equal(s.backend, 'openai', 'the Playground session was switched to the served endpoints');
    const c = vscode.workspace.getConfiguration('escStudio.playground');
    assert.equal(c.get('planner.baseUrl'), `http://127.0.0.1:${ports.planner}/v1`);
    assert.equal(c.get('planner.model'), 'servetest-planner-dpo');
    assert.equal(c.get('generator.baseUrl'), `http://127.0.0.1:${ports.generator}/v1`);
    assert.equal(c.get('generator.model'), 'servetest-generator-dpo');

    // a Playground turn answered by the served models, with the planner's probabilities
    s.reset();
    s.setMode('decoupled');
    await s.send('I feel so alone since I moved.');
    const turn = s.conversation.lastSupporter()!;
    const cand = turn.candidates[0]!;
    assert.equal(cand.status, 'done', JSON.stringify(cand.error));
    assert.equal(cand.strategy, 'Reflection of feelings');
    assert.ok(Math.abs(cand.probabilities!['Reflection of feelings']! - 0.6) < 1e-6, JSON.stringify(cand.probabilities));
    assert.ok(Math.abs(cand.probabilities!.Question! - 0.3) < 1e-6);
    assert.equal(cand.reply, STAND_IN_REPLY);
    s.setBackend('embedded');

    // the merged base+SFT weights each DPO adapter is served on were exported first
    for (const role of plan.roles) assert.ok(existsSync(path.join(role.exportDir!, 'config.json')), role.exportDir);
    // each server was started with exactly the plan's argv
    const started = starts(argvLog);
    for (const role of plan.roles) {
      assert.ok(path.basename(role.argv[0]!) === 'vllm', role.argv[0]);
      assert.ok(
        started.some((x) => JSON.stringify(x.argv) === JSON.stringify(role.argv.slice(1))),
        `${role.role}: ${JSON.stringify(role.argv.slice(1))} not among ${JSON.stringify(started.map((x) => x.argv))}`,
      );
    }

    // Run Inference and Mine Preference Pairs offer the served models as their own source, whatever the Playground is set to
    for (const k of ['planner.baseUrl', 'generator.baseUrl']) {
      await playground.update(k, 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Workspace);
    }
    const out = path.join(stubDir, 'served-decoupled.json');
    const inferred = await vscode.commands.executeCommand<RunInferenceResult>('escStudio.runInference', {
      file: path.join(workspaceDir(), 'data', 'sft_vanilla_demo.json'),
      mode: 'decoupled',
      source: 'served',
      concurrency: 2,
      limit: 3,
      out,
      overwrite: true,
    });
    assert.equal(inferred?.status, 'done', inferred?.error);
    assert.ok(readFileSync(out, 'utf8').includes(STAND_IN_REPLY), 'the inference file holds the served generator’s replies');
    const mined = await vscode.commands.executeCommand<MinePairsResult>('escStudio.minePairs', {
      file: path.join(workspaceDir(), 'data', 'sft_vanilla_demo.json'),
      roles: ['planner'],
      source: 'served',
      judge: null,
      concurrency: 2,
      limit: 3,
      outDir: path.join(stubDir, 'mined'),
    });
    assert.equal(mined?.status, 'done', mined?.error);

    // serving a role again while it runs is refused (the first server would be left with no row to stop it)
    const again = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
      experiment: file,
      stages: ['planner-dpo'],
      preflightOnly: true,
    }))!;
    assert.equal(again.status, 'blocked');
    assert.match(again.problems![0]!, /^The planner of "servetest" is already served \(ready, /);
    assert.equal(again.problems!.length, 1, again.problems!.join('\n'));

    // every request the Playground, Run Inference and mining sent named the served LoRA module, not the base model
    const requested = readFileSync(path.join(stubDir, 'requests.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { model: string });
    assert.ok(requested.length >= 3, String(requested.length));
    assert.deepEqual([...new Set(requested.map((r) => r.model))].sort(), ['servetest-generator-dpo', 'servetest-planner-dpo']);

    // Stop Serving: the whole process group (wrapper, script → server and its engine child, tee) is gone
    const groups = await Promise.all(result.servers!.map((x) => x.handle!.pid!()));
    const serverPids = started.flatMap((x) => [x.pid, x.engine]);
    assert.ok(
      groups.every((g) => g !== undefined && alive(g)),
      `group leaders ${groups.join(', ')}`,
    );
    assert.ok(serverPids.every(alive));
    const stopped = await vscode.commands.executeCommand<Server[]>('escStudio.stopServing', vscode.Uri.file(file));
    assert.deepEqual(
      stopped!.map((x) => x.status),
      ['stopped', 'stopped'],
    );
    for (const g of groups) {
      assert.equal(alive(g!), false, `group leader ${g} still exists`);
      assert.equal(groupAlive(g!), false, `a process of group ${g} is left`);
    }
    for (const p of serverPids) assert.equal(alive(p), false, `server ${p} still exists`);
    const after = await rows();
    assert.ok(
      after.every((r) => String(r.item.description).startsWith('stopped')),
      after.map((r) => String(r.item.description)).join(' | '),
    );
  });

  it('a window reload: the served rows come back from workspaceState, ready; their port is "already served"; Stop Serving ends the group', async () => {
    const a = await api();
    writeFileSync(argvLog, '');
    const result = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
      experiment: file,
      stages: ['planner-dpo'],
      playground: 'keep',
    }))!;
    assert.equal(result.status, 'started', JSON.stringify(result.problems));
    await withTimeout(result.settled!, 60_000, 'the planner ready');
    const before = result.servers![0]!;
    assert.equal(before.status, 'ready', before.reason);
    const group = await before.handle!.pid!();
    // the window reloads: the servers in memory are gone, their terminal and processes are not
    const back = await a.serving.restore(true);
    assert.equal(back.length, 1);
    const restored = back[0]!;
    assert.notEqual(restored, before);
    assert.equal(restored.role, 'planner');
    assert.equal(restored.baseUrl, `http://127.0.0.1:${ports.planner}/v1`);
    assert.equal(await restored.handle!.pid!(), group);
    const row = await until('the restored row ready', 20_000, async () =>
      (await rows()).find((r) => r.server === restored && String(r.item.description).startsWith('ready')),
    );
    log(`  after a reload: ${String(row.item.description)}`);
    // serving it again: the row says it is served; another experiment on its port: "already served", not another program
    const again = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
      experiment: file,
      stages: ['planner-dpo'],
      preflightOnly: true,
    }))!;
    assert.equal(again.status, 'blocked');
    assert.match(again.problems!.join('\n'), /^The planner of "servetest" is already served \(ready, /);
    const other = file.replace(/\.yaml$/, '.other.esc-experiment.yaml');
    writeFileSync(other, readFileSync(file, 'utf8'));
    try {
      const clash = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
        experiment: other,
        stages: ['planner-dpo'],
        preflightOnly: true,
      }))!;
      assert.equal(clash.status, 'blocked');
      assert.match(clash.problems!.join('\n'), new RegExp(`Port ${ports.planner} \\(the planner\\) is already served by ESC Studio`));
      assert.doesNotMatch(clash.problems!.join('\n'), /another program/);
    } finally {
      rmSync(other, { force: true });
    }
    // had the kept state been lost too, the preflight still finds the running wrapper of the script
    a.serving.servers.forget();
    const lost = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
      experiment: file,
      stages: ['planner-dpo'],
      preflightOnly: true,
    }))!;
    assert.equal(lost.status, 'blocked');
    assert.match(lost.problems!.join('\n'), new RegExp(`The planner script of "servetest" still runs \\(process group ${group},`));
    assert.equal((await a.serving.restore()).length, 1);
    const { pid, engine } = starts(argvLog)[0]!;
    const stopped = await vscode.commands.executeCommand<Server[]>('escStudio.stopServing', { experiment: file });
    assert.deepEqual(
      stopped!.map((x) => x.status),
      ['stopped'],
    );
    assert.equal(groupAlive(group!), false, `a process of group ${group} is left`);
    assert.equal(alive(pid), false);
    assert.equal(alive(engine), false, 'the engine child was stopped with its group');
    // nothing is kept to follow again
    assert.deepEqual(await a.serving.restore(true), []);
  });

  it('two quick Serve Stages start one set of servers; Stop Serving while a slow merged export runs ends it', async () => {
    writeFileSync(argvLog, '');
    writeFileSync(path.join(stubDir, 'slow-export'), '');
    const exportDone = path.join(workspaceDir(), 'saves', 'servetest', 'serve', 'merged', 'planner-sft', 'esc-export.done');
    rmSync(exportDone, { force: true });
    try {
      const options = { experiment: file, stages: ['planner-dpo'], playground: 'keep' };
      const [first, second] = (await Promise.all([
        vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', options),
        vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', options),
      ]))!;
      assert.deepEqual([first!.status, second!.status].sort(), ['busy', 'started']);
      const result = first!.status === 'started' ? first! : second!;
      const server = result.servers![0]!;
      // the export runs (it sleeps): the server is still starting
      const exportPid = await until('the export running', 20_000, async () =>
        existsSync(path.join(stubDir, 'export.pid')) ? Number(readFileSync(path.join(stubDir, 'export.pid'), 'utf8')) : undefined,
      );
      assert.equal(server.status, 'starting');
      const group = await server.handle!.pid!();
      const stopped = await vscode.commands.executeCommand<Server[]>('escStudio.stopServing', { experiment: file });
      assert.deepEqual(
        stopped!.map((x) => x.status),
        ['stopped'],
      );
      assert.equal(alive(exportPid), false, 'the export was stopped with its group');
      assert.equal(groupAlive(group!), false);
      await withTimeout(result.settled!, 10_000, 'the stopped server settled');
      assert.equal(readFileSync(argvLog, 'utf8').trim(), '', 'no server was started after the stop');
    } finally {
      rmSync(path.join(stubDir, 'slow-export'), { force: true });
      rmSync(path.join(stubDir, 'export.pid'), { force: true });
    }
  });

  it('a server that exits 1 at start-up is shown as failed, with its last output lines and the exit status', async () => {
    writeFileSync(path.join(stubDir, 'fail'), '');
    try {
      const result = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
        experiment: file,
        stages: ['planner-dpo'],
      }))!;
      assert.equal(result.status, 'started', JSON.stringify(result.problems));
      await withTimeout(result.settled!, 30_000, 'the planner server settled');
      const [row] = (await rows()).filter((r) => r.server.role === 'planner');
      assert.ok(row);
      const description = String(row.item.description);
      assert.match(description, /^failed \(exit 1\)/);
      assert.ok(description.includes(STAND_IN_FAILURE), description);
      const tooltip = String(row.item.tooltip);
      assert.ok(tooltip.includes('Engine core initialization failed') && tooltip.includes(STAND_IN_FAILURE), tooltip);
      log(`  failed server row: ${description}`);
    } finally {
      rmSync(path.join(stubDir, 'fail'), { force: true });
    }
  });

  it('the preflight reports every problem at once: engine CLI, export CLI, GPU, a failed stage, a missing adapter, a port in use', async () => {
    const ws = workspaceDir();
    const a = await api();
    const serving = vscode.workspace.getConfiguration('escStudio.serving');
    const training = vscode.workspace.getConfiguration('escStudio.training');
    // the generator's base+SFT export is still to make: the CLI the script runs for it is the configured one
    rmSync(path.join(ws, 'saves', 'servetest', 'serve', 'merged', 'generator-sft', 'esc-export.done'), { force: true });
    const held = createServer();
    await new Promise<void>((r) => held.listen(ports.planner, '127.0.0.1', r));
    const adapter = path.join(ws, 'saves', 'servetest', 'generator-dpo', 'adapter_config.json');
    const kept = readFileSync(adapter);
    rmSync(adapter);
    const gpus = file.replace(/\.yaml$/, '.gpus.esc-experiment.yaml');
    try {
      await serving.update('vllmCli', 'vllm-not-installed', vscode.ConfigurationTarget.Workspace);
      await training.update('llamafactoryCli', 'lf-export-not-installed', vscode.ConfigurationTarget.Workspace);
      // the generator's chain on GPU 3, which the stand-in nvidia-smi does not list
      writeFileSync(gpus, readFileSync(file, 'utf8').replace('generator: "1"', 'generator: "3"'));
      // the planner's DPO stage failed in its latest run, though an earlier run left its adapter (set once the
      // Runs view has seen the new file, so its reload does not undo it)
      await a.runsModel.load();
      await new Promise((r) => setTimeout(r, 1000));
      await a.runsModel.ready();
      a.runsModel.ensure(gpus, 'planner-dpo', path.join(ws, 'saves', 'servetest', 'planner-dpo')).status = 'failed';
      const result = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
        experiment: gpus,
        stages: ['planner-dpo', 'generator-dpo'],
        preflightOnly: true,
      }))!;
      assert.equal(result.status, 'blocked');
      const problems = result.problems!;
      log(`  preflight: ${problems.join(' | ')}`);
      assert.equal(problems.length, 6, problems.join('\n'));
      // each CLI names its own setting, not the other's
      assert.match(problems[0]!, /^vllm-not-installed is not on PATH: .*\(escStudio\.serving\.vllmCli\)/);
      assert.doesNotMatch(problems[0]!, /llamafactoryCli/);
      assert.match(
        problems[1]!,
        /^lf-export-not-installed is not on PATH: install LLaMA-Factory .*, which exports the merged weights first, or set its path \(escStudio\.training\.llamafactoryCli\)/,
      );
      assert.match(problems[2]!, /^GPU 3 \(of the generator\) is not visible: nvidia-smi lists GPU 0, 1/);
      assert.match(problems[3]!, /^planner-dpo \(served as the planner\) failed in its latest run/);
      assert.match(problems[4]!, /^generator-dpo \(served as the generator\) has no adapter/);
      assert.match(problems[5]!, new RegExp(`^Port ${ports.planner} \\(the planner\\) is in use by another program`));
    } finally {
      writeFileSync(adapter, kept);
      rmSync(gpus, { force: true });
      await serving.update('vllmCli', undefined, vscode.ConfigurationTarget.Workspace);
      await training.update('llamafactoryCli', undefined, vscode.ConfigurationTarget.Workspace);
      await a.runsModel.load();
      held.close();
    }
  });

  it('the editor plans as esc serve-config: a ZeRO-3 DPO adapter served over the base alone, escStudio.serving.merged, an unreadable DeepSpeed config shown', async () => {
    const serving = vscode.workspace.getConfiguration('escStudio.serving');
    const zero = file.replace(/\.yaml$/, '.zero3.esc-experiment.yaml');
    const ds = path.join(workspaceDir(), 'ds-zero3.json');
    writeFileSync(ds, JSON.stringify({ zero_optimization: { stage: 3 } }));
    writeFileSync(
      zero,
      readFileSync(file, 'utf8').replace('name: servetest', 'name: servetest\nlauncher: torchrun\ndeepspeed: ds-zero3.json'),
    );
    const plan = async (experiment: string): Promise<ServeStagesResult> =>
      (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
        experiment,
        stages: ['planner-dpo'],
        preflightOnly: true,
      }))!;
    try {
      // under ZeRO-3 the DPO run kept training the SFT adapter: no base+SFT export under it
      const z = (await plan(zero)).plan!.roles[0]!;
      assert.equal(z.exportDir, undefined, JSON.stringify(z.argv));
      assert.deepEqual(z.adapterDirs?.map((d) => path.basename(d)) ?? [path.basename(z.adapterDir)], ['planner-dpo']);
      // the usual DPO: served on base+SFT merged
      const usual = (await plan(file)).plan!.roles[0]!;
      assert.equal(path.basename(usual.exportDir!), 'planner-sft');
      // merged weights: everything merged, then served
      await serving.update('merged', true, vscode.ConfigurationTarget.Workspace);
      const merged = (await plan(file)).plan!.roles[0]!;
      assert.equal(path.basename(merged.exportDir!), 'planner-dpo');
      assert.ok(!merged.argv.includes('--enable-lora'), JSON.stringify(merged.argv));
      // the DeepSpeed config decides what is served: one that cannot be read is a plan error
      rmSync(ds);
      const bad = await plan(zero);
      assert.equal(bad.status, 'invalid');
      assert.match(bad.problems!.join('\n'), /cannot read the DeepSpeed config/);
    } finally {
      await serving.update('merged', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(zero, { force: true });
      rmSync(ds, { force: true });
    }
  });

  it('Attach Model Server: a server started elsewhere (with an API key and a LoRA module), checked with GET /models, shown in the Runs view and used by the Playground', async () => {
    const a = await api();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        path.join(__dirname, '..', 'fixtures', 'standInVllm.js'),
        'serve',
        'elsewhere-model',
        '--port',
        String(port),
        '--api-key',
        'sk-elsewhere',
        '--enable-lora',
        '--lora-modules',
        'elsewhere-lora=/adapters/elsewhere',
      ],
      {
        stdio: 'ignore',
      },
    );
    try {
      const url = `http://127.0.0.1:${port}/v1`;
      await until('the stand-in listening', 20_000, async () =>
        (await fetch(`${url}/models`).catch(() => undefined))?.status === 401 ? true : undefined,
      );
      // without its key the server refuses: nothing is attached
      const refused = await vscode.commands.executeCommand<Server | undefined>('escStudio.attachServer', { url, role: 'vanilla' });
      assert.equal(refused, undefined);
      const first = await vscode.commands.executeCommand<Server>('escStudio.attachServer', {
        url,
        role: 'vanilla',
        apiKey: 'sk-elsewhere',
        playground: 'replace',
      });
      assert.equal(first?.status, 'ready');
      await vscode.commands.executeCommand('escStudio.stopServing', { type: 'row', owner: a.serving.servers, value: first });
      // a ready server whose /models does not list its model is not offered to Run Inference and mining
      const wrong = await vscode.commands.executeCommand<Server>('escStudio.attachServer', {
        url,
        role: 'vanilla',
        model: 'no-such-model',
        playground: 'keep',
      });
      assert.equal(wrong?.status, 'ready');
      assert.equal(a.serving.servers.endpoint('vanilla'), undefined);
      await vscode.commands.executeCommand('escStudio.stopServing', { type: 'row', owner: a.serving.servers, value: wrong });
      // attached again without a key: the one kept in SecretStorage for the vanilla role at this server is used
      const server = await vscode.commands.executeCommand<Server>('escStudio.attachServer', {
        url,
        role: 'vanilla',
        playground: 'replace',
      });
      assert.equal(server?.status, 'ready');
      assert.equal(server.apiKey, 'sk-elsewhere');
      // no model named: the LoRA module it serves (its card names a parent), not the base model it lists first
      assert.equal(server.model, 'elsewhere-lora');
      const row = a.runs.getChildren().find((n) => n.type === 'row' && (n.value as Server) === server);
      assert.ok(row, 'an attached server is a top-level row of the Runs view');
      assert.match(String(a.runs.getTreeItem(row).description), new RegExp(`^ready · ${url.replace(/[.]/g, '\\.')} · attached`));
      const c = vscode.workspace.getConfiguration('escStudio.playground');
      assert.equal(c.get('vanilla.baseUrl'), url);
      assert.equal(c.get('vanilla.model'), 'elsewhere-lora');
      // the polling sends the key: still ready a poll later
      await a.serving.servers.poll();
      assert.equal(server.status, 'ready', server.reason);
      // Stop Serving on an attached server forgets it; the server itself was not ESC Studio's to stop
      await vscode.commands.executeCommand('escStudio.stopServing', row);
      assert.ok(!a.runs.getChildren().some((n) => n.type === 'row' && n.value === server));
      assert.ok(alive(child.pid!), 'the attached server still runs');
    } finally {
      child.kill();
      for (const k of ['vanilla.baseUrl', 'vanilla.model']) await playground.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('under Slurm: sbatch, the node squeue names is the endpoint host, the jobs followed again after a reload, a job cancelled by someone else is stopped (not failed), Stop Serving is scancel', async () => {
    const slurmDir = path.join(stubDir, 'slurm');
    mkdirSync(slurmDir, { recursive: true });
    const slurmFile = file.replace(/\.yaml$/, '.slurm.esc-experiment.yaml');
    writeFileSync(slurmFile, readFileSync(file, 'utf8').replace('name: servetest', 'name: servetest\nlauncher: slurm'));
    if (!(await onPath('sbatch'))) {
      // before the stand-ins are on PATH: the preflight says Slurm's commands are missing
      const missing = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
        experiment: slurmFile,
        stages: ['planner-dpo'],
        preflightOnly: true,
      }))!;
      assert.equal(missing.status, 'blocked');
      assert.match(missing.problems!.join('\n'), /^sbatch is not on PATH: the experiment serves on Slurm/m);
    }
    for (const [name, text] of Object.entries(STAND_IN_SLURM)) writeFileSync(path.join(stubDir, name), text, { mode: 0o755 });
    // the stand-in jobs run from this extension host's environment, as sbatch passes the submitter's on
    Object.assign(process.env, { ESC_SLURM_DIR: slurmDir, ESC_VLLM_LOG: argvLog, ESC_VLLM_DIR: stubDir });
    try {
      const result = (await vscode.commands.executeCommand<ServeStagesResult>('escStudio.serveStages', {
        experiment: slurmFile,
        stages: ['planner-dpo', 'generator-dpo'],
        playground: 'keep',
      }))!;
      assert.equal(result.status, 'started', JSON.stringify(result.problems));
      const role = result.plan!.roles[0]!;
      assert.equal(role.role, 'planner');
      assert.equal(role.baseUrl, `http://<node>:${ports.planner}/v1`);
      assert.ok(role.sbatchPath);
      // the Playground was set to other endpoints (by the first test): kept, as asked
      assert.equal(await withTimeout(result.settled!, 60_000, 'the Slurm job answering'), 'kept');
      assert.equal(vscode.workspace.getConfiguration('escStudio.playground').get('planner.baseUrl'), 'http://127.0.0.1:9/v1');
      const server = result.servers![0]!;
      assert.equal(server.status, 'ready', server.reason);
      assert.equal(server.baseUrl, `http://127.0.0.1:${ports.planner}/v1`, 'the host is the node squeue named');
      const jobPid = Number(readFileSync(path.join(slurmDir, '4001.pid'), 'utf8'));
      assert.ok(alive(jobPid));
      // a window reload: both jobs are followed again by their kept ids, on the node squeue named
      const back = await (await api()).serving.restore(true);
      assert.deepEqual(
        back.map((x) => [x.role, x.baseUrl]),
        [
          ['planner', `http://127.0.0.1:${ports.planner}/v1`],
          ['generator', `http://127.0.0.1:${ports.generator}/v1`],
        ],
      );
      const planner = back[0]!;
      const generator = back[1]!;
      await until('the followed jobs ready', 20_000, async () => (back.every((x) => x.status === 'ready') ? true : undefined));
      // the generator's job (4002) cancelled by someone else on the cluster: sacct says CANCELLED, the row says stopped
      await new Promise<void>((resolve, reject) =>
        spawn(path.join(stubDir, 'scancel'), ['4002'], { stdio: 'ignore' })
          .on('exit', () => resolve())
          .on('error', reject),
      );
      await until('the cancelled job shown stopped', 20_000, async () => (generator.status !== 'ready' ? true : undefined));
      assert.equal(generator.status, 'stopped', generator.reason);
      await vscode.commands.executeCommand('escStudio.stopServing', { experiment: slurmFile });
      assert.equal(planner.status, 'stopped');
      assert.ok(existsSync(path.join(slurmDir, '4001.cancelled')), 'scancel was called for the job');
      await until('the job gone', 10_000, async () => (groupAlive(jobPid) ? undefined : true));
    } finally {
      rmSync(slurmFile, { force: true });
      for (const name of Object.keys(STAND_IN_SLURM)) rmSync(path.join(stubDir, name), { force: true });
    }
  });
});
