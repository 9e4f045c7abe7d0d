// One server as a Slurm job: its .sbatch submitted, the job followed as training's Slurm stages are
// (core/training/slurmJob.ts: squeue, then sacct's State and ExitCode, given up after many blind looks),
// and the node it runs on (squeue's %N) taken as the endpoint's host: the plan only knows the port until
// the job starts. The job's output file is shown in a named terminal (tail -F) and read for a failed
// server's last lines. Stop Serving cancels the job (scancel); a job cancelled by someone else is shown
// stopped, not failed. The job id is kept (workspaceState), so resumeSlurm follows it again after a reload.

import { readFile } from 'node:fs/promises';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import { SLURM_NODE_PLACEHOLDER } from '../../core/serve/serveConfig';
import { slurmOutputFile } from '../../core/serve/serverProcess';
import { firstSlurmHost, squeueNodeArgs } from '../../core/serve/slurmHost';
import type { ServedRole } from '../../core/serve/types';
import { parseSbatchJobId } from '../../core/training/slurm';
import { MAX_BLIND_POLLS, runSlurm as run, slurmJobState } from '../../core/training/slurmJob';
import type { SavedHandle, ServerHandle } from './localServer';

type SavedSlurm = Extract<SavedHandle, { kind: 'slurm' }>;

/** Slurm is asked at most this often, however often the Runs view polls its rows. */
const SLURM_POLL_MS = 5000;

/** Submits the role's job; rejects with sbatch's own message when the cluster refuses it. */
export async function startSlurm(terminalName: string, cwd: string, role: ServedRole): Promise<ServerHandle & { jobId: string }> {
  if (!role.sbatchPath) throw new Error(`the plan has no .sbatch for the ${role.role}`);
  const jobId = parseSbatchJobId(await run('sbatch', ['--parsable', role.sbatchPath], cwd));
  if (!jobId) throw new Error('sbatch printed no job id');
  const logFile = slurmOutputFile(await readFile(role.sbatchPath, 'utf8').catch(() => ''), jobId, cwd);
  return { jobId, ...followSlurm({ kind: 'slurm', jobId, logFile, cwd, terminalName, planBaseUrl: role.baseUrl }) };
}

/**
 * A job submitted before a window reload, followed again; undefined once Slurm says it ended. A failed
 * look (squeue down for a moment) is not taken as an end: the job is followed, and given up only after
 * the follower's blind looks run out.
 */
export async function resumeSlurm(saved: SavedSlurm): Promise<ServerHandle | undefined> {
  const job = await slurmJobState(saved.jobId, saved.cwd);
  return job.state === 'ended' ? undefined : followSlurm(saved);
}

function followSlurm(saved: SavedSlurm): ServerHandle {
  const { jobId, cwd } = saved;
  const name = `${saved.terminalName} (job ${jobId})`;
  // after a reload the tail's terminal is still there
  const terminal =
    [...vscode.window.terminals].reverse().find((t) => t.name === name) ??
    vscode.window.createTerminal({ name, cwd, iconPath: new vscode.ThemeIcon('server-process') });
  terminal.sendText(`tail -n +1 -F ${quote([saved.logFile])}`);
  let state: 'queued' | 'running' | 'left' = 'queued';
  let host = saved.host;
  let outcome: number | null | undefined;
  let cancelled = false;
  let blind = 0;
  let last = 0;
  let looking: Promise<void> | undefined;
  const look = async (): Promise<void> => {
    const job = await slurmJobState(jobId, cwd);
    if (job.state === 'queued' || job.state === 'running') {
      blind = 0;
      state = job.state;
      if (job.state === 'running' && !host) {
        const [cmd, ...args] = squeueNodeArgs(jobId);
        host = firstSlurmHost(await run(cmd!, args, cwd).catch(() => ''));
      }
    } else if (job.state === 'ended') {
      state = 'left';
      cancelled = job.outcome.stopped === true;
      outcome = job.outcome.code ?? null;
    } else if (++blind >= MAX_BLIND_POLLS) {
      // neither squeue nor sacct knows it (no accounting on this cluster): it is not running any more
      state = 'left';
      outcome = null;
    }
  };
  const poll = (): Promise<void> => {
    if (state === 'left' || Date.now() - last < SLURM_POLL_MS) return looking ?? Promise.resolve();
    last = Date.now();
    looking = look().finally(() => (looking = undefined));
    return looking;
  };
  return {
    logFile: saved.logFile,
    async exitStatus() {
      await poll();
      return state === 'left' ? outcome : undefined;
    },
    closedByUser: () => cancelled,
    async baseUrl() {
      // the plan's URL names the node by a placeholder until squeue names it
      return host ? saved.planBaseUrl.replace(SLURM_NODE_PLACEHOLDER, host) : undefined;
    },
    waiting: () => (state === 'queued' ? `job ${jobId} pending` : host ? undefined : `job ${jobId} starting`),
    saved: () => ({ ...saved, host }),
    async stop() {
      await run('scancel', [jobId], cwd);
    },
    dispose() {
      terminal.sendText('\x03', false);
    },
  };
}
