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

export type EndpointSlot = 'planner' | 'generator' | 'vanilla';

export interface PlaygroundConfig {
  /** A folder written by `esc train-embedded`; empty for the models shipped with the extension. */
  embeddedModels: string;
  endpoints: Record<EndpointSlot, { baseUrl: string; model: string }>;
  temperature: number;
  topP: number;
  maxTokens: number;
  stream: boolean;
  timeoutMs: number;
}

export function playgroundConfig(): PlaygroundConfig {
  const c = vscode.workspace.getConfiguration('escStudio.playground');
  const endpoint = (slot: EndpointSlot, fallback: string): { baseUrl: string; model: string } => ({
    baseUrl: (c.get<string>(`${slot}.baseUrl`) ?? '').trim() || fallback,
    model: (c.get<string>(`${slot}.model`) ?? '').trim(),
  });
  const planner = endpoint('planner', 'http://localhost:8000/v1');
  const generator = endpoint('generator', 'http://localhost:8001/v1');
  // the vanilla joint model answers like the generator; without its own URL it is asked there
  const vanilla = endpoint('vanilla', generator.baseUrl);
  return {
    embeddedModels: (c.get<string>('embeddedModels') ?? '').trim(),
    endpoints: { planner, generator, vanilla: { baseUrl: vanilla.baseUrl, model: vanilla.model || (vanilla.baseUrl === generator.baseUrl ? generator.model : '') } },
    temperature: c.get<number>('temperature') ?? 0.7,
    topP: c.get<number>('topP') ?? 0.95,
    maxTokens: Math.max(1, c.get<number>('maxTokens') ?? 512),
    stream: c.get<boolean>('stream') ?? true,
    timeoutMs: Math.max(1, c.get<number>('timeoutSeconds') ?? 60) * 1000,
  };
}
