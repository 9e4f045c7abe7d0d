// Scores inference files with the paper's metrics in a worker thread (dist/evalWorker.js) and keeps
// the results: in memory for the comparison page, and in the workspace's extension storage so the
// Evaluations view shows the scores again after a reload. A result belongs to one version of a file
// (its size and mtime); an edited file is scored again.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { EvalDetail } from '../../core/eval/evaluate';
import type { EvalProgress, EvalWorkerMethods } from '../../core/eval/evalWorker';
import { writeFileAtomic } from '../../core/util/atomicWrite';
import { RpcClient } from '../../core/util/workerRpc';
import type { Ctx } from '../ctx';

/** One file's scores, for the version of the file they were computed from. */
export interface StoredEvaluation {
  path: string;
  size: number;
  mtimeMs: number;
  evaluatedAt: number;
  detail: EvalDetail;
}

const STORE_VERSION = 1;

export class EvalService implements vscode.Disposable {
  private client: RpcClient<EvalWorkerMethods> | undefined;
  private readonly memory = new Map<string, StoredEvaluation>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a file's path when its stored result changes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {}

  private worker(): RpcClient<EvalWorkerMethods> {
    if (!this.client || this.client.stopped) {
      const worker = new Worker(path.join(this.ctx.extensionUri.fsPath, 'dist', 'evalWorker.js'));
      worker.unref();
      this.client = new RpcClient<EvalWorkerMethods>(worker, { name: 'the evaluation worker' });
    }
    return this.client;
  }

  /** Where results are kept: the workspace's extension storage (or the global one without a workspace). */
  private storeFile(file: string): string | undefined {
    const dir = (this.ctx.extension.storageUri ?? this.ctx.extension.globalStorageUri)?.fsPath;
    if (!dir) return undefined;
    const key = createHash('sha1').update(`${STORE_VERSION}\0${file}`).digest('hex');
    return path.join(dir, 'evaluations', `${key}.json`);
  }

  /** The stored result when it is for the file as it is now on disk. */
  async cached(file: string): Promise<StoredEvaluation | undefined> {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return undefined;
    }
    const fresh = (e: StoredEvaluation | undefined): e is StoredEvaluation =>
      e !== undefined && e.path === file && e.size === stat.size && e.mtimeMs === stat.mtimeMs;
    const inMemory = this.memory.get(file);
    if (fresh(inMemory)) return inMemory;
    const store = this.storeFile(file);
    if (!store) return undefined;
    try {
      const stored = JSON.parse(await fs.readFile(store, 'utf8')) as StoredEvaluation;
      if (!fresh(stored)) return undefined;
      this.memory.set(file, stored);
      return stored;
    } catch {
      // no result yet, or a store file from an older version: score again
      return undefined;
    }
  }

  /** The file's scores: the stored ones when still valid, else computed in the worker. */
  async evaluate(file: string, opts: { signal?: AbortSignal; onProgress?: (p: EvalProgress) => void } = {}): Promise<StoredEvaluation> {
    const hit = await this.cached(file);
    if (hit) return hit;
    const before = await fs.stat(file);
    const detail = await this.worker().call('evaluate', { path: file }, { signal: opts.signal, onProgress: opts.onProgress });
    const result: StoredEvaluation = { path: file, size: before.size, mtimeMs: before.mtimeMs, evaluatedAt: Date.now(), detail };
    this.memory.set(file, result);
    const store = this.storeFile(file);
    if (store) {
      try {
        await fs.mkdir(path.dirname(store), { recursive: true });
        await writeFileAtomic(store, JSON.stringify(result));
      } catch (err) {
        // the scores are still shown; only the copy for the next session is lost
        this.ctx.log.warn(`Evaluations: could not keep the result of ${file}: ${(err as Error).message}`);
      }
    }
    this.changed.fire(file);
    return result;
  }

  dispose(): void {
    this.changed.dispose();
    void this.client?.terminate();
  }
}
