// One server as a Slurm job: its .sbatch submitted, the job followed with squeue, and the node it runs
// on (squeue's %N) taken as the endpoint's host: the plan only knows the port until the job starts.
// The job's output file is shown in a named terminal (tail -F) and read for a failed server's last
// lines; sacct gives its exit status. Stop Serving cancels the job (scancel).

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import { SLURM_NODE_PLACEHOLDER } from '../../core/serve/serveConfig';
import { slurmOutputFile } from '../../core/serve/serverProcess';
import { firstSlurmHost, squeueNodeArgs } from '../../core/serve/slurmHost';
import type { ServedRole } from '../../core/serve/types';
import { parseSbatchJobId, sacctOutcome, squeueStatus } from '../../core/training/slurm';
import type { ServerHandle } from './localServer';

const run = (cmd: string, args: string[], cwd: string): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const said = stderr.trim() || err.message;
      reject(new Error(said.startsWith(`${cmd}:`) ? said : `${cmd}: ${said}`));
    }),
  );

/** Submits the role's job; rejects with sbatch's own message when the cluster refuses it. */
export async function startSlurm(terminalName: string, cwd: string, role: ServedRole): Promise<ServerHandle & { jobId: string }> {
  if (!role.sbatchPath) throw new Error(`the plan has no .sbatch for the ${role.role}`);
  const jobId = parseSbatchJobId(await run('sbatch', ['--parsable', role.sbatchPath], cwd));
  if (!jobId) throw new Error('sbatch printed no job id');
  const logFile = slurmOutputFile(await readFile(role.sbatchPath, 'utf8').catch(() => ''), jobId, cwd);
  const terminal = vscode.window.createTerminal({
    name: `${terminalName} (job ${jobId})`,
    cwd,
    iconPath: new vscode.ThemeIcon('server-process'),
  });
  terminal.sendText(`tail -n +1 -F ${quote([logFile])}`);
  let state: 'queued' | 'running' | 'left' = 'queued';
  let host: string | undefined;
  let outcome: number | null | undefined;
  const poll = async (): Promise<void> => {
    if (state === 'left') return;
    const queue = await run('squeue', ['-h', '-j', jobId, '-o', '%T'], cwd).then(squeueStatus, () => 'error' as const);
    if (queue === 'queued') state = 'queued';
    else if (queue === 'running') {
      state = 'running';
      const [cmd, ...args] = squeueNodeArgs(jobId);
      host ??= firstSlurmHost(await run(cmd!, args, cwd).catch(() => ''));
    } else if (queue === undefined) {
      const end = await run('sacct', ['-j', jobId, '-n', '-X', '-o', 'State'], cwd).then(sacctOutcome, () => undefined);
      if (end) {
        state = 'left';
        outcome = end.code ?? null;
      }
    }
  };
  return {
    jobId,
    logFile,
    async exitStatus() {
      await poll();
      return state === 'left' ? outcome : undefined;
    },
    async baseUrl() {
      // the plan's URL names the node by a placeholder until squeue names it
      return host ? role.baseUrl.replace(SLURM_NODE_PLACEHOLDER, host) : undefined;
    },
    waiting: () => (state === 'queued' ? `job ${jobId} pending` : host ? undefined : `job ${jobId} starting`),
    async stop() {
      await run('scancel', [jobId], cwd);
    },
    dispose() {
      terminal.sendText('\x03', false);
    },
  };
}
