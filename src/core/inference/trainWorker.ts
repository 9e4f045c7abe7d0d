// Worker thread that trains the embedded models (ESC: Train Embedded Models from Dataset), so the
// extension host stays responsive; cancelling terminates the worker, and the model folder is only
// swapped in at the very end (embeddedModels.ts), so a cancelled run leaves the old models intact.

import { parentPort, workerData } from 'node:worker_threads';
import { trainEmbedded, type TrainEmbeddedOptions, type TrainEmbeddedReport } from './trainEmbedded';

export type TrainWorkerData = Omit<TrainEmbeddedOptions, 'onProgress' | 'signal'>;
export type FromTrainWorker =
  | { type: 'progress'; message: string; fraction: number }
  | { type: 'done'; report: TrainEmbeddedReport }
  | { type: 'error'; message: string };

const post = (m: FromTrainWorker): void => parentPort!.postMessage(m);

trainEmbedded({ ...(workerData as TrainWorkerData), onProgress: (message, fraction) => post({ type: 'progress', message, fraction }) }).then(
  (report) => post({ type: 'done', report }),
  (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
);
