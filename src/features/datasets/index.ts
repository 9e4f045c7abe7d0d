// Registers the Datasets feature: the tree view, its commands and the validation diagnostics.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { DatasetsTree } from './datasetsTree';
import { detectDataset } from './detectCommand';
import { validateDataset } from './validateCommand';
import { prepareDatasets } from './prepareCommand';
import { targetFile } from '../targetFile';
import { DatasetViewerProvider, VIEW_TYPE } from './viewer/viewerProvider';

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
  ctx.push(
    tree,
    diagnostics,
    vscode.window.createTreeView('escStudio.datasets', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.registerFileDecorationProvider(tree),
  );
  ctx.command('escStudio.detectDataset', (c) => detectDataset(c, tree.tasks));
  ctx.command('escStudio.validateDataset', (c) => validateDataset(c, tree.tasks, diagnostics));
  ctx.command('escStudio.refreshDatasets', () => () => tree.refresh());
  ctx.command('escStudio.prepareDatasets', (c) => prepareDatasets(c, tree));
  const viewer = new DatasetViewerProvider(ctx);
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
  void tree.refresh();
  return { tree, viewer };
}
