// `esc eval --judge`'s runner: one call per turn and criterion (core/eval/judge.ts fills the prompt),
// up to N in flight, over one or more inference files.
//
// Resumable as `esc infer` is (inferRun.ts): each answer is appended to a checkpoint beside the first
// input file, keyed by file, turn and criterion (JSON Lines, one synchronous write per answer, so a
// kill leaves at most a torn last line). A rerun with the same files, rubrics and judge model asks
// only what is missing; the checkpoint is removed once every answer is in.

import { createHash } from 'node:crypto';
import {
  averageJudgeAnswers,
  fillRubric,
  JUDGE_CRITERIA,
  judgeFields,
  type JudgeCriterion,
  type JudgeScores,
  type Rubrics,
} from '../eval/judge';
import { InferenceError } from '../dialogue/types';
import { EmptyAnswerError } from '../openai/errors';
import { Checkpoint, runPool } from './resumable';
import type { RoleModel } from './roleModels';

export interface JudgeInput {
  /** As the run reports it (and as the checkpoint keys it). */
  file: string;
  records: readonly Record<string, unknown>[];
}

export interface JudgeOptions {
  judge: RoleModel;
  rubrics: Rubrics;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export const judgeCheckpointPath = (firstFile: string): string => `${firstFile}.judge.checkpoint.jsonl`;

const CHECKPOINT_FORMAT = 'esc-judge-checkpoint/1';

interface Call {
  file: string;
  i: number;
  c: JudgeCriterion;
  prompt: string;
}

const callKey = (file: string, i: number, c: string): string => JSON.stringify([file, i, c]);

/** What a checkpoint must match to be reused: the judge model, the rubrics and every prompt. */
function runKey(calls: readonly Call[], opts: JudgeOptions): Record<string, unknown> {
  const hash = createHash('sha256');
  for (const call of calls) hash.update(JSON.stringify([call.file, call.i, call.c, call.prompt])).update('\n');
  return { format: CHECKPOINT_FORMAT, judge: opts.judge.identity, prompts: hash.digest('hex') };
}

/**
 * One judge answer. An empty answer is an error to the OpenAI client (retried there, as a glitch may
 * cause it); one still empty after the retries is the judge's answer, a missing score, not a failed run.
 */
async function askJudge(judge: RoleModel, prompt: string, signal: AbortSignal): Promise<string> {
  try {
    return await judge.ask([{ role: 'user', content: prompt }], [], undefined, signal);
  } catch (err) {
    if (!signal.aborted && err instanceof InferenceError && err.cause instanceof EmptyAnswerError) return '';
    throw err;
  }
}

/** Every file's judge scores (in input order); throws the first call's failure after the calls in flight settle. */
export async function runJudge(inputs: readonly JudgeInput[], opts: JudgeOptions): Promise<JudgeScores[]> {
  const calls: Call[] = [];
  for (const input of inputs) {
    input.records.forEach((record, i) => {
      const fields = judgeFields(record);
      for (const c of JUDGE_CRITERIA) calls.push({ file: input.file, i, c, prompt: fillRubric(opts.rubrics[c], fields) });
    });
  }
  if (inputs.length === 0) return [];
  const { checkpoint, entries } = Checkpoint.open(
    judgeCheckpointPath(inputs[0]!.file),
    runKey(calls, opts),
    'files, rubrics or judge model',
  );
  const answers = new Map<string, string>();
  for (const e of entries) {
    if (typeof e.file === 'string' && typeof e.i === 'number' && typeof e.c === 'string' && typeof e.answer === 'string') {
      answers.set(callKey(e.file, e.i, e.c), e.answer);
    }
  }
  const pending = calls.filter((call) => !answers.has(callKey(call.file, call.i, call.c)));
  let done = calls.length - pending.length;
  try {
    opts.onProgress?.(done, calls.length);
    await runPool(pending, opts.concurrency, opts.signal, async (call, signal) => {
      const answer = await askJudge(opts.judge, call.prompt, signal);
      answers.set(callKey(call.file, call.i, call.c), answer);
      checkpoint.append({ file: call.file, i: call.i, c: call.c, answer });
      done++;
      opts.onProgress?.(done, calls.length);
    });
  } finally {
    checkpoint.close();
  }
  checkpoint.remove();
  return inputs.map((input) => {
    const byCriterion = Object.fromEntries(
      JUDGE_CRITERIA.map((c) => [c, input.records.map((_, i) => answers.get(callKey(input.file, i, c))!)]),
    ) as Record<JudgeCriterion, string[]>;
    return averageJudgeAnswers(byCriterion);
  });
}
