// ESC: Detect Dataset Kind — says what a file is, with a one-click follow-up.

import * as vscode from 'vscode';
import { describeContainer, describeLayout } from '../../core/formats/describe';
import { inspectFile } from '../../core/formats/detect';
import { KIND_LABELS } from '../../core/formats/kinds';
import type { Ctx } from '../ctx';
import { requireLocal, targetFile } from '../targetFile';

export const detectDataset = (ctx: Ctx) => async (arg?: unknown) => {
  const uri = await targetFile(arg, 'Detect Kind');
  if (!uri || !requireLocal(uri)) return undefined;
  const name = vscode.workspace.asRelativePath(uri);
  try {
    const { detection, records } = await inspectFile(uri.fsPath, { countUnknown: true });
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
    void vscode.window.showErrorMessage(`${name}: cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
};
