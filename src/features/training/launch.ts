// Launching: preflight (datasets, the backend CLI, a GPU, outputs that would be overwritten), then the
// stage configs and scripts are written and each stage runs in its own terminal. The pipeline runs
// the chains concurrently and a DPO stage only after its SFT succeeded. Off in untrusted workspaces.

import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StageId } from '../../core/training/experiment';
import { runPipeline, type StageOutcome } from '../../core/training/pipeline';
import { TRAINER_LOG, TRAINER_STATE } from '../../core/training/runLog';
import { ExperimentError, loadExperiment, planTrainConfig, writeGeneratedFiles, type TrainPlan } from '../../core/training/trainConfig';
import type { Ctx } from '../ctx';
import { trainingConfig } from '../config';
import type { RunsModel, StageRun } from './runsModel';
import { runOnSlurm } from './slurmRunner';
import { runInTerminal } from './terminalRunner';

/** Folder (next to the experiment file) that holds the generated configs and scripts. */
const configDirOf = (experimentFile: string, name: string): string => path.join(path.dirname(experimentFile), '.esc', name);

async function onPath(cli: string): Promise<boolean> {
  const candidates = path.isAbsolute(cli)
    ? [cli]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, cli));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

const gpuVisible = (): Promise<boolean> =>
  new Promise((resolve) => execFile('nvidia-smi', ['-L'], { timeout: 5000 }, (err, out) => resolve(!err && /GPU \d/.test(out))));

/** Checks and writes everything a launch needs; undefined when the user cancelled or a check failed. */
async function prepareLaunch(
  ctx: Ctx,
  experimentFile: string,
  stages: StageId[] | undefined,
): Promise<{ plan: TrainPlan; stages: StageId[] } | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window
      .showErrorMessage(
        'ESC Studio does not launch training in an untrusted workspace. Trust the workspace to launch.',
        'Manage Workspace Trust',
      )
      .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
    return undefined;
  }
  const cfg = trainingConfig();
  let plan: TrainPlan;
  try {
    const loaded = await loadExperiment(experimentFile);
    const e = loaded.experiment;
    plan = await planTrainConfig(loaded, {
      outDir: configDirOf(experimentFile, e.name),
      cli: e.backend === 'trl' ? cfg.trlCli : cfg.llamafactoryCli,
      activate: cfg.activate,
      sbatchTemplate: cfg.sbatchTemplate || undefined,
    });
  } catch (err) {
    const problems = err instanceof ExperimentError ? err.problems : [err instanceof Error ? err.message : String(err)];
    ctx.log.error(`Preflight ${experimentFile}:\n  ${problems.join('\n  ')}`);
    void vscode.window
      .showErrorMessage(
        `Cannot launch: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more in the ESC Studio log)` : ''}`,
        'Open Experiment',
      )
      .then((c) => c && vscode.window.showTextDocument(vscode.Uri.file(experimentFile)));
    return undefined;
  }
  const e = plan.loaded.experiment;
  const chosen = stages ?? plan.stages;
  const unknown = chosen.filter((s) => !plan.stages.includes(s));
  if (unknown.length > 0) {
    void vscode.window.showErrorMessage(
      `Cannot launch ${unknown.join(', ')}: the experiment has no dataset for ${unknown.length === 1 ? 'it' : 'them'}.`,
    );
    return undefined;
  }
  // a DPO launched without its SFT needs the SFT adapter already trained
  for (const s of chosen.filter((x) => x.endsWith('-dpo'))) {
    const sft = s.replace('-dpo', '-sft') as StageId;
    if (chosen.includes(sft)) continue;
    const adapter = path.join(plan.stageFiles[sft]!.outputDir, 'adapter_config.json');
    if (
      !(await stat(adapter).then(
        () => true,
        () => false,
      ))
    ) {
      void vscode.window.showErrorMessage(
        `Cannot launch ${s}: its SFT adapter is not there yet (${adapter}). Launch ${sft} first, or the whole pipeline.`,
      );
      return undefined;
    }
  }
  const cli = e.backend === 'trl' ? cfg.trlCli : cfg.llamafactoryCli;
  // an activation command may put the CLI on PATH only inside the terminal: then it cannot be checked here
  if (e.launcher !== 'slurm' && !cfg.activate && !(await onPath(cli))) {
    const choice = await vscode.window.showErrorMessage(
      `${cli} is not on PATH. Install ${e.backend === 'trl' ? 'TRL (pip install trl)' : 'LLaMA-Factory (pip install -e ".[torch,metrics]")'}, or set its path or a Python environment activation command.`,
      'Open Settings',
      'Launch Anyway',
    );
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'escStudio.training');
    if (choice !== 'Launch Anyway') return undefined;
  }
  if (
    e.launcher !== 'slurm' &&
    vscode.workspace.getConfiguration('escStudio.training').get<boolean>('requireGpu', true) &&
    !(await gpuVisible())
  ) {
    const choice = await vscode.window.showWarningMessage(
      'No GPU is visible (nvidia-smi found none). Training a 7B model needs one.',
      'Launch Anyway',
      'Do Not Check Again',
    );
    if (choice === 'Do Not Check Again') {
      await vscode.workspace.getConfiguration('escStudio.training').update('requireGpu', false, vscode.ConfigurationTarget.Global);
    }
    if (!choice) return undefined;
  }
  const overwritten: string[] = [];
  for (const s of chosen) {
    const dir = plan.stageFiles[s]!.outputDir;
    const exists = (f: string): Promise<boolean> =>
      stat(path.join(dir, f)).then(
        () => true,
        () => false,
      );
    if ((await exists(TRAINER_LOG)) || (await exists(TRAINER_STATE)) || (await exists('adapter_config.json'))) {
      overwritten.push(s);
    }
  }
  if (overwritten.length > 0) {
    const choice = await vscode.window.showWarningMessage(
      `The output of ${overwritten.join(', ')} already exists and would be overwritten.`,
      { modal: true },
      'Overwrite',
    );
    if (choice !== 'Overwrite') return undefined;
  }
  await writeGeneratedFiles(plan.files);
  return { plan, stages: chosen };
}

function startStage(ctx: Ctx, model: RunsModel, plan: TrainPlan, run: StageRun): Promise<StageOutcome> {
  const e = plan.loaded.experiment;
  const files = plan.stageFiles[run.stage]!;
  const name = `ESC ${e.name}: ${run.stage}`;
  run.error = undefined;
  const handle =
    e.launcher === 'slurm'
      ? runOnSlurm(name, plan.loaded.dir, files.sbatch!, files.outputDir, (queued) => model.setStatus(run, queued ? 'queued' : 'running'))
      : runInTerminal(name, plan.loaded.dir, files.script, files.outputDir);
  run.running = handle;
  model.setStatus(run, 'running');
  if (model.cancelled.has(run)) void handle.stop(); // Stop was pressed while it was being started
  // re-read the logs before the final status is shown, so the status and the last numbers agree
  return handle.done
    .then(
      async (outcome) => {
        await model.refreshLogs();
        return outcome;
      },
      (err: unknown) => {
        // it never ran (sbatch refused the job, a folder could not be made): the reason is the only output there is
        run.error = err instanceof Error ? err.message : String(err);
        ctx.log.error(`${name}: ${run.error}`);
        throw err;
      },
    )
    .finally(() => {
      if (run.running === handle) run.running = undefined;
    });
}

/** Launches stages of one experiment (all of them by default) as a pipeline. */
export async function launch(
  ctx: Ctx,
  model: RunsModel,
  experimentFile: string,
  stages?: StageId[],
): Promise<Map<StageId, string> | undefined> {
  await model.ready();
  const busy = model.active.filter((r) => r.experimentFile === experimentFile && (!stages || stages.includes(r.stage)));
  if (busy.length > 0) {
    void vscode.window.showWarningMessage(
      `${busy.map((r) => r.stage).join(', ')} ${busy.length === 1 ? 'is' : 'are'} already queued or running; stop ${busy.length === 1 ? 'it' : 'them'} first.`,
    );
    return undefined;
  }
  const prepared = await prepareLaunch(ctx, experimentFile, stages);
  if (!prepared) return undefined;
  const { plan } = prepared;
  const runs = new Map(prepared.stages.map((s) => [s, model.ensure(experimentFile, s, plan.stageFiles[s]!.outputDir)]));
  for (const r of runs.values()) model.cancelled.delete(r);
  ctx.log.info(`Launching ${plan.loaded.experiment.name}: ${prepared.stages.join(', ')}`);
  const final = await runPipeline(
    prepared.stages,
    (stage) => startStage(ctx, model, plan, runs.get(stage)!),
    (stage, status) => {
      model.setStatus(runs.get(stage)!, status);
      ctx.log.info(`${plan.loaded.experiment.name} ${stage}: ${status}`);
    },
    {
      gpus: (chain) => plan.loaded.experiment.gpus[chain],
      // a queued stage the user stopped is never started
      cancelled: (s) => model.cancelled.has(runs.get(s)!),
    },
  );
  await model.refreshLogs();
  const failed = [...final].filter(([, s]) => s === 'failed').map(([s]) => s);
  if (failed.length > 0) {
    // a stage that could not start says why; one that ran and failed has its terminal and output folder
    const said = failed.flatMap((s) => (runs.get(s)!.error ? [`${s} failed: ${runs.get(s)!.error}`] : []));
    const ran = failed.filter((s) => !runs.get(s)!.error);
    if (ran.length > 0) said.push(`${ran.join(', ')} failed; see the stage terminal and its output folder`);
    void vscode.window
      .showErrorMessage(`${plan.loaded.experiment.name}: ${said.join('; ')}.`, 'Show Log')
      .then((choice) => choice && ctx.log.show());
  }
  return final;
}
