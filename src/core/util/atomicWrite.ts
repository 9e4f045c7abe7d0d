// Atomic file replacement: the new content goes to a temporary file in the target's own folder
// (so the final rename stays on one file system and is atomic), is flushed to disk, then renamed
// over the target. A reader, or a crash, sees either the old file or the new one, never a mix.

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode the file is created with (the process umask applies, as with fs.writeFile). */
  mode?: number;
}

/** A hidden name beside the target; random so two writers of the same file never share one. */
function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Replaces `file` with what `write` writes to the handle it is given. If `write` throws, the target
 * is untouched and the temporary file is removed. Creates the target's folder if needed.
 */
export async function writeAtomic(file: string, write: (out: FileHandle) => Promise<void>, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(file);
  // 'wx': never reuse (or follow a link planted at) an existing path
  const out = await open(tmp, 'wx', opts.mode ?? 0o666);
  try {
    try {
      await write(out);
      // flushed before the rename, or a crash could leave the renamed file empty
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dir);
}

export async function writeFileAtomic(file: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeAtomic(file, async (out) => void (await out.writeFile(content)), opts);
}

/** Makes the rename itself durable. Best effort: some platforms (Windows) cannot open a folder. */
async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // the data is on disk already; only the rename's durability is at stake
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
