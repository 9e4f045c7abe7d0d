// Checks a file argument before any work, so a wrong path gets a plain message.

import { stat } from 'node:fs/promises';
import { InputError } from './output';

export async function requireFile(path: string | undefined, command: string): Promise<string> {
  if (!path) throw new InputError(`esc ${command}: missing <file> argument (see esc --help)`);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(`esc ${command}: cannot read ${JSON.stringify(path)}: ${why}`);
  }
  if (info.isDirectory()) throw new InputError(`esc ${command}: ${JSON.stringify(path)} is a folder, not a dataset file`);
  return path;
}
