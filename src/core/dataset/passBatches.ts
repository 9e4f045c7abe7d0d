// The full pass on every core. While the scanner finds records, they are cut into batches of about
// BATCH_BYTES; a batch goes to a worker thread (passWorker.ts) when one has room for it, and is done
// on this thread otherwise, so the workers stay busy and this thread shares the work with them as
// far as its scanning leaves it time. A worker is sent the batch's record spans only and reads their
// bytes from the file itself (one read from the page cache), so this thread copies nothing for it.
// Results come back per batch and are merged in file order, which makes the outcome that of one
// sequential pass whatever ran where.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RecordSpan } from '../json/scanner';
import { RpcClient } from '../util/workerRpc';
import { RecordPass, type PassPart, type PassSettings, type ValidationProblem } from './recordPass';
import { StatsAccumulator } from './stats';
import type { RecordSummary } from './summary';

/** Records handed to a worker: consecutive records of the file, by their byte spans. */
export interface PassBatch {
  settings: PassSettings;
  file: string;
  firstIndex: number;
  starts: Float64Array;
  ends: Float64Array;
}

export type PassMethods = { pass: { params: PassBatch; result: PassPart } };

export interface SplitOptions {
  /** Worker threads to use; by default one per core but this one (at most MAX_WORKERS) for files of SPLIT_MIN_BYTES or more. */
  workers?: number;
  batchBytes?: number;
}

const BATCH_BYTES = 2 << 20;
/** Below this a file is checked faster than a worker starts. */
export const SPLIT_MIN_BYTES = 16 << 20;
const MAX_WORKERS = 3;
/** Batches a worker holds at once: one being done, one waiting, so it never idles between them. */
const WORKER_BACKLOG = 2;
/** The worker bundle sits beside this module: dist/ in the shipped bundles, out/…/dataset in tests. */
const WORKER_FILE = path.join(__dirname, 'passWorker.js');

export function defaultWorkers(size: number): number {
  if (size < SPLIT_MIN_BYTES) return 0;
  return Math.max(0, Math.min(MAX_WORKERS, availableParallelism() - 1));
}

interface PassWorker {
  rpc: RpcClient<PassMethods>;
  /** Batches sent and not answered yet. */
  backlog: number;
}

/** The worker threads of one pass, started early so they boot while the file's head is read. */
export class PassWorkers {
  readonly threads: PassWorker[] = [];

  constructor(count: number) {
    // without the worker bundle (a bundle that does not ship it) every batch is done on this thread
    if (!existsSync(WORKER_FILE)) return;
    for (let i = 0; i < count; i++) {
      this.threads.push({ rpc: new RpcClient<PassMethods>(new Worker(WORKER_FILE), { name: 'the dataset check worker' }), backlog: 0 });
    }
  }

  /** The least busy worker with room for a batch, if any. */
  free(): PassWorker | undefined {
    let best: PassWorker | undefined;
    for (const w of this.threads) if (!w.rpc.stopped && w.backlog < WORKER_BACKLOG && (!best || w.backlog < best.backlog)) best = w;
    return best;
  }

  /** Stops the threads (also when the pass was cancelled or failed: their batches are dropped). */
  async stop(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.rpc.terminate()));
  }
}

interface Batch {
  firstIndex: number;
  starts: number[];
  ends: number[];
  bytes: number;
  /** Done here: records are added as they come. */
  local?: RecordPass;
  /** Done by a worker, which reads the records itself. */
  worker?: PassWorker;
  /** The batch's part once known, or why the worker could not give it. */
  outcome?: { part: PassPart } | { error: unknown };
}

/** The merged outcome of every batch so far, in file order. */
export interface PassTotals {
  invalid: number;
  syntaxError: boolean;
  problems: ValidationProblem[];
  problemCount: number;
  stats?: StatsAccumulator;
}

export class PassBatches {
  private current: Batch | undefined;
  /** Batches closed but not merged yet, in file order. */
  private readonly queue: Batch[] = [];
  private readonly totals: PassTotals;
  private wake: (() => void) | undefined;

  constructor(
    private readonly file: string,
    private readonly settings: PassSettings,
    private readonly workers: PassWorkers,
    private readonly batchBytes = BATCH_BYTES,
    private readonly onSummary?: (span: RecordSpan, summary: RecordSummary | undefined) => void,
  ) {
    this.totals = {
      invalid: 0,
      syntaxError: false,
      problems: [],
      problemCount: 0,
      stats: settings.summarize ? new StatsAccumulator(settings.kind) : undefined,
    };
  }

  /** The next record in file order; `bytes` may be reused by the caller after this returns. */
  add(span: RecordSpan, bytes: Buffer): void {
    const b = (this.current ??= this.begin(span.index));
    b.starts.push(span.start);
    b.ends.push(span.end);
    b.local?.add(span, bytes);
    b.bytes += bytes.length;
    if (b.bytes >= this.batchBytes) this.endBatch();
  }

  /** Waits for every batch and gives the merged outcome. */
  async finish(): Promise<PassTotals> {
    this.endBatch();
    while (this.queue.length > 0) {
      this.mergeReady();
      if (this.queue.length > 0) await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.totals;
  }

  private endBatch(): void {
    const b = this.current;
    if (!b) return;
    this.current = undefined;
    this.queue.push(b);
    if (b.local) b.outcome = { part: b.local.finish() };
    else {
      const w = b.worker!;
      const batch: PassBatch = {
        settings: this.settings,
        file: this.file,
        firstIndex: b.firstIndex,
        starts: Float64Array.from(b.starts),
        ends: Float64Array.from(b.ends),
      };
      w.backlog++;
      const settle = (outcome: NonNullable<Batch['outcome']>): void => {
        w.backlog--;
        b.outcome = outcome;
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
      };
      w.rpc.call('pass', batch).then(
        (part) => settle({ part }),
        (error: unknown) => settle({ error }),
      );
    }
    this.mergeReady();
  }

  private begin(firstIndex: number): Batch {
    const b: Batch = { firstIndex, starts: [], ends: [], bytes: 0 };
    const free = this.workers.free();
    if (free) b.worker = free;
    else b.local = new RecordPass(this.settings);
    return b;
  }

  /** Merges the batches at the head of the queue whose parts are in (keeping file order). */
  private mergeReady(): void {
    while (this.queue.length > 0 && this.queue[0]!.outcome !== undefined) {
      const b = this.queue.shift()!;
      const outcome = b.outcome!;
      if ('error' in outcome) throw outcome.error;
      this.merge(b, outcome.part);
    }
  }

  private merge(b: Batch, part: PassPart): void {
    const t = this.totals;
    t.invalid += part.invalid;
    t.syntaxError ||= part.syntaxError;
    t.problemCount += part.problemCount;
    for (const p of part.problems) if (t.problems.length < this.settings.maxProblems) t.problems.push(p);
    if (part.stats) t.stats?.merge(part.stats);
    if (this.onSummary && part.summaries) {
      for (let i = 0; i < part.summaries.length; i++) {
        const s = part.summaries[i];
        if (s !== null) this.onSummary({ index: b.firstIndex + i, start: b.starts[i]!, end: b.ends[i]! }, s);
      }
    }
  }
}
