// Helpers for unit tests: where the real data is, and throw-away files.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedData, sharedDocs } from '../sharedData';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEMO_DATA = path.join(REPO_ROOT, 'demo', 'data');

// The real data and docs in ../shared: a test that needs them takes `{ skip: sharedData.skip }`.
export { sharedData, sharedDocs };
export const SHARED_DATA = sharedData.dir;
export const sharedFile = sharedData.file;
export const sharedDoc = sharedDocs.file;

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

/**
 * A vanilla SFT file of one dialogue with three supporter turns whose assistant contents are `a` (tagged or
 * not): what the gold-strategy refusals of `esc infer` and `esc mine` are tested on.
 */
export const threeTurnDialogue = (a: readonly [string, string, string]): { messages: { role: string; content: string }[] }[] => [
  {
    messages: [
      { role: 'system', content: 'SYS-V' },
      { role: 'user', content: 'Hi, I feel low.' },
      { role: 'assistant', content: a[0] },
      { role: 'user', content: 'I lost my job.' },
      { role: 'assistant', content: a[1] },
      { role: 'user', content: 'Yes.' },
      { role: 'assistant', content: a[2] },
    ],
  },
];
