// `esc eval --judge`'s runner: one call per turn and criterion (core/eval/judge.ts fills the prompt),
// up to N in flight, over one or more inference files.
//
// Resumable as `esc infer` is (inferRun.ts): each answer is appended to a checkpoint beside the first
// input file, keyed by file, turn and criterion (JSON Lines, one synchronous write per answer, so a
// kill leaves at most a torn last line). A rerun with the same files, rubrics and judge model asks
// only what is missing; the checkpoint is removed once every answer is in.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { isObject } from '../formats/messages';
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

export class JudgeCheckpointError extends Error {}

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

/** The answers of an earlier run of the same key; a torn last line (killed mid-write) is ignored. */
function readCheckpoint(file: string, key: Record<string, unknown>): { answers: Map<string, string>; torn: boolean } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(lines[0]!);
  } catch {
    header = undefined;
  }
  if (JSON.stringify(header) !== JSON.stringify(key)) {
    throw new JudgeCheckpointError(
      `${file} belongs to another judge run (other files, rubrics or judge model); delete it to start over, or rerun the command that made it`,
    );
  }
  const saved = new Map<string, string>();
  for (const line of lines.slice(1)) {
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (isObject(e) && typeof e.file === 'string' && typeof e.i === 'number' && typeof e.c === 'string' && typeof e.answer === 'string') {
      saved.set(callKey(e.file, e.i, e.c), e.answer);
    }
  }
  // a torn last line must not swallow the next entry appended after it
  return { answers: saved, torn: !text.endsWith('\n') };
}

/**
 * One judge answer. An empty answer is an error to the OpenAI client (retried there, as a glitch may
 * cause it); one still empty after the retries is the judge's answer, a missing score, not a failed run.
 */
async function askJudge(judge: RoleModel, prompt: string, signal: AbortSignal): Promise<string> {
  try {
    return await judge.ask([{ role: 'user', content: prompt }], [], undefined, signal);
  } catch (err) {
    if (!signal.aborted && err instanceof InferenceError && /returned an empty answer/.test(err.message)) return '';
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
  const cpFile = judgeCheckpointPath(inputs[0]!.file);
  const key = runKey(calls, opts);
  const saved = readCheckpoint(cpFile, key);
  const answers = saved?.answers ?? new Map<string, string>();
  const fd = openSync(cpFile, 'a');
  if (!saved) writeSync(fd, JSON.stringify(key) + '\n');
  else if (saved.torn) writeSync(fd, '\n');
  const pending = calls.filter((call) => !answers.has(callKey(call.file, call.i, call.c)));

  const stop = new AbortController();
  setMaxListeners(opts.concurrency + 10, stop.signal);
  const onAbort = (): void => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let done = calls.length - pending.length;
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < pending.length) {
      const call = pending[next++]!;
      try {
        const answer = await askJudge(opts.judge, call.prompt, stop.signal);
        answers.set(callKey(call.file, call.i, call.c), answer);
        writeSync(fd, JSON.stringify({ file: call.file, i: call.i, c: call.c, answer }) + '\n');
        done++;
        opts.onProgress?.(done, calls.length);
      } catch (err) {
        // the first failure stops the run; the calls it cut short are the only ones a rerun repeats
        failure ??= err;
        stop.abort(err);
      }
    }
  };
  try {
    opts.onProgress?.(done, calls.length);
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, pending.length)) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    closeSync(fd);
  }
  if (failure !== undefined) throw failure;
  opts.signal?.throwIfAborted();
  unlinkSync(cpFile);
  return inputs.map((input) => {
    const byCriterion = Object.fromEntries(
      JUDGE_CRITERIA.map((c) => [c, input.records.map((_, i) => answers.get(callKey(input.file, i, c))!)]),
    ) as Record<JudgeCriterion, string[]>;
    return averageJudgeAnswers(byCriterion);
  });
}
