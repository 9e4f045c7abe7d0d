// Worker thread that trains the embedded models (ESC: Train Embedded Models from Dataset), so the
// extension host stays responsive. A cancel (core/util/workerRpc.ts) stops training at its next check,
// and never once the folder is being written (modelFolder.ts swaps it in as a whole), so a cancelled
// run leaves the old models intact and a late cancel still ends with a complete new set (the report).

import { serve } from '../util/workerRpc';
import { trainEmbedded, type TrainEmbeddedOptions, type TrainEmbeddedReport } from './trainEmbedded';

export type TrainWorkerData = Omit<TrainEmbeddedOptions, 'onProgress' | 'signal'>;

export type TrainWorkerMethods = {
  train: { params: TrainWorkerData; result: TrainEmbeddedReport; progress: { message: string; fraction: number } };
};

serve<TrainWorkerMethods>({
  train: (data, { signal, progress }) =>
    trainEmbedded({ ...data, signal, onProgress: (message, fraction) => progress({ message, fraction }) }),
});
