// Registers the Datasets feature: the tree view, its commands and the validation diagnostics.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { DatasetsTree } from './datasetsTree';
import { detectDataset } from './detectCommand';
import { validateDataset } from './validateCommand';

export function registerDatasets(ctx: Ctx): DatasetsTree {
  const tree = new DatasetsTree(ctx);
  const diagnostics = vscode.languages.createDiagnosticCollection('escStudio');
  ctx.push(tree, diagnostics, vscode.window.createTreeView('escStudio.datasets', { treeDataProvider: tree, showCollapseAll: true }));
  ctx.command('escStudio.detectDataset', detectDataset);
  ctx.command('escStudio.validateDataset', (c) => validateDataset(c, diagnostics));
  ctx.command('escStudio.refreshDatasets', () => () => tree.refresh());
  void tree.refresh();
  return tree;
}
