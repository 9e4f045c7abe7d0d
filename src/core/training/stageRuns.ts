// The stages the Runs view tracks, and what becomes of them when their experiment file changes: the
// decisions of the view, without VS Code (the view itself owns watchers, polling and terminals).

import type { StageId } from './experiment';
import type { ParsedLog } from './logs';
import type { StageStatus } from './pipeline';

/** One stage of an experiment as the Runs view tracks it; `H` is the launcher's handle while it runs. */
export interface StageRun<H = unknown> {
  experimentFile: string;
  stage: StageId;
  status: StageStatus;
  outputDir: string;
  log?: ParsedLog;
  running?: H;
  /** Why the stage could not start (e.g. sbatch's own message), when it never ran. */
  error?: string;
  /** The exit code of the stage's last run, once it ended by itself. */
  exitCode?: number;
  /** The last lines the stage printed (esc-run.log), read once it failed or was stopped. */
  output?: string[];
}

export const newStageRun = <H>(experimentFile: string, stage: StageId, outputDir: string): StageRun<H> => ({
  experimentFile,
  stage,
  status: 'not-started',
  outputDir,
});

/** Queued or running: what Stop lists and what keeps the logs polled. */
export const isActive = (run: StageRun<unknown>): boolean => run.status === 'running' || run.status === 'queued';

/**
 * The runs of an experiment file after it was read again, from the runs tracked before (of any file).
 * With `stages` (the file is valid), each stage keeps its run when it still writes to the same folder
 * (status and log carry over) or is running (Stop must still reach it), and starts over otherwise. An
 * invalid file (`stages` undefined) keeps only its stages that are running or queued, so they can be stopped.
 */
export function reloadedRuns<H>(
  file: string,
  stages: readonly { stage: StageId; outputDir: string }[] | undefined,
  previous: readonly StageRun<H>[],
): StageRun<H>[] {
  const mine = previous.filter((r) => r.experimentFile === file);
  if (!stages) return mine.filter((r) => r.running !== undefined || r.status === 'queued');
  return stages.map(({ stage, outputDir }) => {
    const prev = mine.find((r) => r.stage === stage);
    return prev && (prev.outputDir === outputDir || prev.running !== undefined) ? prev : newStageRun<H>(file, stage, outputDir);
  });
}

/** Whether a stage ended in a way that its last output should explain. */
export const showsOutput = (run: StageRun<unknown>): boolean => run.status === 'failed' || run.status === 'stopped';

/**
 * How a failed or stopped stage ended, for the Runs view's tooltip and the run page: the exit code and
 * the last lines it printed (e.g. "exec: llamafactory-cli: not found"); empty for any other stage.
 */
export function endingOf(run: StageRun<unknown>, lines = 5): { exit?: string; lines: string[] } {
  if (!showsOutput(run)) return { lines: [] };
  const exit =
    run.exitCode !== undefined
      ? `exit code ${run.exitCode}${run.exitCode === 127 ? ' (command not found)' : run.exitCode > 128 ? ` (signal ${run.exitCode - 128})` : ''}`
      : undefined;
  return { exit, lines: (run.output ?? []).slice(-lines) };
}
