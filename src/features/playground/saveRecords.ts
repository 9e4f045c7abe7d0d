// "Save conversation" and "Keep both": the Playground's dialogue appended as vanilla / planner /
// generator SFT records, or a marked pair as a planner / generator preference record, to a file the
// user picks (a detected dataset of the right kind, another file, or a new one). Appending is atomic
// and leaves the file's other records byte for byte (core/dataset/append.ts); it runs in the dataset
// tasks worker, with progress and Cancel for a large file (every record of it is read first).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { usable } from '../../core/playground/conversation';
import {
  generatorPreferenceRecord,
  generatorSftRecords,
  plannerPreferenceRecord,
  plannerSftRecords,
  vanillaSftRecords,
  type SavedRecord,
} from '../../core/playground/records';
import { KIND_LABELS, type DatasetKind } from '../../core/formats/kinds';
import { CancelledError } from '../../core/util/cancel';
import type { SaveAs } from '../../protocol/playground';
import type { Ctx } from '../ctx';
import { withFileProgress, type DatasetsTree } from '../datasets';
import type { PlaygroundSession } from './session';

type Target = vscode.QuickPickItem & { uri?: vscode.Uri; action?: 'browse' | 'new' };

const SFT_KIND: Record<SaveAs, DatasetKind> = { vanilla: 'sft-vanilla', planner: 'sft-planner', generator: 'sft-generator' };

async function pickTarget(datasets: DatasetsTree, kind: DatasetKind, suggested: string): Promise<vscode.Uri | undefined> {
  await datasets.ready();
  // only files that parse whole (no truncation or syntax error: appending would rewrite a broken file)
  const items: Target[] = datasets.datasets
    .filter((d) => d.kind === kind && d.problems === 0)
    .map((d) => ({
      label: path.basename(d.uri.fsPath),
      description: vscode.workspace.asRelativePath(d.uri, true),
      detail: `${d.records} records`,
      uri: d.uri,
    }));
  items.push({ label: '$(new-file) New file…', action: 'new' }, { label: '$(folder-opened) Append to another file…', action: 'browse' });
  const choice = await vscode.window.showQuickPick(items, {
    title: `Append to a ${KIND_LABELS[kind]} file`,
    placeHolder: 'Records are appended; the file’s other records are left as they are',
    ignoreFocusOut: true,
  });
  if (!choice) return undefined;
  if (choice.uri) return choice.uri;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (choice.action === 'new') {
    return vscode.window.showSaveDialog({
      title: 'New dataset file',
      defaultUri: root && vscode.Uri.joinPath(root, suggested),
      filters: { JSON: ['json'], 'JSON Lines': ['jsonl'] },
    });
  }
  const picked = await vscode.window.showOpenDialog({
    title: 'Append to',
    canSelectMany: false,
    defaultUri: root,
    filters: { 'ESC datasets': ['json', 'jsonl'] },
  });
  return picked?.[0];
}

async function append(
  ctx: Ctx,
  session: PlaygroundSession,
  datasets: DatasetsTree,
  kind: DatasetKind,
  records: SavedRecord[],
  suggested: string,
): Promise<void> {
  const target = await pickTarget(datasets, kind, suggested);
  if (!target) return;
  if (target.scheme !== 'file') {
    session.notice('error', `ESC Studio writes datasets to the file system; ${target.toString()} is not a file path.`);
    return;
  }
  const where = vscode.workspace.asRelativePath(target, true);
  try {
    const r = await withFileProgress(`Appending to ${where}`, target, (opts) =>
      datasets.tasks.call('append', { path: target.fsPath, records, kind }, opts),
    );
    session.notice(
      'info',
      `Appended ${r.appended} ${KIND_LABELS[kind]} record${r.appended === 1 ? '' : 's'} to ${where} (${r.total} in the file).`,
    );
    void datasets.refresh();
  } catch (e) {
    if (e instanceof CancelledError) {
      session.notice('info', `Cancelled; nothing was appended to ${where}.`);
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    ctx.log.error(`Playground save: ${message}`);
    session.notice('error', message);
  }
}

export async function saveConversation(ctx: Ctx, session: PlaygroundSession, datasets: DatasetsTree, as: SaveAs): Promise<void> {
  const dialogue = session.conversation.dialogue();
  if (!dialogue.some((t) => t.speaker === 'supporter')) {
    session.notice('error', 'Nothing to save yet: the conversation has no finished supporter reply.');
    return;
  }
  let records: SavedRecord[];
  try {
    records =
      as === 'vanilla' ? vanillaSftRecords(dialogue) : as === 'planner' ? plannerSftRecords(dialogue) : generatorSftRecords(dialogue);
  } catch (e) {
    session.notice('error', `Cannot save as ${as} SFT: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  await append(ctx, session, datasets, SFT_KIND[as], records, `playground-${as}-sft.json`);
}

export async function savePair(
  ctx: Ctx,
  session: PlaygroundSession,
  datasets: DatasetsTree,
  turnId: string,
  chosen: number,
  rejected: number,
  as: 'planner' | 'generator',
): Promise<void> {
  const turn = session.conversation.supporter(turnId);
  const a = turn?.candidates[chosen];
  const b = turn?.candidates[rejected];
  if (!turn || !usable(a) || !usable(b) || chosen === rejected) {
    session.notice('error', 'Pick two finished replies of the same turn to save a preference pair.');
    return;
  }
  if (!a.strategy || !b.strategy) {
    session.notice('error', 'Both replies need a strategy to be saved as a pair (a vanilla answer without a [Strategy] tag has none).');
    return;
  }
  const history = session.conversation.dialogue(turnId);
  let record: SavedRecord;
  try {
    record =
      as === 'planner'
        ? plannerPreferenceRecord(history, a.strategy, b.strategy)
        : generatorPreferenceRecord(history, a.strategy, a.reply, b.reply);
    if (as === 'generator' && a.strategy !== b.strategy) {
      throw new Error(
        `a generator pair holds the strategy fixed, but these replies use ${a.strategy} and ${b.strategy}; save them as a planner pair instead`,
      );
    }
  } catch (e) {
    session.notice('error', `Cannot save the pair: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  await append(ctx, session, datasets, as === 'planner' ? 'pref-planner' : 'pref-generator', [record], `playground-${as}-pairs.json`);
}
