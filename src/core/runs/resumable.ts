// What makes a batch run resumable and bounded, shared by `esc infer` (inferRun.ts) and the judge
// (judgeRun.ts): a JSON Lines checkpoint and a pool of workers.
//
// The checkpoint's first line says which run it belongs to (a key: input hash, mode, models…); each
// later line is one finished call, written synchronously, so a kill leaves at most a torn last line,
// which is ignored (and ended, so the next entry starts on a line of its own). A checkpoint of
// another run is refused rather than mixed in.

import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import * as path from 'node:path';
import { isObject } from '../formats/messages';

/** The checkpoint beside the output belongs to another run: the message says what to do. */
export class CheckpointError extends Error {}

export class Checkpoint {
  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  /**
   * Opens `file` for appending and returns the entries an earlier run of the same `key` saved (none
   * for a new or empty file). `other` names the run in the refusal, e.g. "input, mode or models".
   */
  static open(file: string, key: Record<string, unknown>, other: string): { checkpoint: Checkpoint; entries: Record<string, unknown>[] } {
    const { entries, fresh, torn } = readEntries(file, key, other);
    mkdirSync(path.dirname(file), { recursive: true });
    const checkpoint = new Checkpoint(file, openSync(file, 'a'));
    if (fresh) checkpoint.append(key);
    else if (torn) writeSync(checkpoint.fd, '\n');
    return { checkpoint, entries };
  }

  append(entry: unknown): void {
    writeSync(this.fd, JSON.stringify(entry) + '\n');
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Once the run's output is safely written. */
  remove(): void {
    unlinkSync(this.file);
  }
}

function readEntries(
  file: string,
  key: Record<string, unknown>,
  other: string,
): { entries: Record<string, unknown>[]; fresh: boolean; torn: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], fresh: true, torn: false };
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.trim());
  // an empty checkpoint: killed before its header was written
  if (lines.length === 0) return { entries: [], fresh: true, torn: false };
  if (JSON.stringify(parseOrUndefined(lines[0]!)) !== JSON.stringify(key)) {
    throw new CheckpointError(
      `${file} belongs to another run (other ${other}); delete it to start over, or rerun the command that made it`,
    );
  }
  const entries = lines.slice(1).map(parseOrUndefined).filter(isObject);
  return { entries, fresh: false, torn: !text.endsWith('\n') };
}

function parseOrUndefined(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` on every item, at most `concurrency` at once, in order of start. The first failure stops
 * the pool (the calls it cuts short are the only ones a rerun repeats) and is thrown once the calls in
 * flight have settled; so is the caller's abort.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal | undefined,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  // every call in flight listens to it (its idle deadline): N of them is expected, not a leak
  setMaxListeners(concurrency + 10, stop.signal);
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item, stop.signal);
      } catch (err) {
        failure ??= err;
        stop.abort(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure;
  signal?.throwIfAborted();
}
