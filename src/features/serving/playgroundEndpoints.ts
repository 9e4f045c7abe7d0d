// Once served, the Playground talks to the servers: escStudio.playground.<slot>.baseUrl / .model set to
// the ready ones. Endpoints the user configured (any value that is not the default and not already the
// served one) are not replaced without asking (Replace / Keep).

import * as vscode from 'vscode';
import { updateSettingWhereDefined, type EndpointSlot } from '../config';
import type { Server } from './servers';

export type EndpointChoice = 'ask' | 'replace' | 'keep';

/** Writes a Playground setting where it is defined now; one set nowhere goes to the workspace (served endpoints are this workspace's). */
const update = (key: string, value: string): Promise<void> => updateSettingWhereDefined('escStudio.playground', key, value, 'workspace');

/** The value the user set for a key (at any level), when it is not the default. */
function configured(key: string): string | undefined {
  const i = vscode.workspace.getConfiguration('escStudio.playground').inspect<string>(key);
  const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  return v !== undefined && v !== i?.defaultValue ? v : undefined;
}

/** Points the Playground's slots at the ready servers; 'replaced', 'kept' or 'unchanged' (nothing to do). */
export async function usePlaygroundEndpoints(ready: readonly Server[], choice: EndpointChoice): Promise<'replaced' | 'kept' | 'unchanged'> {
  const changes = ready
    .filter((s) => s.baseUrl)
    .map((s) => ({ slot: s.role as EndpointSlot, baseUrl: s.baseUrl!, model: s.model }))
    .filter((c) => {
      const c0 = vscode.workspace.getConfiguration('escStudio.playground');
      return c0.get<string>(`${c.slot}.baseUrl`) !== c.baseUrl || c0.get<string>(`${c.slot}.model`) !== c.model;
    });
  if (changes.length === 0) return 'unchanged';
  const others = changes.flatMap((c) => {
    const url = configured(`${c.slot}.baseUrl`);
    const model = configured(`${c.slot}.model`);
    return (url !== undefined && url !== c.baseUrl) || (model !== undefined && model !== c.model)
      ? [`${c.slot}: ${url ?? '(default URL)'}${model ? ` · ${model}` : ''}`]
      : [];
  });
  if (others.length > 0 && choice === 'ask') {
    const answer = await vscode.window.showInformationMessage(
      'Use the served models in the Playground?',
      {
        modal: true,
        detail: `The Playground is set to other endpoints:\n${others.join('\n')}\n\nServed now:\n${changes.map((c) => `${c.slot}: ${c.baseUrl} · ${c.model}`).join('\n')}`,
      },
      'Replace',
      'Keep',
    );
    choice = answer === 'Replace' ? 'replace' : 'keep';
  }
  if (others.length > 0 && choice === 'keep') return 'kept';
  for (const c of changes) {
    await update(`${c.slot}.baseUrl`, c.baseUrl);
    await update(`${c.slot}.model`, c.model);
  }
  return 'replaced';
}
