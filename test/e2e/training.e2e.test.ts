// Training in a real browser: launch the demo pipeline from the Runs view with a stand-in
// llamafactory-cli (the real one needs a GPU), watch progress in the Runs view, and
// open a stage's run page whose charts grow while it runs. Screenshots in test-results/.

import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STAND_IN_LLAMAFACTORY_CLI } from '../fixtures/standInCli';
import type { Frame } from 'playwright-core';
import { findFrame, openEscStudio, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

describe('Training from the Runs view in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  const stubDir = path.join(tmpdir(), `esc-e2e-stub-${process.pid}`);
  before(async () => {
    mkdirSync(stubDir, { recursive: true });
    writeFileSync(path.join(stubDir, 'llamafactory-cli'), STAND_IN_LLAMAFACTORY_CLI, { mode: 0o755 });
    writeFileSync(path.join(stubDir, 'fail'), 'generator-sft\n');
    writeFileSync(path.join(stubDir, 'calls.log'), '');
    // code-server resolves its extension host's PATH from a login shell, so the stand-in is given by
    // its absolute path (the integration suite covers the PATH lookup); the terminals get its env
    wb = await openWorkbench(undefined, {
      'escStudio.training.requireGpu': false,
      'escStudio.training.llamafactoryCli': path.join(stubDir, 'llamafactory-cli'),
      // 30 logged steps (about 12 s a stage), so the run page is open while the stage still runs
      'terminal.integrated.env.linux': { ESC_STUB_DIR: stubDir, ESC_STUB_LOG: path.join(stubDir, 'calls.log'), ESC_STUB_STEPS: '30' },
    });
  });
  after(async () => {
    await wb?.close();
    rmSync(stubDir, { recursive: true, force: true });
  });

  it('launches the pipeline, shows progress, and a run page charts the loss live', async () => {
    const page = wb.page;
    await openEscStudio(page);
    const runs = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
    await runs.locator('.monaco-list-row', { hasText: 'planner-sft' }).waitFor({ timeout: 20_000 });
    await runCommand(page, 'ESC: Launch Pipeline');
    const planner = runs.locator('.monaco-list-row', { hasText: 'planner-sft' });
    await planner
      .filter({ hasText: /running · \d+%/ })
      .waitFor({ timeout: 30_000 })
      .catch(async (err: unknown) => {
        await screenshot(page, 'runs-launch-failed.png');
        throw err;
      });
    await planner.click();
    // the run page's own frame (the tab title shows the same words in the workbench frame)
    let frame: Frame | undefined;
    for (let attempt = 0; attempt < 4 && !frame; attempt++) {
      if (attempt > 0) await planner.click(); // the row may have been redrawn under the first click
      frame = await findFrame(page, async (f) => (await f.locator('.run-title').count()) > 0, 'run page', 5000, 100).catch(() => undefined);
    }
    assert.ok(frame, 'the run page opened');
    await frame.locator('figure.chart canvas').first().waitFor({ timeout: 20_000 });
    const first = await frame.locator('figure.chart canvas').first().getAttribute('aria-label');
    await screenshot(page, 'runs-live.png');
    // the chart grows while the stage logs: wait for the label to change, then for the end
    let later = first;
    const until = Date.now() + 60_000;
    while (later === first && Date.now() < until) {
      await page.waitForTimeout(250);
      later = await frame.locator('figure.chart canvas').first().getAttribute('aria-label');
    }
    assert.notEqual(later, first, 'the loss chart updated live');
    await frame.locator('.run-status', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    later = await frame.locator('figure.chart canvas').first().getAttribute('aria-label');
    assert.match(later ?? '', /over 30 logged steps/);
    await runs.locator('.monaco-list-row', { hasText: 'generator-sft' }).filter({ hasText: 'failed' }).waitFor({ timeout: 60_000 });
    await runs.locator('.monaco-list-row', { hasText: 'planner-dpo' }).filter({ hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    assert.match(await runs.locator('.monaco-list-row', { hasText: 'generator-dpo' }).innerText(), /not started/);
    await screenshot(page, 'runs-finished.png');
  });
});
