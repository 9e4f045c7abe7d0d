// ESC: Prepare Datasets from ESConv… — the editor's `esc convert esconv`: guided picks (the ESConv file,
// the output folder, split and seed, layout and format, an optional dataset_info.json), then the
// conversion in a worker thread (core/prepare/prepareWorker.ts: ESConv-sized data takes most of a
// second) with a cancellable progress notification; the written files are revealed in the Datasets view
// and offered to New Decoupled Experiment and the viewer. It only reads and writes files, so it works
// in untrusted workspaces too. Tests (and other commands) pass a PrepareOptions object to skip the picks.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import {
  defaultFormat,
  esconvFileNames,
  OUTPUT_FORMATS,
  registrationConflicts,
  type Role,
  type OutputFormat,
  type OutputLayout,
  type PrepareEsconvSummary,
} from '../../core/prepare/prepare';
import type { PreparePhase, PrepareWorkerMethods } from '../../core/prepare/prepareWorker';
import { DEFAULT_SEED, DEFAULT_SPLIT, parseSeed, parseSplit, SplitSpecError, type SplitRatios } from '../../core/prepare/split';
import { CancelledError } from '../../core/util/cancel';
import { RpcClient } from '../../core/util/workerRpc';
import type { Ctx } from '../ctx';
import { uriOf } from '../targetFile';
import type { DatasetsTree } from './datasetsTree';

/** Everything the picks ask for; given whole (e.g. by a test), the command asks nothing. */
export interface PrepareOptions {
  file: string;
  out: string;
  /** "0.8,0.1,0.1" or ratios; default 0.8/0.1/0.1. */
  split?: string | SplitRatios;
  seed?: number;
  format?: OutputFormat;
  layout?: OutputLayout;
  /** A dataset_info.json to merge the written files into (created if absent). */
  register?: string;
  /** Replace files of the same names in the output folder (otherwise refused). */
  force?: boolean;
  /** Repoint dataset_info.json entries of the same names that name other files (otherwise refused); asked separately. */
  forceRegister?: boolean;
}

const TITLE = 'Prepare datasets from ESConv';
const isOptions = (arg: unknown): arg is PrepareOptions =>
  typeof arg === 'object' &&
  arg !== null &&
  typeof (arg as PrepareOptions).file === 'string' &&
  typeof (arg as PrepareOptions).out === 'string';

const PHASES: Record<PreparePhase, string> = {
  reading: 'reading and checking the dialogues…',
  converting: 'converting and splitting…',
  writing: 'writing the files…',
};

export const prepareDatasets =
  (ctx: Ctx, tree: DatasetsTree) =>
  async (arg?: unknown): Promise<PrepareEsconvSummary | undefined> => {
    const options = isOptions(arg) ? arg : await pick(tree, arg);
    if (!options) return undefined;
    let split: SplitRatios;
    try {
      split = typeof options.split === 'string' ? parseSplit(options.split) : (options.split ?? DEFAULT_SPLIT);
    } catch (err) {
      if (!(err instanceof SplitSpecError)) throw err;
      void vscode.window.showErrorMessage(`${TITLE}: ${err.message}`);
      return undefined;
    }
    const layout = options.layout ?? 'sharegpt';
    const params = {
      input: options.file,
      out: options.out,
      split,
      seed: options.seed ?? DEFAULT_SEED,
      layout,
      format: options.format ?? defaultFormat(layout),
      register: options.register,
      force: options.force,
      forceRegister: options.forceRegister,
    };
    let summary: PrepareEsconvSummary;
    try {
      summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `${TITLE}: ${path.basename(options.file)}`, cancellable: true },
        async (progress, token) => {
          const rpc = new RpcClient<PrepareWorkerMethods>(new Worker(path.join(ctx.extensionUri.fsPath, 'dist', 'prepareWorker.js')), {
            name: 'the prepare worker',
          });
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            return await rpc.call('esconv', params, {
              signal: abort.signal,
              onProgress: (phase) => progress.report({ message: PHASES[phase] }),
            });
          } finally {
            sub.dispose();
            await rpc.terminate();
          }
        },
      );
    } catch (err) {
      if (err instanceof CancelledError) return undefined;
      const message = err instanceof Error ? err.message : String(err);
      ctx.log.error(`Prepare ${options.file}: ${message}`);
      void vscode.window.showErrorMessage(`${TITLE}: ${message}`);
      return undefined;
    }
    ctx.log.info(
      `Prepare ${summary.input} → ${summary.out}: ${summary.files.map((f) => `${path.basename(f.path)} (${f.records})`).join(', ')}; ` +
        `mapped labels ${JSON.stringify(summary.mappedLabels)}; skipped ${summary.skipped.length} dialogue(s)` +
        (summary.registered ? `; registered in ${summary.registered.file}` : ''),
    );
    await vscode.commands.executeCommand('escStudio.refreshDatasets');
    const first = summary.files[0];
    if (first) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(first.path)).then(undefined, () => undefined);
    const d = summary.dialogues;
    const labels = Object.entries(summary.mappedLabels).map(([label, m]) => `${m.count} "${label}" → ${m.to}`);
    const mapped =
      summary.mappedTotal === 0
        ? 'no labels to map'
        : `${summary.mappedTotal} label(s) mapped (${labels.slice(0, 3).join(', ')}${labels.length > 3 ? ', …' : ''})`;
    // not awaited: the command returns its summary while the notification waits for the user
    void vscode.window
      .showInformationMessage(
        `Prepared ${summary.files.length} files in ${vscode.workspace.asRelativePath(summary.out)}: ${d.train}/${d.val}/${d.test} dialogues ` +
          `(train/val/test), ${mapped}${summary.skipped.length > 0 ? `, ${summary.skipped.length} dialogue(s) skipped (see the log)` : ''}.`,
        'New Decoupled Experiment',
        'Open in Viewer',
      )
      .then((choice) => {
        if (choice === 'New Decoupled Experiment') return vscode.commands.executeCommand('escStudio.newExperiment');
        if (choice === 'Open in Viewer' && first) {
          return vscode.commands.executeCommand('escStudio.openViewer', vscode.Uri.file(first.path));
        }
        return undefined;
      });
    return summary;
  };

/** The picks, in order; undefined when the user backs out of any. */
async function pick(tree: DatasetsTree, arg: unknown): Promise<PrepareOptions | undefined> {
  const file = await pickEsconv(tree, arg);
  if (!file) return undefined;
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const out = await pickOutFolder(workspace ? path.join(workspace, 'data', 'prepared') : path.join(path.dirname(file), 'prepared'));
  if (!out) return undefined;
  const splitText = await vscode.window.showInputBox({
    title: `${TITLE} (3/6): split train,val,test`,
    value: '0.8,0.1,0.1',
    prompt: 'Shares of the dialogues (a dialogue-level split), summing to 1',
    validateInput: (v) => validate(() => parseSplit(v)),
  });
  if (splitText === undefined) return undefined;
  const seedText = await vscode.window.showInputBox({
    title: `${TITLE} (4/6): seed`,
    value: String(DEFAULT_SEED),
    prompt: 'The same seed gives the same split on any machine',
    validateInput: (v) => validate(() => parseSeed(v)),
  });
  if (seedText === undefined) return undefined;
  const layoutPick = await vscode.window.showQuickPick(
    [
      { label: 'sharegpt', description: 'LLaMA-Factory (role/content messages)', layout: 'sharegpt' as const },
      { label: 'trl', description: 'TRL conversational {"messages"} — the same records, JSON Lines by default', layout: 'trl' as const },
    ],
    { title: `${TITLE} (5/6): layout` },
  );
  if (!layoutPick) return undefined;
  const preferred = defaultFormat(layoutPick.layout);
  const formatPick = await vscode.window.showQuickPick(
    [preferred, ...OUTPUT_FORMATS.filter((f) => f !== preferred)].map((f) => ({
      label: f,
      description: f === 'json' ? 'one JSON array per file' : 'JSON Lines, one record per line',
      format: f,
    })),
    { title: `${TITLE} (5/6): format` },
  );
  if (!formatPick) return undefined;
  const register = await pickRegister(workspace);
  if (register === null) return undefined;
  const options: PrepareOptions = {
    file,
    out,
    split: splitText,
    seed: parseSeed(seedText),
    layout: layoutPick.layout,
    format: formatPick.format,
    register,
  };
  const existing = await existingTargets(options);
  if (existing.length > 0) {
    const replace = await vscode.window.showWarningMessage(
      `${out} already holds ${existing.join(', ')}.`,
      { modal: true, detail: 'Replace them with the new files? (Other files in the folder are left alone.)' },
      'Replace',
    );
    if (replace !== 'Replace') return undefined;
    options.force = true;
  }
  if (register !== undefined) {
    // repointing someone's registrations is its own question: "Replace" above was about the folder only
    const split = parseSplit(splitText);
    const files = esconvFileNames(split, formatPick.format).map((name) => ({
      path: path.join(out, name),
      role: name.slice(0, name.indexOf('_')) as Role,
    }));
    let taken;
    try {
      taken = await registrationConflicts(register, files);
    } catch (err) {
      void vscode.window.showErrorMessage(`${TITLE}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    if (taken.length > 0) {
      const repoint = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(register)} already registers ${taken.length} of these names for other files.`,
        {
          modal: true,
          detail:
            taken.map((t) => `${t.name} → ${String(t.from)} would point to ${t.to}`).join('\n') + '\n\nRepoint them? (No writes nothing.)',
        },
        'Repoint',
      );
      if (repoint !== 'Repoint') return undefined;
      options.forceRegister = true;
    }
  }
  return options;
}

const validate = (check: () => unknown): string | undefined => {
  try {
    check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

/** The ESConv file: the one the command was invoked on (checked to be ESConv when the Datasets view knows it), else a pick. */
async function pickEsconv(tree: DatasetsTree, arg: unknown): Promise<string | undefined> {
  await tree.ready();
  const given = uriOf(arg);
  if (given) {
    const known = tree.datasets.find((d) => d.uri.fsPath === given.fsPath);
    if (known && known.kind !== 'esconv') {
      void vscode.window.showErrorMessage(
        `${vscode.workspace.asRelativePath(given)} is a ${known.kind} file; Prepare Datasets reads raw ESConv dialogues (ESConv.json, FailedESConv.json).`,
      );
      return undefined;
    }
    return given.fsPath;
  }
  const BROWSE = 'Browse…';
  const items = [
    ...tree.datasets
      .filter((d) => d.kind === 'esconv')
      .map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), description: `${d.records} dialogues`, file: d.uri.fsPath })),
    { label: BROWSE, description: 'an ESConv.json or FailedESConv.json elsewhere', file: '' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${TITLE} (1/6): ESConv file` });
  if (!picked) return undefined;
  if (picked.label !== BROWSE) return picked.file;
  const chosen = await vscode.window.showOpenDialog({
    title: `${TITLE}: ESConv file`,
    canSelectMany: false,
    filters: { 'ESConv JSON': ['json'], 'All files': ['*'] },
  });
  return chosen?.[0]?.fsPath;
}

async function pickOutFolder(fallback: string): Promise<string | undefined> {
  const CHOOSE = 'Choose a folder…';
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.workspace.asRelativePath(fallback), description: 'default', folder: fallback },
      { label: CHOOSE, description: '', folder: '' },
    ],
    { title: `${TITLE} (2/6): output folder` },
  );
  if (!picked) return undefined;
  if (picked.label !== CHOOSE) return picked.folder;
  const chosen = await vscode.window.showOpenDialog({ title: `${TITLE}: output folder`, canSelectFolders: true, canSelectFiles: false });
  return chosen?.[0]?.fsPath;
}

/** A dataset_info.json path, undefined to skip, null when the user backed out. */
async function pickRegister(workspace: string | undefined): Promise<string | undefined | null> {
  const found = await vscode.workspace.findFiles('**/dataset_info.json', '**/node_modules/**', 50);
  const SKIP = 'Skip';
  const NEW = 'Create a new dataset_info.json…';
  const picked = await vscode.window.showQuickPick(
    [
      { label: SKIP, description: 'do not register the files', file: '' },
      ...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: 'merge one entry per file', file: u.fsPath })),
      { label: NEW, description: 'LLaMA-Factory dataset_info.json', file: '' },
    ],
    { title: `${TITLE} (6/6): register in a LLaMA-Factory dataset_info.json?` },
  );
  if (!picked) return null;
  if (picked.label === SKIP) return undefined;
  if (picked.label !== NEW) return picked.file;
  const target = await vscode.window.showSaveDialog({
    title: 'New dataset_info.json',
    defaultUri: vscode.Uri.file(path.join(workspace ?? '.', 'data', 'dataset_info.json')),
    filters: { JSON: ['json'] },
  });
  return target ? target.fsPath : null;
}

/** Names of the files the conversion would write that are already in the folder. */
async function existingTargets(o: PrepareOptions): Promise<string[]> {
  const split = typeof o.split === 'string' ? parseSplit(o.split) : (o.split ?? DEFAULT_SPLIT);
  const format = o.format ?? defaultFormat(o.layout ?? 'sharegpt');
  const present: string[] = [];
  for (const name of esconvFileNames(split, format)) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(path.join(o.out, name)));
      present.push(name);
    } catch {
      // absent
    }
  }
  return present;
}
