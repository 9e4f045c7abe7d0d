// The comparison page: the paper's results table over the inference files the user chose, with the
// charts the webview draws (webview-ui/src/comparison/), drill-downs into the dataset viewer, export
// of the table and the start of a blind review. One page per window; the files it compares are kept
// in the workspace state, so the page comes back after a reload with the same runs (scored again
// only when a file changed).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { drillIndices, drillLabel } from '../../core/eval/drill';
import { noStrategyByGold, type EvalDetail } from '../../core/eval/evaluate';
import { renderResultsTable, resultsTableView, type TableFormat } from '../../core/eval/resultsTable';
import { STRATEGIES, STRATEGY_COLORS } from '../../core/strategies';
import { writeFileAtomic } from '../../core/util/atomicWrite';
import { CancelledError } from '../../core/util/cancel';
import { comparisonToExtension, type ComparedRun, type ComparisonToExtension, type ExtensionToComparison } from '../../protocol/comparison';
import type { Ctx } from '../ctx';
import type { DatasetViewerProvider } from '../datasets';
import { webviewHtml } from '../webviewHtml';
import type { EvalService } from './evalService';

export const COMPARISON_VIEW_TYPE = 'escStudio.comparison';
const FILES_KEY = 'escStudio.comparison.files';
const BASELINE_KEY = 'escStudio.comparison.baseline';

interface Pending {
  done: number;
  total: number;
}

export function comparedRun(id: string, label: string, d: EvalDetail): ComparedRun {
  const { run, turns } = d;
  const support = STRATEGIES.map(() => 0);
  for (const g of turns.gold) support[g]!++;
  return {
    id,
    label,
    records: run.records,
    perStrategy: STRATEGIES.map((s) => run.strategy.per_strategy[s]),
    support,
    confusion: STRATEGIES.map((g) => STRATEGIES.map((p) => run.strategy.confusion[g][p])),
    unusable: noStrategyByGold(turns.gold, turns.predicted),
    lengths: { predicted: turns.predictedLength, gold: turns.goldLength },
  };
}

const EXTENSIONS: Record<Exclude<TableFormat, 'table'>, string> = { markdown: 'md', latex: 'tex', csv: 'csv' };

export class ComparisonPage implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private files: string[];
  private baseline: string | null;
  private readonly pending = new Map<string, Pending>();
  private readonly failed = new Map<string, string>();
  private readonly results = new Map<string, EvalDetail>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Scoring passes in progress (each show() of new files starts one); closing the page stops them all. */
  private readonly scoring = new Set<AbortController>();
  private readonly posted = new vscode.EventEmitter<ExtensionToComparison>();
  /** Fires with every state the page is sent (the integration tests read the numbers from it). */
  readonly onDidPost = this.posted.event;
  private lastState: ExtensionToComparison | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly service: EvalService,
    private readonly viewer: DatasetViewerProvider,
  ) {
    this.files = ctx.extension.workspaceState.get<string[]>(FILES_KEY, []);
    this.baseline = ctx.extension.workspaceState.get<string | null>(BASELINE_KEY, null);
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(COMPARISON_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.attach(panel);
          await this.score(this.files);
        },
      }),
    );
  }

  /** The state last sent to the page. */
  get state(): ExtensionToComparison | undefined {
    return this.lastState;
  }

  get comparedFiles(): readonly string[] {
    return this.files;
  }

  /** Opens (or reveals) the page and adds these files to it, scoring those without a valid result. */
  async show(add: readonly string[] = []): Promise<void> {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(COMPARISON_VIEW_TYPE, 'ESC: Compare Runs', vscode.ViewColumn.Active, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [
          vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'),
          vscode.Uri.joinPath(this.ctx.extensionUri, 'media'),
        ],
      });
      this.attach(panel);
    } else this.panel.reveal();
    for (const f of add) if (!this.files.includes(f)) this.files.push(f);
    await this.saveState();
    await this.score(this.files);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'),
        vscode.Uri.joinPath(this.ctx.extensionUri, 'media'),
      ],
    };
    panel.webview.html = webviewHtml(panel.webview, this.ctx.extensionUri, 'comparison.js', 'ESC: Compare Runs');
    const subs = [
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const m = comparisonToExtension.safeParse(raw);
        if (!m.success) {
          this.ctx.log.warn(`Comparison page: ignored a malformed message: ${m.error.message}`);
          return;
        }
        void this.handle(m.data).catch((err: unknown) => {
          void vscode.window.showErrorMessage(`ESC Studio: ${err instanceof Error ? err.message : String(err)}`);
        });
      }),
      ...this.watchComparedFiles(),
    ];
    panel.onDidDispose(() => {
      for (const a of this.scoring) a.abort();
      for (const s of subs) s.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  /**
   * While the page is open, a compared file rewritten on disk (inference rerun into the same output) is
   * scored again, so the numbers and the drill-downs never describe an older version of it. Only while
   * open: a closed page checks its files when it is shown again (score() asks the service).
   */
  private watchComparedFiles(): vscode.Disposable[] {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{json,jsonl}', true, false, true);
    let soon: NodeJS.Timeout | undefined;
    return [
      watcher,
      watcher.onDidChange((uri) => {
        if (!this.files.includes(uri.fsPath) || !this.results.has(uri.fsPath)) return;
        clearTimeout(soon);
        soon = setTimeout(() => {
          if (this.panel) void this.score(this.files);
        }, 500);
      }),
      { dispose: () => clearTimeout(soon) },
    ];
  }

  private async saveState(): Promise<void> {
    await this.ctx.extension.workspaceState.update(FILES_KEY, this.files);
    await this.ctx.extension.workspaceState.update(BASELINE_KEY, this.baseline);
  }

  /** Scores the files that have no result yet, one after another, with a cancellable notification. */
  private async score(files: readonly string[]): Promise<void> {
    const todo = files.filter((f) => !this.results.has(f) && !this.pending.has(f));
    // results of files changed on disk since are dropped by the service; ask it first (fast when cached)
    for (const f of files) {
      if (this.results.has(f) && !(await this.service.cached(f))) {
        this.results.delete(f);
        todo.push(f);
      }
    }
    this.post();
    if (todo.length === 0) return;
    for (const f of todo) {
      this.failed.delete(f);
      this.pending.set(f, { done: 0, total: 0 });
    }
    this.post();
    const abort = new AbortController();
    this.scoring.add(abort);
    // Cancel in the notification drops the files not scored yet; closing the page only stops the work
    // (the files stay in the comparison and are scored when it opens again)
    let userCancelled = false;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'ESC: Evaluating', cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => {
          userCancelled = true;
          abort.abort();
        });
        for (const [k, file] of todo.entries()) {
          if (abort.signal.aborted) break;
          const name = path.basename(file);
          progress.report({ message: `${name} (${k + 1}/${todo.length})` });
          let lastPost = 0;
          try {
            const r = await this.service.evaluate(file, {
              signal: abort.signal,
              onProgress: (p) => {
                this.pending.set(file, p);
                progress.report({
                  message: `${name} (${k + 1}/${todo.length}): ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} turns`,
                });
                if (Date.now() - lastPost > 200) {
                  lastPost = Date.now();
                  this.post();
                }
              },
            });
            this.results.set(file, r.detail);
          } catch (err) {
            if (err instanceof CancelledError || abort.signal.aborted) break;
            const message = err instanceof Error ? err.message : String(err);
            this.failed.set(file, message);
            this.ctx.log.warn(`Evaluations: ${file}: ${message}`);
            void vscode.window.showErrorMessage(`ESC: cannot evaluate ${name}: ${message}`, 'Open in Viewer').then((pick) => {
              if (pick) void vscode.commands.executeCommand('escStudio.openViewer', vscode.Uri.file(file));
            });
          } finally {
            this.pending.delete(file);
            this.post();
          }
        }
      },
    );
    this.scoring.delete(abort);
    for (const f of todo) this.pending.delete(f);
    if (userCancelled) {
      // files not scored leave the page; nothing else was touched
      const dropped = todo.filter((f) => !this.results.has(f) && !this.failed.has(f));
      for (const f of dropped) this.pending.delete(f);
      this.files = this.files.filter((f) => !dropped.includes(f));
      await this.saveState();
      this.post();
      if (dropped.length > 0) void vscode.window.showInformationMessage(`ESC: evaluation cancelled; ${dropped.length} file(s) not added.`);
    }
  }

  private label(file: string): string {
    return vscode.workspace.asRelativePath(file, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  }

  /** The scored runs in the page's order. */
  private scored(): { file: string; detail: EvalDetail }[] {
    return this.files.flatMap((file) => {
      const detail = this.results.get(file);
      return detail ? [{ file, detail }] : [];
    });
  }

  private tableRuns(): { runs: (EvalDetail['run'] & { file: string })[]; baseline: number | undefined } {
    const scored = this.scored();
    const runs = scored.map(({ file, detail }) => ({ ...detail.run, file: this.label(file) }));
    const b = scored.findIndex((s) => s.file === this.baseline);
    return { runs, baseline: b < 0 ? undefined : b };
  }

  private post(): void {
    const scored = this.scored();
    const { runs, baseline } = this.tableRuns();
    const state: ExtensionToComparison = {
      type: 'state',
      strategies: STRATEGIES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
      runs: scored.map(({ file, detail }) => comparedRun(file, this.label(file), detail)),
      table: resultsTableView(runs, { baseline }),
      baseline: baseline === undefined ? null : this.baseline,
      pending: [...this.pending].map(([id, p]) => ({ id, label: this.label(id), ...p })),
      failed: [...this.failed].map(([id, message]) => ({ id, label: this.label(id), message })),
    };
    this.lastState = state;
    this.posted.fire(state);
    void this.panel?.webview.postMessage(state).then(undefined, () => undefined);
  }

  /** The table as text in one of the export formats (the same renderer as `esc eval --format`). */
  exportText(format: Exclude<TableFormat, 'table'>): string {
    const { runs, baseline } = this.tableRuns();
    const eol = format === 'csv' ? '\r\n' : '\n';
    return renderResultsTable(runs, format, { baseline }).join(eol) + eol;
  }

  async handle(m: ComparisonToExtension): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post();
        return;
      case 'add': {
        await vscode.commands.executeCommand('escStudio.evaluate');
        return;
      }
      case 'remove':
        this.files = this.files.filter((f) => f !== m.id);
        this.results.delete(m.id);
        this.failed.delete(m.id);
        if (this.baseline === m.id) this.baseline = null;
        await this.saveState();
        this.post();
        return;
      case 'setBaseline':
        this.baseline = m.id !== null && this.files.includes(m.id) ? m.id : null;
        await this.saveState();
        this.post();
        return;
      case 'drill': {
        const detail = this.results.get(m.id);
        if (!detail) return;
        if (!(await this.service.cached(m.id))) {
          // the file changed since it was scored: its record indices would point at other turns
          void vscode.window.showInformationMessage(`ESC: ${this.label(m.id)} changed since it was scored; scoring it again.`);
          await this.score(this.files);
          return;
        }
        const indices = drillIndices(detail.turns, m);
        if (indices.length === 0) {
          void vscode.window.showInformationMessage(`ESC: no turns with ${drillLabel(m)} in ${this.label(m.id)}.`);
          return;
        }
        await this.viewer.openFiltered(vscode.Uri.file(m.id), { label: drillLabel(m), indices });
        return;
      }
      case 'export': {
        if (this.scored().length === 0) {
          void vscode.window.showInformationMessage('ESC: no evaluated runs to export yet.');
          return;
        }
        const text = this.exportText(m.format);
        const what = { markdown: 'Markdown', latex: 'LaTeX', csv: 'CSV' }[m.format];
        if (m.to === 'clipboard') {
          await vscode.env.clipboard.writeText(text);
          void vscode.window.showInformationMessage(`ESC: results table copied as ${what}.`);
          return;
        }
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({
          title: `Save the results table as ${what}`,
          defaultUri: folder ? vscode.Uri.joinPath(folder, `results.${EXTENSIONS[m.format]}`) : undefined,
          filters: { [what]: [EXTENSIONS[m.format]] },
        });
        if (!target) return;
        await writeFileAtomic(target.fsPath, text);
        const open = await vscode.window.showInformationMessage(`ESC: results table saved to ${this.label(target.fsPath)}.`, 'Open');
        if (open) await vscode.window.showTextDocument(target);
        return;
      }
      case 'review':
        await vscode.commands.executeCommand('escStudio.startReview', vscode.Uri.file(m.a), vscode.Uri.file(m.b));
        return;
    }
  }

  dispose(): void {
    for (const a of this.scoring) a.abort();
    this.panel?.dispose();
    this.posted.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
