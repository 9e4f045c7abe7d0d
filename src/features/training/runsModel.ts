// What the Runs view shows: every experiment file of the workspace with its stages (status, progress,
// ETA, latest loss from the trainer's own log files) and run folders the user attached. Progress is
// re-read when the log files change (file watcher) and every couple of seconds while a stage runs; a
// stage that failed or was stopped also has the last lines it printed (esc-run.log) read.

import * as vscode from 'vscode';
import { stagesOf, type StageId } from '../../core/training/experiment';
import type { ParsedLog } from '../../core/training/logs';
import type { StageStatus } from '../../core/training/pipeline';
import { logChanged, readOutputTail, readRunLog, RUN_LOG_GLOB } from '../../core/training/runLog';
import { isActive, newStageRun, reloadedRuns, showsOutput, type StageRun as TrackedStage } from '../../core/training/stageRuns';
import { loadExperiment, stageOutputDir, type LoadedExperiment } from '../../core/training/trainConfig';
import type { RunningStage } from './terminalRunner';

const EXPERIMENT_GLOB = '**/{esc-experiment,*.esc-experiment}.{yaml,yml}';
const POLL_MS = 2000;

export type StageRun = TrackedStage<RunningStage>;

export interface ExperimentEntry {
  file: string;
  loaded?: LoadedExperiment;
  error?: string;
  stages: StageRun[];
}

export interface AttachedRun {
  dir: string;
  log?: ParsedLog;
}

export class RunsModel implements vscode.Disposable {
  experiments: ExperimentEntry[] = [];
  readonly attached: AttachedRun[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private poll: NodeJS.Timeout | undefined;
  /** Queued stages the user stopped before they started. */
  readonly cancelled = new Set<StageRun>();
  private loading: Promise<void> | undefined;

  constructor() {
    const expWatcher = vscode.workspace.createFileSystemWatcher(EXPERIMENT_GLOB);
    const logWatcher = vscode.workspace.createFileSystemWatcher(`**/${RUN_LOG_GLOB}`);
    const reload = (): void => void this.load();
    const progress = (): void => void this.refreshLogs();
    this.disposables.push(
      expWatcher,
      logWatcher,
      expWatcher.onDidChange(reload),
      expWatcher.onDidCreate(reload),
      expWatcher.onDidDelete(reload),
    );
    this.disposables.push(logWatcher.onDidChange(progress), logWatcher.onDidCreate(progress));
  }

  ready(): Promise<void> {
    return this.loading ?? this.load();
  }

  fire(): void {
    this.changed.fire();
  }

  load(): Promise<void> {
    const run = (async () => {
      const uris = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '**/node_modules/**', 200);
      const previous = this.experiments.flatMap((e) => e.stages);
      const entries: ExperimentEntry[] = [];
      for (const uri of uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
        const file = uri.fsPath;
        try {
          const loaded = await loadExperiment(file);
          const stages = stagesOf(loaded.experiment).map((stage) => ({ stage, outputDir: stageOutputDir(loaded, stage) }));
          entries.push({ file, loaded, stages: reloadedRuns(file, stages, previous) });
        } catch (err) {
          // an experiment edited into an invalid file keeps its running stages reachable (Stop)
          entries.push({ file, error: err instanceof Error ? err.message : String(err), stages: reloadedRuns(file, undefined, previous) });
        }
      }
      this.experiments = entries;
      await this.refreshLogs();
      this.changed.fire();
    })().finally(() => {
      this.loading = undefined;
    });
    this.loading = run;
    return run;
  }

  async refreshLogs(): Promise<void> {
    // redraw only when a log changed: a tree redrawn every poll swallows the user's clicks
    let changed = false;
    for (const run of [
      ...this.experiments.flatMap((e) => e.stages.map((s) => ({ target: s, dir: s.outputDir }))),
      ...this.attached.map((a) => ({ target: a, dir: a.dir })),
    ]) {
      const log = await readRunLog(run.dir);
      if (logChanged(run.target.log, log)) changed = true;
      run.target.log = log;
    }
    for (const run of this.experiments.flatMap((e) => e.stages).filter(showsOutput)) {
      if (await this.readOutput(run)) changed = true;
    }
    if (changed) this.changed.fire();
  }

  /** Re-reads the last lines a failed or stopped stage printed (esc-run.log); whether they changed. */
  private async readOutput(run: StageRun): Promise<boolean> {
    const output = await readOutputTail(run.outputDir);
    if (output?.join('\n') === run.output?.join('\n')) return false;
    run.output = output;
    return true;
  }

  attach(dir: string): void {
    if (!this.attached.some((a) => a.dir === dir)) {
      this.attached.push({ dir });
      // the workspace watcher does not see folders outside the workspace: watch this one itself
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), RUN_LOG_GLOB));
      const progress = (): void => void this.refreshLogs();
      this.disposables.push(w, w.onDidChange(progress), w.onDidCreate(progress));
    }
    this.changed.fire(); // show the folder at once; its progress follows
    void this.refreshLogs();
  }

  /** The run of a stage, created when the experiment file is not (yet) in the list. */
  ensure(experimentFile: string, stage: StageId, outputDir: string): StageRun {
    const found = this.find(experimentFile, stage);
    if (found) return found;
    let entry = this.experiments.find((e) => e.file === experimentFile);
    if (!entry) this.experiments.push((entry = { file: experimentFile, stages: [] }));
    const run = newStageRun<RunningStage>(experimentFile, stage, outputDir);
    entry.stages.push(run);
    return run;
  }

  find(experimentFile: string, stage: StageId): StageRun | undefined {
    return this.experiments.find((e) => e.file === experimentFile)?.stages.find((s) => s.stage === stage);
  }

  get active(): StageRun[] {
    return this.experiments.flatMap((e) => e.stages).filter(isActive);
  }

  /** Polls the logs while something runs (watchers can miss writes on network file systems). */
  setStatus(run: StageRun, status: StageStatus): void {
    run.status = status;
    if (showsOutput(run)) {
      // why it ended: its last lines, read now and once more when the output copy (tee) has caught up
      const read = (): void => void this.readOutput(run).then((c) => c && this.changed.fire());
      read();
      setTimeout(read, 1000);
    }
    if (this.active.length > 0 && !this.poll) this.poll = setInterval(() => void this.refreshLogs(), POLL_MS);
    if (this.active.length === 0 && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
    this.changed.fire();
  }

  dispose(): void {
    clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
  }
}
