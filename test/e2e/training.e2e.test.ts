// Training in a real browser: launch the demo pipeline from the Runs view with a stand-in
// llamafactory-cli (the real one needs a GPU), watch progress in the Runs view, and
// open a stage's run page whose charts grow while it runs; and a launch that meets every problem at
// once (no CLI, no GPU, bad datasets, an existing output) shows them all in one preflight report.
// Screenshots in test-results/.

import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // the failed stage says why: its exit code in the Runs view, and on its run page the last line it printed
    const failed = runs.locator('.monaco-list-row', { hasText: 'generator-sft' });
    await failed.filter({ hasText: 'exit code 1' }).waitFor({ timeout: 10_000 });
    let failedPage: Frame | undefined;
    for (let attempt = 0; attempt < 4 && !failedPage; attempt++) {
      await failed.click();
      failedPage = await findFrame(page, async (f) => (await f.locator('.run-exit').count()) > 0, 'failed run page', 5000, 100).catch(
        () => undefined,
      );
    }
    assert.ok(failedPage, "the failed stage's run page opened");
    assert.equal(await failedPage.locator('.run-exit').innerText(), 'Failed with exit code 1');
    assert.match(await failedPage.locator('.run-output').innerText(), /stand-in: generator-sft fails as the test asked$/);
    await screenshot(page, 'run-page-failed.png');
  });
});

describe('Preflight report in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    // the demo experiment made wrong in every way at once; this machine has no GPU and no llamafactory-cli
    wb = await openWorkbench((ws) => {
      const file = path.join(ws, 'esc-experiment.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace('planner-dpo: data/pref_planner_demo.json', 'planner-dpo: data/sft_vanilla_demo.json')
          .replace('generator-sft: data/sft_generator_demo.json', 'generator-sft: data/missing.json')
          .replace('vanilla-sft: data/sft_vanilla_demo.json', 'vanilla-sft: data/broken.json'),
      );
      writeFileSync(path.join(ws, 'data', 'broken.json'), '{"not": "a list"}');
      const out = path.join(ws, 'saves', 'demo-qwen', 'planner-sft');
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, 'trainer_log.jsonl'), '{"current_steps": 1, "total_steps": 4, "loss": 1.2}\n');
    });
  });
  after(async () => {
    await wb?.close();
  });

  it('shows every problem of the launch at once, each with its fixes, and Write Configs Only waits for sound datasets', async () => {
    const page = wb.page;
    await openEscStudio(page);
    const runs = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
    await runs.locator('.monaco-list-row', { hasText: 'planner-sft' }).waitFor({ timeout: 20_000 });
    await runCommand(page, 'ESC: Launch Pipeline');
    const frame = await findFrame(page, async (f) => (await f.locator('.pf-title').count()) > 0, 'preflight report', 30_000, 200);
    const problems = frame.locator('.pf-problem');
    await problems.nth(5).waitFor({ timeout: 10_000 });
    const codes = await problems.evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.deepEqual([...codes].sort(), [
      'cli-missing',
      'dataset-invalid',
      'dataset-missing',
      'dataset-wrong-kind',
      'no-gpu',
      'output-exists',
    ]);
    const gpu = problems.filter({ hasText: 'No GPU' });
    for (const label of ['Use a GPU Machine…', 'Launch through Slurm', 'Do Not Check for a GPU']) {
      assert.equal(await gpu.locator('button', { hasText: label }).count(), 1, `the GPU problem offers ${label}`);
    }
    assert.equal(
      await problems.filter({ hasText: 'not on PATH' }).locator('button', { hasText: 'Set escStudio.training.llamafactoryCli' }).count(),
      1,
    );
    assert.equal(
      await problems.filter({ hasText: 'is a sft-vanilla file' }).locator('button', { hasText: 'Open in Dataset Viewer' }).count(),
      1,
    );
    assert.match(await frame.locator('.pf-summary').innerText(), /6 problems: 3 problems to fix before launching, 3 warnings/);
    assert.equal(await frame.locator('button', { hasText: 'Write Configs Only' }).isDisabled(), true, 'bad datasets: no configs');
    assert.equal(await frame.locator('button', { hasText: 'Launch Anyway' }).isDisabled(), true, 'errors block the launch');
    await screenshot(page, 'preflight-report.png');
    // Overwrite accepts the existing output: its row stays, without its buttons
    const output = problems.filter({ hasText: 'would be overwritten' });
    await output.locator('button', { hasText: 'Overwrite' }).click();
    await output.locator('.muted', { hasText: 'Accepted' }).waitFor({ timeout: 10_000 });
    assert.match(await frame.locator('.pf-summary').innerText(), /^5 problems/);
  });
});
