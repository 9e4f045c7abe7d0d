// What every integration suite needs from the extension host: the extension's test API, the demo
// workspace folder, and a timeout around waits that would otherwise hang the suite.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EscStudioApi } from '../../src/extension';

export const EXTENSION_ID = 'esc-studio.esc-studio';

/** The extension's API, activating it when it is not yet. */
export async function api(): Promise<EscStudioApi> {
  const ext = vscode.extensions.getExtension<EscStudioApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** `p`, or a rejection naming `what` after `ms` milliseconds. */
export function withTimeout<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(p),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** The demo workspace's folder (a throw-away copy the runner opened). */
export const workspaceDir = (): string => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the demo workspace is not open');
  return folder.uri.fsPath;
};

/** Custom-editor tabs of the dataset viewer showing `uri`, in every group. */
export const viewerTabs = (uri: vscode.Uri): vscode.Tab[] =>
  vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) =>
        t.input instanceof vscode.TabInputCustom &&
        t.input.viewType === 'escStudio.datasetViewer' &&
        t.input.uri.toString() === uri.toString(),
    );
