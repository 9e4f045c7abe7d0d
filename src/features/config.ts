// Typed access to ESC Studio's settings (package.json `contributes.configuration`).

import * as vscode from 'vscode';

export interface DatasetsConfig {
  include: string;
  exclude: string;
  maxFiles: number;
}

export function datasetsConfig(): DatasetsConfig {
  const c = vscode.workspace.getConfiguration('escStudio.datasets');
  // defaults live in package.json (contributes.configuration); these fallbacks only guard a bad value
  return {
    include: c.get<string>('include') || '**/*.{json,jsonl}',
    exclude: c.get<string>('exclude') ?? '',
    maxFiles: Math.max(1, c.get<number>('maxFiles') ?? 2000),
  };
}

export interface TrainingConfig {
  /** LLaMA-Factory CLI: a name on PATH or an absolute path. */
  llamafactoryCli: string;
  trlCli: string;
  /** A shell line run before the CLI (e.g. `source ~/venvs/lf/bin/activate`). */
  activate: string;
  /** Slurm batch template with {{job_name}}, {{gpus}}, {{log}}, {{script}}; empty for the built-in one. */
  sbatchTemplate: string;
}

export function trainingConfig(): TrainingConfig {
  const c = vscode.workspace.getConfiguration('escStudio.training');
  return {
    llamafactoryCli: c.get<string>('llamafactoryCli') || 'llamafactory-cli',
    trlCli: c.get<string>('trlCli') || 'trl',
    activate: c.get<string>('activateCommand') ?? '',
    sbatchTemplate: c.get<string>('sbatchTemplate') ?? '',
  };
}
