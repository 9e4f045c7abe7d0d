// Reads a trainer's own log files into one series of points, for the Runs view and the run page:
// LLaMA-Factory's trainer_log.jsonl (one JSON object per logging step, written as training goes) and
// transformers' trainer_state.json `log_history` (TRL, and the DPO reward metrics). Tolerant of what
// live files look like: a partial last line, NaN losses, a restart that truncated the log.

export interface TrainPoint {
  step: number;
  epoch?: number;
  loss?: number;
  evalLoss?: number;
  lr?: number;
  /** DPO: rewards/chosen, rewards/rejected, rewards/margins, rewards/accuracies. */
  rewardsChosen?: number;
  rewardsRejected?: number;
  rewardsMargins?: number;
  rewardsAccuracy?: number;
}

export interface Progress {
  step: number;
  totalSteps?: number;
  /** 0..100 */
  percentage?: number;
  elapsed?: string;
  remaining?: string;
  lastLoss?: number;
}

export interface ParsedLog {
  points: TrainPoint[];
  progress: Progress | undefined;
  /** Lines that were not JSON (a partial last line is expected while training writes). */
  skippedLines: number;
}

/** A number, or undefined for null/NaN/strings ("NaN" appears in JSON from Python as a bare NaN). */
const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Python's json writes NaN/Infinity as bare words, which JSON.parse rejects. */
const PY_NON_FINITE = /(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line.replace(PY_NON_FINITE, 'null')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** trainer_log.jsonl (LLaMA-Factory): current_steps, total_steps, loss, eval_loss, lr, epoch, percentage, elapsed_time, remaining_time, accuracy. */
export function parseTrainerLog(text: string): ParsedLog {
  let points: TrainPoint[] = [];
  let progress: Progress | undefined;
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = parseLine(line);
    const step = r ? n(r.current_steps) : undefined;
    if (!r || step === undefined) {
      skipped++;
      continue;
    }
    // a restarted run starts its steps again: keep only the latest run's points
    if (points.length > 0 && step < points[points.length - 1]!.step) points = points.filter((p) => p.step < step);
    const p: TrainPoint = {
      step,
      epoch: n(r.epoch),
      loss: n(r.loss),
      evalLoss: n(r.eval_loss),
      lr: n(r.lr),
      rewardsAccuracy: n(r.accuracy),
    };
    points.push(p);
    progress = {
      step,
      totalSteps: n(r.total_steps),
      percentage: n(r.percentage),
      elapsed: typeof r.elapsed_time === 'string' ? r.elapsed_time : undefined,
      remaining: typeof r.remaining_time === 'string' ? r.remaining_time : undefined,
      lastLoss: p.loss ?? progress?.lastLoss,
    };
  }
  return { points, progress, skippedLines: skipped };
}

/** trainer_state.json (transformers / TRL): `log_history` with loss, eval_loss, learning_rate, epoch, step and DPO rewards/*. */
export function parseTrainerState(text: string): ParsedLog {
  const state = parseLine(text.replace(/\n/g, ' '));
  const history = Array.isArray(state?.log_history) ? (state!.log_history as unknown[]) : [];
  const points: TrainPoint[] = [];
  let skipped = 0;
  for (const h of history) {
    if (typeof h !== 'object' || h === null) {
      skipped++;
      continue;
    }
    const r = h as Record<string, unknown>;
    const step = n(r.step);
    if (step === undefined || r.train_runtime !== undefined) continue; // the final summary entry
    points.push({
      step,
      epoch: n(r.epoch),
      loss: n(r.loss),
      evalLoss: n(r.eval_loss),
      lr: n(r.learning_rate),
      rewardsChosen: n(r['rewards/chosen']),
      rewardsRejected: n(r['rewards/rejected']),
      rewardsMargins: n(r['rewards/margins']),
      rewardsAccuracy: n(r['rewards/accuracies']),
    });
  }
  const last = points[points.length - 1];
  const maxSteps = n(state?.max_steps);
  const progress: Progress | undefined = last
    ? {
        step: n(state?.global_step) ?? last.step,
        totalSteps: maxSteps,
        percentage: maxSteps ? (100 * (n(state?.global_step) ?? last.step)) / maxSteps : undefined,
        lastLoss: [...points].reverse().find((p) => p.loss !== undefined)?.loss,
      }
    : undefined;
  return { points, progress, skippedLines: skipped };
}
