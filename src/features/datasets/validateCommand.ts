// ESC: Validate Dataset — streams every record through its schema with a cancellable progress
// notification and puts each invalid record in the Problems panel: at its exact line/column when the
// file is small enough for VS Code to open as text, at the top of the file (with record index and
// byte offset in the message) otherwise.

import * as vscode from 'vscode';
import { readFile, stat } from 'node:fs/promises';
import { PositionMapper } from '../../core/json/position';
import { validateFile, type ValidationReport } from '../../core/dataset/validate';
import type { Ctx } from '../ctx';
import { requireLocal, targetFile } from '../targetFile';

/** VS Code does not hand files over 50 MB to extensions as text documents. */
const TEXT_DOCUMENT_LIMIT = 50 * 1024 * 1024;

export const validateDataset = (ctx: Ctx, diagnostics: vscode.DiagnosticCollection) => async (arg?: unknown) => {
  const uri = await targetFile(arg, 'Validate');
  if (!uri || !requireLocal(uri)) return undefined;
  const name = vscode.workspace.asRelativePath(uri);
  let report: ValidationReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Validating ${name}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        return validateFile(uri.fsPath, {
          signal: abort.signal,
          onProgress: (read, size) => {
            const pct = size === 0 ? 100 : Math.floor((read / size) * 100);
            if (pct > last) progress.report({ increment: pct - last, message: `${pct}%` });
            last = pct;
          },
        }).finally(() => cancel.dispose());
      },
    );
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') return undefined;
    void vscode.window.showErrorMessage(`${name}: cannot validate: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  diagnostics.set(uri, await toDiagnostics(uri, report));
  ctx.log.info(
    `Validate ${uri.fsPath}: ${report.kind}, ${report.records} records, ${report.invalidRecords} invalid, ${report.problems.length} problem(s) listed`,
  );
  if (report.valid) {
    void vscode.window.showInformationMessage(`${name}: ${report.records} ${report.kind} records, all valid.`);
  } else {
    // Not awaited: the command returns its report while the notification waits for the user.
    void vscode.window
      .showWarningMessage(
        `${name}: ${report.invalidRecords} of ${report.records} records invalid${report.parseable ? '' : ' (the file is not parseable as a whole)'}.`,
        'Show Problems',
      )
      .then((choice) => choice === 'Show Problems' && vscode.commands.executeCommand('workbench.actions.view.problems'));
  }
  return report;
};

async function toDiagnostics(uri: vscode.Uri, report: ValidationReport): Promise<vscode.Diagnostic[]> {
  const size = (await stat(uri.fsPath)).size;
  const mapper = size < TEXT_DOCUMENT_LIMIT ? new PositionMapper(await readFile(uri.fsPath)) : undefined;
  return report.problems.map((p) => {
    const pos = mapper ? mapper.positionAt(p.offset) : { line: 0, character: 0 };
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
