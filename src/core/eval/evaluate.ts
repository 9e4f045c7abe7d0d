// Evaluates one inference file (FORMATS.md §5: records with GT_strategy, predict_strategy, GT_content,
// predict_content; a JSON array or JSON Lines) into the run `esc eval --json` prints: the paper's text
// metrics averaged over turns (x100, length in tokens) and its strategy metrics (fractions).

import { readAllRecords, UnreadableRecordsError } from '../json/readRecords';
import { STRATEGIES, type Strategy } from '../strategies';
import { populationStd, preferences, strategyScores } from './strategyMetrics';
import { TextScoreAverager, turnTextScores, type TextScores } from './textMetrics';
import { wordTokenize } from './tokenize';

export interface StrategyRun {
  accuracy: number;
  weighted_f1: number;
  macro_f1: number;
  p_bias: number;
  error_ratio: number;
  per_strategy: Record<Strategy, { f1: number; preference: number }>;
  confusion: Record<Strategy, Record<Strategy, number>>;
}

export interface EvalRun {
  file: string;
  records: number;
  text: TextScores;
  strategy: StrategyRun;
}

/** The file is not an inference file (or is cut short): the CLI's exit 1, with this one-line reason. */
export class EvalFileError extends Error {}

const BY_LOWERCASE = new Map<string, number>(STRATEGIES.map((s, i) => [s.toLowerCase(), i]));

/** A strategy id from a label compared lowercased against the 8 names; -1 for null or off-list. */
export const strategyIndex = (label: unknown): number => (typeof label === 'string' ? (BY_LOWERCASE.get(label.toLowerCase()) ?? -1) : -1);

/** The paper's tokens: nltk.word_tokenize(text.lower()) (as NLTKWordTokenizer, see tokenize.ts). */
export const metricTokens = (text: string): string[] => wordTokenize(text.toLowerCase());

/** What each turn came to, in file order: what the comparison page draws and drills into. */
export interface TurnOutcomes {
  /** Gold strategy id (0..7) per record. */
  gold: number[];
  /** Predicted strategy id per record; -1 when the prediction is null or not one of the 8. */
  predicted: number[];
  /** Tokens of the model's response per record (the paper's `length`). */
  predictedLength: number[];
  /** Tokens of the gold response per record. */
  goldLength: number[];
}

export interface EvalDetail {
  run: EvalRun;
  turns: TurnOutcomes;
}

/** Scores records one at a time, so a caller can report progress and stop between records. */
class RunScorer {
  private readonly text = new TextScoreAverager();
  private readonly turns: TurnOutcomes = { gold: [], predicted: [], predictedLength: [], goldLength: [] };

  add(record: unknown, index: number): void {
    const r = record as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new EvalFileError(`record ${index} is not an object`);
    for (const field of ['GT_content', 'predict_content'] as const) {
      if (typeof r[field] !== 'string') {
        throw new EvalFileError(`record ${index} has no ${field} string (not an inference record, FORMATS.md §5)`);
      }
    }
    const g = strategyIndex(r.GT_strategy);
    if (g < 0) throw new EvalFileError(`record ${index}: GT_strategy ${JSON.stringify(r.GT_strategy)} is not one of the 8 strategies`);
    const hyp = metricTokens(r.predict_content as string);
    const ref = metricTokens(r.GT_content as string);
    this.turns.gold.push(g);
    this.turns.predicted.push(strategyIndex(r.predict_strategy));
    this.turns.predictedLength.push(hyp.length);
    this.turns.goldLength.push(ref.length);
    this.text.add(turnTextScores(hyp, ref));
  }

  result(name: string): EvalDetail {
    const run: EvalRun = {
      file: name,
      records: this.turns.gold.length,
      text: this.text.result(),
      strategy: strategyRun(this.turns.gold, this.turns.predicted),
    };
    return { run, turns: this.turns };
  }
}

/**
 * A run's strategy metrics from its turns' gold and predicted ids (-1: a prediction that names none of
 * the 8) — `esc eval`'s, and the Statistics tab's for an inference file.
 */
export function strategyRun(gold: readonly number[], predicted: readonly number[]): StrategyRun {
  const s = strategyScores(gold, predicted);
  const prefs = preferences(s.confusion);
  const byName = <T>(f: (i: number) => T): Record<Strategy, T> =>
    Object.fromEntries(STRATEGIES.map((label, i) => [label, f(i)])) as Record<Strategy, T>;
  return {
    accuracy: s.accuracy,
    weighted_f1: s.weighted_f1,
    macro_f1: s.macro_f1,
    p_bias: populationStd(prefs),
    error_ratio: s.error_ratio,
    per_strategy: byName((i) => ({ f1: s.per_strategy_f1[i]!, preference: prefs[i]! })),
    confusion: byName((g) => byName((p) => s.confusion[g]![p]!)),
  };
}

/** Per gold strategy, the turns whose prediction named none of the 8 (the confusion's "no strategy" column). */
export function noStrategyByGold(gold: readonly number[], predicted: readonly number[]): number[] {
  const counts = STRATEGIES.map(() => 0);
  gold.forEach((g, i) => {
    if (predicted[i]! < 0) counts[g]!++;
  });
  return counts;
}

/** Scores the records of an inference file already parsed (`name` is what the run reports as its file). */
export function evaluateRecords(name: string, records: readonly unknown[]): EvalRun {
  const scorer = new RunScorer();
  records.forEach((r, i) => scorer.add(r, i));
  return scorer.result(name).run;
}

export interface EvaluateOptions {
  signal?: AbortSignal;
  /** Records scored so far, of all; called between slices of records. */
  onProgress?: (done: number, total: number) => void;
}

/** How many records are scored between two looks at the signal (a few ms of work). */
const SLICE = 256;

/**
 * Scores parsed records with the per-turn outcomes, yielding to the event loop between slices so a
 * worker hears its cancel message and reports progress (the editor's Evaluate).
 */
export async function evaluateRecordsDetailed(name: string, records: readonly unknown[], opts: EvaluateOptions = {}): Promise<EvalDetail> {
  const scorer = new RunScorer();
  for (let start = 0; start < records.length; start += SLICE) {
    opts.signal?.throwIfAborted();
    const end = Math.min(records.length, start + SLICE);
    for (let i = start; i < end; i++) scorer.add(records[i], i);
    opts.onProgress?.(end, records.length);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return scorer.result(name);
}

async function readInferenceRecords(path: string, signal?: AbortSignal): Promise<unknown[]> {
  let records: unknown[];
  try {
    records = await readAllRecords(path, signal);
  } catch (err) {
    throw err instanceof UnreadableRecordsError ? new EvalFileError(err.message) : err;
  }
  if (records.length === 0) throw new EvalFileError('no records (an inference file is a list of supporter turns, FORMATS.md §5)');
  return records;
}

/** Reads and scores an inference file with its per-turn outcomes; EvalFileError when it is not one. */
export async function evaluateFileDetailed(path: string, opts: EvaluateOptions = {}): Promise<EvalDetail> {
  return evaluateRecordsDetailed(path, await readInferenceRecords(path, opts.signal), opts);
}

/** Reads and scores an inference file; EvalFileError when it is not one, is broken or is truncated. */
export async function evaluateFile(path: string, signal?: AbortSignal): Promise<EvalRun> {
  return evaluateRecords(path, await readInferenceRecords(path, signal));
}
