// Finds the ESC datasets of the workspace: every file matching the include/exclude settings whose
// head classifies as a dataset kind. Detection reads only the head; the count is one streaming pass.

import * as vscode from 'vscode';
import { scanFile } from '../../core/dataset/readFile';
import { detectFile, type Detection } from '../../core/formats/detect';
import type { DatasetKind } from '../../core/formats/kinds';
import { datasetsConfig } from '../config';

export interface DatasetEntry {
  uri: vscode.Uri;
  kind: DatasetKind;
  detection: Detection;
  size: number;
  records: number;
  /** Problems found while counting (truncation, syntax between records). */
  problems: number;
}

export async function discoverDatasets(token?: vscode.CancellationToken): Promise<DatasetEntry[]> {
  const cfg = datasetsConfig();
  const uris = await vscode.workspace.findFiles(cfg.include, cfg.exclude, cfg.maxFiles, token);
  const entries: DatasetEntry[] = [];
  for (const uri of uris) {
    if (token?.isCancellationRequested) break;
    if (uri.scheme !== 'file') continue; // core reads through Node's fs
    const entry = await inspect(uri).catch(() => undefined);
    if (entry) entries.push(entry);
  }
  entries.sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
  return entries;
}

async function inspect(uri: vscode.Uri): Promise<DatasetEntry | undefined> {
  const detection = await detectFile(uri.fsPath);
  if (detection.kind === 'unknown') return undefined;
  const scan = await scanFile(uri.fsPath);
  return { uri, kind: detection.kind, detection, size: scan.size, records: scan.records, problems: scan.problems.length };
}
