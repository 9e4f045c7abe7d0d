// One server in its own named terminal. The terminal runs the plan's script through a small bash
// wrapper that leaves, beside the script, the pid of the job's process group (serve-<role>.group.pid), the
// server's output (serve-<role>.log, also shown in the terminal) and its exit status
// (serve-<role>.exit-code): the Runs view shows a failed server's last lines and code from them, and
// Stop Serving signals the whole group (the engine and every worker it started), as training's Stop does.

import { readFile, rm } from 'node:fs/promises';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import { groupAlive, processAlive, serverFiles, wrapperArgv } from '../../core/serve/serverProcess';
import type { ServedRole } from '../../core/serve/types';

/** How a started server is followed and stopped, locally or under Slurm. */
export interface ServerHandle {
  /** The server's output (for a failed server's last lines). */
  logFile: string;
  /** The exit status once the server ended (undefined while it runs; null: ended without a known status). */
  exitStatus(): Promise<number | null | undefined>;
  /** Whether the user ended it outside ESC Studio (closed its terminal): stopped, not failed. */
  closedByUser?(): boolean;
  /** Where it answers, once known (under Slurm only when the job runs). */
  baseUrl(): Promise<string | undefined>;
  /** A line on what it is doing while not yet answering ("job 123 pending"), if any. */
  waiting?(): string | undefined;
  stop(): Promise<void>;
  /** The pid of the process group (local), for tests. */
  pid?(): Promise<number | undefined>;
  dispose(): void;
}

const alive = processAlive;

export function startLocal(terminalName: string, cwd: string, role: ServedRole): ServerHandle {
  const files = serverFiles(role.scriptPath);
  const terminal = vscode.window.createTerminal({ name: terminalName, cwd, iconPath: new vscode.ThemeIcon('server-process') });
  terminal.show(true);
  let closed = false;
  const sub = vscode.window.onDidCloseTerminal((t) => {
    if (t === terminal) closed = true;
  });
  // a previous run's pid must never be signalled, nor its exit status or output read as this one's
  const cleared = Promise.all([files.pid, files.log, files.exit].map((f) => rm(f, { force: true }))).then(() =>
    terminal.sendText(quote(wrapperArgv(role.scriptPath))),
  );
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
      if (closed || terminal.exitStatus) return null; // the terminal went away with it
      const pid = await readPid();
      if (pid !== undefined && !alive(pid)) return null; // killed from outside: no status was written
      return undefined;
    },
    baseUrl: () => Promise.resolve(role.baseUrl),
    closedByUser: () => closed,
    pid: readPid,
    async stop() {
      const pid = await readPid();
      if (pid === undefined) {
        terminal.sendText('\x03', false);
        return;
      }
      const signal = (sig: NodeJS.Signals): void => {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, sig); // the group: the engine and every worker it started
            return;
          } catch {
            // not a group leader, or gone: try the next
          }
        }
      };
      signal('SIGTERM');
      // vLLM shuts down its engine processes on SIGTERM; one that hangs is killed after a grace period
      const running = (): boolean => alive(pid) || groupAlive(pid);
      for (let i = 0; i < 100 && running(); i++) await new Promise((r) => setTimeout(r, 100));
      if (running()) signal('SIGKILL');
      for (let i = 0; i < 20 && running(); i++) await new Promise((r) => setTimeout(r, 100));
    },
    dispose() {
      sub.dispose();
    },
  };
}
