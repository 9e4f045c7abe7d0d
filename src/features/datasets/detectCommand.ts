// ESC: Detect Dataset Kind — says what a file is, with a one-click follow-up. The file is read in the
// dataset tasks worker (counting the records of a large file takes a while: progress and Cancel).

import * as vscode from 'vscode';
import { describeContainer, describeLayout } from '../../core/formats/describe';
import { KIND_LABELS } from '../../core/formats/kinds';
import { CancelledError } from '../../core/util/cancel';
import type { Ctx } from '../ctx';
import { requireLocal, targetFile } from '../targetFile';
import type { DatasetTasks } from './datasetTasks';
import { withFileProgress } from './fileProgress';

export const detectDataset = (ctx: Ctx, tasks: DatasetTasks) => async (arg?: unknown) => {
  const uri = await targetFile(arg, 'Detect Kind');
  if (!uri || !requireLocal(uri)) return undefined;
  const name = vscode.workspace.asRelativePath(uri);
  try {
    const { detection, records } = await withFileProgress(`Detecting the kind of ${name}`, uri, (opts) =>
      tasks.call('detect', { path: uri.fsPath }, opts),
    );
    if (detection.problem) {
      void vscode.window.showErrorMessage(`${name}: ${detection.problem.message}`);
      return detection;
    }
    const layout = describeLayout(detection.layout);
    const what =
      detection.kind === 'unknown'
        ? `not an ESC dataset (${detection.layout.reason ?? 'unknown layout'})`
        : `${KIND_LABELS[detection.kind]} (${detection.kind}), ${records} records`;
    ctx.log.info(
      `Detect ${uri.fsPath}: ${detection.kind}, ${records} records; ${describeContainer(detection.container, detection.bom)}; ${layout}`,
    );
    // Not awaited: the command returns the detection while the notification waits for the user.
    void vscode.window
      .showInformationMessage(
        `${name}: ${what}. ${describeContainer(detection.container, detection.bom)}${layout ? `; ${layout}` : ''}.`,
        'Validate',
      )
      .then((choice) => choice === 'Validate' && vscode.commands.executeCommand('escStudio.validateDataset', uri));
    return detection;
  } catch (err) {
    if (err instanceof CancelledError) return undefined;
    void vscode.window.showErrorMessage(`${name}: cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
};
