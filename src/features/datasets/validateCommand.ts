// ESC: Validate Dataset — streams every record through its schema in the dataset tasks worker, with a
// cancellable progress notification, and puts each invalid record in the Problems panel: at its exact
// line/column when the file is small enough for VS Code to open as text, at the top of the file (with
// record index and byte offset in the message) otherwise.

import * as vscode from 'vscode';
import { problemsSentence } from '../../core/dataset/problemWords';
import type { Validated } from '../../core/dataset/worker/tasks';
import { CancelledError } from '../../core/util/cancel';
import type { Ctx } from '../ctx';
import { requireLocal, targetFile } from '../targetFile';
import type { DatasetTasks } from './datasetTasks';
import { withFileProgress } from './fileProgress';

/** VS Code does not hand files over 50 MB to extensions as text documents. */
const TEXT_DOCUMENT_LIMIT = 50 * 1024 * 1024;

export const validateDataset = (ctx: Ctx, tasks: DatasetTasks, diagnostics: vscode.DiagnosticCollection) => async (arg?: unknown) => {
  const uri = await targetFile(arg, 'Validate');
  if (!uri || !requireLocal(uri)) return undefined;
  const name = vscode.workspace.asRelativePath(uri);
  let validated: Validated;
  try {
    validated = await withFileProgress(
      `Validating ${name}`,
      uri,
      (opts) => tasks.call('validate', { path: uri.fsPath, positionsBelow: TEXT_DOCUMENT_LIMIT }, opts),
      true,
    );
  } catch (err) {
    if (err instanceof CancelledError) return undefined;
    void vscode.window.showErrorMessage(`${name}: cannot validate: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  const { report } = validated;
  diagnostics.set(uri, toDiagnostics(validated));
  ctx.log.info(
    `Validate ${uri.fsPath}: ${report.kind}, ${report.records} records, ${report.invalidRecords} invalid, ${report.problems.length} problem(s) listed`,
  );
  if (report.valid) {
    void vscode.window.showInformationMessage(`${name}: ${report.records} ${report.kind} records, all valid.`);
  } else {
    // Not awaited: the command returns its report while the notification waits for the user.
    void vscode.window
      .showWarningMessage(
        `${name}: ${problemsSentence({ records: report.records, invalid: report.invalidRecords, problemCount: Math.max(report.problems.length, report.invalidRecords), problems: report.problems }) ?? 'invalid.'}`,
        'Show Problems',
      )
      .then((choice) => choice === 'Show Problems' && vscode.commands.executeCommand('workbench.actions.view.problems'));
  }
  return report;
};

function toDiagnostics({ report, positions }: Validated): vscode.Diagnostic[] {
  return report.problems.map((p, i) => {
    const pos = positions?.[i] ?? { line: 0, character: 0 };
    const at = new vscode.Position(pos.line, pos.character);
    const where = p.index === undefined ? `byte ${p.offset}` : `record ${p.index}, byte ${p.offset}`;
    const d = new vscode.Diagnostic(
      new vscode.Range(at, at.translate(0, 1)),
      `${p.path ? p.path + ': ' : ''}${p.message} (${where})`,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = 'ESC Studio';
    return d;
  });
}
