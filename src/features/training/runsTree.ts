// The Runs view: experiments with their stages (status, progress, ETA, latest loss), and attached
// run folders. Empty (so the welcome content shows) when the workspace has neither.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { STAGE_TITLES } from '../../core/training/stageConfigs';
import type { StageStatus } from '../../core/training/pipeline';
import type { ParsedLog } from '../../core/training/logs';
import { endingOf } from '../../core/training/stageRuns';
import type { AttachedRun, ExperimentEntry, RunsModel, StageRun } from './runsModel';

export type RunNode =
  { type: 'experiment'; entry: ExperimentEntry } | { type: 'stage'; run: StageRun } | { type: 'attached'; run: AttachedRun } | RowNode;

/** A row another feature adds (Serving: a served role, an attached server); its owner draws it. */
export interface RowNode {
  type: 'row';
  owner: RunsTreeRows;
  value: unknown;
}

/** Rows another feature shows in the Runs view: under an experiment file, or (undefined) at the top level. */
export interface RunsTreeRows {
  readonly onDidChange: vscode.Event<void>;
  rows(experimentFile: string | undefined): RowNode[];
  item(node: RowNode): vscode.TreeItem;
}

const STATUS_ICONS: Record<StageStatus, [string, string | undefined]> = {
  'not-started': ['circle-outline', undefined],
  queued: ['clock', 'charts.yellow'],
  running: ['sync~spin', 'charts.blue'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['debug-stop', 'charts.orange'],
};

export function progressText(log: ParsedLog | undefined): string {
  const p = log?.progress;
  if (!p) return '';
  const parts: string[] = [];
  if (p.percentage !== undefined) parts.push(`${p.percentage.toFixed(0)}%`);
  else if (p.totalSteps) parts.push(`${p.step}/${p.totalSteps}`);
  if (p.remaining) parts.push(`ETA ${p.remaining}`);
  if (p.lastLoss !== undefined) parts.push(`loss ${p.lastLoss.toFixed(4)}`);
  return parts.join(' · ');
}

export class RunsTree implements vscode.TreeDataProvider<RunNode> {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  private readonly extraRows: RunsTreeRows[] = [];

  constructor(readonly model: RunsModel) {
    model.onDidChange(() => this.changed.fire(undefined));
  }

  addRows(rows: RunsTreeRows): vscode.Disposable {
    this.extraRows.push(rows);
    return rows.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: RunNode): RunNode[] {
    if (!node) {
      return [
        ...this.model.experiments.map((entry) => ({ type: 'experiment' as const, entry })),
        ...this.model.attached.map((run) => ({ type: 'attached' as const, run })),
        ...this.extraRows.flatMap((r) => r.rows(undefined)),
      ];
    }
    return node.type === 'experiment'
      ? [...node.entry.stages.map((run) => ({ type: 'stage' as const, run })), ...this.extraRows.flatMap((r) => r.rows(node.entry.file))]
      : [];
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.type === 'row') return node.owner.item(node);
    if (node.type === 'experiment') {
      const e = node.entry;
      const item = new vscode.TreeItem(e.loaded?.experiment.name ?? path.basename(e.file), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `exp:${e.file}`;
      item.resourceUri = vscode.Uri.file(e.file);
      item.description = e.error
        ? 'invalid experiment file'
        : `${e.loaded!.experiment.backend} · ${e.loaded!.experiment.launcher} · ${vscode.workspace.asRelativePath(e.file)}`;
      item.tooltip = e.error ?? e.file;
      item.iconPath = new vscode.ThemeIcon(e.error ? 'warning' : 'beaker');
      item.contextValue = e.error ? 'escExperimentInvalid' : 'escExperiment';
      item.command = { command: 'vscode.open', title: 'Open Experiment', arguments: [vscode.Uri.file(e.file)] };
      return item;
    }
    if (node.type === 'attached') {
      const item = new vscode.TreeItem(path.basename(node.run.dir), vscode.TreeItemCollapsibleState.None);
      item.id = `attached:${node.run.dir}`;
      item.description = progressText(node.run.log) || 'no trainer log yet';
      item.tooltip = node.run.dir;
      item.iconPath = new vscode.ThemeIcon('folder-library');
      item.contextValue = 'escAttachedRun';
      item.command = { command: 'escStudio.openRunPage', title: 'Open Run Page', arguments: [node] };
      return item;
    }
    const r = node.run;
    const item = new vscode.TreeItem(r.stage, vscode.TreeItemCollapsibleState.None);
    item.id = `stage:${r.experimentFile}:${r.stage}`;
    const progress = progressText(r.log);
    // a failed stage says why: its exit code, and in the tooltip the last lines it printed
    const ending = endingOf(r);
    item.description = [r.status.replace('-', ' '), ending.exit, progress].filter(Boolean).join(' · ');
    item.tooltip = [
      `${STAGE_TITLES[r.stage]}`,
      `${r.status}${r.error ? `: ${r.error}` : ''}`,
      r.outputDir,
      progress,
      ending.exit,
      ...ending.lines,
    ]
      .filter(Boolean)
      .join('\n');
    const [icon, color] = STATUS_ICONS[r.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = r.status === 'running' || r.status === 'queued' ? 'escStageRunning' : 'escStage';
    item.command = { command: 'escStudio.openRunPage', title: 'Open Run Page', arguments: [node] };
    return item;
  }
}
