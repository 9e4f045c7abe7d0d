// The integration suite's entry, loaded by VS Code's extension host (extensionTestsPath): the same
// module serves @vscode/test-electron and code-server. Results also go to test-results/ so the
// launcher can print them whatever the host does with stdout.

import Mocha from 'mocha';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const RESULTS = path.resolve(__dirname, '..', '..', '..', 'test-results');
export const LOG_FILE = path.join(RESULTS, 'integration.log');

/** A line for the suite's report (the launcher prints the report file). */
export function log(line: string): void {
  appendFileSync(LOG_FILE, line + '\n');
  console.log(line);
}

export async function run(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(LOG_FILE, '');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'dot' });
  const grep = process.env.ESC_INTEGRATION_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  const started = Date.now();
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (t) => log(`  ✔ ${t.fullTitle()} (${t.duration ?? 0} ms)`));
    runner.on('fail', (t, err: Error) =>
      log(
        `  ✘ ${t.fullTitle()}\n      ${String(err.stack ?? err.message)
          .split('\n')
          .join('\n      ')}`,
      ),
    );
    runner.on('pending', (t) => log(`  - ${t.fullTitle()} (skipped)`));
    runner.on('end', () => {
      const s = runner.stats;
      log(`integration: ${s?.passes ?? 0} passed, ${s?.failures ?? 0} failed, ${s?.pending ?? 0} skipped in ${Date.now() - started} ms`);
    });
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
