// What crosses into and out of the mining worker (mineWorker.ts), importable without starting it:
// the params, the method table for workerRpc, and the names its failures carry.

import type { EndpointConfig } from '../openai/config';
import type { MineProgress, MineRole, MineSummary } from './mineRun';
import type { RetryPolicy } from './roleModels';
import type { RoleSpec } from './roleSpecs';

export interface MineWorkerParams {
  /** The vanilla SFT file the pairs are mined from. */
  file: string;
  /** Only the first N supporter turns. */
  limit?: number;
  /** The pairs' folder; its checkpoint makes a second run with the same folder resume. */
  outDir: string;
  concurrency: number;
  /** The roles to mine and their models. Endpoint replicas carry API keys: never log these params. */
  specs: Partial<Record<MineRole, RoleSpec>>;
  /** The LLM judge of the generator and vanilla pairs: OpenAI-compatible replicas (greedy decoding). */
  judge?: Partial<EndpointConfig>[];
  /** A judge prompt template replacing ours. */
  judgeTemplate?: string;
  retry?: RetryPolicy;
}

export type MineWorkerMethods = {
  mine: { params: MineWorkerParams; result: MineSummary; progress: MineProgress };
};

/**
 * What failed, as the `name` of the error that reaches the caller (workerRpc keeps an error's name,
 * message and code): the input is not a vanilla SFT file, the checkpoint is another run's, a role's
 * model (or the judge) could not be made (code: the role), or a model failed for good during the run
 * (code: its fix action, when it has one), or the output folder holds pairs files no checkpoint
 * vouches for; planner or generator pairs were asked of a file without gold strategies
 * (goldStrategyCheck.ts). Any other error keeps its own name.
 */
export const MINE_FAILURES = {
  input: 'NotVanillaError',
  gold: 'MissingGoldStrategyError',
  outDir: 'OutDirError',
  checkpoint: 'CheckpointError',
  model: 'RoleModelError',
  inference: 'InferenceError',
} as const;
