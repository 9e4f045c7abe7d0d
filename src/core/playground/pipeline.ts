// One supporter turn through the decoupled pipeline (planner, then generator) or the vanilla joint
// model, reported as it happens: each lane's result is updated in place and passed to `onUpdate` after
// every change (stage 1 done, each streamed chunk, the end), with the latency of each stage.
// `runLanes` is the one way to run a turn's lanes (the Playground session, `esc chat`): compare mode
// runs both on the same history.

import * as z from 'zod';
import { splitStrategyTag, STRATEGIES, type Strategy } from '../strategies';
import {
  FIX_ACTIONS,
  InferenceError,
  type DialogueTurn,
  type Generator,
  type JointModel,
  type Planner,
  type SamplingOptions,
  type StrategyProbabilities,
} from '../dialogue/types';

const LANES = ['decoupled', 'vanilla'] as const;
export const PIPELINE_MODES = [...LANES, 'compare'] as const;
export type PipelineMode = (typeof PIPELINE_MODES)[number];

const strategy = z.enum(STRATEGIES);
/** One lane's answer to a turn. A schema, so a conversation saved across reloads is checked with it. */
export const laneResultSchema = z.object({
  lane: z.enum(LANES),
  /** Set once stage 1 is done (or parsed from the vanilla answer). */
  strategy: strategy.optional(),
  /** All 8 when the planner could tell (embedded; endpoints that return logprobs). */
  probabilities: z.partialRecord(strategy, z.number()).optional(),
  /** True when the user chose the strategy instead of the planner. */
  overridden: z.boolean(),
  reply: z.string(),
  status: z.enum(['planning', 'generating', 'done', 'error', 'cancelled']),
  latencyMs: z.object({ planner: z.number().optional(), generator: z.number().optional() }),
  error: z.object({ stage: z.enum(['planner', 'generator']), message: z.string(), fix: z.enum(FIX_ACTIONS).optional() }).optional(),
  /** Who answered, e.g. "embedded planner · …" / "http://localhost:8001/v1 · model". */
  plannerLabel: z.string().optional(),
  generatorLabel: z.string(),
  /** A remark, e.g. "retrieval baseline" or how probabilities were derived. */
  note: z.string().optional(),
  /** A retrieval backend's figures for the reply (embedded): its relevance to the context, 0..1, and its rank. */
  retrieval: z.object({ relevance: z.number(), rank: z.number().int(), repeated: z.boolean().optional() }).optional(),
});
export type LaneResult = z.infer<typeof laneResultSchema>;

export interface Backends {
  planner: Planner;
  generator: Generator;
  joint: JointModel;
}

interface LaneOptions {
  /** Skip the planner and generate for this strategy (the user's override). */
  strategy?: Strategy;
  /** Stage-1 result to keep showing next to an override. */
  probabilities?: Partial<StrategyProbabilities>;
  plannerLatencyMs?: number;
  signal?: AbortSignal;
  onUpdate?: (result: LaneResult) => void;
  /** How the reply is sampled (temperature, seed, replies this turn already has). */
  sampling?: Omit<SamplingOptions, 'onRetrieved'>;
}

const now = (): number => performance.now();
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Ends a lane on a failure: cancelled when the user stopped it, else an error the card can show. */
function settleFailure(result: LaneResult, stage: 'planner' | 'generator', e: unknown, signal: AbortSignal | undefined): void {
  if (signal?.aborted || (e instanceof InferenceError && e.kind === 'aborted') || (e instanceof Error && e.name === 'AbortError')) {
    result.status = 'cancelled';
    return;
  }
  result.status = 'error';
  result.error =
    e instanceof InferenceError
      ? { stage, message: e.message, fix: e.fix }
      : { stage, message: e instanceof Error ? e.message : String(e) };
}

/** Streams a generator's chunks into `result.reply`, timing the stage. */
async function stream(
  chunks: AsyncIterable<string>,
  result: LaneResult,
  update: () => void,
  onText?: (all: string) => void,
  label?: () => string,
): Promise<void> {
  const started = now();
  let text = '';
  for await (const chunk of chunks) {
    // an endpoint names its served model once it has asked the server
    if (label) result.generatorLabel = label();
    text += chunk;
    if (onText) onText(text);
    else result.reply = text;
    result.latencyMs.generator = round(now() - started);
    update();
  }
  result.latencyMs.generator = round(now() - started);
}

async function runDecoupled(
  history: readonly DialogueTurn[],
  backends: Pick<Backends, 'planner' | 'generator'>,
  opts: LaneOptions = {},
): Promise<LaneResult> {
  const result: LaneResult = {
    lane: 'decoupled',
    overridden: opts.strategy !== undefined,
    reply: '',
    status: opts.strategy ? 'generating' : 'planning',
    latencyMs: {},
    plannerLabel: backends.planner.label,
    generatorLabel: backends.generator.label,
    // e.g. what the planner was trained on (or why it runs on the TypeScript engine), and "retrieval baseline"
    note: [opts.strategy ? undefined : backends.planner.note, backends.generator.note].filter(Boolean).join(' · ') || undefined,
  };
  const update = (): void => opts.onUpdate?.(result);
  update();
  let stage: 'planner' | 'generator' = 'planner';
  try {
    if (opts.strategy) {
      result.strategy = opts.strategy;
      result.probabilities = opts.probabilities;
      if (opts.plannerLatencyMs !== undefined) result.latencyMs.planner = opts.plannerLatencyMs;
    } else {
      const started = now();
      const plan = await backends.planner.plan(history, opts.signal);
      result.latencyMs.planner = round(now() - started);
      result.plannerLabel = backends.planner.label;
      result.strategy = plan.strategy;
      result.probabilities = plan.probabilities;
      if (plan.note) result.note = [plan.note, result.note].filter(Boolean).join(' · ');
      result.status = 'generating';
      update();
    }
    stage = 'generator';
    await stream(
      backends.generator.generate(history, result.strategy, opts.signal, { ...opts.sampling, onRetrieved: (r) => (result.retrieval = r) }),
      result,
      update,
      undefined,
      () => backends.generator.label,
    );
    if (!result.reply.trim()) throw new InferenceError('The generator answered with an empty reply.', 'model');
    result.status = 'done';
  } catch (e) {
    settleFailure(result, stage, e, opts.signal);
  }
  update();
  return result;
}

async function runVanilla(
  history: readonly DialogueTurn[],
  joint: JointModel,
  opts: Pick<LaneOptions, 'signal' | 'onUpdate' | 'sampling'> = {},
): Promise<LaneResult> {
  const result: LaneResult = {
    lane: 'vanilla',
    overridden: false,
    reply: '',
    status: 'generating',
    latencyMs: {},
    generatorLabel: joint.label,
    note: joint.note,
  };
  const update = (): void => opts.onUpdate?.(result);
  update();
  // the strategy is the answer's "[Strategy] " prefix; while it streams in, show the text after it
  const onText = (all: string): void => {
    const tag = splitStrategyTag(all);
    result.strategy = tag?.normalized?.strategy;
    result.reply = tag?.normalized ? tag.text : all;
  };
  try {
    await stream(
      joint.respond(history, opts.signal, { ...opts.sampling, onRetrieved: (r) => (result.retrieval = r) }),
      result,
      update,
      onText,
      () => joint.label,
    );
    if (!result.reply.trim()) throw new InferenceError('The model answered with an empty reply.', 'model');
    if (!result.strategy) {
      result.note = [result.note, 'the answer does not start with a [Strategy] tag naming one of the 8'].filter(Boolean).join(' · ');
    }
    result.status = 'done';
  } catch (e) {
    settleFailure(result, 'generator', e, opts.signal);
  }
  update();
  return result;
}

/** One lane of a turn; for the decoupled lane, optionally the user's override with stage 1's figures to keep on show. */
export type LaneJob = { lane: 'vanilla' } | ({ lane: 'decoupled' } & Pick<LaneOptions, 'strategy' | 'probabilities' | 'plannerLatencyMs'>);

/** The lanes of a new turn (or a regeneration) in a mode. */
export const laneJobs = (mode: PipelineMode): LaneJob[] => (mode === 'compare' ? [...LANES] : [mode]).map((lane) => ({ lane }));

/** The stage a lane starts with: where a failure before it ran is shown. */
const firstStage = (job: LaneJob): 'planner' | 'generator' => (job.lane === 'decoupled' && !job.strategy ? 'planner' : 'generator');

/** A lane's card before its backends are known, so a view can draw it at once. */
export function pendingLane(job: LaneJob): LaneResult {
  const override = job.lane === 'decoupled' ? job : undefined;
  return {
    lane: job.lane,
    overridden: override?.strategy !== undefined,
    reply: '',
    status: firstStage(job) === 'planner' ? 'planning' : 'generating',
    latencyMs: {},
    generatorLabel: '',
    strategy: override?.strategy,
    probabilities: override?.probabilities,
  };
}

interface TurnOptions {
  signal?: AbortSignal;
  /** Every change of the result of `jobs[index]`. */
  onUpdate?: (index: number, result: LaneResult) => void;
  /** One lane after the other, so that each lane's latencies are its own (a script measuring them), instead of at once. */
  sequential?: boolean;
  /** Sampling per lane: a regeneration passes the replies the turn already has, so it offers another. */
  sampling?: Partial<Record<'decoupled' | 'vanilla', Omit<SamplingOptions, 'onRetrieved'>>>;
}

/**
 * The one dispatcher of a turn's lanes (the Playground session and `esc chat`): runs each job on the same
 * history, concurrently unless `sequential`. The backends may still be loading: when they fail, every lane
 * ends with that failure at the stage it would have started with. A caller may leave out the models of a
 * lane it does not run (the CLI loads only those it needs).
 */
export async function runLanes(
  jobs: readonly LaneJob[],
  history: readonly DialogueTurn[],
  backends: Partial<Backends> | Promise<Partial<Backends>>,
  opts: TurnOptions = {},
): Promise<LaneResult[]> {
  let ready: Partial<Backends>;
  try {
    ready = await backends;
  } catch (e) {
    return jobs.map((job, index) => {
      const result = pendingLane(job);
      settleFailure(result, firstStage(job), e, opts.signal);
      opts.onUpdate?.(index, result);
      return result;
    });
  }
  const run = (job: LaneJob, index: number): Promise<LaneResult> => {
    const onUpdate = (r: LaneResult): void => opts.onUpdate?.(index, r);
    if (job.lane === 'vanilla') {
      return runVanilla(history, given(ready.joint, 'joint model'), { signal: opts.signal, onUpdate, sampling: opts.sampling?.vanilla });
    }
    return runDecoupled(
      history,
      { planner: given(ready.planner, 'planner'), generator: given(ready.generator, 'generator') },
      {
        strategy: job.strategy,
        probabilities: job.probabilities,
        plannerLatencyMs: job.plannerLatencyMs,
        signal: opts.signal,
        onUpdate,
        sampling: opts.sampling?.decoupled,
      },
    );
  };
  if (!opts.sequential) return Promise.all(jobs.map(run));
  const results: LaneResult[] = [];
  for (const [index, job] of jobs.entries()) results.push(await run(job, index));
  return results;
}

/** A model the caller left out for a lane it runs is a programming error, not a card to show. */
function given<T>(model: T | undefined, what: string): T {
  if (model === undefined) throw new TypeError(`runLanes: no ${what} was given for a lane that needs it`);
  return model;
}
