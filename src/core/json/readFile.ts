// File access for the scanner: streams a file through a RecordScanner in fixed-size chunks, so memory
// stays bounded whatever the file size.

import { open } from 'node:fs/promises';
import { RecordScanner, type ScannerOptions, type ScanResult } from './scanner';

export const CHUNK_SIZE = 1 << 20;

export interface ScanFileOptions extends ScannerOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the bytes read so far and the file size. */
  onProgress?: (bytesRead: number, size: number) => void;
  /** Read at most this many bytes (the head of the file). */
  maxBytes?: number;
  /** Called after each chunk but the last; a promise it returns holds the scan until it settles. */
  between?: () => Promise<void> | undefined;
}

export const isJsonlName = (path: string): boolean => /\.jsonl$/i.test(path);

export async function scanFile(path: string, opts: ScanFileOptions = {}): Promise<ScanResult & { size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const scanner = new RecordScanner({ jsonlHint: isJsonlName(path), ...opts });
    const limit = opts.maxBytes === undefined ? size : Math.min(size, opts.maxBytes);
    let pos = 0;
    // The scanner copies what it keeps across chunks, so one buffer serves every read.
    const buf = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, Math.max(1, limit)));
    while (pos < limit && !scanner.done) {
      opts.signal?.throwIfAborted();
      const want = Math.min(buf.length, limit - pos);
      const { bytesRead } = await handle.read(buf, 0, want, pos);
      if (bytesRead === 0) break;
      scanner.push(buf.subarray(0, bytesRead));
      pos += bytesRead;
      opts.onProgress?.(pos, size);
      // nothing to hold after the last chunk
      const hold = pos < limit ? opts.between?.() : undefined;
      if (hold) await hold;
    }
    // A head read stops mid-file: end() must not report the cut as truncation.
    return { ...scanner.end(pos < size), size };
  } finally {
    await handle.close();
  }
}
