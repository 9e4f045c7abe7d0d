// Registers the Training feature: the Runs view, launch/stop/rerun commands, run folders, the
// experiment file's JSON schema, and a status bar item for active runs.

import * as vscode from 'vscode';
import { STAGES, type StageId } from '../../core/training/experiment';
import type { Ctx } from '../ctx';
import type { DatasetsTree } from '../datasets';
import { launch } from './launch';
import { newExperiment } from './newExperiment';
import { openRunPage } from './runPage';
import { RunsModel } from './runsModel';
import { RunsTree, type RunNode } from './runsTree';

/** The experiment a command acts on: the Runs view's node, a file, or picked among the valid ones (`title` says what for). */
export async function pickExperiment(model: RunsModel, arg: unknown, title = 'ESC: choose an experiment'): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const node = arg as RunNode | undefined;
  if (node?.type === 'experiment') return node.entry.file;
  if (node?.type === 'stage') return node.run.experimentFile;
  await model.ready();
  const valid = model.experiments.filter((e) => e.loaded);
  if (valid.length === 1) return valid[0]!.file;
  const pick = await vscode.window.showQuickPick(
    valid.map((e) => ({ label: e.loaded!.experiment.name, description: vscode.workspace.asRelativePath(e.file), file: e.file })),
    { title, placeHolder: valid.length === 0 ? 'No esc-experiment.yaml in this workspace' : undefined },
  );
  return pick?.file;
}

export type { RunsModel, RunsTree };
export type { RowNode, RunNode, RunsTreeRows } from './runsTree';

export function registerTraining(ctx: Ctx, datasets: DatasetsTree): { model: RunsModel; tree: RunsTree } {
  const model = new RunsModel();
  const tree = new RunsTree(model);
  const status = vscode.window.createStatusBarItem('escStudio.runs', vscode.StatusBarAlignment.Left, 10);
  status.name = 'ESC Studio runs';
  status.command = 'escStudio.runs.focus';
  model.onDidChange(() => {
    const active = model.active;
    status.text = `$(beaker) ${active.length} ESC run${active.length === 1 ? '' : 's'}`;
    status.tooltip = active.map((r) => `${r.stage}: ${r.status}`).join('\n');
    if (active.length > 0) status.show();
    else status.hide();
  });
  ctx.push(model, status, vscode.window.createTreeView('escStudio.runs', { treeDataProvider: tree }));

  ctx.command('escStudio.launchPipeline', (c) => async (arg?: unknown) => {
    const file = await pickExperiment(model, arg);
    return file ? launch(c, model, file) : undefined;
  });
  ctx.command('escStudio.launchStage', (c) => async (arg?: unknown) => {
    const node = arg as RunNode | undefined;
    const file = await pickExperiment(model, arg);
    if (!file) return undefined;
    let stage: StageId | undefined = node?.type === 'stage' ? node.run.stage : undefined;
    if (!stage) {
      const entry = model.experiments.find((e) => e.file === file);
      stage = (await vscode.window.showQuickPick(entry?.stages.map((s) => s.stage) ?? [...STAGES], { title: 'ESC: stage to launch' })) as
        StageId | undefined;
    }
    return stage ? launch(c, model, file, [stage]) : undefined;
  });
  ctx.command('escStudio.rerun', (c) => async (arg?: unknown) => {
    const node = arg as RunNode | undefined;
    if (node?.type !== 'stage') return vscode.commands.executeCommand('escStudio.launchStage');
    return launch(c, model, node.run.experimentFile, [node.run.stage]);
  });
  ctx.command('escStudio.stopRun', () => async (arg?: unknown) => {
    const node = arg as RunNode | undefined;
    let run = node?.type === 'stage' ? node.run : undefined;
    if (!run) {
      const running = model.active;
      if (running.length === 0) return void vscode.window.showInformationMessage('No ESC Studio run is active.');
      const pick = await vscode.window.showQuickPick(
        running.map((r) => ({ label: r.stage, description: vscode.workspace.asRelativePath(r.experimentFile), r })),
        { title: 'ESC: stop which run?' },
      );
      run = pick?.r;
    }
    if (!run) return;
    if (run.running) await run.running.stop();
    else if (run.status === 'queued') {
      model.cancelled.add(run); // never started: the pipeline skips it
      model.fire();
    }
  });
  ctx.command('escStudio.openRunFolder', () => async (arg?: unknown) => {
    const uri =
      arg instanceof vscode.Uri
        ? arg
        : (
            await vscode.window.showOpenDialog({
              canSelectFolders: true,
              canSelectFiles: false,
              title: 'ESC: a training output folder (with trainer_log.jsonl or trainer_state.json)',
            })
          )?.[0];
    if (uri) model.attach(uri.fsPath);
  });
  ctx.command('escStudio.newExperiment', () => async () => {
    const uri = await newExperiment(datasets);
    if (uri) await model.load();
    return uri;
  });
  ctx.command('escStudio.openRunPage', (c) => (node?: RunNode) => (node ? openRunPage(c, model, node) : undefined));
  void model.load();
  return { model, tree };
}
