// Runs the integration suite inside a real VS Code extension host: code-server serves the workbench,
// headless Chromium opens it with the extension under development and the suite as
// extensionTestsPath, and the workbench reports the suite's outcome through codeAutomationExit.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, launchChromium, startCodeServer, workbenchUrl } from './codeServer';
import { DEMO_DIR, REPO_ROOT } from './paths';

const TIMEOUT_MS = Number(process.env.ESC_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);

async function main(): Promise<number> {
  const suite = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js');
  if (!existsSync(suite)) throw new Error(`compiled suite missing: ${suite} (run npm run compile-tests)`);
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js missing (run npm run build)');
  // A path with a space, to catch quoting mistakes anywhere in the extension.
  const ws = copyWorkspace(DEMO_DIR, 'demo workspace');
  const server = await startCodeServer({ workspace: ws.dir, verbose: process.env.ESC_VERBOSE === '1' });
  const browser = await launchChromium();
  const remote = (p: string): string => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const started = Date.now();
  try {
    const page = await browser.newPage();
    const outcome = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (process.env.ESC_VERBOSE === '1') process.stderr.write(`[workbench ${type}] ${JSON.stringify(args).slice(0, 2000)}\n`);
    });
    await page.goto(
      workbenchUrl(server.origin, ws.dir, [
        ['extensionDevelopmentPath', remote(REPO_ROOT)],
        ['extensionTestsPath', remote(suite)],
      ]),
    );
    const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(-1), TIMEOUT_MS).unref());
    const code = await Promise.race([outcome, timeout]);
    const logFile = path.join(REPO_ROOT, 'test-results', 'integration.log');
    if (existsSync(logFile)) process.stdout.write(readFileSync(logFile, 'utf8'));
    if (code === -1) {
      process.stderr.write(`integration: no result within ${TIMEOUT_MS} ms\n--- code-server output ---\n${server.output()}\n`);
      return 1;
    }
    process.stdout.write(`integration suite in code-server: exit ${code} after ${Date.now() - started} ms\n`);
    return code;
  } finally {
    await browser.close();
    await server.stop();
    ws.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`integration runner failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
