// How the run workers (inferWorker.ts, mineWorker.ts) send a failure back: by a name the extension
// host knows (the *_FAILURES of their protocols), its message and a code — never the params, which
// carry the API keys — so the page can say what went wrong and what to do.

import { InferenceError } from '../dialogue/types';
import { MissingGoldStrategyError } from './goldStrategyCheck';
import { NotVanillaError } from './paperRequests';
import { CheckpointError } from './resumable';
import { RoleModelError } from './roleSpecs';

export const named = (name: string, message: string, code?: string): Error =>
  Object.assign(new Error(message), { name }, code === undefined ? {} : { code });

/** The failures both workers name (INFER_FAILURES, MINE_FAILURES). */
export interface RunFailures {
  input: string;
  checkpoint: string;
  model: string;
  inference: string;
  /** A file without the gold strategies the run needs (generator-gold inference, planner or generator pairs). */
  gold?: string;
}

/** `err` as it crosses back: a known failure by its name in `failures`, anything else (a bug) as it is. */
export function workerFailure(err: unknown, failures: RunFailures): unknown {
  if (err instanceof MissingGoldStrategyError && failures.gold) return named(failures.gold, err.message);
  if (err instanceof NotVanillaError) return named(failures.input, err.message);
  if (err instanceof CheckpointError) return named(failures.checkpoint, err.message);
  if (err instanceof RoleModelError) return named(failures.model, err.message, err.role);
  if (err instanceof InferenceError) return named(failures.inference, err.message.split('\n')[0]!, err.fix);
  return err;
}
