// Where the tests find the material that is not in the repository: the real ESC data (CC BY-NC: read
// in place, never copied) in ../shared/data and the project docs in ../shared/docs, beside the clone.
// CI has them and every test runs; a public clone has not, and each test that needs them is skipped
// with the reason below (node:test's `skip` option takes it as is). One module owns this rule for
// the unit, integration and e2e suites.

import { existsSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface SharedFolder {
  /** The folder. */
  dir: string;
  /** Why tests that need the folder are skipped, or false when they run. */
  skip: string | false;
  /** A file in the folder; throws when it is missing although the folder is there (a broken setup, not a public clone). */
  file(name: string): string;
}

function sharedFolder(dir: string, what: string, hint: string, required: boolean): SharedFolder {
  const skip = required || existsSync(dir) ? false : `needs ${path.relative(REPO_ROOT, dir)} (${what}): not beside this clone (${hint})`;
  return {
    dir,
    skip,
    file: (name) => {
      const file = path.join(dir, name);
      if (!existsSync(file)) {
        throw new Error(`${what}: ${file} is missing (the tests read ../shared beside the repository; ESC_SHARED_DATA overrides)`);
      }
      return file;
    },
  };
}

const override = process.env.ESC_SHARED_DATA || undefined;
const dataDir = override ? path.resolve(override) : path.resolve(REPO_ROOT, '..', 'shared', 'data');

/**
 * ../shared/data: the real ESC splits (ESC_sft_test.json, ESC_sft_val.json, FailedESConv.json).
 * An explicit ESC_SHARED_DATA that points nowhere is a mistake to report, not a reason to skip.
 */
export const sharedData = sharedFolder(dataDir, 'the real ESC splits', 'set ESC_SHARED_DATA to use another folder', override !== undefined);
/** ../shared/docs: FORMATS.md and the other project docs, beside the data folder. */
export const sharedDocs = sharedFolder(path.join(dataDir, '..', 'docs'), 'the project docs', 'looked for beside the data folder', false);
