// Finds the ESC datasets of the workspace: every file matching the include/exclude settings whose
// head classifies as a dataset kind, and every matching file that fails to parse or looks like ESC data
// in the wrong shape (empty, a top-level object: core/formats/candidate.ts), so a broken dataset is
// listed rather than skipped; a file that parses and is clearly not ESC data stays unlisted. The
// reading happens in the dataset tasks worker; results are cached by size and modification time, so a
// change re-inspects only the files that changed. A file that cannot be read is listed with the reason
// (never dropped in silence), and tried again next scan.

import * as vscode from 'vscode';
import type { Detection } from '../../core/formats/detect';
import type { DatasetKind } from '../../core/formats/kinds';
import { datasetsConfig } from '../config';
import type { DatasetTasks } from './datasetTasks';

export interface DatasetEntry {
  uri: vscode.Uri;
  kind: DatasetKind;
  detection: Detection;
  size: number;
  records: number;
  /** Problems found while counting (truncation, syntax between records). */
  problems: number;
  /** Size and modification time: a background check's result holds for this version only. */
  version: string;
}

/**
 * A matching file that is no dataset as it stands, with why: it could not be read (permissions, I/O
 * errors), or it reads but is not a list of ESC records (empty, a top-level object, broken JSON).
 */
export interface UnreadableFile {
  uri: vscode.Uri;
  error: string;
  /** Set when the file was read: it is invalid rather than unreadable. */
  invalid?: { size: number; offset?: number };
}

export interface Discovered {
  entries: DatasetEntry[];
  unreadable: UnreadableFile[];
}

export class Discovery {
  private readonly cache = new Map<string, { key: string; entry: DatasetEntry | UnreadableFile | undefined }>();

  constructor(private readonly tasks: DatasetTasks) {}

  async discover(token?: vscode.CancellationToken): Promise<Discovered> {
    const cfg = datasetsConfig();
    const uris = await vscode.workspace.findFiles(cfg.include, cfg.exclude, cfg.maxFiles, token);
    const seen = new Set<string>();
    const entries: DatasetEntry[] = [];
    const unreadable: UnreadableFile[] = [];
    for (const uri of uris) {
      if (token?.isCancellationRequested) break;
      if (uri.scheme !== 'file') continue; // core reads through Node's fs
      seen.add(uri.toString());
      try {
        const entry = await this.inspect(uri);
        if (entry && 'kind' in entry) entries.push(entry);
        else if (entry) unreadable.push(entry);
      } catch (err) {
        // deleted since it was listed: nothing to report
        if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') continue;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted before the worker opened it
        unreadable.push({ uri, error: err instanceof Error ? err.message : String(err) });
      }
    }
    for (const k of [...this.cache.keys()]) if (!seen.has(k)) this.cache.delete(k);
    const byPath = (a: { uri: vscode.Uri }, b: { uri: vscode.Uri }): number => a.uri.fsPath.localeCompare(b.uri.fsPath);
    return { entries: entries.sort(byPath), unreadable: unreadable.sort(byPath) };
  }

  private async inspect(uri: vscode.Uri): Promise<DatasetEntry | UnreadableFile | undefined> {
    const stat = await vscode.workspace.fs.stat(uri);
    const key = `${stat.size}:${stat.mtime}`;
    const cached = this.cache.get(uri.toString());
    if (cached?.key === key) return cached.entry;
    const r = await this.tasks.call('survey', { path: uri.fsPath });
    const kind = r.detection.kind;
    const entry: DatasetEntry | UnreadableFile | undefined =
      r.listing === 'dataset' && kind !== 'unknown'
        ? { uri, kind, detection: r.detection, size: r.size, records: r.records, problems: r.problems, version: key }
        : r.listing === 'invalid'
          ? { uri, error: r.reason ?? 'Not a list of ESC records.', invalid: { size: stat.size, offset: r.detection.problem?.offset } }
          : undefined;
    this.cache.set(uri.toString(), { key, entry });
    return entry;
  }
}
