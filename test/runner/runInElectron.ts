// Runs the very same integration suite through @vscode/test-electron, for machines with a desktop
// VS Code. VSCODE_EXECUTABLE points at an installed VS Code; without it test-electron downloads one
// (which needs internet access).

import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { copyWorkspace } from './codeServer';
import { DEMO_DIR, REPO_ROOT } from './paths';

async function main(): Promise<void> {
  const ws = copyWorkspace(DEMO_DIR, 'demo workspace');
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [ws.dir, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    ws.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`electron integration run failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
