// `esc eval --judge SPEC [--rubrics <folder>] [--concurrency N] [--timeout S]`: the LLM judge's four
// scores added to each run as `judge` (core/runs/judgeRun.ts). Everything the option needs is checked
// before any file is read (the spec, the rubrics), so a typo costs nothing.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { InferenceError } from '../core/dialogue/types';
import { readRubrics, RubricError, type JudgeScores, type Rubrics } from '../core/eval/judge';
import { readAllRecords } from '../core/json/readRecords';
import { PAPER_API_KEY } from '../core/openai/config';
import { parseEndpointSpec } from '../core/openai/endpointSpec';
import { judgeCheckpointPath, runJudge } from '../core/runs/judgeRun';
import { CheckpointError } from '../core/runs/resumable';
import { DEFAULT_RETRY, type EndpointReplicas } from '../core/runs/roleModels';
import { judgeModel } from '../core/runs/roleSpecs';
import { InputError, UsageError, type Io } from './output';

export interface JudgeArgs {
  judge?: string;
  rubrics?: string;
  concurrency?: string;
  timeout?: string;
}

export interface PreparedJudge {
  model: EndpointReplicas;
  rubrics: Rubrics;
  concurrency: number;
}

/** The shipped rubrics: media/judge/ beside the bundled CLI (dist/), or in the repository when run from out/. */
function shippedRubrics(): string {
  const candidates = [1, 2, 3].map((up) => path.resolve(__dirname, ...Array<string>(up).fill('..'), 'media', 'judge'));
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

function positive(value: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `esc eval: ${flag} must be a ${integer ? 'whole number of at least 1' : 'number above 0'} (got ${JSON.stringify(value)})`,
    );
  }
  return n;
}

/**
 * The judge's API key: ESC_JUDGE_API_KEY, never the key of another endpoint of the same command (esc
 * mine's roles use ESC_API_KEY). `esc eval --judge` asks no other endpoint, so there ESC_API_KEY is a
 * fallback; without either, the paper's "EMPTY".
 */
export const judgeApiKey = (roleKeyFallback: boolean): string =>
  process.env.ESC_JUDGE_API_KEY ?? (roleKeyFallback ? process.env.ESC_API_KEY : undefined) ?? PAPER_API_KEY;

/** The judge's replicas from `http://host:port/v1[#model]`, comma-separated (core/runs/roleSpecs.ts judgeModel). `command` words the errors (esc mine shares it). */
export async function judgeReplicas(
  spec: string,
  timeoutS: number,
  command = 'esc eval',
  retry = DEFAULT_RETRY,
  apiKey = judgeApiKey(true),
): Promise<EndpointReplicas> {
  let replicas: ReturnType<typeof parseEndpointSpec>[];
  try {
    replicas = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(parseEndpointSpec);
    if (replicas.length === 0) throw new Error(`Invalid endpoint "${spec}": empty.`);
  } catch (e) {
    throw new UsageError(`${command}: --judge: ${(e as Error).message} Join replicas with ",".`);
  }
  return judgeModel(
    replicas.map((r) => ({ baseUrl: r.baseUrl, model: r.model, apiKey })),
    { retry, timeoutMs: timeoutS * 1000 },
  ).catch((e: unknown) => {
    throw new InputError(`${command}: --judge: ${(e as Error).message}`);
  });
}

/** Undefined without --judge (and then no judge option is allowed); a usage or input error ends the command with exit 2. */
export async function prepareJudge(args: JudgeArgs): Promise<PreparedJudge | undefined> {
  if (args.judge === undefined) {
    for (const flag of ['rubrics', 'concurrency', 'timeout'] as const) {
      if (args[flag] !== undefined) throw new UsageError(`esc eval: --${flag} goes with --judge SPEC`);
    }
    return undefined;
  }
  const concurrency = positive(args.concurrency, '--concurrency', 8, true);
  const timeoutS = positive(args.timeout, '--timeout', 300, false);
  let rubrics: Rubrics;
  try {
    rubrics = await readRubrics(args.rubrics ?? shippedRubrics());
  } catch (err) {
    if (err instanceof RubricError) throw new InputError(`esc eval: ${err.message}`);
    throw err;
  }
  return { model: await judgeReplicas(args.judge, timeoutS), rubrics, concurrency };
}

/** Adds `judge` to each run; 0, or the exit code of a stopped run (finished calls kept in the checkpoint). */
export async function judgeRuns<R extends { file: string }>(
  runs: (R & { judge?: JudgeScores })[],
  judge: PreparedJudge,
  io: Io,
): Promise<number> {
  // the files already evaluated: every record is an object with both contents
  const inputs = await Promise.all(
    runs.map(async (r) => ({ file: r.file, records: (await readAllRecords(r.file)) as Record<string, unknown>[] })),
  );
  const checkpoint = judgeCheckpointPath(runs[0]!.file);
  let last = 0;
  const progress = (done: number, total: number): void => {
    const now = Date.now();
    if (done < total && now - last < 1000) return;
    last = now;
    io.err(`esc eval: judge ${done}/${total} calls`);
  };
  const controller = new AbortController();
  const interrupt = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    const scores = await runJudge(inputs, {
      judge: judge.model,
      rubrics: judge.rubrics,
      concurrency: judge.concurrency,
      signal: controller.signal,
      onProgress: progress,
    });
    runs.forEach((r, k) => (r.judge = scores[k]));
    return 0;
  } catch (err) {
    if (err instanceof CheckpointError) throw new InputError(`esc eval: ${err.message}`);
    if (controller.signal.aborted && !(err instanceof InferenceError)) {
      io.err(`esc eval: interrupted; finished judge calls are kept in ${checkpoint}, rerun the same command to resume`);
      return 130;
    }
    if (!(err instanceof InferenceError)) throw err;
    io.err(`esc eval: ${err.message.split('\n')[0]!} (finished judge calls are kept in ${checkpoint}; rerun to resume)`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
