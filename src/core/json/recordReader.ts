// Reads records back from their byte ranges: single records for display, and every record in file
// order with large sequential reads for search.

import type { FileHandle } from 'node:fs/promises';

const SEQUENTIAL_CHUNK = 8 << 20;

export async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(end - start);
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === buf.length ? buf : buf.subarray(0, done);
}

/**
 * Calls `visit` with each record's bytes, in index order, reading the file in large sequential chunks.
 * `starts`/`ends` are in file order (as the scanner finds them). Returns early when visit returns false.
 */
export async function forEachRecord(
  handle: FileHandle,
  starts: Float64Array,
  ends: Float64Array,
  count: number,
  visit: (index: number, bytes: Buffer) => boolean | void,
  signal?: AbortSignal,
): Promise<void> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = 0;
  for (let i = 0; i < count; i++) {
    if ((i & 1023) === 0) signal?.throwIfAborted();
    const s = starts[i]!;
    const e = ends[i]!;
    if (e > chunkStart + chunk.length || s < chunkStart) {
      signal?.throwIfAborted();
      chunkStart = s;
      chunk = await readRange(handle, s, Math.max(e, s + SEQUENTIAL_CHUNK));
    }
    if (visit(i, chunk.subarray(s - chunkStart, e - chunkStart)) === false) return;
  }
}
