// ESC: Evaluate… (pick inference files, score them, show them side by side), Evaluate (one file from
// the Evaluations view), Open Comparison and Refresh Evaluations.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { DatasetsTree } from '../datasets';
import { urisOf } from '../targetFile';
import type { ComparisonPage } from './comparisonPage';
import type { EvaluationsTree } from './evaluationsTree';

const BROWSE = 'Browse…';

/** Lets the user pick inference files: the workspace's, or others from disk. */
async function pickInferenceFiles(datasets: DatasetsTree, exclude: readonly string[]): Promise<vscode.Uri[] | undefined> {
  await datasets.ready();
  const entries = datasets.datasets.filter((e) => e.kind === 'inference' && !exclude.includes(e.uri.fsPath));
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = entries.map((e) => ({
    label: vscode.workspace.asRelativePath(e.uri),
    description: `${e.records.toLocaleString('en-US')} ${e.records === 1 ? 'turn' : 'turns'}`,
    uri: e.uri,
  }));
  items.push({ label: BROWSE, description: 'inference files outside the workspace', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'ESC: Evaluate — inference files to score and compare',
    placeHolder:
      entries.length > 0 ? 'Pick one or more inference outputs (Space to select)' : 'No inference file in this workspace: browse for one',
    canPickMany: true,
    matchOnDescription: true,
  });
  if (!picked || picked.length === 0) return undefined;
  const uris = picked.flatMap((p) => (p.uri ? [p.uri] : []));
  if (picked.some((p) => p.label === BROWSE)) {
    const more = await vscode.window.showOpenDialog({
      title: 'ESC: inference files to evaluate',
      canSelectMany: true,
      openLabel: 'Evaluate',
      filters: { 'Inference outputs': ['json', 'jsonl'], 'All files': ['*'] },
    });
    uris.push(...(more ?? []));
  }
  return uris.length > 0 ? uris : undefined;
}

export function registerEvaluateCommands(ctx: Ctx, datasets: DatasetsTree, tree: EvaluationsTree, comparison: ComparisonPage): void {
  const local = (uris: vscode.Uri[]): string[] => {
    const remote = uris.filter((u) => u.scheme !== 'file');
    if (remote.length > 0) void vscode.window.showErrorMessage(`ESC Studio scores files on disk; ${remote[0]!.toString()} is not one.`);
    return uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath);
  };
  ctx.command('escStudio.evaluate', () => async (...args: unknown[]) => {
    let uris = urisOf(args);
    if (uris.length === 0) uris = (await pickInferenceFiles(datasets, comparison.comparedFiles)) ?? [];
    if (uris.length === 0) return;
    await comparison.show(local(uris));
  });
  ctx.command('escStudio.evaluateFile', () => async (...args: unknown[]) => {
    const uris = urisOf(args);
    if (uris.length === 0) return vscode.commands.executeCommand('escStudio.evaluate');
    await comparison.show(local(uris));
  });
  ctx.command('escStudio.openComparison', () => () => comparison.show());
  ctx.command('escStudio.refreshEvaluations', () => async () => {
    await datasets.refresh();
    await tree.refresh();
  });
}
