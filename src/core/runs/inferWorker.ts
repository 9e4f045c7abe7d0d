// Worker thread for ESC: Run Inference — `runInference` over a vanilla SFT file off the extension
// host, with the same role models as `esc infer` (roleSpecs.ts). Progress is sent at most every
// 100 ms (and at the end); a cancel stops the pool, whose calls in flight are abandoned, and the
// checkpoint beside the output keeps every finished turn, so the same run started again resumes.
//
// The embedded models run on the TypeScript engine here, never onnxruntime-node: its native binding
// is not safe to load in a worker thread — once a worker that loaded it has ended, every later load in
// the process (the Playground's in the extension host, the next run's worker) fails with "Module did
// not self-register". The two engines agree within 1e-5 (test/unit/embedded.test.ts); over the whole
// test split in all three modes they give the same records, in about the same time.
//
// The params carry resolved endpoint configs, API keys included: nothing here logs or echoes them,
// and an error crosses back as its name, message and a code (never the params).

import { CancelledError } from '../util/cancel';
import { serve } from '../util/workerRpc';
import { runInference, type InferProgress, type InferSummary } from './inferRun';
import { INFER_FAILURES, type InferWorkerMethods, type InferWorkerParams } from './inferWorkerProtocol';
import { checkOutputIsNotInput, readInferTurns, RoleModels } from './roleSpecs';
import { throttle } from './throttle';
import { workerFailure } from './workerFailure';

async function inferInWorker(params: InferWorkerParams, signal: AbortSignal, progress: (p: InferProgress) => void): Promise<InferSummary> {
  const roleModels = new RoleModels({ retry: params.retry, signal, engine: 'typescript' });
  const throttled = throttle(progress);
  try {
    await checkOutputIsNotInput(params.file, params.out);
    const turns = await readInferTurns(params.file, params.mode, { limit: params.limit, signal });
    const models = await roleModels.forMode(params.mode, params.specs);
    const summary = await runInference(turns, {
      ...models,
      mode: params.mode,
      out: params.out,
      concurrency: params.concurrency,
      signal,
      onProgress: throttled.report,
    });
    throttled.stop();
    progress(summary);
    return summary;
  } catch (err) {
    if (signal.aborted) throw new CancelledError();
    throw workerFailure(err, INFER_FAILURES);
  } finally {
    throttled.stop();
    await roleModels.release();
  }
}

serve<InferWorkerMethods>({
  infer: (params, { signal, progress }) => inferInWorker(params, signal, progress),
});
