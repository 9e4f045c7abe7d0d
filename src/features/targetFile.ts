// Which file a dataset command acts on: the explorer/tree item it was invoked on, else the active
// editor's file, else one the user picks.

import * as vscode from 'vscode';

/** A file URI from a command argument: a Uri, or a tree node holding one ({uri} or {entry: {uri}}). */
export function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as { uri?: unknown; entry?: { uri?: unknown } };
  if (o.uri instanceof vscode.Uri) return o.uri;
  if (o.entry?.uri instanceof vscode.Uri) return o.entry.uri;
  return undefined;
}

/** The files a command was given: URIs or tree nodes, or VS Code's (clicked, selected[]) pair; each once, in order. */
export function urisOf(args: readonly unknown[]): vscode.Uri[] {
  const uris = args.flatMap((a) => (Array.isArray(a) ? a : [a])).map(uriOf);
  return [...new Map(uris.filter((u): u is vscode.Uri => u !== undefined).map((u) => [u.toString(), u])).values()];
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
