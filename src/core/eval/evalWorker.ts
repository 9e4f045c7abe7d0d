// The worker thread the editor's Evaluate scores inference files in (dist/evalWorker.js): the paper's
// metrics over a split take a few hundred ms to seconds per file, which must not stall the extension
// host. One method over the worker RPC: evaluate a file, with progress, cancellable between slices.

import { serve } from '../util/workerRpc';
import { evaluateFileDetailed, type EvalDetail } from './evaluate';

export interface EvalProgress {
  done: number;
  total: number;
}

export type EvalWorkerMethods = {
  evaluate: { params: { path: string }; result: EvalDetail; progress: EvalProgress };
};

serve<EvalWorkerMethods>({
  evaluate: ({ path }, { signal, progress }) =>
    evaluateFileDetailed(path, { signal, onProgress: (done, total) => progress({ done, total }) }),
});
