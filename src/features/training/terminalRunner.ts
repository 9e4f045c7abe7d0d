// Runs a stage script in its own named integrated terminal and reports how it ended. Exit status
// comes from terminal shell integration when the shell has it; otherwise the command writes its exit
// code to a file that is polled. Stop signals the script's process group (its pid file).

import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { quote } from 'shell-quote';
import * as vscode from 'vscode';
import { signalGroup, stopGroup } from '../../core/util/processGroup';
import type { StageOutcome } from '../../core/training/pipeline';
import { OUTPUT_LOG, PID_FILE } from '../../core/training/scripts';

const SHELL_INTEGRATION_WAIT_MS = 4000;

export interface RunningStage {
  /** Resolves with how the stage ended; rejects when it could not be started (the message says why). */
  done: Promise<StageOutcome>;
  stop(): Promise<void>;
}

function waitForShellIntegration(terminal: vscode.Terminal): Promise<vscode.TerminalShellIntegration | undefined> {
  if (terminal.shellIntegration) return Promise.resolve(terminal.shellIntegration);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(undefined);
    }, SHELL_INTEGRATION_WAIT_MS);
    const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
      if (e.terminal !== terminal) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.shellIntegration);
    });
  });
}

export function runInTerminal(name: string, cwd: string, script: string, outputDir: string): RunningStage {
  const pidFile = path.join(outputDir, PID_FILE);
  const terminal = vscode.window.createTerminal({ name, cwd, iconPath: new vscode.ThemeIcon('beaker') });
  terminal.show(true);
  let stopped = false;
  // next to the script: that folder exists before the script runs (the output folder may not)
  const exitFile = path.join(path.dirname(script), `${path.basename(script, '.sh')}.exit-code`);
  const done = (async (): Promise<StageOutcome> => {
    // a previous run's pid must never be signalled by Stop, nor its output taken for this run's
    await rm(exitFile, { force: true });
    await rm(pidFile, { force: true });
    await rm(path.join(outputDir, OUTPUT_LOG), { force: true });
    const si = await waitForShellIntegration(terminal);
    if (stopped) return { code: undefined, stopped: true }; // stopped before it started
    const command = `bash ${quote([script])}`;
    if (si) {
      const execution = si.executeCommand(command);
      const code = await new Promise<number | undefined>((resolve) => {
        const end = vscode.window.onDidEndTerminalShellExecution((e) => {
          if (e.execution !== execution) return;
          end.dispose();
          close.dispose();
          resolve(e.exitCode);
        });
        const close = vscode.window.onDidCloseTerminal((t) => {
          if (t !== terminal) return;
          end.dispose();
          close.dispose();
          resolve(undefined);
        });
      });
      return { code, stopped };
    }
    // no shell integration: bash leaves the exit code in a file, whatever the user's shell is
    terminal.sendText(quote(['bash', '-c', 'bash "$1"; printf %s "$?" > "$2"', 'esc', script, exitFile]));
    for (;;) {
      const text = await readFile(exitFile, 'utf8').catch(() => undefined);
      if (text !== undefined && text !== '') return { code: Number(text), stopped };
      if (terminal.exitStatus) return { code: undefined, stopped };
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const stop = async (): Promise<void> => {
    stopped = true;
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    // the script's process group: the trainer and its workers (SIGTERM, then SIGKILL for one that hangs)
    if (pid > 0 && signalGroup(pid, 0)) {
      void stopGroup(pid);
      return;
    }
    terminal.sendText('\x03', false);
  };
  return { done, stop };
}
