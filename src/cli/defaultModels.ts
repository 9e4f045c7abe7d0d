// Where the CLI finds the Playground's default embedded models (built by `npm run build` into
// dist/models/default): next to the bundled CLI, or in the repository's dist/ when the CLI runs from
// the compiled tests (out/src/cli/, out/src/).

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MODELS_SUBDIR } from '../core/embedded/modelFolder';
import { InputError } from './output';

/** The default models' folder; `verb` and `instead` word the error when they are missing. */
export function defaultModelDir(verb: string, instead: string): string {
  const candidates = [
    path.join(__dirname, ...DEFAULT_MODELS_SUBDIR),
    path.resolve(__dirname, '..', '..', 'dist', ...DEFAULT_MODELS_SUBDIR),
    path.resolve(__dirname, '..', '..', '..', 'dist', ...DEFAULT_MODELS_SUBDIR),
  ];
  const found = candidates.find((c) => existsSync(path.join(c, 'manifest.json')));
  if (!found) throw new InputError(`${verb}: the default embedded models were not found (run \`npm run build\`), or ${instead}`);
  return found;
}
