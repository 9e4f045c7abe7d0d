// Runs a stage on a Slurm cluster: submits its .sbatch, follows the job with squeue/sacct, and shows
// the job's output file in a terminal (tail -F). Stop cancels the job with scancel. A refused
// submission fails the stage with sbatch's own message (no job, so no terminal). The job's exit code
// comes from sacct; its last lines from esc-run.log, which the stage script writes on the node.

import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import type { StageOutcome } from '../../core/training/pipeline';
import { OUTPUT_LOG } from '../../core/training/scripts';
import { parseSbatchJobId } from '../../core/training/slurm';
import { MAX_BLIND_POLLS, runSlurm as run, slurmJobState } from '../../core/training/slurmJob';
import type { RunningStage } from './terminalRunner';

const POLL_MS = 5000;

export function runOnSlurm(
  name: string,
  cwd: string,
  sbatchFile: string,
  outputDir: string,
  onQueued: (queued: boolean) => void,
): RunningStage {
  let jobId: string | undefined;
  let stopped = false;
  const done = (async (): Promise<StageOutcome> => {
    await mkdir(outputDir, { recursive: true }); // #SBATCH --output needs its folder before the job starts
    await rm(path.join(outputDir, OUTPUT_LOG), { force: true }); // a previous run's output is not this one's
    jobId = parseSbatchJobId(await run('sbatch', ['--parsable', sbatchFile], cwd));
    if (!jobId) throw new Error('sbatch printed no job id');
    if (stopped) await run('scancel', [jobId], cwd); // Stop was pressed while submitting
    const terminal = vscode.window.createTerminal({ name: `${name} (job ${jobId})`, cwd, iconPath: new vscode.ThemeIcon('server') });
    terminal.sendText(`tail -n +1 -F ${quote([path.join(outputDir, `slurm-${jobId}.out`)])}`);
    try {
      let blind = 0;
      for (;;) {
        // a failed query is not an answer: poll again, and give up only after many in a row
        const job = await slurmJobState(jobId, cwd);
        if (job.state === 'queued' || job.state === 'running') {
          blind = 0;
          onQueued(job.state === 'queued');
        } else if (job.state === 'ended') return stopped ? { ...job.outcome, stopped: true } : job.outcome;
        else blind++;
        if (blind >= MAX_BLIND_POLLS) return { code: undefined, stopped };
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } finally {
      terminal.sendText('\x03', false); // end the tail
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      if (jobId) await run('scancel', [jobId], cwd);
    },
  };
}
