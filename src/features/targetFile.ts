// Which file a dataset command acts on: the explorer/tree item it was invoked on, else the active
// editor's file, else one the user picks.

import * as vscode from 'vscode';

export function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'object' && arg !== null && 'entry' in arg) {
    const entry = (arg as { entry?: { uri?: unknown } }).entry;
    if (entry?.uri instanceof vscode.Uri) return entry.uri;
  }
  return undefined;
}

export async function targetFile(arg: unknown, action: string): Promise<vscode.Uri | undefined> {
  const given = uriOf(arg);
  if (given) return given;
  // The active tab, not only the active text editor: VS Code does not give extensions a text editor
  // for very large files, and the file may already be open in the viewer.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom
      ? input.uri
      : vscode.window.activeTextEditor?.document.uri;
  if (active && /\.jsonl?$/i.test(active.path)) return active;
  const picked = await vscode.window.showOpenDialog({
    title: `ESC Studio: ${action}`,
    canSelectMany: false,
    openLabel: action,
    filters: { 'ESC datasets': ['json', 'jsonl'], 'All files': ['*'] },
  });
  return picked?.[0];
}

export function requireLocal(uri: vscode.Uri): boolean {
  if (uri.scheme === 'file') return true;
  void vscode.window.showErrorMessage(`ESC Studio reads datasets from the file system; ${uri.toString()} is not a local or remote file.`);
  return false;
}
