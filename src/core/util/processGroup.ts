// Process groups without VS Code: whether a process or a whole group still runs, and stopping a group
// as training's and serving's Stop do. A stage or a server runs as a process group (its terminal's job,
// or a wrapper that is the group's leader), so Stop ends what it started too (vLLM's engine workers,
// torchrun's ranks).

import { readdirSync, readFileSync } from 'node:fs';

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
