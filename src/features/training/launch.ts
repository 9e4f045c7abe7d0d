// Launching: preflight (the experiment, datasets, the backend CLI, a GPU, outputs that would be
// overwritten: every problem at once, in the preflight report when there is any), then the stage
// configs and scripts are written and each stage runs in its own terminal. The pipeline runs the
// chains concurrently and a DPO stage only after its SFT succeeded. Off in untrusted workspaces. A
// stage that ends keeps its exit code; the Runs model reads the last lines it printed.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StageId } from '../../core/training/experiment';
import { runPipeline, type StageOutcome } from '../../core/training/pipeline';
import { launchable, preflight, type PreflightReport } from '../../core/training/preflight';
import { writeGeneratedFiles, type LoadedExperiment, type TrainPlan } from '../../core/training/trainConfig';
import type { Ctx } from '../ctx';
import { trainingConfig } from '../config';
import { closePreflightReport, showPreflightReport } from './preflightPage';
import type { RunsModel, StageRun } from './runsModel';
import { runOnSlurm } from './slurmRunner';
import { runInTerminal } from './terminalRunner';

/** Folder (next to the experiment file) that holds the generated configs and scripts. */
const configDirOf = (loaded: LoadedExperiment): string => path.join(loaded.dir, '.esc', loaded.experiment.name);

/** Every problem a launch of `stages` would meet (core/training/preflight.ts), with this window's settings. */
function check(experimentFile: string, stages: readonly StageId[] | undefined): Promise<PreflightReport> {
  const cfg = trainingConfig();
  return preflight(experimentFile, {
    stages,
    configDir: configDirOf,
    cli: { llamafactory: cfg.llamafactoryCli, trl: cfg.trlCli },
    activate: cfg.activate,
    sbatchTemplate: cfg.sbatchTemplate || undefined,
    requireGpu: vscode.workspace.getConfiguration('escStudio.training').get<boolean>('requireGpu', true),
  });
}

/**
 * Checks everything a launch needs and writes the configs and scripts; undefined when a problem was
 * found (then the preflight report shows all of them, with their fixes) or the workspace is untrusted.
 * `anyway`: the user chose Launch Anyway in the report, so warnings (no GPU, an output overwritten) do not stop it.
 */
async function prepareLaunch(
  ctx: Ctx,
  model: RunsModel,
  experimentFile: string,
  stages: StageId[] | undefined,
  anyway: boolean,
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
  const report = await check(experimentFile, stages);
  if (report.plan && (report.problems.length === 0 || (anyway && launchable(report)))) {
    closePreflightReport(report.experimentFile);
    await writeGeneratedFiles(report.plan.files);
    return { plan: report.plan, stages: report.stages };
  }
  ctx.log.warn(`Preflight ${experimentFile}:\n  ${report.problems.map((p) => `${p.severity}: ${p.message}`).join('\n  ')}`);
  showPreflightReport(ctx, report, {
    recheck: () => check(experimentFile, stages),
    launch: () => launch(ctx, model, experimentFile, stages, { anyway: true }),
    launchWithSft: () => {
      const chosen = stages ?? report.stages;
      const sfts = chosen.filter((s) => s.endsWith('-dpo')).map((s) => s.replace('-dpo', '-sft') as StageId);
      return launch(ctx, model, experimentFile, [...new Set([...sfts, ...chosen])]);
    },
  });
  return undefined;
}

function startStage(ctx: Ctx, model: RunsModel, plan: TrainPlan, run: StageRun): Promise<StageOutcome> {
  const e = plan.loaded.experiment;
  const files = plan.stageFiles[run.stage]!;
  const name = `ESC ${e.name}: ${run.stage}`;
  run.error = undefined;
  run.exitCode = undefined;
  run.output = undefined;
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
        run.exitCode = outcome.code;
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
  opts: { anyway?: boolean } = {},
): Promise<Map<StageId, string> | undefined> {
  await model.ready();
  const busy = model.active.filter((r) => r.experimentFile === experimentFile && (!stages || stages.includes(r.stage)));
  if (busy.length > 0) {
    void vscode.window.showWarningMessage(
      `${busy.map((r) => r.stage).join(', ')} ${busy.length === 1 ? 'is' : 'are'} already queued or running; stop ${busy.length === 1 ? 'it' : 'them'} first.`,
    );
    return undefined;
  }
  const prepared = await prepareLaunch(ctx, model, experimentFile, stages, opts.anyway === true);
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
    // a stage that could not start says why; one that ran and failed says its exit code and last line
    const said = failed.map((s) => {
      const r = runs.get(s)!;
      if (r.error) return `${s} failed: ${r.error}`;
      const last = r.output?.at(-1);
      return `${s} failed${r.exitCode !== undefined ? ` (exit code ${r.exitCode})` : ''}${last ? `: ${last}` : '; see its terminal and output folder'}`;
    });
    void vscode.window
      .showErrorMessage(`${plan.loaded.experiment.name}: ${said.join('; ')}.`, 'Show Log')
      .then((choice) => choice && ctx.log.show());
  }
  return final;
}
