// Worker thread that trains the embedded models (ESC: Train Embedded Models from Dataset), so the
// extension host stays responsive. Cancelling sends "cancel": training stops at its next check, and
// never once the folder is being written (modelFolder.ts swaps it in as a whole), so a cancelled
// run leaves the old models intact and a late cancel still ends with a complete new set.

import { parentPort, workerData } from 'node:worker_threads';
import { trainEmbedded, type TrainEmbeddedOptions, type TrainEmbeddedReport } from './trainEmbedded';

export type TrainWorkerData = Omit<TrainEmbeddedOptions, 'onProgress' | 'signal'>;
export type ToTrainWorker = 'cancel';
export type FromTrainWorker =
  | { type: 'progress'; message: string; fraction: number }
  | { type: 'done'; report: TrainEmbeddedReport }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

const post = (m: FromTrainWorker): void => parentPort!.postMessage(m);
const abort = new AbortController();
parentPort!.on('message', (m: ToTrainWorker) => m === 'cancel' && abort.abort());

trainEmbedded({
  ...(workerData as TrainWorkerData),
  signal: abort.signal,
  onProgress: (message, fraction) => post({ type: 'progress', message, fraction }),
})
  .then(
    (report) => post({ type: 'done', report }),
    // only the cancel itself reads as "cancelled": a real failure after a cancel request is still reported
    (e: unknown) =>
      post(
        abort.signal.aborted && e instanceof Error && e.name === 'AbortError'
          ? { type: 'cancelled' }
          : { type: 'error', message: e instanceof Error ? e.message : String(e) },
      ),
  )
  .finally(() => parentPort!.unref());
