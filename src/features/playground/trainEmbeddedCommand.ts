// ESC: Train Embedded Models from Dataset — picks the training file (and optionally planner pairs and
// a test file) among the workspace's detected datasets, trains in a worker thread with a cancellable
// progress notification, reports held-out planner scores, and offers to use the models.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { assertReplaceable } from '../../core/embedded/modelFolder';
import { TRAIN_KINDS } from '../../core/embedded/trainingData';
import type { TrainEmbeddedReport } from '../../core/embedded/trainEmbedded';
import type { TrainWorkerData, TrainWorkerMethods } from '../../core/embedded/trainWorker';
import { KIND_LABELS, type DatasetKind } from '../../core/formats/kinds';
import { CancelledError } from '../../core/util/cancel';
import { RpcClient } from '../../core/util/workerRpc';
import type { Ctx } from '../ctx';
import type { DatasetsTree } from '../datasets';
import { uriOf } from '../targetFile';
import type { PlaygroundBackends } from './backends';
import type { PlaygroundSession } from './session';

type FileItem = vscode.QuickPickItem & { uri?: vscode.Uri; browse?: boolean; none?: boolean };

const rel = (uri: vscode.Uri): string => vscode.workspace.asRelativePath(uri, true);

async function pickFile(
  datasets: DatasetsTree,
  kinds: readonly DatasetKind[],
  title: string,
  placeholder: string,
  none?: string,
): Promise<vscode.Uri | null | undefined> {
  await datasets.ready();
  const items: FileItem[] = [];
  if (none) items.push({ label: none, none: true });
  for (const d of datasets.datasets.filter((x) => kinds.includes(x.kind))) {
    items.push({
      label: path.basename(d.uri.fsPath),
      description: rel(d.uri),
      detail: `${KIND_LABELS[d.kind]} · ${d.records} records`,
      uri: d.uri,
    });
  }
  items.push({ label: '$(folder-opened) Browse…', browse: true });
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: placeholder,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!choice) return undefined;
  if (choice.none) return null;
  if (choice.uri) return choice.uri;
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'ESC datasets': ['json', 'jsonl'] } });
  return picked?.[0];
}

/** The report, or undefined when the user cancelled before the models were written. */
async function runWorker(
  ctx: Ctx,
  data: TrainWorkerData,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<TrainEmbeddedReport | undefined> {
  const rpc = new RpcClient<TrainWorkerMethods>(new Worker(path.join(ctx.extensionUri.fsPath, 'dist', 'trainWorker.js')), {
    name: 'the training worker',
  });
  // asked to stop, the worker finishes what cannot be interrupted (writing the folder) and answers
  const abort = new AbortController();
  const cancel = token.onCancellationRequested(() => {
    progress.report({ message: 'Cancelling…' });
    abort.abort();
  });
  let done = 0;
  try {
    return await rpc.call('train', data, {
      signal: abort.signal,
      onProgress: ({ message, fraction }) => {
        progress.report({ message, increment: Math.max(0, fraction * 100 - done) });
        done = Math.max(done, fraction * 100);
      },
    });
  } catch (e) {
    if (e instanceof CancelledError) return undefined;
    throw e;
  } finally {
    cancel.dispose();
    void rpc.terminate();
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function reportMarkdown(r: TrainEmbeddedReport, files: { train: string; pref?: string; test?: string }): string {
  const row = (name: string, s: { accuracy: number; weighted_f1: number; macro_f1: number }): string =>
    `| ${name} | ${pct(s.accuracy)} | ${pct(s.weighted_f1)} | ${pct(s.macro_f1)} |`;
  const c = r.counts;
  return [
    '# Embedded models — held-out planner scores',
    '',
    `Trained on \`${files.train}\`${files.pref ? `, DPO pairs from \`${files.pref}\`` : ''}. Written to \`${r.out}\`.`,
    '',
    `Tested on ${c.testTurns} supporter turns (${r.testSource === 'file' ? `\`${files.test}\`` : 'a held-out 10% of the dialogues, never seen in training'}).`,
    '',
    '| planner | accuracy | weighted F1 | macro F1 |',
    '|---|---|---|---|',
    row(`majority class (${r.majority.strategy})`, r.majority),
    row('SFT', r.sft),
    row('SFT + DPO', r.dpo),
    '',
    `- Planner: ${c.trainTurns} training turns; ${c.pairs} DPO pairs (${c.pairSource === 'mined' ? 'mined where the SFT planner disagreed with gold on its training data, as IPM built its planner pairs' : c.pairSource === 'file' ? 'from the preference file' : 'none — SFT only'}).`,
    `- Generator: a retrieval baseline over ${c.bank} supporter responses (it can only repeat responses it has seen).`,
    c.skipped ? `- ${c.skipped} records or turns were skipped (no usable strategy or unreadable).` : '',
    '',
  ].join('\n');
}

/** Resolves with the report once the models are written (undefined when cancelled or failed); the follow-up prompt is not awaited. */
export async function trainEmbeddedCommand(
  ctx: Ctx,
  datasets: DatasetsTree,
  backends: PlaygroundBackends,
  session: PlaygroundSession,
  arg?: unknown,
): Promise<TrainEmbeddedReport | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window
      .showErrorMessage('Open a folder first: the embedded models are written into the workspace (.esc/models/).', 'Open Folder')
      .then((a) => a && vscode.commands.executeCommand('vscode.openFolder'));
    return;
  }
  const train =
    uriOf(arg) ??
    (await pickFile(
      datasets,
      TRAIN_KINDS,
      'Train Embedded Models (1/3): training data',
      'ESConv dialogues, or a vanilla / generator / planner SFT file',
    ));
  if (!train) return;
  const pref = await pickFile(
    datasets,
    ['pref-planner'],
    'Train Embedded Models (2/3): planner preference pairs for DPO',
    'Optional',
    'No file: mine pairs from the SFT planner’s mistakes (as IPM did)',
  );
  if (pref === undefined) return;
  const test = await pickFile(
    datasets,
    TRAIN_KINDS,
    'Train Embedded Models (3/3): test data',
    'Where the planner is scored',
    'Hold out 10% of the training dialogues',
  );
  if (test === undefined) return;
  const stem = path
    .basename(train.fsPath)
    .replace(/\.jsonl?$/i, '')
    .replace(/[^\w.-]+/g, '-');
  const outRel = await vscode.window.showInputBox({
    title: 'Train Embedded Models: output folder (relative to the workspace)',
    value: path.posix.join('.esc', 'models', stem),
    ignoreFocusOut: true,
    // refused here, not after the training: a folder with other files is never replaced
    validateInput: async (v) => {
      if (!v.trim()) return 'A folder name is needed';
      try {
        await assertReplaceable(path.resolve(folder.uri.fsPath, v.trim()));
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
  });
  if (!outRel) return;
  const out = path.resolve(folder.uri.fsPath, outRel.trim());
  const data: TrainWorkerData = {
    train: train.fsPath,
    pref: pref?.fsPath,
    test: test?.fsPath,
    out,
    createdBy: `ESC Studio ${ctx.version}`,
  };
  let report: TrainEmbeddedReport | undefined;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Training embedded models', cancellable: true },
      (progress, token) => runWorker(ctx, data, progress, token),
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.log.error(`Train embedded models: ${message}`);
    const action = await vscode.window.showErrorMessage(`Training the embedded models failed: ${message}`, 'Pick Another File', 'Show Log');
    if (action === 'Pick Another File') void vscode.commands.executeCommand('escStudio.trainEmbedded');
    else if (action === 'Show Log') ctx.log.show();
    return undefined;
  }
  if (!report) {
    void vscode.window.showInformationMessage('Training cancelled; the previous models are unchanged.');
    return undefined;
  }
  // the folder may be the one in use: load it afresh next time
  backends.reloadEmbedded();
  const md = reportMarkdown(report, { train: rel(train), pref: pref ? rel(pref) : undefined, test: test ? rel(test) : undefined });
  ctx.log.info(md);
  const summary = `Embedded models trained. Held-out planner accuracy: SFT ${pct(report.sft.accuracy)}, SFT+DPO ${pct(report.dpo.accuracy)} (majority class ${pct(report.majority.accuracy)}).`;
  void vscode.window.showInformationMessage(summary, 'Use in Playground', 'Show Report').then(async (action) => {
    if (action === 'Use in Playground') {
      const inWorkspace = !path.relative(folder.uri.fsPath, out).startsWith('..');
      await vscode.workspace
        .getConfiguration('escStudio.playground')
        .update('embeddedModels', inWorkspace ? path.relative(folder.uri.fsPath, out) : out, vscode.ConfigurationTarget.Workspace);
      session.broadcast();
      void vscode.commands.executeCommand('escStudio.openPlayground');
    } else if (action === 'Show Report') {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: md });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  });
  return report;
}
