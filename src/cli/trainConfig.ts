// `esc train-config <experiment.yaml> --out <dir> [--backend llamafactory|trl] [--launcher local|torchrun|slurm]`:
// every stage's config, `<stage>.sh`, dataset_info.json (LLaMA-Factory) and `<stage>.sbatch` (slurm),
// written by the same code the extension uses.

import * as path from 'node:path';
import { ExperimentError, loadExperiment, planTrainConfig, writeGeneratedFiles } from '../core/training/trainConfig';
import { printJson, UsageError, type Io } from './output';

export interface TrainConfigArgs {
  out?: string;
  backend?: string;
  launcher?: string;
  cli?: string;
  activate?: string;
}

export async function trainConfigCommand(args: string[], a: TrainConfigArgs, json: boolean, io: Io): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError('esc train-config: missing <experiment.yaml> argument (see esc --help)');
  if (!a.out) throw new UsageError('esc train-config: missing --out <dir>');
  if (a.backend !== undefined && a.backend !== 'llamafactory' && a.backend !== 'trl') {
    throw new UsageError(`esc train-config: --backend must be llamafactory or trl, not ${JSON.stringify(a.backend)}`);
  }
  if (a.launcher !== undefined && !['local', 'torchrun', 'slurm'].includes(a.launcher)) {
    throw new UsageError(`esc train-config: --launcher must be local, torchrun or slurm, not ${JSON.stringify(a.launcher)}`);
  }
  try {
    const loaded = await loadExperiment(file, {
      ...(a.backend ? { backend: a.backend as 'trl' } : {}),
      ...(a.launcher ? { launcher: a.launcher as 'local' } : {}),
    });
    const plan = await planTrainConfig(loaded, { outDir: a.out, cli: a.cli, activate: a.activate });
    await writeGeneratedFiles(plan.files);
    if (json) {
      printJson(io, {
        experiment: loaded.experiment.name,
        backend: loaded.experiment.backend,
        launcher: loaded.experiment.launcher,
        stages: plan.stages,
        files: plan.files.map((f) => f.path),
      });
    } else {
      io.out(`${loaded.experiment.name}: ${plan.stages.length} stage(s), ${loaded.experiment.backend}, ${loaded.experiment.launcher}`);
      for (const f of plan.files) io.out(`  wrote ${path.relative(process.cwd(), f.path) || f.path}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ExperimentError) {
      for (const p of err.problems) io.err(`esc train-config: ${p}`);
      return 1;
    }
    throw err;
  }
}
