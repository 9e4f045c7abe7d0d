// What crosses into and out of the Run Inference worker (inferWorker.ts), importable without starting
// it: the params, the method table for workerRpc, and the names its failures carry.

import type { InferMode, InferProgress, InferSummary } from './inferRun';
import type { RetryPolicy } from './roleModels';
import type { RoleSpec } from './roleSpecs';

export interface InferWorkerParams {
  /** The vanilla SFT file. */
  file: string;
  /** Only the first N turns. */
  limit?: number;
  mode: InferMode;
  out: string;
  concurrency: number;
  /** Endpoint replicas are resolved configs, API keys included: never log these params. */
  specs: { planner?: RoleSpec; generator?: RoleSpec; vanilla?: RoleSpec };
  retry?: RetryPolicy;
}

export type InferWorkerMethods = {
  infer: { params: InferWorkerParams; result: InferSummary; progress: InferProgress };
};

/**
 * What failed, as the `name` of the error that reaches the caller (workerRpc keeps an error's name,
 * message and code): the input is not a vanilla SFT file, the checkpoint is another run's, a role's
 * model could not be made (code: the role), or a model failed for good during the run (code: its fix
 * action, when it has one); generator-gold was given a file without gold strategies (goldStrategyCheck.ts).
 */
export const INFER_FAILURES = {
  input: 'NotVanillaError',
  gold: 'MissingGoldStrategyError',
  checkpoint: 'CheckpointError',
  model: 'RoleModelError',
  inference: 'InferenceError',
} as const;
