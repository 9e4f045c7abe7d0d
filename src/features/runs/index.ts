// The Runs view. Training launch is not built yet: the view is an empty tree so VS Code shows its
// welcome content, which tells a newcomer where to start.

import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

export interface RunNode {
  label: string;
}

class RunsTree implements vscode.TreeDataProvider<RunNode> {
  getChildren(): RunNode[] {
    return [];
  }
  getTreeItem(node: RunNode): vscode.TreeItem {
    return new vscode.TreeItem(node.label);
  }
}

export function registerRuns(ctx: Ctx): vscode.TreeDataProvider<RunNode> {
  const tree = new RunsTree();
  ctx.push(vscode.window.createTreeView('escStudio.runs', { treeDataProvider: tree }));
  return tree;
}
