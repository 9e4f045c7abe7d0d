// The extension side of the inspect worker: one thread for the whole Datasets view, started on first
// use, requests answered in order of completion.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { InspectRequest, InspectResponse, InspectResult } from '../../core/dataset/worker/inspect';

type Req = InspectRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class InspectClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly extensionPath: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(this.extensionPath, 'dist', 'inspectWorker.js'));
    w.unref();
    w.on('message', (m: InspectResponse) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    const fail = (err: Error): void => {
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', () => fail(new Error('the inspect worker stopped')));
    this.worker = w;
    return w;
  }

  request<T extends Req['type']>(req: Extract<Req, { type: T }>): Promise<InspectResult[T]> {
    const w = this.start();
    const id = this.nextId++;
    return new Promise<InspectResult[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ ...req, id });
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
