// The Datasets view: workspace dataset files grouped by kind, each with its record count and size.
// Refreshes when matching files change (debounced). After each scan every listed file gets a bounded
// background check in the dataset tasks worker (core/dataset/quickCheck.ts): a file with invalid
// records shows the count as a warning (icon, description and a file decoration badge, which the
// Explorer shows too) and its tooltip the strategy mix, without a manual validation. Files that could
// not be read, or read but are no list of ESC records (empty, a top-level object, broken JSON), are
// listed in an "Unreadable or invalid" group with the reason. Items show their folder when names repeat.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASET_KINDS, KIND_LABELS, type DatasetKind } from '../../core/formats/kinds';
import { describeContainer, describeLayout } from '../../core/formats/describe';
import { countOf, formatBytes } from '../../core/util/bytes';
import type { Ctx } from '../ctx';
import { datasetsConfig } from '../config';
import { DatasetTasks } from './datasetTasks';
import { Discovery, type DatasetEntry, type UnreadableFile } from './discovery';
import type { DatasetStats, StrategyCounts } from '../../core/dataset/stats';
import { problemsSentence } from '../../core/dataset/problemWords';
import type { QuickCheck } from '../../core/dataset/quickCheck';

/** A file's background check, for the version of the file it was made on. */
type Checked = { version: string; result?: QuickCheck; error?: string };

type Node =
  | { type: 'kind'; kind: DatasetKind; files: DatasetEntry[] }
  | { type: 'file'; entry: DatasetEntry }
  | { type: 'unreadable'; files: UnreadableFile[] }
  | { type: 'unreadableFile'; file: UnreadableFile };

export class DatasetsTree implements vscode.TreeDataProvider<Node>, vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private entries: DatasetEntry[] = [];
  private unreadable: UnreadableFile[] = [];
  private scanning: Promise<void> | undefined;
  private cancel: vscode.CancellationTokenSource | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly checks = new Map<string, Checked>();
  private checking: Promise<void> | undefined;
  private readonly decorationsChanged = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.decorationsChanged.event;
  /** File names listed more than once: their items show their folder. */
  private repeated = new Set<string>();
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
      this.decorationsChanged,
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
        const names = [...entries, ...unreadable].map((e) => path.basename(e.uri.fsPath));
        this.repeated = new Set(names.filter((n, i) => names.indexOf(n) !== i));
        const listed = new Set(entries.map((e) => e.uri.toString()));
        for (const k of [...this.checks.keys()]) if (!listed.has(k)) this.checks.delete(k);
        this.decorationsChanged.fire([...entries, ...unreadable].map((e) => e.uri));
        this.ctx.log.info(`Datasets: ${entries.length} dataset file(s) found in ${Date.now() - started} ms`);
        for (const u of unreadable) this.ctx.log.warn(`Datasets: ${u.invalid ? 'invalid' : 'cannot read'} ${u.uri.fsPath}: ${u.error}`);
      })
      .catch((err: unknown) => this.ctx.log.error(`Datasets: scan failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        if (this.cancel === cts) {
          this.scanning = undefined;
          void vscode.commands.executeCommand('setContext', 'escStudio.datasetsScanned', true);
          this.changed.fire(undefined);
          void this.checkAll();
        }
        cts.dispose();
      })
      // a scan superseded by a newer one (a file event during it) resolves when the newest is done,
      // so a caller awaiting refresh() sees the files as they are now
      .then(() => (this.cancel !== cts && this.scanning ? this.scanning : undefined));
    this.scanning = run;
    return run;
  }

  private refreshSoon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), 400);
  }

  /** Resolves when every listed file has its background check (used by tests). */
  async checked(): Promise<void> {
    await this.ready();
    while (this.checking) await this.checking;
  }

  /** The background check of a listed file, when it has one for the file as it is now. */
  checkOf(entry: DatasetEntry): Checked | undefined {
    const c = this.checks.get(entry.uri.toString());
    return c?.version === entry.version ? c : undefined;
  }

  /** Checks the listed files one after another in the tasks worker; a file checked as it is now is skipped. */
  private checkAll(): Promise<void> {
    if (this.checking) return this.checking;
    const run = async (): Promise<void> => {
      for (;;) {
        const next = this.entries.find((e) => !this.checkOf(e));
        if (!next) return;
        let checked: Checked;
        try {
          checked = { version: next.version, result: await this.tasks.call('check', { path: next.uri.fsPath }) };
        } catch (err) {
          checked = { version: next.version, error: err instanceof Error ? err.message : String(err) };
        }
        this.checks.set(next.uri.toString(), checked);
        // a redraw only when the row changes (a warning icon, "N invalid"): a redraw per checked file
        // made the tree flicker for seconds and lost the clicks that landed on a row being replaced
        if (checked.result && checked.result.problemCount > 0) {
          this.decorationsChanged.fire([next.uri]);
          this.changed.fire(undefined);
        }
      }
    };
    // and once at the end, so a tooltip made while its file was being checked is made again
    this.checking = run().finally(() => {
      this.checking = undefined;
      this.changed.fire(undefined);
    });
    return this.checking;
  }

  /** Problems a listed file is known to have: its background check's, or those found while counting. */
  private problemCount(entry: DatasetEntry): number {
    return Math.max(this.checkOf(entry)?.result?.problemCount ?? 0, entry.problems);
  }

  /** The warning badge of a listed file with problems (the Datasets view and the Explorer show it). */
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const key = uri.toString();
    const entry = this.entries.find((e) => e.uri.toString() === key);
    if (entry) {
      const count = this.problemCount(entry);
      if (count === 0) return undefined;
      const check = this.checkOf(entry)?.result;
      const more = check && !check.complete ? '+' : '';
      // a badge holds at most two characters
      const badge = count > 99 || (more && count > 9) ? '9+' : `${count}${more}`;
      return new vscode.FileDecoration(
        badge,
        `${count}${more} problem${count === 1 ? '' : 's'}`,
        new vscode.ThemeColor('list.warningForeground'),
      );
    }
    const invalid = this.unreadable.find((u) => u.uri.toString() === key);
    return (
      invalid &&
      new vscode.FileDecoration(
        '!',
        invalid.error,
        new vscode.ThemeColor(invalid.invalid ? 'list.warningForeground' : 'list.errorForeground'),
      )
    );
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
      const item = new vscode.TreeItem('Unreadable or invalid', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'unreadable';
      item.description = String(node.files.length);
      item.tooltip =
        'Files the include setting matches that could not be read, or that are no list of ESC records (empty, a top-level object, broken JSON). Hover one for the reason.';
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      return item;
    }
    if (node.type === 'unreadableFile') return unreadableItem(node.file, this.folderIfRepeated(node.file.uri));
    const { entry } = node;
    const item = new vscode.TreeItem(entry.uri, vscode.TreeItemCollapsibleState.None);
    item.id = `file:${entry.uri.toString()}`;
    item.label = vscode.workspace.asRelativePath(entry.uri, false).split('/').pop();
    const check = this.checkOf(entry)?.result;
    const problems = this.problemCount(entry);
    const invalid = check && check.invalid > 0 ? ` · ${check.invalid}${check.complete ? '' : '+'} invalid` : '';
    const where = this.folderIfRepeated(entry.uri);
    item.description = `${where ? where + ' · ' : ''}${countOf(entry.records, 'record')} · ${formatBytes(entry.size)}${invalid}`;
    // the tooltip is made on hover (resolveTreeItem);
    // the kind in the context value lets menus offer kind-specific commands (Run Inference on vanilla SFT files)
    item.contextValue = `escDatasetFile.${entry.kind}`;
    item.resourceUri = entry.uri;
    item.command = { command: 'escStudio.openViewer', title: 'Open in ESC Dataset Viewer', arguments: [entry.uri] };
    item.iconPath = new vscode.ThemeIcon(
      problems > 0 ? 'warning' : entry.kind.startsWith('pref') ? 'git-compare' : entry.kind === 'esconv' ? 'comment-discussion' : 'json',
    );
    return item;
  }

  /** A file item's tooltip, made when it is hovered (with the background check's latest result). */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.type === 'file') item.tooltip = this.tooltipOf(node.entry);
    return item;
  }

  tooltipOf(entry: DatasetEntry): vscode.MarkdownString {
    const folder = vscode.workspace.asRelativePath(
      entry.uri,
      vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1,
    );
    const checked = this.checkOf(entry);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendText(`${folder}\n\n`);
    tip.appendMarkdown(`**${KIND_LABELS[entry.kind]}** (\`${entry.kind}\`)\n\n`);
    tip.appendText(
      `${countOf(entry.records, 'record')}, ${formatBytes(entry.size)}, ${describeContainer(entry.detection.container, entry.detection.bom)}\n`,
    );
    const layout = describeLayout(entry.detection.layout);
    if (layout) tip.appendText(`${layout}\n`);
    tip.appendText(`\n${this.checkLine(entry, checked)}`);
    return tip;
  }

  /** The background check as the tooltip says it: the problems in one sentence, then the strategy mix. */
  private checkLine(entry: DatasetEntry, checked: Checked | undefined): string {
    if (!checked) {
      return entry.problems > 0 ? `⚠ ${countOf(entry.problems, 'structural problem')}; checking the records…` : 'Checking the records…';
    }
    if (checked.error) return `The background check failed: ${checked.error}`;
    const c = checked.result!;
    const scope = c.complete ? '' : ` (in the first ${c.records.toLocaleString('en-US')} records; run ESC: Validate Dataset for all)`;
    const sentence = problemsSentence(c);
    const problems = sentence ? `⚠ ${sentence.replace(/\.$/, '')}${scope}.` : `All ${c.complete ? '' : 'checked '}records valid${scope}.`;
    return `${problems}\n${strategyMix(c.stats, c.complete ? '' : 'first records, ')}`;
  }

  /** The file's folder (relative to the workspace) when another listed file has the same name. */
  private folderIfRepeated(uri: vscode.Uri): string | undefined {
    if (!this.repeated.has(path.basename(uri.fsPath))) return undefined;
    const rel = vscode.workspace.asRelativePath(
      uri,
      vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1,
    );
    const dir = path.posix.dirname(rel);
    return dir === '.' ? './' : dir;
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.cancel?.cancel();
    this.watcher?.disposable.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function unreadableItem(file: UnreadableFile, folder: string | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(file.uri, vscode.TreeItemCollapsibleState.None);
  item.id = `unreadable:${file.uri.toString()}`;
  item.label = vscode.workspace.asRelativePath(file.uri, false).split('/').pop();
  item.description = `${folder ? folder + ' · ' : ''}${file.invalid ? formatBytes(file.invalid.size) + ' · ' : ''}${file.error}`;
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendText(`${vscode.workspace.asRelativePath(file.uri, true)}\n\n`);
  tip.appendMarkdown(file.invalid ? '$(warning) **Not a list of ESC records**\n\n' : '$(error) **Could not be read**\n\n');
  tip.appendText(file.error);
  item.tooltip = tip;
  item.iconPath = file.invalid
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
    : new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  item.contextValue = file.invalid ? 'escDatasetInvalid' : 'escDatasetUnreadable';
  item.resourceUri = file.uri;
  // an invalid file opens as text, where the problem is
  if (file.invalid) item.command = { command: 'vscode.open', title: 'Open', arguments: [file.uri] };
  return item;
}

/** "Question 20%, Others 18%, …" for the column that matters for the kind. */
function strategyMix(stats: DatasetStats | undefined, scope = ''): string {
  if (!stats) return 'Strategy mix: none.';
  const s = stats.strategies;
  const [name, counts] = (Object.entries(s).find(([k]) => k !== 'other' && k !== 'matrix') ?? ['', {}]) as [string, StrategyCounts];
  const all = Object.entries({ ...counts, ...s.other }).filter(([, n]) => n > 0);
  const total = all.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return 'Strategy mix: none.';
  const parts = all.sort((a, b) => b[1] - a[1]).map(([label, n]) => `${label} ${Math.round((100 * n) / total)}%`);
  return `Strategy mix (${scope}${name}, ${total.toLocaleString('en-US')}): ${parts.join(', ')}`;
}
