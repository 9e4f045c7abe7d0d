// Slurm: a stage's .sbatch is submitted with `sbatch --parsable`, its job id tracked with squeue
// while it is queued or running and with sacct once it has left the queue.

import type { StageOutcome, StageStatus } from './pipeline';

/** `sbatch --parsable` prints "<jobid>" or "<jobid>;<cluster>". */
export function parseSbatchJobId(stdout: string): string | undefined {
  const m = /^\s*(\d+)(?:;[\w.-]+)?\s*$/m.exec(stdout);
  return m?.[1];
}

/** squeue's %T state while the job is in the queue. */
export function squeueStatus(state: string): StageStatus | undefined {
  const s = state.trim().toUpperCase();
  if (s === '') return undefined; // left the queue: ask sacct
  if (['PENDING', 'CONFIGURING', 'REQUEUED', 'RESV_DEL_HOLD', 'SUSPENDED'].includes(s)) return 'queued';
  return 'running';
}

/**
 * sacct's final State and, when asked for (`-o State,ExitCode`), ExitCode "<code>:<signal>" (first line,
 * `-X` for the allocation): how the stage ended, with the job script's own exit code when Slurm has it.
 */
export function sacctOutcome(state: string): StageOutcome | undefined {
  const [first = '', exit] = state.trim().split(/\s+/);
  const s = first.toUpperCase();
  if (s === '' || s === 'PENDING' || s === 'RUNNING') return undefined;
  if (s === 'COMPLETED') return { code: 0 };
  if (s.startsWith('CANCELLED')) return { code: undefined, stopped: true };
  // FAILED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE: 1 when sacct gave no code
  const m = /^(\d+):(\d+)$/.exec(exit ?? '');
  const code = m ? Number(m[1]) || (Number(m[2]) > 0 ? 128 + Number(m[2]) : 0) : 0;
  return { code: code === 0 ? 1 : code };
}
