// The host's share of opening a file, measured (issue 13 §6): a blank webview panel, opened the way the
// viewer opens (beside nothing, active, scripts on, our CSP shell without the bundle), that stamps the
// wall-clock time its inline script ran. `npm run bench:open` opens it and the viewer in the same
// code-server session and reports the viewer's first rows as a ratio of it. Registered only when the
// extension host runs with ESC_STUDIO_BENCH=1 (the bench sets it), so users never see it.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export const EMPTY_PANEL_COMMAND = 'escStudio.bench.openEmptyPanel';

/** True when the bench's commands are registered in this extension host. */
export const benchCommandsEnabled = (): boolean => process.env.ESC_STUDIO_BENCH === '1';

export function openEmptyPanel(extensionUri: vscode.Uri): void {
  const commandAt = Date.now();
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel('escStudio.emptyPanel', 'Empty panel', vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [media],
  });
  const nonce = randomBytes(16).toString('base64');
  const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'emptyPanel.js'));
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${panel.webview.cspSource}`;
  // one small script loaded like the viewer's bundle, which stamps what the viewer stamps (media/emptyPanel.js)
  panel.webview.html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><title>Empty panel</title></head>
<body data-command-at="${commandAt}">
<main>Empty panel</main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
