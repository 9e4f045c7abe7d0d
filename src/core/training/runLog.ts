// A run folder's progress, read from the trainer's own files: LLaMA-Factory's trainer_log.jsonl (written
// as training goes) and transformers' trainer_state.json (written at the end of a run by LLaMA-Factory,
// and by TRL; the only file with the DPO reward metrics). Which of the two belongs to the run on show is
// decided here, without VS Code, for the Runs view, the run page and runs attached from elsewhere. Also
// the last lines of what the stage printed (esc-run.log, written by its script), which say why it failed.

import { open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseTrainerLog, parseTrainerState, type ParsedLog, type TrainPoint } from './logs';
import { OUTPUT_LOG } from './scripts';

export const TRAINER_LOG = 'trainer_log.jsonl';
export const TRAINER_STATE = 'trainer_state.json';
/** Both files, for a file watcher. */
export const RUN_LOG_GLOB = `{${TRAINER_LOG},${TRAINER_STATE}}`;

/** Losses written by Python's json on both sides are the same number; the tolerance only absorbs a reformatting. */
const sameLoss = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Whether a trainer_state.json was written by the run that trainer_log.jsonl shows. A rerun deletes
 * trainer_log.jsonl but leaves the old trainer_state.json until it ends, and a run that failed never
 * writes one: the state is this run's only when it is at least as far along as the log (it is written
 * last, possibly after a final step the log did not record) and both recorded the same loss at every
 * step they share (at least one: with nothing to compare, it cannot be told apart from an old run's).
 */
function stateBelongsToLog(log: ParsedLog, state: ParsedLog): boolean {
  const lastStep = log.points.at(-1)?.step ?? 0;
  if ((state.progress?.step ?? 0) < lastStep) return false;
  const stateLoss = new Map(state.points.filter((p) => p.loss !== undefined).map((p) => [p.step, p.loss!]));
  const shared = log.points.filter((p): p is TrainPoint & { loss: number } => p.loss !== undefined && stateLoss.has(p.step));
  return shared.length > 0 && shared.every((p) => sameLoss(p.loss, stateLoss.get(p.step)!));
}

/**
 * A run's progress from the texts of its two files (undefined when a file is absent): the log while
 * LLaMA-Factory writes it, with the state's points (which carry the DPO reward metrics) once this run
 * has written one; the state alone for TRL; undefined when there is neither.
 */
export function runLogOf(files: { log?: string; state?: string }): ParsedLog | undefined {
  if (files.log === undefined) return files.state === undefined ? undefined : parseTrainerState(files.state);
  const log = parseTrainerLog(files.log);
  if (!files.state) return log;
  const state = parseTrainerState(files.state);
  const hasRewards = state.points.some((p) => p.rewardsMargins !== undefined);
  return hasRewards && stateBelongsToLog(log, state) ? { ...log, points: state.points } : log;
}

/** Reads a run folder's progress (see `runLogOf`); a file that cannot be read counts as absent. */
export async function readRunLog(dir: string): Promise<ParsedLog | undefined> {
  const read = (name: string): Promise<string | undefined> => readFile(path.join(dir, name), 'utf8').catch(() => undefined);
  const [log, state] = await Promise.all([read(TRAINER_LOG), read(TRAINER_STATE)]);
  return runLogOf({ log, state });
}

/** Whether a re-read log shows anything new (the Runs view redraws only then: a tree redrawn every poll swallows clicks). */
export function logChanged(before: ParsedLog | undefined, after: ParsedLog | undefined): boolean {
  const signature = (log: ParsedLog | undefined): string =>
    log ? `${log.points.length}|${log.progress?.step}|${log.progress?.lastLoss}|${log.progress?.percentage}` : '';
  return signature(before) !== signature(after);
}

/** How many of the last lines of a stage's output the Runs view and the run page show. */
export const OUTPUT_TAIL_LINES = 12;
/** The tail is read from the end of esc-run.log only: a long run's output is large. */
const OUTPUT_TAIL_BYTES = 16 * 1024;

/**
 * The last lines of what a stage printed, as its terminal showed them: colour and cursor codes are
 * dropped, a line redrawn with \r (a progress bar) keeps only its last state, blank lines are skipped.
 */
export function outputTail(text: string, lines = OUTPUT_TAIL_LINES): string[] {
  // eslint-disable-next-line no-control-regex -- terminal escape sequences are what is removed
  const plain = text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '');
  const shown = plain.split('\n').map((l) => l.replace(/\r+$/, '').split('\r').at(-1)!.trimEnd());
  return shown.filter((l) => l.trim() !== '').slice(-lines);
}

/** The tail of a run folder's esc-run.log (see `outputTail`); undefined when the stage wrote none. */
export function readOutputTail(dir: string, lines = OUTPUT_TAIL_LINES): Promise<string[] | undefined> {
  return readLogTail(path.join(dir, OUTPUT_LOG), lines);
}

/** The last lines of any output log (a stage's, a model server's), as `outputTail` shows them; undefined when there is no file. */
export async function readLogTail(logFile: string, lines = OUTPUT_TAIL_LINES): Promise<string[] | undefined> {
  let file;
  try {
    file = await open(logFile, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - OUTPUT_TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await file.read(buf, 0, buf.length, start);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    // read from the middle of the file: its first line (and a character cut in two) is partial
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return outputTail(text, lines);
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}
