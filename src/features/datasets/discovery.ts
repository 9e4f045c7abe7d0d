// Finds the ESC datasets of the workspace: every file matching the include/exclude settings whose
// head classifies as a dataset kind. The reading happens in the inspect worker; results are cached
// by size and modification time, so a change re-inspects only the files that changed.

import * as vscode from 'vscode';
import type { Detection } from '../../core/formats/detect';
import type { DatasetKind } from '../../core/formats/kinds';
import { datasetsConfig } from '../config';
import type { InspectClient } from './inspectClient';

export interface DatasetEntry {
  uri: vscode.Uri;
  kind: DatasetKind;
  detection: Detection;
  size: number;
  records: number;
  /** Problems found while counting (truncation, syntax between records). */
  problems: number;
}

export class Discovery {
  private readonly cache = new Map<string, { key: string; entry: DatasetEntry | undefined }>();

  constructor(private readonly inspector: InspectClient) {}

  async discover(token?: vscode.CancellationToken): Promise<DatasetEntry[]> {
    const cfg = datasetsConfig();
    const uris = await vscode.workspace.findFiles(cfg.include, cfg.exclude, cfg.maxFiles, token);
    const seen = new Set<string>();
    const entries: DatasetEntry[] = [];
    for (const uri of uris) {
      if (token?.isCancellationRequested) break;
      if (uri.scheme !== 'file') continue; // core reads through Node's fs
      seen.add(uri.toString());
      const entry = await this.inspect(uri).catch(() => undefined);
      if (entry) entries.push(entry);
    }
    for (const k of [...this.cache.keys()]) if (!seen.has(k)) this.cache.delete(k);
    entries.sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
    return entries;
  }

  private async inspect(uri: vscode.Uri): Promise<DatasetEntry | undefined> {
    const stat = await vscode.workspace.fs.stat(uri);
    const key = `${stat.size}:${stat.mtime}`;
    const cached = this.cache.get(uri.toString());
    if (cached?.key === key) return cached.entry;
    const r = await this.inspector.request({ type: 'inspect', path: uri.fsPath });
    const entry =
      r.detection.kind === 'unknown'
        ? undefined
        : { uri, kind: r.detection.kind, detection: r.detection, size: r.size, records: r.records, problems: r.problems };
    this.cache.set(uri.toString(), { key, entry });
    return entry;
  }
}
