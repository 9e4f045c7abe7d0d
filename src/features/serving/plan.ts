// The editor's serve plan: core/serve/serveConfig.ts (the planner `esc serve-config` also uses) given
// the settings, writing its scripts under the experiment's output folder (<output_root>/<name>/serve/).
// This adapter is the one place the serving feature calls the core planner.

import * as path from 'node:path';
import type { StageId } from '../../core/training/experiment';
import type { LoadedExperiment } from '../../core/training/trainConfig';
import { defaultServeStages, dpoOnSftOf, servePlan, writeServePlan } from '../../core/serve/serveConfig';
import type { ServeLauncher, ServePlan } from '../../core/serve/types';
import { servingConfig } from './settings';

/** <output_root>/<name>/serve, beside the stages' output folders. */
export const serveDirOf = (loaded: LoadedExperiment): string =>
  path.resolve(loaded.dir, loaded.experiment.output_root, loaded.experiment.name, 'serve');

/** Local unless the experiment trains on Slurm (torchrun is a training launcher; a server starts the same way locally). */
export const launcherOf = (loaded: LoadedExperiment): ServeLauncher => (loaded.experiment.launcher === 'slurm' ? 'slurm' : 'local');

export const defaultStages = (loaded: LoadedExperiment): StageId[] => defaultServeStages(loaded.experiment);

export async function planServing(loaded: LoadedExperiment, stages: StageId[] | undefined): Promise<ServePlan> {
  const cfg = servingConfig();
  return await servePlan(loaded, serveDirOf(loaded), {
    stages,
    engine: cfg.engine,
    launcher: launcherOf(loaded),
    merged: cfg.merged,
    // a DPO adapter trained under ZeRO-3 is a whole adapter over the base, not a delta over base+SFT
    dpoOnSft: await dpoOnSftOf(loaded),
    ports: cfg.ports,
    cli: cfg.cli,
    exportCli: cfg.exportCli,
    activate: cfg.activate || undefined,
    sbatchTemplate: cfg.sbatchTemplate || undefined,
  });
}

export async function writePlan(plan: ServePlan): Promise<void> {
  await writeServePlan(plan);
}
