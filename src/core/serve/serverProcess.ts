// A started server as processes and files, without VS Code: the bash wrapper Serve Stages runs each
// serve script through (it leaves the process group's pid, the server's output and its exit status
// beside the script), which wrapper still runs, the last lines of a server's output, and where a
// Slurm job writes its output (process groups themselves: core/util/processGroup.ts). The editor's terminals and Stop Serving use these.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readLogTail } from '../training/runLog';
import { processAlive } from '../util/processGroup';

/**
 * The wrapper's files, beside the script: serve-planner.sh → serve-planner.{group.pid,log,exit-code}.
 * Not the script's own serve-planner.pid: that is the server's pid, which is not the group's leader here.
 */
export function serverFiles(scriptPath: string): { pid: string; log: string; exit: string } {
  const stem = path.join(path.dirname(scriptPath), path.basename(scriptPath, '.sh'));
  return { pid: `${stem}.group.pid`, log: `${stem}.log`, exit: `${stem}.exit-code` };
}

// "$$" is the wrapper's bash: the job's process-group leader when an interactive shell (a terminal)
// runs it. pipefail: the server's status, not tee's. PYTHONUNBUFFERED: Python writes its log lines at
// once into the pipe. Ctrl+C and Stop Serving's SIGTERM reach the whole group: tee ignores them, and a
// closed terminal's SIGHUP, as in the training scripts, so the server's shutdown lines still reach the
// log; the wrapper traps INT and TERM (a trap, not an ignore, which the server would inherit) so it
// lives on to write the exit status.
const WRAPPER =
  'printf "%s\\n" "$$" > "$2"; trap : INT TERM; set -o pipefail; PYTHONUNBUFFERED=1 bash "$1" 2>&1 | (trap "" INT TERM HUP; exec tee "$3"); c=$?; printf %s "$c" > "$4"; exit "$c"';

/** The command (an argv, to be quoted for a shell) that runs a serve script through the wrapper. */
export function wrapperArgv(scriptPath: string): string[] {
  const f = serverFiles(scriptPath);
  return ['bash', '-c', WRAPPER, 'esc-serve', scriptPath, f.pid, f.log, f.exit];
}

/**
 * The process group of the wrapper still running `scriptPath`, from its pid file, when that pid is
 * really our wrapper of that script (its command line names it: a pid file left by a run long gone may
 * name a pid the system has given to another program). Linux only (/proc); undefined elsewhere.
 */
export async function runningWrapper(scriptPath: string): Promise<number | undefined> {
  const pid = Number((await readFile(serverFiles(scriptPath).pid, 'utf8').catch(() => '')).trim());
  if (!(pid > 0) || !processAlive(pid)) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0');
  return argv.includes('esc-serve') && argv.includes(scriptPath) ? pid : undefined;
}

/** The last `n` non-empty lines of a server's log, as a failed training stage's are shown (colour codes dropped, a redrawn line's last state). */
export async function logTail(file: string, n = 15): Promise<string[]> {
  return (await readLogTail(file, n)) ?? [];
}

/**
 * Where a Slurm job writes its output: the batch script's `#SBATCH --output=` (quoted as the serve
 * scripts write it; %j the job id, %% a literal %), else Slurm's default slurm-<id>.out; relative to `cwd`.
 */
export function slurmOutputFile(sbatchText: string, jobId: string, cwd: string): string {
  const m = /^#SBATCH\s+(?:--output[= ]|-o\s*)(.+)$/m.exec(sbatchText);
  let file = m ? m[1]!.trim() : `slurm-${jobId}.out`;
  if (/^".*"$/.test(file)) file = file.slice(1, -1).replace(/\\(["\\])/g, '$1');
  file = file.replace(/%%|%j/g, (x) => (x === '%j' ? jobId : '%'));
  return path.resolve(cwd, file);
}
