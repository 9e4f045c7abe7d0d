// Runs a DatasetIndex in a worker thread (dist/datasetWorker.js) and gives the extension typed calls
// (core/util/workerRpc.ts) and its events. Calls made before the first records are known wait.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { DatasetWorkerMethods, WorkerData, WorkerEvent } from '../../../core/dataset/worker/protocol';
import { RpcClient } from '../../../core/util/workerRpc';

type Methods = DatasetWorkerMethods;

export class WorkerClient implements vscode.Disposable {
  private readonly rpc: RpcClient<Methods, WorkerEvent>;
  private readonly events = new vscode.EventEmitter<WorkerEvent>();
  readonly onEvent = this.events.event;
  /** Every event so far, so a panel opened later can catch up. */
  readonly history: WorkerEvent[] = [];
  private started: Promise<void>;
  private markStarted!: () => void;
  private disposed = false;
  private toldPageDrawn = false;

  constructor(extensionUri: vscode.Uri, file: string) {
    this.started = new Promise((r) => (this.markStarted = r));
    const data: WorkerData = { path: file };
    const worker = new Worker(path.join(extensionUri.fsPath, 'dist', 'datasetWorker.js'), { workerData: data });
    this.rpc = new RpcClient<Methods, WorkerEvent>(worker, {
      name: 'the dataset worker',
      onEvent: (e) => this.emit(e),
      onStop: (reason) => {
        this.markStarted();
        // exit code 0: the worker closed itself when asked to
        if (!this.disposed && reason.exitCode !== 0) this.emit({ type: 'fatal', message: reason.message });
      },
    });
  }

  /** Resolves once the first records are known (or the worker failed or was disposed). */
  get whenStarted(): Promise<void> {
    return this.started;
  }

  /**
   * A page drew or was sent its first view: the worker's held index and analysis go on. Told once per
   * worker (every later query of every panel would only repeat it).
   */
  pageDrawn(): void {
    if (this.toldPageDrawn) return;
    this.toldPageDrawn = true;
    void this.request('pageDrawn', null).catch(() => undefined);
  }

  private emit(e: WorkerEvent): void {
    if (e.type !== 'progress') this.history.push(e);
    if (e.type === 'firstRecords' || e.type === 'fatal') this.markStarted();
    this.events.fire(e);
  }

  /** Rejects with a CancelledError when the worker refuses a superseded query or rows of an older view. */
  async request<K extends keyof Methods & string>(method: K, params: Methods[K]['params']): Promise<Methods[K]['result']> {
    await this.started;
    if (this.disposed) throw new Error('the viewer was closed');
    if (this.rpc.stopped) throw new Error('the dataset worker stopped; reopen the file');
    return this.rpc.call(method, params);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.markStarted();
    // let the worker close its file handle, then stop it
    this.rpc.call('close', null).catch(() => undefined);
    setTimeout(() => void this.rpc.terminate(), 500).unref();
    this.events.dispose();
  }
}
