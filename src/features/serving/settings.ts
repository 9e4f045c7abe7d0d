// Serving's settings (package.json `escStudio.serving.*`), and what it borrows from training's: the
// LLaMA-Factory CLI (the llamafactory engine and merged exports), the activation line, the Slurm template.

import * as vscode from 'vscode';
import type { ServeEngine, ServeRole } from '../../core/serve/types';
import { trainingConfig, updateSettingWhereDefined } from '../config';

export interface ServingConfig {
  engine: ServeEngine;
  /** The engine's CLI: vLLM's, or LLaMA-Factory's for the llamafactory engine. */
  cli: string;
  /** LLaMA-Factory's CLI (merged exports). */
  exportCli: string;
  activate: string;
  sbatchTemplate: string;
  ports: Partial<Record<ServeRole, number>>;
  requireGpu: boolean;
  /** Serve merged weights (LLaMA-Factory `export` first) instead of base + LoRA. */
  merged: boolean;
}

export function servingConfig(): ServingConfig {
  const c = vscode.workspace.getConfiguration('escStudio.serving');
  const t = trainingConfig();
  const engine: ServeEngine = c.get<string>('engine') === 'llamafactory' ? 'llamafactory' : 'vllm';
  const ports: Partial<Record<ServeRole, number>> = {};
  for (const [role, port] of Object.entries(c.get<Record<string, unknown>>('ports') ?? {})) {
    // a bad value is left to the paper's port rather than passed on as a script argument
    if ((role === 'planner' || role === 'generator' || role === 'vanilla') && Number.isInteger(port) && (port as number) > 0) {
      ports[role] = port as number;
    }
  }
  return {
    engine,
    cli: engine === 'vllm' ? c.get<string>('vllmCli') || 'vllm' : t.llamafactoryCli,
    exportCli: t.llamafactoryCli,
    activate: t.activate,
    sbatchTemplate: t.sbatchTemplate,
    ports,
    requireGpu: c.get<boolean>('requireGpu', true),
    merged: c.get<boolean>('merged', false),
  };
}

/** Sets one role's port (the preflight's "Use port N" fix), where the ports are set now (else in the workspace). */
export async function setServingPort(role: ServeRole, port: number): Promise<void> {
  await updateSettingWhereDefined<Record<string, number>>(
    'escStudio.serving',
    'ports',
    (current) => ({ ...current, [role]: port }),
    'workspace',
  );
}
