// The mining page: one run of *Mine Preference Pairs* at a time, drawn live (webview-ui/src/mining/).
// The command (minePairs.ts) owns the run and tells the page what happens; the page owns the panel,
// the state it shows and the user's actions: Cancel (the run stops, its checkpoint kept), Resume (the
// same command again on the same folder), open a pairs file in the dataset viewer, add the pairs to
// an experiment's DPO stages, and the fixes a failure offers. The last state is kept in the workspace
// state, so the page comes back after a reload; a run that was still going then is shown as stopped
// (its worker ended with the window), and Resume continues it.

import * as vscode from 'vscode';
import { STRATEGIES, STRATEGY_COLORS } from '../../core/strategies';
import { miningToExtension, type MiningState, type MiningToExtension } from '../../protocol/mining';
import type { Ctx } from '../ctx';
import { webviewHtml } from '../webviewHtml';

export const MINING_VIEW_TYPE = 'escStudio.mining';
const STATE_KEY = 'escStudio.mining.state';

/** What the page's buttons do; the command module supplies them. */
export interface MiningActions {
  cancel(): void;
  resume(): Promise<void>;
  open(file: string): Promise<void>;
  addToExperiment(): Promise<void>;
  fix(fix: Extract<MiningToExtension, { type: 'fix' }>['fix']): Promise<void>;
  /** The path of one of the finished run's files. */
  fileOf(key: Extract<MiningToExtension, { type: 'open' }>['file']): string | undefined;
}

export type MiningView = Omit<MiningState, 'type' | 'strategies'>;

export class MiningPage implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private view: MiningView | undefined;
  private actions: MiningActions | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly posted = new vscode.EventEmitter<MiningState>();
  /** Fires with every state the page is sent (the integration test follows the run with it). */
  readonly onDidPost = this.posted.event;
  private lastSaved = 0;

  constructor(private readonly ctx: Ctx) {
    const saved = ctx.extension.workspaceState.get<MiningView>(STATE_KEY);
    if (saved) {
      const live = saved.status === 'starting' || saved.status === 'running' || saved.status === 'stopping';
      this.view = live ? { ...saved, status: 'cancelled' } : saved;
    }
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(MINING_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.attach(panel);
          this.post();
        },
      }),
    );
  }

  /** The state last sent (or that would be sent). */
  get state(): MiningState | undefined {
    return this.view && this.message(this.view);
  }

  setActions(actions: MiningActions): void {
    this.actions = actions;
  }

  /** Opens (or reveals) the page. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      MINING_VIEW_TYPE,
      'ESC: Mining',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: this.roots(),
      },
    );
    this.attach(panel);
  }

  private roots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.ctx.extensionUri, 'media')];
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: this.roots() };
    panel.webview.html = webviewHtml(panel.webview, this.ctx.extensionUri, 'mining.js', 'ESC: Mining');
    const sub = panel.webview.onDidReceiveMessage((raw: unknown) => {
      const m = miningToExtension.safeParse(raw);
      if (!m.success) {
        this.ctx.log.warn(`Mining page: ignored a malformed message: ${m.error.message}`);
        return;
      }
      void this.handle(m.data).catch((err: unknown) => {
        void vscode.window.showErrorMessage(`ESC Studio: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    panel.onDidDispose(() => {
      sub.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  /** Replaces the shown run (a new run) or updates it; progress is saved at most every 2 s. */
  update(view: MiningView): void {
    this.view = view;
    const now = Date.now();
    if (view.status !== 'running' || now - this.lastSaved > 2000) {
      this.lastSaved = now;
      void this.ctx.extension.workspaceState.update(STATE_KEY, view);
    }
    this.post();
  }

  patch(change: Partial<MiningView>): void {
    if (this.view) this.update({ ...this.view, ...change });
  }

  private message(view: MiningView): MiningState {
    return { type: 'state', ...view, strategies: STRATEGIES.map((name) => ({ name, color: STRATEGY_COLORS[name] })) };
  }

  private post(): void {
    if (!this.view) return;
    const state = this.message(this.view);
    this.posted.fire(state);
    void this.panel?.webview.postMessage(state).then(undefined, () => undefined);
  }

  /** The page's actions (also called by the tests, as the buttons would). */
  async handle(m: MiningToExtension): Promise<void> {
    const a = this.actions;
    switch (m.type) {
      case 'ready':
        this.post();
        return;
      case 'cancel':
        a?.cancel();
        return;
      case 'resume':
        await a?.resume();
        return;
      case 'open': {
        const file = a?.fileOf(m.file);
        if (file) await a!.open(file);
        return;
      }
      case 'addToExperiment':
        await a?.addToExperiment();
        return;
      case 'fix':
        await a?.fix(m.fix);
        return;
    }
  }

  dispose(): void {
    this.panel?.dispose();
    this.posted.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
