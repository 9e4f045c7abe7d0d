// Registers the Datasets feature: the tree view, its commands and the validation diagnostics.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { DatasetsTree } from './datasetsTree';
import { detectDataset } from './detectCommand';
import { validateDataset } from './validateCommand';
import { prepareDatasets } from './prepareCommand';
import { targetFile } from '../targetFile';
import { DatasetViewerProvider, VIEW_TYPE } from './viewer/viewerProvider';
import { benchCommandsEnabled, EMPTY_PANEL_COMMAND, openEmptyPanel } from './viewer/emptyPanel';

export type { DatasetsTree } from './datasetsTree';
export type { DatasetEntry } from './discovery';
export { withFileProgress } from './fileProgress';
export type { DatasetViewerProvider, ShownView } from './viewer/viewerProvider';
export type { ViewSubset } from '../../core/dataset/viewTypes';

export interface DatasetsFeature {
  tree: DatasetsTree;
  viewer: DatasetViewerProvider;
}

export function registerDatasets(ctx: Ctx): DatasetsFeature {
  const tree = new DatasetsTree(ctx);
  const diagnostics = vscode.languages.createDiagnosticCollection('escStudio');
  const treeView = vscode.window.createTreeView('escStudio.datasets', { treeDataProvider: tree, showCollapseAll: true });
  ctx.push(tree, diagnostics, treeView, vscode.window.registerFileDecorationProvider(tree));
  ctx.command('escStudio.detectDataset', (c) => detectDataset(c, tree.tasks));
  ctx.command('escStudio.validateDataset', (c) => validateDataset(c, tree.tasks, diagnostics));
  ctx.command('escStudio.refreshDatasets', () => () => tree.refresh());
  ctx.command('escStudio.prepareDatasets', (c) => prepareDatasets(c, tree));
  const viewer = new DatasetViewerProvider(ctx);
  // a file selected in the tree (arrow keys, before Enter) is likely opened next: its index starts then
  // (issue 13 §6). Not on hover: measured, the index is ready long before the webview is, and a hover
  // over a large file would index it for nothing.
  ctx.push(
    treeView.onDidChangeSelection((e) => {
      const node = e.selection[0];
      if (node?.type === 'file') viewer.prewarm(node.entry.uri);
    }),
  );
  ctx.push(vscode.window.registerCustomEditorProvider(VIEW_TYPE, viewer, { supportsMultipleEditorsPerDocument: true }));
  ctx.command('escStudio.openViewer', () => async (arg?: unknown) => {
    const uri = await targetFile(arg, 'Open in Viewer');
    if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  });
  ctx.command('escStudio.showStatistics', () => async (arg?: unknown) => {
    const uri = await targetFile(arg, 'Show Statistics');
    if (uri) await viewer.openWithTab(uri, 'stats');
  });
  ctx.command('escStudio.revealDataset', () => async (arg?: unknown) => {
    const uri = await targetFile(arg, 'Reveal');
    if (uri) await vscode.commands.executeCommand('revealInExplorer', uri);
  });
  if (benchCommandsEnabled()) {
    ctx.command(EMPTY_PANEL_COMMAND, (c) => () => openEmptyPanel(c.extensionUri));
    void vscode.commands.executeCommand('setContext', 'escStudio.benchCommands', true);
  }
  void tree.refresh();
  return { tree, viewer };
}
