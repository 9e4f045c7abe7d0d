// `esc infer`'s batch runner: every supporter turn of a vanilla SFT file through the paper's requests
// (paperRequests.ts), up to N calls in flight, records in file order whatever finishes first.
//
// Nothing finished is lost: each answer is appended to a checkpoint beside the output (JSON Lines,
// one synchronous write per answer, so a kill leaves at most a torn last line) — the planner's answer
// on its own, so a decoupled turn killed during its generator call repeats only that call. A rerun
// with the same input, mode and models reads the checkpoint and asks only what is missing. The output
// is written atomically once every turn is done, and the checkpoint is then removed.

import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
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
import type { RoleModel } from './roleModels';

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

export class CheckpointError extends Error {}

/** What a checkpoint must match to be reused: the mode, the models and the turns' gold context. */
function runKey(turns: readonly InferTurn[], opts: InferOptions): Record<string, unknown> {
  const hash = createHash('sha256');
  for (const t of turns) hash.update(JSON.stringify([t.before, t.gold])).update('\n');
  const models = { planner: opts.planner?.identity, generator: opts.generator?.identity, vanilla: opts.vanilla?.identity };
  return { format: CHECKPOINT_FORMAT, mode: opts.mode, models, input: hash.digest('hex') };
}

interface Saved {
  planner: Map<number, string>;
  records: Map<number, InferenceRecord>;
}

/** The answers of an earlier run of the same key; a torn last line (killed mid-write) is ignored. */
function readCheckpoint(file: string, key: Record<string, unknown>): Saved | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.trim());
  // an empty checkpoint: killed before its header was written
  if (lines.length === 0) return undefined;
  const saved: Saved = { planner: new Map(), records: new Map() };
  let header: unknown;
  try {
    header = JSON.parse(lines[0]!);
  } catch {
    header = undefined;
  }
  if (JSON.stringify(header) !== JSON.stringify(key)) {
    throw new CheckpointError(
      `${file} belongs to another run (other input, mode or models); delete it to start over, or rerun the command that made it`,
    );
  }
  for (const line of lines.slice(1)) {
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObject(e) || typeof e.i !== 'number') continue;
    if (typeof e.planner === 'string') saved.planner.set(e.i, e.planner);
    if (isObject(e.record)) saved.records.set(e.i, e.record as unknown as InferenceRecord);
  }
  return saved;
}

function need(model: RoleModel | undefined, role: string): RoleModel {
  if (!model) throw new Error(`no ${role} model given`);
  return model;
}

/** Runs every turn not already in the checkpoint, then writes `out` (a JSON array, file order). */
export async function runInference(turns: readonly InferTurn[], opts: InferOptions): Promise<InferSummary> {
  const cpFile = checkpointPath(opts.out);
  const key = runKey(turns, opts);
  const saved = readCheckpoint(cpFile, key);
  mkdirSync(path.dirname(cpFile), { recursive: true });
  const fd = openSync(cpFile, 'a');
  const append = (entry: unknown): void => {
    writeSync(fd, JSON.stringify(entry) + '\n');
  };
  if (!saved) append(key);
  const planners = saved?.planner ?? new Map<number, string>();
  const records: (InferenceRecord | undefined)[] = turns.map((_, i) => saved?.records.get(i));
  const resumed = records.filter(Boolean).length;
  const pending = turns.map((_, i) => i).filter((i) => !records[i]);

  const stop = new AbortController();
  // every call in flight listens to it (its idle deadline): N of them is expected, not a leak
  setMaxListeners(opts.concurrency + 10, stop.signal);
  const onAbort = (): void => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  let calls = 0;
  let done = resumed;
  const progress = (): InferProgress => ({ done, total: turns.length, resumed, calls, elapsedMs: Date.now() - started });
  const ask = async (m: RoleModel, req: Parameters<RoleModel['ask']>[0], turn: InferTurn, strategy?: string): Promise<string> => {
    const answer = await m.ask(req, untaggedHistory(turn), strategy, stop.signal);
    calls++;
    return answer;
  };

  const runTurn = async (i: number): Promise<InferenceRecord> => {
    const turn = turns[i]!;
    if (opts.mode === 'vanilla') return vanillaRecord(turn, await ask(need(opts.vanilla, 'vanilla'), vanillaRequest(turn), turn));
    let strategy: string | null;
    if (opts.mode === 'generator-gold') strategy = bracketStrategy(turn.gold);
    else {
      let raw = planners.get(i);
      if (raw === undefined) {
        raw = await ask(need(opts.planner, 'planner'), plannerRequest(turn), turn);
        append({ i, planner: raw });
      }
      // the paper feeds the planner's raw answer, unnormalised, into the generator prompt
      strategy = raw;
    }
    const content = await ask(need(opts.generator, 'generator'), generatorRequest(turn, strategy ?? ''), turn, strategy ?? undefined);
    return decoupledRecord(turn, strategy, content);
  };

  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < pending.length) {
      const i = pending[next++]!;
      try {
        const record = await runTurn(i);
        records[i] = record;
        append({ i, record });
        done++;
        opts.onProgress?.(progress());
      } catch (err) {
        // the first failure stops the run; the calls it cut short are the only ones a rerun repeats
        failure ??= err;
        stop.abort(err);
      }
    }
  };
  try {
    opts.onProgress?.(progress());
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, pending.length)) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    closeSync(fd);
  }
  if (failure !== undefined) throw failure;
  opts.signal?.throwIfAborted();
  await writeFileAtomic(opts.out, JSON.stringify(records, null, 2) + '\n');
  unlinkSync(cpFile);
  return { ...progress(), out: opts.out, records: records.length };
}
