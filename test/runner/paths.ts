// Where the test harness finds the repository, the cached tools and the demo workspace.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
// scripts/tools-env.sh owns the version (the setup script installs it)
export const CODE_SERVER_VERSION = /CODE_SERVER_VERSION=([\d.]+)/.exec(
  readFileSync(path.join(REPO_ROOT, 'scripts', 'tools-env.sh'), 'utf8'),
)![1]!;
export const TOOLS_DIR = process.env.ESC_TOOLS_DIR ?? path.join(REPO_ROOT, '.tools');
export const CODE_SERVER_ENTRY = path.join(
  TOOLS_DIR,
  `code-server-${CODE_SERVER_VERSION}`,
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
export const DEMO_DIR = path.join(REPO_ROOT, 'demo');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
