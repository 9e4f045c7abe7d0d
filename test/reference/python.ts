// Runs the Python reference of the metric differential tests (test/reference/*.py: a few lines calling
// NLTK 3.8 and scikit-learn) from the TS tests. One python call takes a batch of JSON lines on stdin
// and prints one JSON line per input, because starting python costs about half a second.
//
// The interpreter is the first of $ESC_PYTHON, python3 on PATH and /usr/bin/python3 that imports nltk
// and sklearn: scripts/setup-reference.sh installs Debian's python3-nltk and python3-sklearn, which
// only the system interpreter sees when a pyenv or venv python3 comes first on PATH.

import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The folder holding the reference scripts (this file's folder in the source tree, not in out/). */
const REFERENCE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'reference');

const CANDIDATES = [process.env.ESC_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);

function findPython(): string | undefined {
  return CANDIDATES.find((python) => spawnSync(python, ['-c', 'import nltk, sklearn'], { stdio: 'ignore' }).status === 0);
}

const python = findPython();

/** Why the differential tests are skipped (node:test's `skip` takes it as is), or false when they run. */
export const referenceSkip: string | false = python
  ? false
  : `needs python3 with nltk and sklearn (tried ${CANDIDATES.join(', ')}): run scripts/setup-reference.sh`;

/**
 * Feeds `inputLines` (one JSON value each) to test/reference/`script` and resolves with its output
 * lines, one per input. Rejects when python fails or answers with another number of lines.
 */
export function pythonReference(script: string, inputLines: readonly string[]): Promise<string[]> {
  if (!python) {
    return Promise.reject(new Error(String(referenceSkip)));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(REFERENCE_DIR, script)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code}: ${stderr}`));
        return;
      }
      const text = Buffer.concat(out).toString('utf8');
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text === '' ? [] : text.split('\n');
      if (lines.length !== inputLines.length) {
        reject(new Error(`${script} answered ${lines.length} lines for ${inputLines.length} inputs: ${stderr}`));
        return;
      }
      resolve(lines);
    });
    child.stdin.end(inputLines.map((l) => l + '\n').join(''), 'utf8');
  });
}
