// Preflight: every reason a launch would fail or do harm, found at once (not one dialog at a time),
// each with the fixes that may help, as machine-readable ids the extension turns into buttons. It
// checks the experiment file, each stage's dataset (the same check as `esc train-config`), the backend
// CLI on PATH, a visible GPU, a DPO stage's SFT adapter, and outputs that would be overwritten. When
// the datasets are sound it also plans the configs, so a machine without a GPU can still write them.

import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isDpo, stagesOf, type StageId } from './experiment';
import { TRAINER_LOG, TRAINER_STATE } from './runLog';
import {
  checkStageDatasets,
  ExperimentError,
  loadExperiment,
  planTrainConfig,
  stageOutputDir,
  type LoadedExperiment,
  type TrainConfigOptions,
  type TrainPlan,
} from './trainConfig';

/** What a problem is. */
export type PreflightCode =
  | 'experiment-invalid'
  | 'no-stages'
  | 'unknown-stage'
  | 'dataset-missing'
  | 'dataset-unreadable'
  | 'dataset-invalid'
  | 'dataset-wrong-kind'
  | 'dataset-not-registered'
  | 'configs'
  | 'sft-adapter-missing'
  | 'cli-missing'
  | 'no-gpu'
  | 'output-exists';

/** A fix the report offers beside a problem. */
export const PREFLIGHT_FIXES = [
  'setCli', // the backend CLI's setting (a name on PATH or an absolute path)
  'setActivate', // the Python environment activation command
  'gpuHelp', // how to run where a GPU is: a GPU machine, CUDA_VISIBLE_DEVICES, the experiment's gpus
  'useSlurm', // switch the experiment's launcher to slurm
  'skipGpuCheck', // do not check for a GPU (escStudio.training.requireGpu)
  'openDataset', // in the dataset viewer
  'validateDataset',
  'editExperiment', // the experiment file, at the field concerned
  'overwrite', // accept that the stage's previous output is replaced
  'renameExperiment', // a new experiment name is a new output folder
  'launchWithSft', // launch the DPO stage together with its SFT
] as const;
export type PreflightFix = (typeof PREFLIGHT_FIXES)[number];

export interface PreflightProblem {
  code: PreflightCode;
  /** `error`: the launch cannot go ahead; `warning`: it may, at the user's word (Launch Anyway). */
  severity: 'error' | 'warning';
  message: string;
  stage?: StageId;
  /** The file or folder concerned (absolute): a dataset, an output folder, the CLI. */
  path?: string;
  /** The experiment-file field concerned (`datasets.planner-sft`, `launcher`), for `editExperiment`. */
  field?: string;
  fixes: PreflightFix[];
}

export interface PreflightProbes {
  /** Whether a command (a name on PATH or an absolute path) can be run. */
  onPath(cli: string): Promise<boolean>;
  /** Whether a GPU is visible to this machine. */
  gpuVisible(): Promise<boolean>;
}

export interface PreflightOptions {
  /** The stages asked for; all of the experiment's by default. */
  stages?: readonly StageId[];
  /** Where the configs and scripts go, from the experiment. */
  configDir: (loaded: LoadedExperiment) => string;
  /** The backend CLIs, as configured. */
  cli: { llamafactory: string; trl: string };
  /** The activation command; when set, the CLI is on PATH only inside it and is not checked. */
  activate?: string;
  sbatchTemplate?: string;
  /** Whether a missing GPU is a problem (escStudio.training.requireGpu). */
  requireGpu: boolean;
  probes?: Partial<PreflightProbes>;
}

export interface PreflightReport {
  experimentFile: string;
  loaded?: LoadedExperiment;
  /** The stages the launch would run. */
  stages: StageId[];
  problems: PreflightProblem[];
  /** The configs and scripts, when the datasets allow them to be written (Write Configs Only). */
  plan?: TrainPlan;
}

/** Whether a command can be run: an absolute path that is executable, or a name found on PATH. */
export async function onPath(cli: string, envPath = process.env.PATH ?? ''): Promise<boolean> {
  const candidates =
    path.isAbsolute(cli) || cli.includes('/')
      ? [path.resolve(cli)]
      : envPath
          .split(path.delimiter)
          .filter(Boolean)
          .map((d) => path.join(d, cli));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      if ((await stat(c)).isFile()) return true;
    } catch {
      // next
    }
  }
  return false;
}

/** Whether nvidia-smi lists a GPU. */
export const gpuVisible = (): Promise<boolean> =>
  new Promise((resolve) => execFile('nvidia-smi', ['-L'], { timeout: 5000 }, (err, out) => resolve(!err && /GPU \d/.test(out))));

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

const DATASET_CODES = {
  missing: 'dataset-missing',
  unreadable: 'dataset-unreadable',
  invalid: 'dataset-invalid',
  'wrong-kind': 'dataset-wrong-kind',
  'not-registered': 'dataset-not-registered',
} as const;

/** Every problem a launch of `stages` of an experiment would meet; never throws for a bad experiment. */
export async function preflight(experimentFile: string, opts: PreflightOptions): Promise<PreflightReport> {
  const probes: PreflightProbes = { onPath: (c) => onPath(c), gpuVisible, ...opts.probes };
  const problems: PreflightProblem[] = [];
  let loaded: LoadedExperiment;
  try {
    loaded = await loadExperiment(experimentFile);
  } catch (err) {
    const messages = err instanceof ExperimentError ? err.problems : [err instanceof Error ? err.message : String(err)];
    return {
      experimentFile,
      stages: [...(opts.stages ?? [])],
      problems: messages.map((message) => ({
        code: 'experiment-invalid',
        severity: 'error',
        message,
        path: experimentFile,
        fixes: ['editExperiment'],
      })),
    };
  }
  const e = loaded.experiment;
  const all = stagesOf(e);
  const stages = opts.stages ? [...opts.stages] : all;
  if (all.length === 0) {
    problems.push({
      code: 'no-stages',
      severity: 'error',
      message: 'No stage has a dataset: set datasets.planner-sft (and the others) in the experiment file.',
      path: experimentFile,
      field: 'datasets',
      fixes: ['editExperiment'],
    });
  }
  for (const s of stages.filter((x) => !all.includes(x))) {
    problems.push({
      code: 'unknown-stage',
      severity: 'error',
      message: `${s}: the experiment has no dataset for this stage.`,
      stage: s,
      path: experimentFile,
      field: `datasets.${s}`,
      fixes: ['editExperiment'],
    });
  }
  const known = stages.filter((s) => all.includes(s));

  // the datasets: every stage's problem, the same check `esc train-config` makes — of all the
  // experiment's stages, not only those launched, since the configs are written for all of them
  // (planTrainConfig would otherwise refuse with one generic message and no dataset fix)
  const datasets = await checkStageDatasets(loaded, all);
  for (const p of datasets.problems) {
    const fixes: PreflightFix[] = p.code === 'missing' ? ['editExperiment'] : ['openDataset', 'validateDataset', 'editExperiment'];
    problems.push({
      code: DATASET_CODES[p.code],
      severity: 'error',
      message: p.message,
      stage: p.stage,
      path: p.file,
      field: `datasets.${p.stage}`,
      fixes,
    });
  }

  // a DPO stage launched without its SFT needs the SFT adapter already trained
  for (const s of known.filter(isDpo)) {
    const sft = s.replace('-dpo', '-sft') as StageId;
    if (known.includes(sft)) continue;
    const adapter = path.join(stageOutputDir(loaded, sft), 'adapter_config.json');
    if (!(await exists(adapter))) {
      problems.push({
        code: 'sft-adapter-missing',
        severity: 'error',
        message: `${s}: its SFT adapter is not there yet (${adapter}); launch ${sft} first, or both together.`,
        stage: s,
        path: adapter,
        fixes: all.includes(sft) ? ['launchWithSft'] : ['editExperiment'],
      });
    }
  }

  // the configs, when the datasets allow them (Write Configs Only, and the launch itself)
  let plan: TrainPlan | undefined;
  if (!problems.some((p) => p.severity === 'error')) {
    const cfg: TrainConfigOptions = {
      outDir: opts.configDir(loaded),
      cli: e.backend === 'trl' ? opts.cli.trl : opts.cli.llamafactory,
      activate: opts.activate,
      sbatchTemplate: opts.sbatchTemplate || undefined,
    };
    try {
      plan = await planTrainConfig(loaded, cfg);
    } catch (err) {
      const messages = err instanceof ExperimentError ? err.problems : [err instanceof Error ? err.message : String(err)];
      for (const message of messages) {
        problems.push({ code: 'configs', severity: 'error', message, path: experimentFile, fixes: ['editExperiment'] });
      }
    }
  }

  // the machine: the CLI and a GPU (on a Slurm cluster both are the compute node's, not this machine's)
  const cli = e.backend === 'trl' ? opts.cli.trl : opts.cli.llamafactory;
  if (e.launcher !== 'slurm' && !opts.activate?.trim() && !(await probes.onPath(cli))) {
    problems.push({
      code: 'cli-missing',
      severity: 'warning',
      message: `${cli} is not on PATH. Install ${e.backend === 'trl' ? 'TRL (pip install trl)' : 'LLaMA-Factory (pip install -e ".[torch,metrics]")'}, or set its path (escStudio.training.${e.backend === 'trl' ? 'trlCli' : 'llamafactoryCli'}) or a command that activates its Python environment (escStudio.training.activateCommand).`,
      path: cli,
      fixes: ['setCli', 'setActivate'],
    });
  }
  if (e.launcher !== 'slurm' && opts.requireGpu && !(await probes.gpuVisible())) {
    problems.push({
      code: 'no-gpu',
      severity: 'warning',
      message: `No GPU is visible on this machine (nvidia-smi found none); training ${e.model.base} needs one. Open this workspace on a GPU machine (Remote - SSH), choose its GPUs with the experiment's gpus (CUDA_VISIBLE_DEVICES), or launch through Slurm.`,
      field: 'gpus',
      fixes: ['gpuHelp', 'useSlurm', 'skipGpuCheck'],
    });
  }

  // outputs a launch would overwrite
  for (const s of known) {
    const dir = stageOutputDir(loaded, s);
    const found: string[] = [];
    for (const f of [TRAINER_LOG, TRAINER_STATE, 'adapter_config.json']) if (await exists(path.join(dir, f))) found.push(f);
    if (found.length > 0) {
      problems.push({
        code: 'output-exists',
        severity: 'warning',
        message: `${s}: its output already exists (${found.join(', ')} in ${path.relative(loaded.dir, dir) || dir}) and would be overwritten.`,
        stage: s,
        path: dir,
        field: 'name',
        fixes: ['overwrite', 'renameExperiment'],
      });
    }
  }
  return { experimentFile: loaded.file, loaded, stages: known, problems, plan };
}

/** Whether the launch may go ahead at the user's word: no problem is an error. */
export const launchable = (report: PreflightReport): boolean =>
  report.plan !== undefined && !report.problems.some((p) => p.severity === 'error');
