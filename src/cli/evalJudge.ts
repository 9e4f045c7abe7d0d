// `esc eval --judge SPEC [--rubrics <folder>] [--concurrency N] [--timeout S]`: the LLM judge's four
// scores added to each run as `judge` (core/runs/judgeRun.ts). Everything the option needs is checked
// before any file is read (the spec, the rubrics), so a typo costs nothing.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { InferenceError } from '../core/dialogue/types';
import { readRubrics, RubricError, type JudgeScores, type Rubrics } from '../core/eval/judge';
import { readAllRecords } from '../core/json/readRecords';
import { PAPER_API_KEY, withEndpointDefaults, type EndpointConfig } from '../core/openai/config';
import { parseEndpointSpec } from '../core/openai/endpointSpec';
import { withServedModel } from '../core/openai/servedModel';
import { judgeCheckpointPath, runJudge } from '../core/runs/judgeRun';
import { CheckpointError } from '../core/runs/resumable';
import { DEFAULT_RETRY, EndpointReplicas } from '../core/runs/roleModels';
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

/** The judge's replicas from `http://host:port/v1[#model]`, comma-separated; greedy decoding (temperature 0). `command` words the errors (esc mine shares it). */
export async function judgeReplicas(
  spec: string,
  timeoutS: number,
  command = 'esc eval',
  retry = DEFAULT_RETRY,
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
  const cfgs = await Promise.all(
    replicas.map((r) => {
      const apiKey = process.env.ESC_API_KEY ?? PAPER_API_KEY;
      const cfg = withEndpointDefaults({ baseUrl: r.baseUrl, model: r.model, apiKey, stream: false, timeoutMs: timeoutS * 1000 }, 'joint');
      // The body carries model, messages and temperature 0 only: top_p is moot under greedy decoding
      // (an undefined field is left out of the JSON); EndpointReplicas drops max_tokens and stream.
      const greedy: EndpointConfig = { ...cfg, temperature: 0, topP: undefined as unknown as number };
      return withServedModel(greedy, 'joint');
    }),
  ).catch((e: unknown) => {
    throw new InputError(`${command}: --judge: ${(e as Error).message}`);
  });
  // a plain chat model, asked as the judge: its failures name it so
  return new EndpointReplicas(cfgs, 'joint', retry, 'judge');
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
