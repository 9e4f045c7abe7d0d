// The extension side of the dataset tasks worker (core/dataset/worker/tasks.ts): one thread for the
// Datasets view and the commands that read or write dataset files, started on first use and started
// again after it stopped. Calls are answered in order of completion.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { DatasetTaskMethods } from '../../core/dataset/worker/tasks';
import { RpcClient, type CallOptions, type ProgressOf } from '../../core/util/workerRpc';

type Methods = DatasetTaskMethods;

export class DatasetTasks implements vscode.Disposable {
  private client: RpcClient<Methods> | undefined;

  constructor(private readonly extensionPath: string) {}

  call<K extends keyof Methods & string>(
    method: K,
    params: Methods[K]['params'],
    opts?: CallOptions<ProgressOf<Methods[K]>>,
  ): Promise<Methods[K]['result']> {
    if (!this.client || this.client.stopped) {
      const worker = new Worker(path.join(this.extensionPath, 'dist', 'tasksWorker.js'));
      worker.unref(); // an idle worker never keeps the extension host alive
      this.client = new RpcClient<Methods>(worker, { name: 'the dataset tasks worker' });
    }
    return this.client.call(method, params, opts);
  }

  dispose(): void {
    void this.client?.terminate();
    this.client = undefined;
  }
}
