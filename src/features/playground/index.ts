// The Playground sidebar view. For now it introduces the two-stage pipeline (strategy planning, then
// response generation) with the strategy legend, and points to what works today; the chat arrives
// with the playground issue. Messages are validated with the shared protocol schemas.

import * as vscode from 'vscode';
import { STRATEGIES, STRATEGY_COLORS } from '../../core/strategies';
import { playgroundToExtension, type ExtensionToPlayground } from '../../protocol/playground';
import type { Ctx } from '../ctx';
import { webviewHtml } from '../webviewHtml';

export class PlaygroundView implements vscode.WebviewViewProvider {
  static readonly id = 'escStudio.playground';
  private view: vscode.WebviewView | undefined;
  private readyWaiters: Array<() => void> = [];
  private isReady = false;

  constructor(private readonly ctx: Ctx) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.isReady = false;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.ctx.extensionUri, 'media')],
    };
    view.webview.html = webviewHtml(view.webview, this.ctx.extensionUri, 'playground.js', 'ESC Playground');
    const sub = view.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw));
    view.onDidDispose(() => {
      sub.dispose();
      this.view = undefined;
      this.isReady = false;
    });
  }

  /** Resolves once the webview has loaded and answered (used by the integration tests). */
  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private onMessage(raw: unknown): void {
    const parsed = playgroundToExtension.safeParse(raw);
    if (!parsed.success) {
      this.ctx.log.warn(`Playground: ignored a malformed message: ${parsed.error.issues[0]?.message ?? ''}`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready': {
        const init: ExtensionToPlayground = {
          type: 'init',
          strategies: STRATEGIES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
          trusted: vscode.workspace.isTrusted,
          version: this.ctx.version,
        };
        void this.view?.webview.postMessage(init);
        this.isReady = true;
        for (const w of this.readyWaiters.splice(0)) w();
        break;
      }
      case 'runCommand':
        void vscode.commands.executeCommand(msg.command);
        break;
    }
  }
}

export function registerPlayground(ctx: Ctx): PlaygroundView {
  const view = new PlaygroundView(ctx);
  ctx.push(vscode.window.registerWebviewViewProvider(PlaygroundView.id, view, { webviewOptions: { retainContextWhenHidden: false } }));
  ctx.command('escStudio.openPlayground', () => () => vscode.commands.executeCommand(`${PlaygroundView.id}.focus`));
  return view;
}
