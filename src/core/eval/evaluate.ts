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

/** Scores the records of an inference file already parsed (`name` is what the run reports as its file). */
export function evaluateRecords(name: string, records: readonly unknown[]): EvalRun {
  const text = new TextScoreAverager();
  const gold: number[] = [];
  const predicted: number[] = [];
  records.forEach((record, index) => {
    const r = record as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new EvalFileError(`record ${index} is not an object`);
    for (const field of ['GT_content', 'predict_content'] as const) {
      if (typeof r[field] !== 'string') {
        throw new EvalFileError(`record ${index} has no ${field} string (not an inference record, FORMATS.md §5)`);
      }
    }
    const g = strategyIndex(r.GT_strategy);
    if (g < 0) throw new EvalFileError(`record ${index}: GT_strategy ${JSON.stringify(r.GT_strategy)} is not one of the 8 strategies`);
    gold.push(g);
    predicted.push(strategyIndex(r.predict_strategy));
    text.add(turnTextScores(metricTokens(r.predict_content as string), metricTokens(r.GT_content as string)));
  });
  const s = strategyScores(gold, predicted);
  const prefs = preferences(s.confusion);
  const byName = <T>(f: (i: number) => T): Record<Strategy, T> =>
    Object.fromEntries(STRATEGIES.map((name, i) => [name, f(i)])) as Record<Strategy, T>;
  return {
    file: name,
    records: records.length,
    text: text.result(),
    strategy: {
      accuracy: s.accuracy,
      weighted_f1: s.weighted_f1,
      macro_f1: s.macro_f1,
      p_bias: populationStd(prefs),
      error_ratio: s.error_ratio,
      per_strategy: byName((i) => ({ f1: s.per_strategy_f1[i]!, preference: prefs[i]! })),
      confusion: byName((g) => byName((p) => s.confusion[g]![p]!)),
    },
  };
}

/** Reads and scores an inference file; EvalFileError when it is not one, is broken or is truncated. */
export async function evaluateFile(path: string, signal?: AbortSignal): Promise<EvalRun> {
  let records: unknown[];
  try {
    records = await readAllRecords(path, signal);
  } catch (err) {
    throw err instanceof UnreadableRecordsError ? new EvalFileError(err.message) : err;
  }
  if (records.length === 0) throw new EvalFileError('no records (an inference file is a list of supporter turns, FORMATS.md §5)');
  return evaluateRecords(path, records);
}
