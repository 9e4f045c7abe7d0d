// Runs a DatasetIndex in a worker thread (dist/datasetWorker.js) and gives the extension typed
// request/response calls and its events. Requests sent before the first records are known wait.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { FromWorker, WorkerData, WorkerEvent, WorkerRequest, WorkerResult } from '../../../core/dataset/worker/protocol';

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerClient implements vscode.Disposable {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly events = new vscode.EventEmitter<WorkerEvent>();
  readonly onEvent = this.events.event;
  /** Every event so far, so a panel opened later can catch up. */
  readonly history: WorkerEvent[] = [];
  private started: Promise<void>;
  private markStarted!: () => void;
  private disposed = false;
  private exited = false;

  constructor(extensionUri: vscode.Uri, file: string) {
    this.started = new Promise((r) => (this.markStarted = r));
    const data: WorkerData = { path: file };
    this.worker = new Worker(path.join(extensionUri.fsPath, 'dist', 'datasetWorker.js'), { workerData: data });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.emit({ type: 'fatal', message: err.message }));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.markStarted();
      if (!this.disposed && code !== 0) this.emit({ type: 'fatal', message: `the dataset worker stopped (exit code ${code})` });
      for (const p of this.pending.values()) p.reject(new Error('the dataset worker stopped'));
      this.pending.clear();
    });
  }

  private emit(e: WorkerEvent): void {
    if (e.type !== 'progress') this.history.push(e);
    if (e.type === 'firstRecords' || e.type === 'fatal') this.markStarted();
    this.events.fire(e);
  }

  private onMessage(m: FromWorker): void {
    if ('id' in m) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      return;
    }
    this.emit(m);
  }

  async request<T extends Request['type']>(req: Extract<Request, { type: T }>): Promise<WorkerResult[T]> {
    await this.started;
    if (this.disposed) throw new Error('the viewer was closed');
    if (this.exited) throw new Error('the dataset worker stopped; reopen the file');
    const id = this.nextId++;
    return new Promise<WorkerResult[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.markStarted();
    // let the worker close its file handle, then stop it
    this.worker.postMessage({ id: 0, type: 'close' });
    setTimeout(() => void this.worker.terminate(), 500).unref();
    this.events.dispose();
  }
}
