// The Datasets view: workspace dataset files grouped by kind, each with its record count and size.
// Refreshes when matching files change (debounced), flags files with structural problems, and lists
// the files that could not be read with the reason.

import * as vscode from 'vscode';
import { DATASET_KINDS, KIND_LABELS, type DatasetKind } from '../../core/formats/kinds';
import { describeContainer, describeLayout } from '../../core/formats/describe';
import { formatBytes } from '../../core/util/bytes';
import type { Ctx } from '../ctx';
import { datasetsConfig } from '../config';
import { DatasetTasks } from './datasetTasks';
import { Discovery, type DatasetEntry, type UnreadableFile } from './discovery';
import type { DatasetStats, StrategyCounts } from '../../core/dataset/stats';

/** Files up to this size get their strategy mix computed for the tooltip (on hover, once). */
const TOOLTIP_STATS_LIMIT = 32 * 1024 * 1024;

type Node =
  | { type: 'kind'; kind: DatasetKind; files: DatasetEntry[] }
  | { type: 'file'; entry: DatasetEntry }
  | { type: 'unreadable'; files: UnreadableFile[] }
  | { type: 'unreadableFile'; file: UnreadableFile };

export class DatasetsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private entries: DatasetEntry[] = [];
  private unreadable: UnreadableFile[] = [];
  private scanning: Promise<void> | undefined;
  private cancel: vscode.CancellationTokenSource | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mix = new Map<string, Promise<string>>();
  /** The worker that reads dataset files for this view and for the commands that read or write them. */
  readonly tasks: DatasetTasks;
  private readonly discovery: Discovery;
  private watcher: { glob: string; disposable: vscode.Disposable } | undefined;

  constructor(private readonly ctx: Ctx) {
    this.tasks = new DatasetTasks(ctx.extensionUri.fsPath);
    this.discovery = new Discovery(this.tasks);
    this.watchIncluded();
    this.disposables.push(
      this.changed,
      this.tasks,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('escStudio.datasets')) return;
        this.watchIncluded();
        this.refreshSoon();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshSoon()),
    );
  }

  /** Watches the files the include setting matches; a changed setting gets a watcher for the new glob. */
  private watchIncluded(): void {
    const glob = datasetsConfig().include;
    if (this.watcher?.glob === glob) return;
    this.watcher?.disposable.dispose();
    const w = vscode.workspace.createFileSystemWatcher(glob);
    const soon = (): void => this.refreshSoon();
    this.watcher = { glob, disposable: vscode.Disposable.from(w, w.onDidCreate(soon), w.onDidChange(soon), w.onDidDelete(soon)) };
  }

  /** Resolves when the current scan is done (used by commands and tests). */
  ready(): Promise<void> {
    return this.scanning ?? this.refresh();
  }

  get datasets(): readonly DatasetEntry[] {
    return this.entries;
  }

  refresh(): Promise<void> {
    this.cancel?.cancel();
    const cts = (this.cancel = new vscode.CancellationTokenSource());
    const started = Date.now();
    const run = this.discovery
      .discover(cts.token)
      .then(({ entries, unreadable }) => {
        if (cts.token.isCancellationRequested) return;
        this.entries = entries;
        this.unreadable = unreadable;
        this.ctx.log.info(`Datasets: ${entries.length} dataset file(s) found in ${Date.now() - started} ms`);
        for (const u of unreadable) this.ctx.log.warn(`Datasets: cannot read ${u.uri.fsPath}: ${u.error}`);
      })
      .catch((err: unknown) => this.ctx.log.error(`Datasets: scan failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        if (this.cancel === cts) {
          this.scanning = undefined;
          void vscode.commands.executeCommand('setContext', 'escStudio.datasetsScanned', true);
          this.changed.fire(undefined);
        }
        cts.dispose();
      });
    this.scanning = run;
    return run;
  }

  private refreshSoon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), 400);
  }

  /** Matching files that could not be read in the last scan, with why. */
  get unreadableFiles(): readonly UnreadableFile[] {
    return this.unreadable;
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      if (this.scanning && this.entries.length === 0 && this.unreadable.length === 0) return [];
      const kinds: Node[] = DATASET_KINDS.map((kind) => ({
        type: 'kind' as const,
        kind,
        files: this.entries.filter((e) => e.kind === kind),
      })).filter((k) => k.files.length > 0);
      return this.unreadable.length > 0 ? [...kinds, { type: 'unreadable', files: this.unreadable }] : kinds;
    }
    if (node.type === 'kind') return node.files.map((entry) => ({ type: 'file' as const, entry }));
    if (node.type === 'unreadable') return node.files.map((file) => ({ type: 'unreadableFile' as const, file }));
    return [];
  }

  /** Adds the strategy mix to a file's tooltip when the user hovers it (computed once per version). */
  async resolveTreeItem(item: vscode.TreeItem, node: Node): Promise<vscode.TreeItem> {
    if (node.type !== 'file' || !(item.tooltip instanceof vscode.MarkdownString)) return item;
    const { entry } = node;
    const key = `${entry.uri.toString()}@${entry.size}`;
    let mix = this.mix.get(key);
    if (!mix) {
      mix =
        entry.size > TOOLTIP_STATS_LIMIT
          ? Promise.resolve('Strategy mix: open the Statistics tab (large file).')
          : this.tasks.call('stats', { path: entry.uri.fsPath }).then(
              (stats) => strategyMix(stats),
              (err: unknown) => `Strategy mix: unavailable (${err instanceof Error ? err.message : String(err)}).`,
            );
      this.mix.set(key, mix);
    }
    item.tooltip.appendText(`\n${await mix}`);
    return item;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.type === 'kind') {
      const item = new vscode.TreeItem(KIND_LABELS[node.kind], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `kind:${node.kind}`;
      item.description = String(node.files.length);
      item.tooltip = `${KIND_LABELS[node.kind]} (${node.kind}): ${node.files.length} file${node.files.length === 1 ? '' : 's'}`;
      item.contextValue = 'escDatasetKind';
      return item;
    }
    if (node.type === 'unreadable') {
      const item = new vscode.TreeItem('Could not be read', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'unreadable';
      item.description = String(node.files.length);
      item.tooltip = 'Files the include setting matches that ESC Studio could not read (hover one for the reason).';
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      return item;
    }
    if (node.type === 'unreadableFile') return unreadableItem(node.file);
    const { entry } = node;
    const item = new vscode.TreeItem(entry.uri, vscode.TreeItemCollapsibleState.None);
    item.id = `file:${entry.uri.toString()}`;
    item.label = vscode.workspace.asRelativePath(entry.uri, false).split('/').pop();
    const folder = vscode.workspace.asRelativePath(
      entry.uri,
      vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1,
    );
    item.description = `${entry.records.toLocaleString('en-US')} records · ${formatBytes(entry.size)}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendText(`${folder}\n\n`);
    tip.appendMarkdown(`**${KIND_LABELS[entry.kind]}** (\`${entry.kind}\`)\n\n`);
    tip.appendText(
      `${entry.records.toLocaleString('en-US')} records, ${formatBytes(entry.size)}, ${describeContainer(entry.detection.container, entry.detection.bom)}\n`,
    );
    const layout = describeLayout(entry.detection.layout);
    if (layout) tip.appendText(`${layout}\n`);
    if (entry.problems > 0) tip.appendText(`\n⚠ ${entry.problems} structural problem(s): run ESC: Validate Dataset`);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(
      entry.problems > 0
        ? 'warning'
        : entry.kind.startsWith('pref')
          ? 'git-compare'
          : entry.kind === 'esconv'
            ? 'comment-discussion'
            : 'json',
    );
    // the kind in the context value lets menus offer kind-specific commands (Run Inference on vanilla SFT files)
    item.contextValue = `escDatasetFile.${entry.kind}`;
    item.resourceUri = entry.uri;
    item.command = { command: 'escStudio.openViewer', title: 'Open in ESC Dataset Viewer', arguments: [entry.uri] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.cancel?.cancel();
    this.watcher?.disposable.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function unreadableItem(file: UnreadableFile): vscode.TreeItem {
  const item = new vscode.TreeItem(file.uri, vscode.TreeItemCollapsibleState.None);
  item.id = `unreadable:${file.uri.toString()}`;
  item.label = vscode.workspace.asRelativePath(file.uri, false).split('/').pop();
  item.description = file.error;
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendText(`${vscode.workspace.asRelativePath(file.uri, true)}\n\n`);
  tip.appendMarkdown('$(error) **Could not be read**\n\n');
  tip.appendText(file.error);
  item.tooltip = tip;
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  item.contextValue = 'escDatasetUnreadable';
  item.resourceUri = file.uri;
  return item;
}

/** "Question 20%, Others 18%, …" for the column that matters for the kind. */
function strategyMix(stats: DatasetStats | undefined): string {
  if (!stats) return 'Strategy mix: none.';
  const s = stats.strategies;
  const [name, counts] = (Object.entries(s).find(([k]) => k !== 'other' && k !== 'matrix') ?? ['', {}]) as [string, StrategyCounts];
  const all = Object.entries({ ...counts, ...s.other }).filter(([, n]) => n > 0);
  const total = all.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return 'Strategy mix: none.';
  const parts = all.sort((a, b) => b[1] - a[1]).map(([label, n]) => `${label} ${Math.round((100 * n) / total)}%`);
  return `Strategy mix (${name}, ${total.toLocaleString('en-US')}): ${parts.join(', ')}`;
}
