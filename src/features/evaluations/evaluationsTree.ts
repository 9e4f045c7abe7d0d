// The Evaluations view: the workspace's inference files (the Datasets view's files of kind
// `inference`), each with its headline scores once evaluated, and the blind review files.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvalRun } from '../../core/eval/evaluate';
import type { DatasetEntry, DatasetsTree } from '../datasets';
import type { Ctx } from '../ctx';
import type { EvalService } from './evalService';

type Node =
  | { type: 'group'; group: 'inference' | 'reviews' }
  | { type: 'inference'; entry: DatasetEntry; run?: EvalRun }
  | { type: 'review'; uri: vscode.Uri };

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The one-line summary of a run: the numbers a researcher looks at first. */
export function headline(run: EvalRun): string {
  const t = run.text;
  return `BLEU-2 ${t['bleu-2'].toFixed(2)} · ROUGE-L ${t['rouge-l'].toFixed(2)} · Acc. ${pct(run.strategy.accuracy)}`;
}

export class EvaluationsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private reviews: vscode.Uri[] = [];
  private readonly runs = new Map<string, EvalRun>();

  constructor(
    private readonly ctx: Ctx,
    private readonly datasets: DatasetsTree,
    private readonly service: EvalService,
    private readonly findReviews: () => Promise<vscode.Uri[]>,
  ) {
    this.disposables.push(
      datasets.onDidChangeTreeData(() => void this.refresh()),
      service.onDidChange(() => void this.refresh()),
      this.changed,
    );
    const w = vscode.workspace.createFileSystemWatcher('**/*.review.jsonl');
    this.disposables.push(
      w,
      w.onDidCreate(() => void this.refresh()),
      w.onDidDelete(() => void this.refresh()),
    );
  }

  private inferenceFiles(): DatasetEntry[] {
    return this.datasets.datasets.filter((e) => e.kind === 'inference').sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
  }

  async refresh(): Promise<void> {
    try {
      this.reviews = (await this.findReviews()).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    } catch (err) {
      this.ctx.log.warn(`Evaluations: cannot list review files: ${(err as Error).message}`);
    }
    for (const e of this.inferenceFiles()) {
      const hit = await this.service.cached(e.uri.fsPath);
      if (hit) this.runs.set(e.uri.fsPath, hit.detail.run);
      else this.runs.delete(e.uri.fsPath);
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const groups: Node[] = [];
      if (this.inferenceFiles().length > 0) groups.push({ type: 'group', group: 'inference' });
      if (this.reviews.length > 0) groups.push({ type: 'group', group: 'reviews' });
      return groups;
    }
    if (node.type !== 'group') return [];
    if (node.group === 'reviews') return this.reviews.map((uri) => ({ type: 'review', uri }));
    return this.inferenceFiles().map((entry) => ({ type: 'inference', entry, run: this.runs.get(entry.uri.fsPath) }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.type === 'group') {
      const inference = node.group === 'inference';
      const item = new vscode.TreeItem(inference ? 'Inference outputs' : 'Blind reviews', vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group}`;
      item.iconPath = new vscode.ThemeIcon(inference ? 'output' : 'eye-closed');
      item.description = String(inference ? this.inferenceFiles().length : this.reviews.length);
      return item;
    }
    if (node.type === 'review') {
      const item = new vscode.TreeItem(path.basename(node.uri.fsPath, '.review.jsonl'), vscode.TreeItemCollapsibleState.None);
      item.id = `review:${node.uri.toString()}`;
      item.resourceUri = node.uri;
      item.description = vscode.workspace.asRelativePath(path.dirname(node.uri.fsPath));
      item.iconPath = new vscode.ThemeIcon('eye-closed');
      item.contextValue = 'escReview';
      item.tooltip = `${vscode.workspace.asRelativePath(node.uri)}\nA blind pairwise review: open it to continue judging or to see the result.`;
      item.command = { command: 'escStudio.openReview', title: 'Open Review', arguments: [node.uri] };
      return item;
    }
    const { entry, run } = node;
    const item = new vscode.TreeItem(path.basename(entry.uri.fsPath), vscode.TreeItemCollapsibleState.None);
    item.id = `inference:${entry.uri.toString()}`;
    item.resourceUri = entry.uri;
    item.contextValue = run ? 'escInferenceEvaluated' : 'escInference';
    item.iconPath = new vscode.ThemeIcon(run ? 'pass' : 'circle-outline');
    const turns = `${entry.records.toLocaleString('en-US')} ${entry.records === 1 ? 'turn' : 'turns'}`;
    item.description = run ? headline(run) : `${turns} · not evaluated`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendText(`${vscode.workspace.asRelativePath(entry.uri)}\n${turns}\n\n`);
    if (run) tip.appendText(`${headline(run)}\nClick to open it in the comparison page.`);
    else tip.appendText('Click to score it with the paper’s metrics and open the comparison page.');
    item.tooltip = tip;
    item.command = { command: 'escStudio.evaluateFile', title: 'Evaluate', arguments: [entry.uri] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
