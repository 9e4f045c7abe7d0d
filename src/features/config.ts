// Typed access to ESC Studio's settings (package.json `contributes.configuration`).

import * as vscode from 'vscode';
import { PAPER_PRESETS, type EndpointConfig } from '../core/openai/config';

/** Which files the Datasets view lists. */
export function datasetsConfig(): { include: string; exclude: string; maxFiles: number } {
  const c = vscode.workspace.getConfiguration('escStudio.datasets');
  // defaults live in package.json (contributes.configuration); these fallbacks only guard a bad value
  return {
    include: c.get<string>('include') || '**/*.{json,jsonl}',
    exclude: c.get<string>('exclude') ?? '',
    maxFiles: Math.max(1, c.get<number>('maxFiles') ?? 2000),
  };
}

/** How training stages are launched (the CLIs, an activation line, the Slurm template). */
export function trainingConfig() {
  const c = vscode.workspace.getConfiguration('escStudio.training');
  return {
    /** LLaMA-Factory CLI: a name on PATH or an absolute path. */
    llamafactoryCli: c.get<string>('llamafactoryCli') || 'llamafactory-cli',
    trlCli: c.get<string>('trlCli') || 'trl',
    /** A shell line run before the CLI (e.g. `source ~/venvs/lf/bin/activate`). */
    activate: c.get<string>('activateCommand') ?? '',
    /** Slurm batch template with {{job_name}}, {{gpus}}, {{log}}, {{script}}; empty for the built-in one. */
    sbatchTemplate: c.get<string>('sbatchTemplate') ?? '',
  };
}

export type EndpointSlot = 'planner' | 'generator' | 'vanilla';

/** One endpoint's settings (API keys are not settings: SecretStorage). */
export type EndpointSettings = Pick<EndpointConfig, 'baseUrl' | 'model' | 'temperature' | 'topP' | 'maxTokens' | 'stream'>;

export interface PlaygroundConfig {
  /** A folder written by `esc train-embedded`; empty for the models shipped with the extension. */
  embeddedModels: string;
  /** Each endpoint on its own; the vanilla one has no URL until the user sets one. */
  endpoints: Record<EndpointSlot, EndpointSettings>;
  timeoutMs: number;
}

export function playgroundConfig(): PlaygroundConfig {
  const c = vscode.workspace.getConfiguration('escStudio.playground');
  // defaults live in package.json; these fallbacks (the paper's presets) only guard a removed value
  const endpoint = (slot: EndpointSlot): EndpointSettings => {
    const preset = PAPER_PRESETS[slot === 'planner' ? 'planner' : 'generator'];
    return {
      baseUrl: (c.get<string>(`${slot}.baseUrl`) ?? (slot === 'vanilla' ? '' : preset.baseUrl)).trim(),
      model: (c.get<string>(`${slot}.model`) ?? '').trim(),
      temperature: c.get<number>(`${slot}.temperature`) ?? preset.temperature,
      topP: c.get<number>(`${slot}.topP`) ?? preset.topP,
      maxTokens: Math.max(1, c.get<number>(`${slot}.maxTokens`) ?? preset.maxTokens),
      stream: c.get<boolean>(`${slot}.stream`) ?? preset.stream,
    };
  };
  return {
    embeddedModels: (c.get<string>('embeddedModels') ?? '').trim(),
    endpoints: { planner: endpoint('planner'), generator: endpoint('generator'), vanilla: endpoint('vanilla') },
    timeoutMs: Math.max(1, c.get<number>('timeoutSeconds') ?? 60) * 1000,
  };
}

/**
 * Writes a setting where it is defined now, the most specific level first (workspace folder, workspace,
 * user): a value written elsewhere would be hidden by, or hide, the one the user set. A setting set
 * nowhere is written at `fallback`. `value` may build the new value from the one at that level (an
 * object setting such as escStudio.serving.ports). The one owner of this rule for every feature.
 */
export async function updateSettingWhereDefined<T>(
  section: string,
  key: string,
  value: T | ((current: T | undefined) => T),
  fallback: 'workspace' | 'global',
): Promise<void> {
  const c = vscode.workspace.getConfiguration(section);
  const i = c.inspect<T>(key);
  const [target, current] =
    i?.workspaceFolderValue !== undefined
      ? [vscode.ConfigurationTarget.WorkspaceFolder, i.workspaceFolderValue]
      : i?.workspaceValue !== undefined
        ? [vscode.ConfigurationTarget.Workspace, i.workspaceValue]
        : i?.globalValue !== undefined
          ? [vscode.ConfigurationTarget.Global, i.globalValue]
          : [
              fallback === 'workspace' && vscode.workspace.workspaceFolders?.length
                ? vscode.ConfigurationTarget.Workspace
                : vscode.ConfigurationTarget.Global,
              undefined,
            ];
  await c.update(key, typeof value === 'function' ? (value as (current: T | undefined) => T)(current) : value, target);
}
