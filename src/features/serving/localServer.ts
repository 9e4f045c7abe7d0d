// One server in its own named terminal. The terminal runs the plan's script through a small bash
// wrapper that leaves, beside the script, the pid of the job's process group (serve-<role>.group.pid), the
// server's output (serve-<role>.log, also shown in the terminal) and its exit status
// (serve-<role>.exit-code): the Runs view shows a failed server's last lines and code from them, and
// Stop Serving signals the whole group (the engine and every worker it started), as training's Stop does.
// Those files outlive a window reload (and so does the terminal): resumeLocal follows a server again from them.

import { readFile, rm } from 'node:fs/promises';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import { runningWrapper, serverFiles, wrapperArgv } from '../../core/serve/serverProcess';
import { groupAlive, processAlive, stopGroup } from '../../core/util/processGroup';
import type { ServedRole } from '../../core/serve/types';

/** What is kept of a started server (workspaceState) to follow and stop it again after a window reload. */
export type SavedHandle =
  | { kind: 'local'; scriptPath: string; terminalName: string; baseUrl: string }
  | { kind: 'slurm'; jobId: string; logFile: string; cwd: string; terminalName: string; planBaseUrl: string; host?: string };

/** How a started server is followed and stopped, locally or under Slurm. */
export interface ServerHandle {
  /** The server's output (for a failed server's last lines). */
  logFile: string;
  /** The exit status once the server ended (undefined while it runs; null: ended without a known status). */
  exitStatus(): Promise<number | null | undefined>;
  /** Whether it was ended outside ESC Studio on purpose (its terminal closed, its job cancelled): stopped, not failed. */
  closedByUser?(): boolean;
  /** Where it answers, once known (under Slurm only when the job runs). */
  baseUrl(): Promise<string | undefined>;
  /** A line on what it is doing while not yet answering ("job 123 pending"), if any. */
  waiting?(): string | undefined;
  stop(): Promise<void>;
  /** The pid of the process group (local), for tests. */
  pid?(): Promise<number | undefined>;
  /** What to keep to follow it again after a reload. */
  saved(): SavedHandle;
  dispose(): void;
}

const alive = processAlive;

/** How long Stop waits for the wrapper to write its group's pid (it is its first command). */
const PID_WAIT_MS = 5000;

export function startLocal(terminalName: string, cwd: string, role: ServedRole): ServerHandle {
  const files = serverFiles(role.scriptPath);
  const terminal = vscode.window.createTerminal({ name: terminalName, cwd, iconPath: new vscode.ThemeIcon('server-process') });
  terminal.show(true);
  // a previous run's pid must never be signalled, nor its exit status or output read as this one's
  const cleared = Promise.all([files.pid, files.log, files.exit].map((f) => rm(f, { force: true }))).then(() =>
    terminal.sendText(quote(wrapperArgv(role.scriptPath))),
  );
  return localHandle({ kind: 'local', scriptPath: role.scriptPath, terminalName, baseUrl: role.baseUrl }, terminal, cleared);
}

/**
 * A server started before a window reload, followed again from its wrapper's files and its terminal
 * (which outlived the reload); undefined when its process group no longer runs.
 */
export async function resumeLocal(saved: Extract<SavedHandle, { kind: 'local' }>): Promise<ServerHandle | undefined> {
  // only our wrapper of that script: a pid the system gave to another program since is never followed or signalled
  if ((await runningWrapper(saved.scriptPath)) === undefined) return undefined;
  const terminal = [...vscode.window.terminals].reverse().find((t) => t.name === saved.terminalName); // the newest of that name
  return localHandle(saved, terminal, Promise.resolve());
}

function localHandle(
  saved: Extract<SavedHandle, { kind: 'local' }>,
  terminal: vscode.Terminal | undefined,
  cleared: Promise<unknown>,
): ServerHandle {
  const files = serverFiles(saved.scriptPath);
  let closed = false;
  const sub = vscode.window.onDidCloseTerminal((t) => {
    if (t === terminal) closed = true;
  });
  const readPid = async (): Promise<number | undefined> => {
    await cleared;
    const pid = Number((await readFile(files.pid, 'utf8').catch(() => '')).trim());
    return pid > 0 ? pid : undefined;
  };
  return {
    logFile: files.log,
    async exitStatus() {
      await cleared;
      const text = await readFile(files.exit, 'utf8').catch(() => undefined);
      if (text !== undefined && text !== '') return Number(text);
      if (closed || terminal?.exitStatus) return null; // the terminal went away with it
      const pid = await readPid();
      if (pid !== undefined && !alive(pid) && !groupAlive(pid)) return null; // killed from outside: no status was written
      return undefined;
    },
    baseUrl: () => Promise.resolve(saved.baseUrl),
    closedByUser: () => closed,
    pid: readPid,
    saved: () => saved,
    async stop() {
      // Stop right after Serve Stages: the wrapper writes the pid first thing, so it is waited for
      let pid = await readPid();
      for (const end = Date.now() + PID_WAIT_MS; pid === undefined && !closed && Date.now() < end; pid = await readPid()) {
        await new Promise((r) => setTimeout(r, 100));
      }
      if (pid !== undefined && (await stopGroup(pid))) return;
      if (pid !== undefined || closed) return; // it had already ended
      // the wrapper never ran (the terminal's shell did not start it): what the terminal runs is interrupted
      if (!terminal) throw new Error('its process group is not known (no pid file) and its terminal is gone');
      terminal.sendText('\x03', false);
      throw new Error(`its process group is not known (no pid file after ${PID_WAIT_MS / 1000} s): Ctrl+C was sent to its terminal`);
    },
    dispose() {
      sub.dispose();
    },
  };
}
