// The flags `esc infer` and `esc mine` share — role SPECs, --concurrency, --limit, --retries,
// --timeout — parsed one way for both, plus what their stderr progress lines share: the durations
// and the key every role replica is sent. `command` ("esc infer", "esc mine") starts every message.

import { PAPER_API_KEY } from '../core/openai/config';
import { DEFAULT_RETRY, type RetryPolicy } from '../core/runs/roleModels';
import { parseRoleSpec, RoleSpecError, type RoleSpec } from '../core/runs/roleSpecs';
import { defaultModelDir } from './defaultModels';
import { UsageError } from './output';

export type RunCommand = 'esc infer' | 'esc mine';

/** A role's SPEC (`embedded`, `embedded:<folder>`, endpoint URLs); undefined is the shipped models. */
export function parseSpec(command: RunCommand, spec: string | undefined, flag: string): RoleSpec {
  try {
    return parseRoleSpec(spec, () => defaultModelDir(command, 'pass embedded:<folder>'));
  } catch (e) {
    if (!(e instanceof RoleSpecError)) throw e;
    throw new UsageError(`${command}: ${flag}: ${e.message} Or use "embedded" / "embedded:<folder>"; join replicas with ",".`);
  }
}

export function positiveInt(
  command: RunCommand,
  value: string | undefined,
  flag: string,
  fallback: number | undefined,
  min = 1,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`${command}: ${flag} must be a whole number of at least ${min} (got ${JSON.stringify(value)})`);
  }
  return n;
}

export interface RunOptions {
  concurrency: number;
  limit: number | undefined;
  retry: RetryPolicy;
  timeoutS: number;
}

/** The flags both commands take, as parseArgs gives them. */
export interface RunFlags {
  concurrency?: string;
  limit?: string;
  retries?: string;
  timeout?: string;
}

/** --concurrency (8), --limit, --retries and --timeout (300 s), checked in that order. */
export function parseRunOptions(command: RunCommand, values: RunFlags): RunOptions {
  const concurrency = positiveInt(command, values.concurrency, '--concurrency', 8)!;
  const limit = positiveInt(command, values.limit, '--limit', undefined);
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY,
    attempts: positiveInt(command, values.retries, '--retries', DEFAULT_RETRY.attempts - 1, 0)! + 1,
  };
  const timeoutS = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!(timeoutS > 0)) {
    throw new UsageError(`${command}: --timeout must be a number of seconds above 0 (got ${JSON.stringify(values.timeout)})`);
  }
  return { concurrency, limit, retry, timeoutS };
}

/** The roles' key on every endpoint replica ($ESC_API_KEY, else the paper's "EMPTY"); the judge has its own. */
export function withRoleKey<S extends RoleSpec | undefined>(spec: S): S {
  return (
    spec?.kind === 'openai'
      ? { kind: 'openai', replicas: spec.replicas.map((r) => ({ ...r, apiKey: process.env.ESC_API_KEY ?? PAPER_API_KEY })) }
      : spec
  ) as S;
}

/** An ETA as the progress lines print it: 42s, 3m05s, 1h07m. */
export const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
};
