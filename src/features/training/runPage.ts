// A run page: one stage's (or attached folder's) charts in an editor tab, updated whenever the Runs
// model re-reads the trainer logs; a failed stage's page also says how it ended (exit code, last lines).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { OUTPUT_TAIL_LINES } from '../../core/training/runLog';
import { endingOf, showsOutput } from '../../core/training/stageRuns';
import { runPageToExtension, type ExtensionToRunPage } from '../../protocol/runPage';
import type { Ctx } from '../ctx';
import { webviewHtml } from '../webviewHtml';
import type { RunsModel } from './runsModel';
import { progressText, type RunNode } from './runsTree';

const pages = new Map<string, vscode.WebviewPanel>();

export function openRunPage(ctx: Ctx, model: RunsModel, node: RunNode): vscode.WebviewPanel | undefined {
  if (node.type === 'experiment' || node.type === 'row') return undefined;
  const key = node.type === 'stage' ? `${node.run.experimentFile}|${node.run.stage}` : node.run.dir;
  const existing = pages.get(key);
  if (existing) {
    existing.reveal();
    return existing;
  }
  const name =
    node.type === 'stage' ? `${path.basename(path.dirname(node.run.outputDir))}: ${node.run.stage}` : path.basename(node.run.dir);
  const panel = vscode.window.createWebviewPanel('escStudio.runPage', `Run ${name}`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(ctx.extensionUri, 'media')],
  });
  panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, 'runPage.js', `Run ${name}`);
  pages.set(key, panel);
  let disposed = false;
  const update = (): void => {
    if (disposed) return;
    const run =
      node.type === 'stage' ? model.find(node.run.experimentFile, node.run.stage) : model.attached.find((a) => a.dir === node.run.dir);
    if (!run) return;
    const folder = 'outputDir' in run ? run.outputDir : run.dir;
    const msg: ExtensionToRunPage = {
      type: 'update',
      title: `Run ${name}`,
      status: 'status' in run ? run.status.replace('-', ' ') : 'attached folder',
      progress: progressText(run.log),
      folder: vscode.workspace.asRelativePath(folder),
      points: run.log?.points ?? [],
      ending: 'status' in run && showsOutput(run) ? endingOf(run, OUTPUT_TAIL_LINES) : undefined,
    };
    void panel.webview.postMessage(msg).then(undefined, () => undefined);
  };
  const sub = model.onDidChange(update);
  panel.webview.onDidReceiveMessage((raw: unknown) => {
    const m = runPageToExtension.safeParse(raw);
    if (m.success && m.data.type === 'ready') update();
  });
  panel.onDidDispose(() => {
    disposed = true;
    sub.dispose();
    pages.delete(key);
  });
  return panel;
}
