// Serving's preflight: everything that would keep a server from answering, found at once before
// anything starts — the engine CLI on PATH, the GPUs of the served chains visible, each adapter present
// because its stage succeeded, each port free — and one report listing them all, each with its fix.
// Warnings (no GPU seen) may be overridden with Serve Anyway; errors may not.

import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXPORT_DONE_FILE } from '../../core/serve/serveConfig';
import { runningWrapper } from '../../core/serve/serverProcess';
import { stopGroup } from '../../core/util/processGroup';
import type { ServePlan, ServeRole } from '../../core/serve/types';
import type { StageId } from '../../core/training/experiment';
import { onPath } from '../../core/training/preflight';
import type { LoadedExperiment } from '../../core/training/trainConfig';
import type { RunsModel } from '../training';
import { setServingPort } from './settings';

export interface Fix {
  label: string;
  run: () => unknown;
  /** The fix changes what is checked (a setting): Serve Stages checks again at once. */
  recheck?: boolean;
}

export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  fix?: Fix;
}

export interface PreflightInput {
  loaded: LoadedExperiment;
  plan: ServePlan;
  launcher: 'local' | 'slurm';
  /** An activation line may put the CLI on PATH only inside the terminal: then it is not looked for here. */
  activate: string;
  requireGpu: boolean;
  model: RunsModel;
  /** LLaMA-Factory's CLI as the scripts run it for a merged export (escStudio.training.llamafactoryCli). */
  exportCli: string;
  /**
   * Ports ESC Studio's own starting or ready local servers hold or are about to bind (of every
   * experiment), with what serves there: a port of one of them is "already served", not another program's.
   * `reported`: a role of this experiment served again, which the caller reports itself.
   */
  ownPorts: ReadonlyMap<number, { what: string; stop: () => unknown; reported?: boolean }>;
}

/** The GPU indices nvidia-smi lists ("GPU 0: …"), or undefined when it cannot be run or lists none. */
export const visibleGpus = (): Promise<number[] | undefined> =>
  new Promise((resolve) =>
    execFile('nvidia-smi', ['-L'], { timeout: 5000 }, (err, out) => {
      const ids = [...String(out ?? '').matchAll(/^GPU (\d+):/gm)].map((m) => Number(m[1]));
      resolve(!err && ids.length > 0 ? ids : undefined);
    }),
  );

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Whether something already listens on the port: we try to listen on it ourselves. */
export const portFree = (port: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });

async function freePortFrom(port: number, host: string, taken: Set<number>): Promise<number | undefined> {
  for (let p = port + 1; p < Math.min(port + 200, 65536); p++) {
    if (!taken.has(p) && (await portFree(p, host))) return p;
  }
  return undefined;
}

const openSettings = (query: string): Fix => ({
  label: 'Open Settings',
  run: () => vscode.commands.executeCommand('workbench.action.openSettings', query),
});

export async function servingPreflight(input: PreflightInput): Promise<Problem[]> {
  const { loaded, plan, launcher } = input;
  const problems: Problem[] = [];
  const local = launcher === 'local';

  // the engine CLI (and LLaMA-Factory's for a merged export still to make)
  if (local && !input.activate.trim()) {
    // each CLI with what installs it and the one setting that names it
    const clis = new Map<string, { what: string; setting: string }>();
    for (const r of plan.roles) {
      clis.set(
        r.argv[0]!,
        r.argv[1] === 'serve'
          ? { what: 'vLLM (pip install vllm)', setting: 'escStudio.serving.vllmCli' }
          : { what: 'LLaMA-Factory (pip install -e ".[torch,metrics]")', setting: 'escStudio.training.llamafactoryCli' },
      );
      if (r.exportDir && !(await exists(path.join(r.exportDir, EXPORT_DONE_FILE)))) {
        // the CLI the script runs for the export (the plan's exportCli), whatever the engine's is
        clis.set(input.exportCli, {
          what: 'LLaMA-Factory (pip install -e ".[torch,metrics]"), which exports the merged weights first',
          setting: 'escStudio.training.llamafactoryCli',
        });
      }
    }
    for (const [cli, { what, setting }] of clis) {
      if (!(await onPath(cli))) {
        problems.push({
          severity: 'error',
          message: `${cli} is not on PATH: install ${what}, or set its path (${setting}) or a Python environment activation command (escStudio.training.activateCommand).`,
          fix: openSettings(setting),
        });
      }
    }
  }

  // Slurm's own commands: the job is submitted with sbatch and followed with squeue
  if (!local) {
    for (const cli of ['sbatch', 'squeue']) {
      if (!(await onPath(cli))) {
        problems.push({
          severity: 'error',
          message: `${cli} is not on PATH: the experiment serves on Slurm (launcher: slurm), so open this folder on a login node of the cluster (Remote - SSH), or set launcher: local in the experiment.`,
          fix: { label: 'Open Experiment', run: () => vscode.window.showTextDocument(vscode.Uri.file(loaded.file)) },
        });
      }
    }
  }

  // the GPUs of the served chains (Slurm allocates its own)
  if (local && input.requireGpu) {
    const seen = await visibleGpus();
    const wanted = plan.roles.flatMap((r) => r.gpus.split(',').map((g) => ({ role: r.role, gpu: Number(g) })));
    const missing = seen ? wanted.filter((w) => !seen.includes(w.gpu)) : wanted;
    if (missing.length > 0) {
      problems.push({
        severity: 'warning',
        message: seen
          ? `GPU ${[...new Set(missing.map((m) => m.gpu))].join(', ')} (of the ${[...new Set(missing.map((m) => m.role))].join(', ')}) is not visible: nvidia-smi lists GPU ${seen.join(', ')}. Set the chain's ids under gpus: in the experiment (they become CUDA_VISIBLE_DEVICES).`
          : 'No GPU is visible (nvidia-smi found none): vLLM needs one. Open this folder on a GPU machine (Remote - SSH), check CUDA_VISIBLE_DEVICES, or set launcher: slurm in the experiment to serve on the cluster.',
        fix: { label: 'Open Experiment', run: () => vscode.window.showTextDocument(vscode.Uri.file(loaded.file)) },
      });
    }
  }

  // each adapter folder the served model is made of, present because its stage finished
  for (const r of plan.roles) {
    for (const dir of r.adapterDirs ?? [r.adapterDir]) {
      const stage = path.basename(dir) as StageId;
      const run = input.model.find(loaded.file, stage);
      if (run && (run.status === 'running' || run.status === 'queued')) {
        problems.push({
          severity: 'error',
          message: `${stage} (served as the ${r.role}) is still ${run.status}: serve it once it succeeded.`,
        });
        continue;
      }
      const launch: Fix = {
        label: `Launch ${stage}`,
        run: () => vscode.commands.executeCommand('escStudio.launchStage', run ? { type: 'stage', run } : vscode.Uri.file(loaded.file)),
      };
      // an adapter left by an earlier run does not make the latest one a success
      if (run && (run.status === 'failed' || run.status === 'stopped')) {
        problems.push({
          severity: 'error',
          message: `${stage} (served as the ${r.role}) ${run.status === 'failed' ? 'failed' : 'was stopped'} in its latest run: its adapter folder may hold an earlier or partial adapter. Launch it again first.`,
          fix: launch,
        });
        continue;
      }
      if (!(await exists(path.join(dir, 'adapter_config.json')))) {
        problems.push({
          severity: 'error',
          message: `${stage} (served as the ${r.role}) has no adapter: ${path.join(dir, 'adapter_config.json')} is missing, so the stage has not succeeded. Launch it first.`,
          fix: launch,
        });
      }
    }
  }

  // each port free (a local server binds here; a Slurm job binds on its node)
  if (local) {
    const taken = new Set([...plan.roles.map((r) => r.port), ...input.ownPorts.keys()]);
    for (const r of plan.roles) {
      const host = new URL(r.baseUrl).hostname;
      // one of our own servers holds it (or is about to bind it): a second vLLM there would share its GPU
      const own = input.ownPorts.get(r.port);
      if (own?.reported) continue;
      if (own) {
        problems.push({
          severity: 'error',
          message: `Port ${r.port} (the ${r.role}) is already served by ESC Studio (${own.what}): stop that server first, or serve the ${r.role} on another port.`,
          fix: { label: 'Stop Serving', run: own.stop },
        });
        continue;
      }
      // a server an earlier window started from this script, which ESC Studio no longer follows (its pid
      // file would be replaced by the new start, leaving it running with nothing to stop it from)
      const group = await runningWrapper(r.scriptPath);
      if (group !== undefined) {
        problems.push({
          severity: 'error',
          message: `The ${r.role} script of "${loaded.experiment.name}" still runs (process group ${group}, started earlier and no longer followed): stop it before serving again.`,
          fix: { label: `Stop Process Group ${group}`, run: () => stopGroup(group), recheck: true },
        });
        continue;
      }
      if (await portFree(r.port, host)) continue;
      const other = await freePortFrom(r.port, host, taken);
      if (other !== undefined) taken.add(other);
      problems.push({
        severity: 'error',
        message: `Port ${r.port} (the ${r.role}) is in use by another program: stop what holds it (e.g. \`lsof -i :${r.port}\`), or serve the ${r.role} on another port.`,
        fix:
          other !== undefined
            ? { label: `Use Port ${other} for the ${r.role}`, run: () => setServingPort(r.role as ServeRole, other), recheck: true }
            : openSettings('escStudio.serving.ports'),
      });
    }
  }
  return problems;
}

/**
 * Shows every problem in one modal report: 'go' when serving may go on (nothing, or only warnings and
 * the user chose Serve Anyway), 'recheck' after a fix that changed a setting, else 'stop'. A fix the
 * user picks is run.
 */
export async function reportProblems(name: string, problems: Problem[]): Promise<'go' | 'recheck' | 'stop'> {
  if (problems.length === 0) return 'go';
  const errors = problems.filter((p) => p.severity === 'error');
  const fixes = [...new Map(problems.flatMap((p) => (p.fix ? [[p.fix.label, p.fix] as const] : []))).values()].slice(0, 4);
  const buttons = [...fixes.map((f) => f.label), ...(errors.length === 0 ? ['Serve Anyway'] : [])];
  const detail = problems.map((p, i) => `${i + 1}. ${p.severity === 'warning' ? '(warning) ' : ''}${p.message}`).join('\n\n');
  const title =
    errors.length > 0
      ? `Cannot serve ${name}: ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix first.`
      : `Serve ${name}? ${problems.length === 1 ? 'One warning' : `${problems.length} warnings`}.`;
  const show = errors.length > 0 ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  const choice = await show(title, { modal: true, detail }, ...buttons);
  if (choice === 'Serve Anyway') return 'go';
  const fix = fixes.find((f) => f.label === choice);
  if (fix) await fix.run();
  return fix?.recheck ? 'recheck' : 'stop';
}
