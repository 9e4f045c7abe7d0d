// Following a Slurm job from the machine that submitted it, shared by training's stages
// (features/training/slurmRunner.ts) and serving's servers (features/serving/slurmServer.ts): Slurm's
// commands run with their own messages on failure, and one look at a job — squeue while it is queued
// or runs, sacct (State and ExitCode) once it left the queue, or nothing known when neither answered.

import { execFile } from 'node:child_process';
import type { StageOutcome } from './pipeline';
import { sacctOutcome, squeueStatus } from './slurm';

/** Consecutive failed or unreadable looks before a job is given up as unknown (e.g. no sacct on the cluster). */
export const MAX_BLIND_POLLS = 12;

/** Runs a Slurm command; a failure rejects with what the command printed ("sbatch: error: …"). */
export const runSlurm = (cmd: string, args: string[], cwd: string): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const said = stderr.trim() || err.message;
      // Slurm's tools start their messages with their own name; do not say it twice
      reject(new Error(said.startsWith(`${cmd}:`) ? said : `${cmd}: ${said}`));
    }),
  );

export type SlurmJobState = { state: 'queued' | 'running' } | { state: 'ended'; outcome: StageOutcome } | { state: 'unknown' };

/** One look at a job. 'unknown': squeue failed, or the job left the queue and sacct did not say how it ended. */
export async function slurmJobState(jobId: string, cwd: string): Promise<SlurmJobState> {
  // a failed query is not an answer: the caller looks again, and gives up only after many in a row
  const queue = await runSlurm('squeue', ['-h', '-j', jobId, '-o', '%T'], cwd).then(squeueStatus, () => 'error' as const);
  if (queue === 'queued' || queue === 'running') return { state: queue };
  if (queue !== undefined) return { state: 'unknown' };
  const outcome = await runSlurm('sacct', ['-j', jobId, '-n', '-X', '-o', 'State,ExitCode'], cwd).then(sacctOutcome, () => undefined);
  return outcome ? { state: 'ended', outcome } : { state: 'unknown' };
}
