// The Playground: a sidebar webview view and, on request, the same chat in an editor tab. Both show
// one shared session (session.ts); messages are validated with the protocol's schemas.

import * as vscode from 'vscode';
import { playgroundToExtension, type SaveAs } from '../../protocol/playground';
import type { Ctx } from '../ctx';
import type { DatasetsTree } from '../datasets';
import { webviewHtml } from '../webviewHtml';
import { PlaygroundBackends } from './backends';
import { configureEndpoints, testConnections } from './endpointCommands';
import { saveConversation, savePair } from './saveRecords';
import { PlaygroundSession } from './session';
import { trainEmbeddedCommand } from './trainEmbeddedCommand';

const webviewOptions = (ctx: Ctx): vscode.WebviewOptions => ({
  enableScripts: true,
  localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(ctx.extensionUri, 'media')],
});

export class PlaygroundView implements vscode.WebviewViewProvider {
  static readonly id = 'escStudio.playground';
  private readyWaiters: Array<() => void> = [];
  private isReady = false;
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly ctx: Ctx,
    readonly session: PlaygroundSession,
    private readonly datasets: DatasetsTree,
    readonly backends: PlaygroundBackends,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.isReady = false;
    this.connect(view.webview, 'ESC Playground', view.onDidDispose);
  }

  /** The same chat as an editor tab (one at a time; shown again if already open). */
  openInEditor(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('escStudio.playgroundPanel', 'ESC Playground', vscode.ViewColumn.Active, {
      ...webviewOptions(this.ctx),
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extensionUri, 'media', 'esc-studio.svg');
    this.panel = panel;
    this.connect(panel.webview, 'ESC Playground', panel.onDidDispose);
    panel.onDidDispose(() => (this.panel = undefined));
  }

  private connect(webview: vscode.Webview, title: string, onDispose: vscode.Event<void>): void {
    webview.options = webviewOptions(this.ctx);
    webview.html = webviewHtml(webview, this.ctx.extensionUri, 'playground.js', title);
    const attached = this.session.attach(webview);
    const sub = webview.onDidReceiveMessage((raw: unknown) => this.onMessage(webview, raw));
    onDispose(() => {
      attached.dispose();
      sub.dispose();
    });
  }

  /** "Save conversation": appends the dialogue as SFT records to a file the user picks. */
  save(as: SaveAs): Promise<void> {
    return saveConversation(this.ctx, this.session, this.datasets, as);
  }

  /** "Keep both": appends the marked pair as a preference record. */
  savePair(turnId: string, chosen: number, rejected: number, as: 'planner' | 'generator'): Promise<void> {
    return savePair(this.ctx, this.session, this.datasets, turnId, chosen, rejected, as);
  }

  /** Reset clears a conversation that may hold unsaved turns: ask first. */
  private async confirmReset(): Promise<void> {
    if (this.session.conversation.turns.length > 0) {
      const answer = await vscode.window.showWarningMessage(
        'Clear the Playground conversation? Turns not saved with “Save conversation” are lost.',
        { modal: true },
        'Clear',
      );
      if (answer !== 'Clear') return;
    }
    this.session.reset();
  }

  /** Resolves once a Playground webview has loaded and answered (used by the integration tests). */
  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private onMessage(webview: vscode.Webview, raw: unknown): void {
    const parsed = playgroundToExtension.safeParse(raw);
    if (!parsed.success) {
      this.ctx.log.warn(`Playground: ignored a malformed message: ${parsed.error.issues[0]?.message ?? ''}`);
      return;
    }
    const msg = parsed.data;
    const s = this.session;
    switch (msg.type) {
      case 'ready':
        void webview.postMessage(s.initMessage());
        this.isReady = true;
        for (const w of this.readyWaiters.splice(0)) w();
        break;
      case 'send':
        void s.send(msg.text);
        break;
      case 'override':
        void s.override(msg.turnId, msg.candidate, msg.strategy);
        break;
      case 'regenerate':
        void s.regenerate(msg.turnId);
        break;
      case 'select':
        s.select(msg.turnId, msg.candidate);
        break;
      case 'cancel':
        s.cancel();
        break;
      case 'reset':
        void this.confirmReset();
        break;
      case 'setMode':
        s.setMode(msg.mode);
        break;
      case 'setBackend':
        s.setBackend(msg.backend);
        break;
      case 'save':
        void this.save(msg.as);
        break;
      case 'savePair':
        void this.savePair(msg.turnId, msg.chosen, msg.rejected, msg.as);
        break;
      case 'fix':
        if (msg.action === 'useEmbedded') s.setBackend('embedded');
        else if (msg.action === 'configure') void vscode.commands.executeCommand('escStudio.configurePlaygroundEndpoints');
        else if (msg.action === 'testConnection') void vscode.commands.executeCommand('escStudio.testPlaygroundConnection');
        else void vscode.commands.executeCommand('escStudio.trainEmbedded');
        break;
      case 'runCommand':
        void vscode.commands.executeCommand(msg.command);
        break;
    }
  }
}

export function registerPlayground(ctx: Ctx, datasets: DatasetsTree): PlaygroundView {
  const backends = new PlaygroundBackends(ctx);
  const session = new PlaygroundSession(ctx, backends);
  const view = new PlaygroundView(ctx, session, datasets, backends);
  ctx.push(backends, session);
  ctx.push(vscode.window.registerWebviewViewProvider(PlaygroundView.id, view, { webviewOptions: { retainContextWhenHidden: false } }));
  // the backend lines shown in the view follow the settings
  ctx.push(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('escStudio.playground') && session.broadcast()));
  // the views learn that the endpoint backend is available now
  ctx.push(vscode.workspace.onDidGrantWorkspaceTrust(() => session.post(session.initMessage())));
  ctx.command('escStudio.openPlayground', () => () => vscode.commands.executeCommand(`${PlaygroundView.id}.focus`));
  ctx.command('escStudio.openPlaygroundInEditor', () => () => view.openInEditor());
  ctx.command('escStudio.configurePlaygroundEndpoints', (c) => () => configureEndpoints(c, backends, session));
  ctx.command('escStudio.testPlaygroundConnection', (c) => () => testConnections(c, backends, session));
  ctx.command('escStudio.trainEmbedded', (c) => (uri?: unknown) => trainEmbeddedCommand(c, datasets, backends, session, uri));
  return view;
}
