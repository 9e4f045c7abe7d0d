// ESC: Run Inference… — the paper's inference over a split (what `esc infer` does) from the editor:
// a vanilla SFT file, a mode, the models (the Playground's endpoints, with their API keys from
// SecretStorage, or the embedded models the Playground uses), a concurrency and an output file; run
// in the inference worker (core/runs/inferWorker.ts) behind a cancellable notification. A cancelled
// or failed run keeps its finished turns in the checkpoint beside the output, and the same run again
// resumes them. Endpoints are contacted only in a trusted workspace, even when the command is invoked
// programmatically (package.json's enablement only covers the UI).
//
// The command also takes an options object (RunInferenceOptions) that skips the pickers — the Resume
// button and the integration test use it — and resolves with what happened (RunInferenceResult); the
// notifications that follow are never awaited, so it resolves once the run ends.

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { checkpointPath, INFER_MODES, type InferMode, type InferProgress, type InferSummary } from '../../core/runs/inferRun';
import { INFER_FAILURES, type InferWorkerMethods, type InferWorkerParams } from '../../core/runs/inferWorkerProtocol';
import { rolesOf, type RoleSpec } from '../../core/runs/roleSpecs';
import { CancelledError } from '../../core/util/cancel';
import { RpcClient } from '../../core/util/workerRpc';
import type { EndpointSlot } from '../config';
import type { Ctx } from '../ctx';
import { requireLocal } from '../targetFile';
import type { EvaluationsDeps, EvaluationsFeature } from './index';
import { describeSpecs, roleSpecOf, type ModelSource } from './modelSources';
import { askConcurrency, pickModelSource, trustedForRun, vanillaFileFor } from './runPicks';

export type InferSource = ModelSource;

/** What the pickers ask; any field given is not asked. */
export interface RunInferenceOptions {
  /** The vanilla SFT file (a path or a URI). */
  file?: string | vscode.Uri;
  mode?: InferMode;
  source?: InferSource;
  concurrency?: number;
  /** The inference file to write (a path or a URI). */
  out?: string | vscode.Uri;
  /** Only the first N turns. */
  limit?: number;
  /** Replace an existing output without asking (a checkpoint beside it is resumed either way). */
  overwrite?: boolean;
}

export interface RunInferenceResult {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed' | 'untrusted';
  out?: string;
  summary?: InferSummary;
  /** The last progress (cancelled or failed runs: how many turns the checkpoint keeps). */
  progress?: InferProgress;
  /** The failure's message, as shown. */
  error?: string;
}

const MODE_ITEMS: Record<InferMode, string> = {
  decoupled: 'The strategy planner picks a strategy, the response generator writes the reply (the paper’s decoupled pipeline).',
  vanilla: 'One joint model answers "[Strategy] text" (the vanilla SFT baseline).',
  'generator-gold': 'The response generator is given the gold strategy (how good replies are when the strategy is right).',
};

const rel = (p: string): string => vscode.workspace.asRelativePath(p, true);
const fsPathOf = (x: string | vscode.Uri): string => (typeof x === 'string' ? x : x.fsPath);

function isOptions(arg: unknown): arg is RunInferenceOptions {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri || 'entry' in arg) return false;
  return ['file', 'mode', 'source', 'concurrency', 'out', 'limit', 'overwrite'].some((k) => k in arg);
}

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
};

/** "412 / 1,792 turns · 31 calls/s · ETA 1m05s" (the ETA from this session's pace, resumed turns excluded). */
export function progressLine(p: InferProgress): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rate = p.calls / Math.max(p.elapsedMs / 1000, 1e-3);
  const fresh = p.done - p.resumed;
  const eta = fresh > 0 ? duration(((p.total - p.done) * p.elapsedMs) / fresh) : '–';
  const resumed = p.resumed ? ` · ${n(p.resumed)} resumed` : '';
  return `${n(p.done)} / ${n(p.total)} turns · ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} calls/s · ETA ${eta}${resumed}`;
}

export function registerRunInference(ctx: Ctx, deps: EvaluationsDeps, feature: EvaluationsFeature): void {
  const backends = deps.playground.backends;

  async function pickMode(): Promise<InferMode | undefined> {
    const choice = await vscode.window.showQuickPick(
      INFER_MODES.map((m) => ({ label: m, detail: MODE_ITEMS[m] })),
      { title: 'Run Inference (2/4): the mode', ignoreFocusOut: true },
    );
    return choice?.label;
  }

  async function pickSource(mode: InferMode): Promise<InferSource | undefined> {
    const described = backends.describe('openai');
    const needs = rolesOf(mode);
    const endpoints = [
      needs.planner && `planner ${described.planner}`,
      needs.generator && `generator ${described.generator}`,
      needs.vanilla && described.note,
    ]
      .filter(Boolean)
      .join(' · ');
    return pickModelSource(backends, 'Run Inference (3/4): the models', endpoints, deps.served);
  }

  function defaultOut(file: string, mode: InferMode): vscode.Uri {
    const stem = path.basename(file).replace(/\.jsonl?$/i, '');
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    return root
      ? vscode.Uri.joinPath(root, 'inference', `${stem}-${mode}.json`)
      : vscode.Uri.file(path.join(path.dirname(file), `${stem}-${mode}.json`));
  }

  /** The role's spec: the Playground's endpoint (resolved, key included), or the embedded folder it uses. */
  const specFor = (source: InferSource, slot: EndpointSlot): Promise<RoleSpec> => roleSpecOf(backends, source, slot, deps.served);

  async function run(
    params: InferWorkerParams,
    title: string,
  ): Promise<{ summary?: InferSummary; progress?: InferProgress; error?: Error }> {
    const rpc = new RpcClient<InferWorkerMethods>(new Worker(path.join(ctx.extensionUri.fsPath, 'dist', 'inferWorker.js')), {
      name: 'the inference worker',
    });
    let last: InferProgress | undefined;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const cancel = token.onCancellationRequested(() => {
            progress.report({ message: 'Stopping; the finished turns are kept…' });
            abort.abort();
          });
          let shown = 0;
          try {
            const summary = await rpc.call('infer', params, {
              signal: abort.signal,
              onProgress: (p) => {
                last = p;
                const pct = p.total ? (100 * p.done) / p.total : 0;
                progress.report({ message: progressLine(p), increment: Math.max(0, pct - shown) });
                shown = Math.max(shown, pct);
              },
            });
            return { summary, progress: last };
          } finally {
            cancel.dispose();
          }
        },
      );
    } catch (e) {
      return { progress: last, error: e instanceof Error ? e : new Error(String(e)) };
    } finally {
      void rpc.terminate();
    }
  }

  async function runInferenceCommand(arg?: unknown): Promise<RunInferenceResult> {
    if (!trustedForRun('Run Inference')) return { status: 'untrusted' };
    const given: RunInferenceOptions = isOptions(arg) ? arg : {};
    const fileUri = await vanillaFileFor(given.file, arg, deps.datasets, {
      title: 'Run Inference (1/4): the split',
      placeHolder: 'A vanilla SFT file: every supporter turn is answered with the gold history',
      browseTitle: 'Run Inference: a vanilla SFT file',
      rel,
    });
    if (!fileUri || !requireLocal(fileUri)) return { status: 'dismissed' };
    const file = fileUri.fsPath;
    const mode = given.mode ?? (await pickMode());
    if (!mode) return { status: 'dismissed' };
    const source = given.source ?? (await pickSource(mode));
    if (!source) return { status: 'dismissed' };
    // the embedded models run on this machine's CPU in one thread: more in flight only queues
    const concurrency =
      given.concurrency ??
      (source === 'embedded'
        ? 8
        : await askConcurrency(
            'Run Inference (4/4): calls in flight at once',
            'Spread over the endpoint; each turn has at most one call in flight.',
          ));
    if (!concurrency) return { status: 'dismissed' };
    let out: string;
    if (given.out !== undefined) out = fsPathOf(given.out);
    else {
      const picked = await vscode.window.showSaveDialog({
        title: 'Run Inference: the inference file to write',
        defaultUri: defaultOut(file, mode),
        filters: { 'Inference file': ['json'] },
      });
      if (!picked) return { status: 'dismissed' };
      out = picked.fsPath;
    }
    const resuming = existsSync(checkpointPath(out));
    if (!resuming && existsSync(out) && !given.overwrite) {
      const answer = await vscode.window.showWarningMessage(
        `${rel(out)} exists. Replace it with this run’s records?`,
        { modal: true, detail: 'It is replaced only once every turn is done.' },
        'Replace',
      );
      if (answer !== 'Replace') return { status: 'dismissed' };
    }

    const needs = rolesOf(mode);
    let specs: InferWorkerParams['specs'];
    try {
      specs = {
        planner: needs.planner ? await specFor(source, 'planner') : undefined,
        generator: needs.generator ? await specFor(source, 'generator') : undefined,
        vanilla: needs.vanilla ? await specFor(source, 'vanilla') : undefined,
      };
    } catch (e) {
      const message = (e as Error).message;
      void vscode.window
        .showErrorMessage(message, 'Configure Playground Endpoints')
        .then((a) => a && vscode.commands.executeCommand('escStudio.configurePlaygroundEndpoints'));
      return { status: 'failed', error: message };
    }
    const params: InferWorkerParams = { file, mode, out, concurrency, specs, limit: given.limit };
    const again: RunInferenceOptions = { file, mode, source, concurrency, out, limit: given.limit };
    // the log names the models by URL or folder, never with their keys
    const models = describeSpecs(specs);
    ctx.log.info(
      `Run inference: ${file} (${mode}) → ${out}, concurrency ${concurrency}${resuming ? ', resuming its checkpoint' : ''}; ${models}`,
    );

    const title = `${resuming ? 'Resuming inference' : 'Inference'}: ${path.basename(file)} · ${mode}`;
    const { summary, progress, error } = await run(params, title);
    if (summary) {
      ctx.log.info(
        `Run inference: wrote ${summary.records} records to ${out} (${summary.resumed} resumed, ${summary.calls} calls, ${(summary.elapsedMs / 1000).toFixed(1)} s)`,
      );
      void vscode.window
        .showInformationMessage(`Wrote ${summary.records.toLocaleString('en-US')} records to ${rel(out)}.`, 'Evaluate', 'Open')
        .then((a) => {
          if (a === 'Evaluate') void vscode.commands.executeCommand('escStudio.evaluate', vscode.Uri.file(out));
          else if (a === 'Open') void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(out));
        });
      void feature.tree.refresh();
      return { status: 'done', out, summary, progress };
    }
    const kept = progress
      ? `${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} turns`
      : 'The finished turns';
    if (error instanceof CancelledError) {
      ctx.log.info(`Run inference: stopped; ${kept} kept in ${checkpointPath(out)}`);
      void vscode.window
        .showInformationMessage(
          `Inference stopped. ${kept} are kept in ${path.basename(checkpointPath(out))}; running it again with the same output resumes from there.`,
          'Resume',
        )
        .then((a) => a && vscode.commands.executeCommand('escStudio.runInference', again));
      return { status: 'cancelled', out, progress };
    }
    const message = (error?.message ?? 'unknown failure').replace(/\.$/, '');
    ctx.log.error(`Run inference: ${message}`);
    const name = error?.name;
    const keptNote = progress && progress.done > 0 ? ` ${kept} are kept; running it again resumes.` : '';
    if (name === INFER_FAILURES.gold) {
      // the same words as esc infer's refusal: what the file is, why, what to pass instead
      void vscode.window.showErrorMessage(`${path.basename(file)}: ${message}`);
    } else if (name === INFER_FAILURES.input) {
      void vscode.window.showErrorMessage(`${path.basename(file)} is not a vanilla SFT file: ${message}`);
    } else if (name === INFER_FAILURES.checkpoint) {
      void vscode.window.showErrorMessage(message, 'Delete Checkpoint and Start Over').then(async (a) => {
        if (!a) return;
        await rm(checkpointPath(out), { force: true });
        // started over, an existing output is asked about again before it is replaced
        await vscode.commands.executeCommand('escStudio.runInference', again);
      });
    } else if ((name === INFER_FAILURES.inference || name === INFER_FAILURES.model) && source === 'playground') {
      // the message names the endpoint ("the generator at http://… failed after 5 attempts: …")
      const role = (error as { code?: string }).code;
      const which = name === INFER_FAILURES.model && role ? `The Playground’s ${role === 'joint' ? 'vanilla' : role} endpoint: ` : '';
      void vscode.window
        .showErrorMessage(`Inference failed. ${which}${message}.${keptNote}`, 'Test Connection', 'Configure Playground Endpoints', 'Resume')
        .then((a) => {
          if (a === 'Test Connection') void vscode.commands.executeCommand('escStudio.testPlaygroundConnection');
          else if (a === 'Configure Playground Endpoints') void vscode.commands.executeCommand('escStudio.configurePlaygroundEndpoints');
          else if (a === 'Resume') void vscode.commands.executeCommand('escStudio.runInference', again);
        });
    } else {
      void vscode.window.showErrorMessage(`Inference failed: ${message}.${keptNote}`, 'Show Log').then((a) => a && ctx.log.show());
    }
    return { status: 'failed', out, progress, error: message };
  }

  ctx.command('escStudio.runInference', () => (arg?: unknown) => runInferenceCommand(arg));
}
