// Helpers for unit tests: where the real data is, and throw-away files.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The real ESC data (CC BY-NC, read in place, never copied): ../shared/data beside the repository. */
export const SHARED_DATA = process.env.ESC_SHARED_DATA ?? path.resolve(REPO_ROOT, '..', 'shared', 'data');
export const DEMO_DATA = path.join(REPO_ROOT, 'demo', 'data');

export function sharedFile(name: string): string {
  const file = path.join(SHARED_DATA, name);
  if (!existsSync(file)) {
    throw new Error(
      `real data file missing: ${file} (the tests read ../shared/data beside the repository; set ESC_SHARED_DATA to override)`,
    );
  }
  return file;
}

export function sharedDoc(name: string): string {
  const file = path.join(SHARED_DATA, '..', 'docs', name);
  if (!existsSync(file)) throw new Error(`shared doc missing: ${file}`);
  return file;
}

export interface TempDir {
  dir: string;
  write(name: string, content: string | Buffer): string;
  dispose(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), 'esc-unit-'));
  return {
    dir,
    write: (name, content) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
