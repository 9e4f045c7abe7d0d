// The shell script that runs one stage (`<stage>.sh`), and its Slurm wrapper (`<stage>.sbatch`).
// Every value that comes from the user (paths, names, the model id) is quoted with shell-quote, so a
// user can rerun the script by hand and nothing in a path can run as a command.

import { quote } from 'shell-quote';
import { chainOf, isDpo, type Experiment, type StageId } from './experiment';
import { STAGE_TITLES } from './stageConfigs';

export interface ScriptOptions {
  /** Absolute folder of the experiment file (the script `cd`s there; config paths are relative to it). */
  experimentDir: string;
  /** Config path relative to the experiment folder. */
  configPath: string;
  /** Output folder of the stage, relative to the experiment folder. */
  outputDir: string;
  /** The backend CLI (`llamafactory-cli` or `trl`), a name on PATH or an absolute path. */
  cli?: string;
  /** A shell line that activates the Python environment (e.g. `source ~/venvs/lf/bin/activate`), run as written. */
  activate?: string;
}

/** Written by each stage script into its output folder. */
export const PID_FILE = 'esc-run.pid';
/** Everything the stage prints (stdout and stderr), copied by the script into its output folder. */
export const OUTPUT_LOG = 'esc-run.log';

export const DEFAULT_SBATCH_TEMPLATE = `#!/bin/bash
#SBATCH --job-name={{job_name}}
#SBATCH --nodes=1
#SBATCH --gres=gpu:{{gpus}}
#SBATCH --output={{log}}
bash {{script}}
`;

const gpuCount = (ids: string): number => ids.split(',').filter(Boolean).length;

/** The command that runs the stage, as an argv (for display and for the script). */
function stageCommand(e: Experiment, stage: StageId, opts: ScriptOptions): string[] {
  if (e.backend === 'trl') {
    const argv = [opts.cli ?? 'trl', isDpo(stage) ? 'dpo' : 'sft', '--config', opts.configPath];
    const n = gpuCount(e.gpus[chainOf(stage)]);
    if (e.launcher === 'torchrun' && n > 1) argv.push('--num_processes', String(n));
    return argv;
  }
  return [opts.cli ?? 'llamafactory-cli', 'train', opts.configPath];
}

export function stageScript(e: Experiment, stage: StageId, opts: ScriptOptions): string {
  const gpus = e.gpus[chainOf(stage)];
  const lines = [
    '#!/usr/bin/env bash',
    `# ESC Studio — experiment "${e.name}", stage ${stage} (${STAGE_TITLES[stage]}).`,
    '# Written by ESC Studio next to the stage config; run it by hand with: bash <this file>',
    'set -euo pipefail',
    `cd ${quote([opts.experimentDir])}`,
  ];
  // under Slurm the allocation numbers its GPUs itself; elsewhere each chain gets its own ids
  if (e.launcher !== 'slurm') lines.push(`export CUDA_VISIBLE_DEVICES=${quote([gpus])}`);
  if (e.backend === 'llamafactory') {
    // LLaMA-Factory writes running_log.txt into LLAMABOARD_WORKDIR when LLAMABOARD_ENABLED is on
    lines.push('export LLAMABOARD_ENABLED=1', `export LLAMABOARD_WORKDIR=${quote([opts.outputDir])}`);
    if (e.launcher === 'torchrun') lines.push('export FORCE_TORCHRUN=1', `export NPROC_PER_NODE=${gpuCount(gpus)}`);
  }
  lines.push(`mkdir -p ${quote([opts.outputDir])}`);
  // what the stage prints also goes to esc-run.log, so a failed stage can say why (its last lines):
  // a redirection of this shell, not a pipe, so the CLI is still exec'd (same pid, its own exit
  // code); tee ignores Ctrl+C, Stop's SIGTERM and a closed terminal's SIGHUP, so it keeps what the CLI prints while it stops
  lines.push(
    '# its output, also kept in the output folder (unbuffered, so the file keeps up with the terminal)',
    'export PYTHONUNBUFFERED=1',
    `exec > >(trap '' HUP INT TERM; exec tee ${quote([`${opts.outputDir}/${OUTPUT_LOG}`])}) 2>&1`,
  );
  // the pid lets ESC Studio stop the run (and what it started) whatever terminal it runs in
  lines.push(`printf '%s\\n' "$$" > ${quote([`${opts.outputDir}/${PID_FILE}`])}`);
  if (opts.activate && opts.activate.trim() !== '') {
    lines.push('# the Python environment, as configured in ESC Studio', opts.activate.trim());
  }
  lines.push(`exec ${quote(stageCommand(e, stage, opts))}`, '');
  return lines.join('\n');
}

/**
 * A value on an #SBATCH line, which Slurm reads, not bash: double quotes with \" and \\ escaped.
 * A literal % in a file name must be doubled by the caller (Slurm expands %j and friends there).
 */
export const slurmQuote = (v: string): string => `"${v.replace(/[\\"]/g, '\\$&')}"`;

/** A Slurm batch script from a template with {{job_name}}, {{gpus}}, {{log}} and {{script}} placeholders. */
export function stageSbatch(
  e: Experiment,
  stage: StageId,
  scriptPath: string,
  outputDir: string,
  template = DEFAULT_SBATCH_TEMPLATE,
): string {
  const values: Record<string, string> = {
    job_name: slurmQuote(`esc-${e.name}-${stage}`),
    gpus: String(gpuCount(e.gpus[chainOf(stage)])),
    log: slurmQuote(`${outputDir.replace(/%/g, '%%')}/slurm-%j.out`),
    script: quote([scriptPath]),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (m, key: string) => values[key] ?? m);
}
