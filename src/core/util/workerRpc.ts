// Typed calls into a worker thread: the one request/response/cancel/progress plumbing every worker of
// the extension uses (the dataset viewer's index, the dataset tasks, embedded training). The client
// sends {id, method, params}; the worker's `serve(handlers)` answers with the handler's result, its
// error, or "cancelled", and may send progress for a call or events of its own. A worker that dies
// rejects every call still waiting, so no caller hangs on a thread that is gone.

import { parentPort, type MessagePort, type Worker } from 'node:worker_threads';
import { CancelledError, isAbortError } from './cancel';

/** What a worker answers: each method's params, result and (when it reports any) progress value. */
export type RpcMethods = { [method: string]: { params: unknown; result: unknown; progress?: unknown } };

export type ProgressOf<T> = T extends { progress: infer P } ? P : never;

type ToWorker = { rpc: 'call'; id: number; method: string; params: unknown } | { rpc: 'cancel'; id: number };

type FromWorker =
  | { rpc: 'result'; id: number; value: unknown }
  | { rpc: 'error'; id: number; name: string; message: string; code?: string }
  | { rpc: 'cancelled'; id: number }
  | { rpc: 'progress'; id: number; value: unknown }
  | { rpc: 'event'; value: unknown };

/** The worker thread stopped (crashed, exited or was terminated) before it answered. */
export class WorkerStoppedError extends Error {
  constructor(
    message: string,
    /** The thread's exit code, when it exited (0: it ended itself normally). */
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'WorkerStoppedError';
  }
}

export interface CallOptions<P> {
  /** Aborting asks the worker to stop; the call then rejects with a CancelledError, unless the work finished first. */
  signal?: AbortSignal;
  onProgress?: (value: P) => void;
}

export interface RpcClientOptions<E> {
  /** Names the worker in error messages ("the dataset worker stopped …"). */
  name: string;
  /** Events the worker sends outside any call. */
  onEvent?: (event: E) => void;
  /** Called once when the thread stops, with why (after every waiting call was rejected with it). */
  onStop?: (reason: WorkerStoppedError) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: (value: never) => void;
}

/** The extension side of a worker that runs `serve()`. */
export class RpcClient<M extends RpcMethods, E = never> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stoppedBy: WorkerStoppedError | undefined;

  constructor(
    readonly worker: Worker,
    private readonly opts: RpcClientOptions<E>,
  ) {
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (err) => this.stop(new WorkerStoppedError(`${opts.name} failed: ${err.message}`)));
    worker.on('exit', (code) => this.stop(new WorkerStoppedError(`${opts.name} stopped (exit code ${code})`, code)));
  }

  /** Why the worker stopped, once it has. */
  get stopped(): WorkerStoppedError | undefined {
    return this.stoppedBy;
  }

  call<K extends keyof M & string>(method: K, params: M[K]['params'], opts: CallOptions<ProgressOf<M[K]>> = {}): Promise<M[K]['result']> {
    if (this.stoppedBy) return Promise.reject(this.stoppedBy);
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const id = this.nextId++;
    return new Promise<M[K]['result']>((resolve, reject) => {
      // the worker decides what a cancel means (it may finish what cannot be interrupted): wait for its answer
      const cancel = (): void => this.post({ rpc: 'cancel', id });
      const done =
        <T>(settle: (v: T) => void) =>
        (v: T): void => {
          signal?.removeEventListener('abort', cancel);
          settle(v);
        };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), onProgress: opts.onProgress as Pending['onProgress'] });
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        this.post({ rpc: 'call', id, method, params });
      } catch (err) {
        // params that cannot cross threads: nothing was sent, so nothing will answer
        this.pending.delete(id);
        done(reject)(err);
      }
    });
  }

  /** Stops the thread; calls still waiting reject with a WorkerStoppedError. */
  async terminate(): Promise<void> {
    this.stop(new WorkerStoppedError(`${this.opts.name} was stopped`));
    await this.worker.terminate();
  }

  private post(m: ToWorker): void {
    if (!this.stoppedBy) this.worker.postMessage(m);
  }

  private receive(m: FromWorker): void {
    if (m.rpc === 'event') {
      this.opts.onEvent?.(m.value as E);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.rpc === 'progress') {
      p.onProgress?.(m.value as never);
      return;
    }
    this.pending.delete(m.id);
    if (m.rpc === 'result') p.resolve(m.value);
    else if (m.rpc === 'cancelled') p.reject(new CancelledError());
    // the code (ENOENT, EACCES…) crosses too: callers decide by it, not by the message text
    else p.reject(Object.assign(new Error(m.message), { name: m.name }, m.code === undefined ? {} : { code: m.code }));
  }

  private stop(reason: WorkerStoppedError): void {
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    this.opts.onStop?.(reason);
  }
}

/** What a handler gets besides its params. */
export interface CallContext<P> {
  /** Aborted when the caller cancels this call. */
  signal: AbortSignal;
  progress: (value: P) => void;
}

export type Handlers<M extends RpcMethods> = {
  [K in keyof M]: (params: M[K]['params'], call: CallContext<ProgressOf<M[K]>>) => M[K]['result'] | Promise<M[K]['result']>;
};

export interface RpcServer<E> {
  /** Sends an event outside any call (the client's onEvent). */
  emit(event: E): void;
}

/**
 * Answers calls in this worker thread with `handlers`. A handler that throws a CancelledError, or the
 * AbortError of its own aborted signal, answers "cancelled"; any other error (a real failure after a
 * cancel request too) is reported as an error with its message.
 */
export function serve<M extends RpcMethods, E = never>(handlers: Handlers<M>, port: MessagePort | null = parentPort): RpcServer<E> {
  if (!port) throw new Error('serve() answers calls from inside a worker thread');
  const send = (m: FromWorker): void => port.postMessage(m);
  const running = new Map<number, AbortController>();
  port.on('message', (m: ToWorker) => {
    if (m.rpc === 'cancel') {
      running.get(m.id)?.abort();
      return;
    }
    const abort = new AbortController();
    running.set(m.id, abort);
    const table = handlers as unknown as Record<string, (params: unknown, call: CallContext<unknown>) => unknown>;
    const handler = Object.hasOwn(table, m.method) ? table[m.method] : undefined;
    const call: CallContext<unknown> = {
      signal: abort.signal,
      progress: (value) => {
        if (running.has(m.id)) send({ rpc: 'progress', id: m.id, value });
      },
    };
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`the worker has no method ${JSON.stringify(m.method)}`);
        return handler(m.params, call);
      })
      .then(
        (value) => {
          try {
            send({ rpc: 'result', id: m.id, value });
          } catch (err) {
            // a result that cannot cross threads (a function, a class with private state) is the handler's bug: say so
            send({ rpc: 'error', id: m.id, name: 'Error', message: `${m.method}: ${(err as Error).message}` });
          }
        },
        (err: unknown) => {
          if (err instanceof CancelledError || (abort.signal.aborted && isAbortError(err))) send({ rpc: 'cancelled', id: m.id });
          else if (err instanceof Error) send({ rpc: 'error', id: m.id, name: err.name, message: err.message, ...errorCode(err) });
          else send({ rpc: 'error', id: m.id, name: 'Error', message: String(err) });
        },
      )
      .finally(() => running.delete(m.id));
  });
  return { emit: (value) => send({ rpc: 'event', value }) };
}

/** A Node error's code (ENOENT, EACCES…), when it has a string one. */
function errorCode(err: Error): { code?: string } {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? { code } : {};
}
