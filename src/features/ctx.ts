// The extension's shared state: the VS Code context, the log, and the test API. Features receive a
// Ctx and register their disposables on it; nothing else is global.

import * as vscode from 'vscode';

export class Ctx {
  readonly log: vscode.LogOutputChannel;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('ESC Studio', { log: true });
    extension.subscriptions.push(this.log);
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  get version(): string {
    return String((this.extension.extension.packageJSON as { version?: string }).version ?? 'dev');
  }

  push(...disposables: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...disposables);
  }

  /** Registers a command built by a factory `(ctx) => handler`, the style of rust-analyzer's commands. */
  command(id: string, factory: (ctx: Ctx) => (...args: never[]) => unknown): void {
    this.push(vscode.commands.registerCommand(id, factory(this) as (...args: unknown[]) => unknown));
  }
}
