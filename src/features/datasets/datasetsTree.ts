// The Datasets view: workspace dataset files grouped by kind, each with its record count and size.
// Refreshes when matching files change (debounced), and flags files with structural problems.

import * as vscode from 'vscode';
import { DATASET_KINDS, KIND_LABELS, type DatasetKind } from '../../core/formats/kinds';
import { describeContainer, describeLayout } from '../../core/formats/describe';
import { formatBytes } from '../../core/util/bytes';
import type { Ctx } from '../ctx';
import { datasetsConfig } from '../config';
import { Discovery, type DatasetEntry } from './discovery';
import { InspectClient } from './inspectClient';
import type { DatasetStats, StrategyCounts } from '../../core/dataset/stats';

/** Files up to this size get their strategy mix computed for the tooltip (on hover, once). */
const TOOLTIP_STATS_LIMIT = 32 * 1024 * 1024;

type Node = { type: 'kind'; kind: DatasetKind; files: DatasetEntry[] } | { type: 'file'; entry: DatasetEntry };

export class DatasetsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private entries: DatasetEntry[] = [];
  private scanning: Promise<void> | undefined;
  private cancel: vscode.CancellationTokenSource | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mix = new Map<string, Promise<string>>();
  private readonly inspector: InspectClient;
  private readonly discovery: Discovery;

  constructor(private readonly ctx: Ctx) {
    this.inspector = new InspectClient(ctx.extensionUri.fsPath);
    this.discovery = new Discovery(this.inspector);
    const watcher = vscode.workspace.createFileSystemWatcher(datasetsConfig().include);
    const soon = (): void => this.refreshSoon();
    this.disposables.push(
      watcher,
      watcher.onDidCreate(soon),
      watcher.onDidChange(soon),
      watcher.onDidDelete(soon),
      this.changed,
      this.inspector,
    );
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('escStudio.datasets') && this.refreshSoon()),
      vscode.workspace.onDidChangeWorkspaceFolders(soon),
    );
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
      .then((entries) => {
        if (cts.token.isCancellationRequested) return;
        this.entries = entries;
        this.ctx.log.info(`Datasets: ${entries.length} dataset file(s) found in ${Date.now() - started} ms`);
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

  getChildren(node?: Node): Node[] {
    if (!node) {
      if (this.scanning && this.entries.length === 0) return [];
      return DATASET_KINDS.map((kind) => ({ type: 'kind' as const, kind, files: this.entries.filter((e) => e.kind === kind) })).filter(
        (k) => k.files.length > 0,
      );
    }
    return node.type === 'kind' ? node.files.map((entry) => ({ type: 'file' as const, entry })) : [];
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
          : this.inspector.request({ type: 'stats', path: entry.uri.fsPath }).then(
              (stats) => strategyMix(stats),
              () => 'Strategy mix: unavailable.',
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
    item.contextValue = 'escDatasetFile';
    item.resourceUri = entry.uri;
    item.command = { command: 'escStudio.openViewer', title: 'Open in ESC Dataset Viewer', arguments: [entry.uri] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.cancel?.cancel();
    for (const d of this.disposables) d.dispose();
  }
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
