// The worker thread *ESC: Prepare Datasets from ESConv…* runs in (dist/prepareWorker.js): converting and
// writing ESConv-sized data takes most of a second (measured: FailedESConv ×7, ~1,370 dialogues, 0.8 s,
// 78 MB written), which must not stall the extension host. A cancel before the writing phase writes nothing.

import { serve } from '../util/workerRpc';
import {
  decoupleFile,
  prepareFromEsconv,
  type DecoupleOptions,
  type DecoupleSummary,
  type PrepareEsconvOptions,
  type PrepareEsconvSummary,
} from './prepare';

export type PreparePhase = 'reading' | 'converting' | 'writing';

export type PrepareWorkerMethods = {
  esconv: { params: Omit<PrepareEsconvOptions, 'onPhase' | 'signal'>; result: PrepareEsconvSummary; progress: PreparePhase };
  decouple: { params: DecoupleOptions; result: DecoupleSummary };
};

serve<PrepareWorkerMethods>({
  esconv: (params, { signal, progress }) => prepareFromEsconv({ ...params, signal, onPhase: progress }),
  decouple: (params) => decoupleFile(params),
});
