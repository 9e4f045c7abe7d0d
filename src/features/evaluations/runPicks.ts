// The pickers the batch-run commands share (Run Inference, Mine Preference Pairs): the vanilla SFT
// file (the workspace's, or Browse…), where the models come from, and the calls in flight at once.
// Each command keeps its own titles and wording ("Run Inference (1/4): …", "Mine Preference Pairs
// (1/6): …"), given here as parameters; undefined from any of them means the user dismissed it.
// And the workspace-trust guard both start with.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { KIND_LABELS } from '../../core/formats/kinds';
import type { DatasetsTree } from '../datasets';
import type { PlaygroundView } from '../playground';
import { uriOf } from '../targetFile';
import type { ModelSource, ServedEndpoints } from './modelSources';

export interface VanillaFilePick {
  /** The quick pick's title, e.g. "Run Inference (1/4): the split". */
  title: string;
  /** The placeholder when the workspace has vanilla SFT files. */
  placeHolder: string;
  /** The open dialog's title after Browse…. */
  browseTitle: string;
  /** How a file's path is shown (the command's workspace-relative form). */
  rel: (p: string) => string;
}

/** A vanilla SFT file of the workspace, or one browsed to. */
export async function pickVanillaFile(datasets: DatasetsTree, pick: VanillaFilePick): Promise<vscode.Uri | undefined> {
  await datasets.ready();
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = datasets.datasets
    .filter((d) => d.kind === 'sft-vanilla')
    .map((d) => ({
      label: path.basename(d.uri.fsPath),
      description: pick.rel(d.uri.fsPath),
      detail: `${KIND_LABELS[d.kind]} · ${d.records} records`,
      uri: d.uri,
    }));
  items.push({ label: '$(folder-opened) Browse…' });
  const choice = await vscode.window.showQuickPick(items, {
    title: pick.title,
    placeHolder: items.length > 1 ? pick.placeHolder : 'No vanilla SFT file in the workspace: browse',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!choice) return undefined;
  if (choice.uri) return choice.uri;
  const picked = await vscode.window.showOpenDialog({
    title: pick.browseTitle,
    canSelectMany: false,
    filters: { 'ESC datasets': ['json', 'jsonl'] },
  });
  return picked?.[0];
}

/**
 * The run's vanilla SFT file: the options' `file` (a path or a URI), else the file the command was
 * invoked on (`arg`: the explorer's or the datasets view's), else picked.
 */
export async function vanillaFileFor(
  given: string | vscode.Uri | undefined,
  arg: unknown,
  datasets: DatasetsTree,
  pick: VanillaFilePick,
): Promise<vscode.Uri | undefined> {
  if (given !== undefined) return typeof given === 'string' ? vscode.Uri.file(given) : given;
  return uriOf(arg) ?? (await pickVanillaFile(datasets, pick));
}

/** The Playground's endpoints (`endpoints`: the detail naming the ones the run uses) or the embedded models. */
export async function pickModelSource(
  backends: PlaygroundView['backends'],
  title: string,
  endpoints: string,
  served?: ServedEndpoints,
): Promise<ModelSource | undefined> {
  const embedded = backends.describe('embedded');
  const ready = (['planner', 'generator', 'vanilla'] as const).flatMap((slot) => {
    const e = served?.endpoint(slot);
    return e ? [`${slot} ${e.baseUrl} · ${e.model}`] : [];
  });
  const choice = await vscode.window.showQuickPick(
    [
      ...(ready.length > 0 ? [{ label: 'Served models', source: 'served' as const, detail: ready.join(' · ') }] : []),
      { label: 'Playground endpoints', source: 'playground' as const, detail: endpoints },
      {
        label: 'Embedded models',
        source: 'embedded' as const,
        detail: `${embedded.note ?? ''} Offline; a retrieval generator, not a language model.`,
      },
    ],
    { title, ignoreFocusOut: true },
  );
  return choice?.source;
}

/** Calls in flight at once: a whole number from 1 to 256, 8 offered. */
export async function askConcurrency(title: string, prompt: string): Promise<number | undefined> {
  const v = await vscode.window.showInputBox({
    title,
    value: '8',
    prompt,
    ignoreFocusOut: true,
    validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 256 ? undefined : 'A whole number from 1 to 256'),
  });
  return v === undefined ? undefined : Number(v.trim());
}

/**
 * False, with an error offering Manage Workspace Trust, in an untrusted workspace: a batch run runs
 * models and sends the dialogues to endpoints, so it is refused even when invoked programmatically.
 */
export function trustedForRun(command: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showErrorMessage(
      `${command} is disabled in an untrusted workspace: it runs models and sends the dialogues to the configured endpoints. Trust the workspace first.`,
      'Manage Workspace Trust',
    )
    .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
