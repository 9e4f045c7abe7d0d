// What the Runs view shows: every experiment file of the workspace with its stages (status, progress,
// ETA, latest loss from the trainer's own log files) and run folders the user attached. Progress is
// re-read when the log files change (file watcher) and every couple of seconds while a stage runs.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { stagesOf, type StageId } from '../../core/training/experiment';
import { parseTrainerLog, parseTrainerState, type ParsedLog } from '../../core/training/logs';
import type { StageStatus } from '../../core/training/pipeline';
import { loadExperiment, type LoadedExperiment } from '../../core/training/trainConfig';
import type { RunningStage } from './terminalRunner';

export const EXPERIMENT_GLOB = '**/{esc-experiment,*.esc-experiment}.{yaml,yml}';
const POLL_MS = 2000;

export interface StageRun {
  experimentFile: string;
  stage: StageId;
  status: StageStatus;
  outputDir: string;
  log?: ParsedLog;
  running?: RunningStage;
}

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

/** Reads a run folder's progress: LLaMA-Factory's trainer_log.jsonl, else trainer_state.json (TRL, or finished runs). */
export async function readRunLog(dir: string): Promise<ParsedLog | undefined> {
  const jsonl = await readFile(path.join(dir, 'trainer_log.jsonl'), 'utf8').catch(() => undefined);
  if (jsonl !== undefined) {
    const log = parseTrainerLog(jsonl);
    // DPO reward metrics are only in trainer_state.json: merge them when it exists
    const state = await readFile(path.join(dir, 'trainer_state.json'), 'utf8').catch(() => undefined);
    if (state) {
      const s = parseTrainerState(state);
      // a rerun deletes trainer_log.jsonl but not an old trainer_state.json: only a state at least as far along belongs to this run
      const lastStep = log.points[log.points.length - 1]?.step ?? 0;
      if (s.points.some((p) => p.rewardsMargins !== undefined) && (s.progress?.step ?? 0) >= lastStep) return { ...log, points: s.points };
    }
    return log;
  }
  const state = await readFile(path.join(dir, 'trainer_state.json'), 'utf8').catch(() => undefined);
  return state === undefined ? undefined : parseTrainerState(state);
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
    const logWatcher = vscode.workspace.createFileSystemWatcher('**/{trainer_log.jsonl,trainer_state.json}');
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
      const previous = new Map(this.experiments.flatMap((e) => e.stages.map((s) => [`${e.file}|${s.stage}`, s] as const)));
      const entries: ExperimentEntry[] = [];
      for (const uri of uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
        try {
          const loaded = await loadExperiment(uri.fsPath);
          const stages = stagesOf(loaded.experiment).map((stage): StageRun => {
            const outputDir = path.resolve(loaded.dir, loaded.experiment.output_root, loaded.experiment.name, stage);
            const prev = previous.get(`${uri.fsPath}|${stage}`);
            return prev && (prev.outputDir === outputDir || prev.running)
              ? prev
              : { experimentFile: uri.fsPath, stage, status: 'not-started', outputDir };
          });
          entries.push({ file: uri.fsPath, loaded, stages });
        } catch (err) {
          // an experiment edited into an invalid file keeps its running stages reachable (Stop)
          const running = [...previous.values()].filter((s) => s.experimentFile === uri.fsPath && (s.running || s.status === 'queued'));
          entries.push({ file: uri.fsPath, error: err instanceof Error ? err.message : String(err), stages: running });
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
    const signature = (log: ParsedLog | undefined): string =>
      log ? `${log.points.length}|${log.progress?.step}|${log.progress?.lastLoss}|${log.progress?.percentage}` : '';
    for (const run of [
      ...this.experiments.flatMap((e) => e.stages.map((s) => ({ target: s, dir: s.outputDir }))),
      ...this.attached.map((a) => ({ target: a, dir: a.dir })),
    ]) {
      const log = await readRunLog(run.dir);
      if (signature(log) !== signature(run.target.log)) changed = true;
      run.target.log = log;
    }
    if (changed) this.changed.fire();
  }

  attach(dir: string): void {
    if (!this.attached.some((a) => a.dir === dir)) {
      this.attached.push({ dir });
      // the workspace watcher does not see folders outside the workspace: watch this one itself
      const w = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(dir), '{trainer_log.jsonl,trainer_state.json}'),
      );
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
    const run: StageRun = { experimentFile, stage, status: 'not-started', outputDir };
    entry.stages.push(run);
    return run;
  }

  find(experimentFile: string, stage: StageId): StageRun | undefined {
    return this.experiments.find((e) => e.file === experimentFile)?.stages.find((s) => s.stage === stage);
  }

  get active(): StageRun[] {
    return this.experiments.flatMap((e) => e.stages).filter((s) => s.status === 'running' || s.status === 'queued');
  }

  /** Polls the logs while something runs (watchers can miss writes on network file systems). */
  setStatus(run: StageRun, status: StageStatus): void {
    run.status = status;
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
