// `esc infer`'s batch runner: every supporter turn of a vanilla SFT file through the paper's requests
// (paperRequests.ts), up to N calls in flight, records in file order whatever finishes first.
//
// Nothing finished is lost: each answer is appended to a checkpoint beside the output (JSON Lines,
// one synchronous write per answer, so a kill leaves at most a torn last line) — the planner's answer
// on its own, so a decoupled turn killed during its generator call repeats only that call. A rerun
// with the same input, mode and models reads the checkpoint and asks only what is missing. The output
// is written atomically once every turn is done, and the checkpoint is then removed.

import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../util/atomicWrite';
import { isObject } from '../formats/messages';
import {
  decoupledRecord,
  generatorRequest,
  plannerRequest,
  untaggedHistory,
  vanillaRecord,
  vanillaRequest,
  bracketStrategy,
  type InferenceRecord,
  type InferTurn,
} from './paperRequests';
import { requireGoldStrategies } from './goldStrategyCheck';
import { Checkpoint, CheckpointError, runPool } from './resumable';
import type { RoleModel } from './roleModels';

export { CheckpointError };

export const INFER_MODES = ['decoupled', 'vanilla', 'generator-gold'] as const;
export type InferMode = (typeof INFER_MODES)[number];

export interface InferProgress {
  done: number;
  total: number;
  /** Turns read from the checkpoint at the start. */
  resumed: number;
  /** Calls answered in this session. */
  calls: number;
  elapsedMs: number;
}

export interface InferOptions {
  mode: InferMode;
  planner?: RoleModel;
  generator?: RoleModel;
  vanilla?: RoleModel;
  out: string;
  /** Turns worked on at once; each has at most one call in flight. */
  concurrency: number;
  onProgress?: (p: InferProgress) => void;
  signal?: AbortSignal;
}

export interface InferSummary extends InferProgress {
  out: string;
  records: number;
}

export const checkpointPath = (out: string): string => `${out}.checkpoint.jsonl`;

const CHECKPOINT_FORMAT = 'esc-infer-checkpoint/1';

/** What a checkpoint must match to be reused: the mode, the models and the turns' gold context. */
function runKey(turns: readonly InferTurn[], opts: InferOptions): Record<string, unknown> {
  const hash = createHash('sha256');
  for (const t of turns) hash.update(JSON.stringify([t.before, t.gold])).update('\n');
  const models = { planner: opts.planner?.identity, generator: opts.generator?.identity, vanilla: opts.vanilla?.identity };
  return { format: CHECKPOINT_FORMAT, mode: opts.mode, models, input: hash.digest('hex') };
}

function need(model: RoleModel | undefined, role: string): RoleModel {
  if (!model) throw new Error(`no ${role} model given`);
  return model;
}

/** Runs every turn not already in the checkpoint, then writes `out` (a JSON array, file order). */
export async function runInference(turns: readonly InferTurn[], opts: InferOptions): Promise<InferSummary> {
  // readInferTurns refuses such a file up front; this keeps any other caller from running with no strategy
  if (opts.mode === 'generator-gold') requireGoldStrategies(turns, 'generator-gold');
  const { checkpoint, entries } = Checkpoint.open(checkpointPath(opts.out), runKey(turns, opts), 'input, mode or models');
  const planners = new Map<number, string>();
  const records: (InferenceRecord | undefined)[] = turns.map(() => undefined);
  for (const e of entries) {
    if (typeof e.i !== 'number' || !(e.i in records)) continue;
    if (typeof e.planner === 'string') planners.set(e.i, e.planner);
    if (isObject(e.record)) records[e.i] = e.record as unknown as InferenceRecord;
  }
  const resumed = records.filter(Boolean).length;
  const pending = turns.map((_, i) => i).filter((i) => !records[i]);

  const started = Date.now();
  let calls = 0;
  let done = resumed;
  const progress = (): InferProgress => ({ done, total: turns.length, resumed, calls, elapsedMs: Date.now() - started });
  const ask = async (
    m: RoleModel,
    req: Parameters<RoleModel['ask']>[0],
    turn: InferTurn,
    signal: AbortSignal,
    strategy?: string,
  ): Promise<string> => {
    const answer = await m.ask(req, untaggedHistory(turn), strategy, signal);
    calls++;
    return answer;
  };

  const runTurn = async (i: number, signal: AbortSignal): Promise<InferenceRecord> => {
    const turn = turns[i]!;
    if (opts.mode === 'vanilla') return vanillaRecord(turn, await ask(need(opts.vanilla, 'vanilla'), vanillaRequest(turn), turn, signal));
    let strategy: string | null;
    if (opts.mode === 'generator-gold') strategy = bracketStrategy(turn.gold);
    else {
      let raw = planners.get(i);
      if (raw === undefined) {
        raw = await ask(need(opts.planner, 'planner'), plannerRequest(turn), turn, signal);
        checkpoint.append({ i, planner: raw });
      }
      // the paper feeds the planner's raw answer, unnormalised, into the generator prompt
      strategy = raw;
    }
    const content = await ask(
      need(opts.generator, 'generator'),
      generatorRequest(turn, strategy ?? ''),
      turn,
      signal,
      strategy ?? undefined,
    );
    return decoupledRecord(turn, strategy, content);
  };

  try {
    opts.onProgress?.(progress());
    await runPool(pending, opts.concurrency, opts.signal, async (i, signal) => {
      const record = await runTurn(i, signal);
      records[i] = record;
      checkpoint.append({ i, record });
      done++;
      opts.onProgress?.(progress());
    });
  } finally {
    checkpoint.close();
  }
  await writeFileAtomic(opts.out, JSON.stringify(records, null, 2) + '\n');
  checkpoint.remove();
  return { ...progress(), out: opts.out, records: records.length };
}
