// A long read of a dataset file, shown as a cancellable progress notification: the percentage read,
// and a Cancel that aborts the work in its worker (which then rejects with a CancelledError).

import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ReadProgress } from '../../core/dataset/worker/tasks';
import type { CallOptions } from '../../core/util/workerRpc';

/** Files under this size are read in well under a second: a notification would only flash. */
const QUIET_BELOW = 16 * 1024 * 1024;

/**
 * Runs `work` with a signal and a progress callback for a notification titled `title`, shown when
 * `always` or when the file is large enough to take a while.
 */
export async function withFileProgress<T>(
  title: string,
  uri: vscode.Uri,
  work: (opts: CallOptions<ReadProgress>) => Promise<T>,
  always = false,
): Promise<T> {
  const fileSize = always
    ? Infinity
    : await stat(uri.fsPath).then(
        (s) => s.size,
        () => 0, // a file still to be created
      );
  if (fileSize < QUIET_BELOW) return work({});
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      let shown = 0;
      try {
        return await work({
          signal: abort.signal,
          onProgress: ({ read, size }) => {
            const pct = size === 0 ? 100 : Math.floor((read / size) * 100);
            if (pct > shown) progress.report({ increment: pct - shown, message: `${pct}%` });
            shown = Math.max(shown, pct);
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  );
}
