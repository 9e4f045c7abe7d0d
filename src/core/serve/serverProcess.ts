// A started server as processes and files, without VS Code: the bash wrapper Serve Stages runs each
// serve script through (it leaves the process group's pid, the server's output and its exit status
// beside the script), whether a process or a whole group still runs, the last lines of a server's
// output, and where a Slurm job writes its output. The editor's terminals and Stop Serving use these.

import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

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

/** Sends a signal (0: none, only whether it exists) to a process group, else (not a group leader) to the process alone; false when neither exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return true;
    } catch {
      // not a group leader, or gone: try the next
    }
  }
  return false;
}

/**
 * Stops a process group as training's and serving's Stop do: SIGTERM (vLLM and the trainers shut their
 * workers down on it), then, when a member still runs after `graceMs`, SIGKILL. Resolves once the group
 * is gone or a little after the SIGKILL; false when there was nothing to signal.
 */
export async function stopGroup(pid: number, graceMs = 10_000): Promise<boolean> {
  if (!signalGroup(pid, 'SIGTERM')) return false;
  const running = (): boolean => processAlive(pid) || groupAlive(pid);
  const wait = async (ms: number): Promise<void> => {
    for (const end = Date.now() + ms; running() && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
  };
  await wait(graceMs);
  if (running()) signalGroup(pid, 'SIGKILL');
  await wait(2000);
  return true;
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

/** pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so the fields are read after the last ")". */
function procStat(pid: string | number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state ?? '', pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/**
 * Whether any process of the group still runs. Linux: its members in /proc that are not zombies (a
 * member whose parent died first is reparented and may wait to be reaped); elsewhere kill(-pgid, 0).
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return entries.some((d) => {
    const s = procStat(d);
    return s !== undefined && s.pgrp === pgid && s.state !== 'Z';
  });
}

/** Whether a process runs (a zombie, dead but not yet reaped by its new parent, does not). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const s = procStat(pid);
  return s === undefined ? !existsProc() : s.state !== 'Z';
}

/** Without /proc, kill(pid, 0) is all there is. */
const existsProc = (): boolean => {
  try {
    readdirSync('/proc');
    return true;
  } catch {
    return false;
  }
};

/** The last `n` non-empty lines of a log (its last 64 KiB), without terminal colour codes. */
export async function logTail(file: string, n = 15): Promise<string[]> {
  const text = await readFile(file).catch(() => undefined);
  if (!text) return [];
  return (
    text
      .subarray(Math.max(0, text.length - 65536))
      .toString('utf8')
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .slice(-n)
  );
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
