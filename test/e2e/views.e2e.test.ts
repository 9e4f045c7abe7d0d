// In a real browser against a real VS Code: a user opens the ESC Studio container and sees the
// Datasets, Runs and Playground views working on the demo workspace.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND_LABELS, DATASET_KINDS } from '../../src/core/formats/kinds';
import { STRATEGIES } from '../../src/core/strategies';
import { STAGES } from '../../src/core/training/experiment';
import { openEscStudio, openWorkbench, screenshot, webviewFrame, type Workbench } from './workbench';

describe('ESC Studio container in code-server', { timeout: 240_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
  });
  after(async () => {
    await wb?.close();
  });

  it('opens from the activity bar with its three views', async () => {
    await openEscStudio(wb.page);
    for (const name of ['Datasets', 'Runs', 'Playground']) {
      await wb.page.locator('.pane-header', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
    }
  });

  it('Datasets lists the demo files grouped by kind', async () => {
    const tree = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Datasets' }) });
    const firstFile = tree.locator('.monaco-list-row', { hasText: 'records ·' }).first();
    await firstFile.waitFor({ timeout: 30_000 });
    assert.match(await firstFile.innerText(), /\d+ records · [\d.]+ (B|KB|MB)/);
    // The list renders only visible rows: collapse the groups so all nine kinds fit.
    await tree.locator('.pane-header').hover();
    await tree.getByRole('button', { name: 'Collapse All' }).click();
    for (const kind of DATASET_KINDS) {
      await tree.locator('.monaco-list-row', { hasText: KIND_LABELS[kind] }).first().waitFor({ timeout: 10_000 });
    }
    assert.equal(await tree.locator('.monaco-list-row').count(), DATASET_KINDS.length);
    await tree.locator('.monaco-list-row', { hasText: KIND_LABELS['pref-generator'] }).click();
    await tree.locator('.monaco-list-row', { hasText: 'pref_generator_filtered.json' }).waitFor({ timeout: 10_000 });
  });

  it('Runs lists the demo experiment and its six stages, the vanilla SFT/DPO baseline included', async () => {
    const runs = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Runs' }) });
    await runs.locator('.monaco-list-row', { hasText: 'demo-qwen' }).waitFor({ timeout: 15_000 });
    for (const stage of STAGES) {
      const row = runs.locator('.monaco-list-row', { hasText: stage });
      await row.waitFor({ timeout: 15_000 });
      assert.match(await row.innerText(), /not started/, stage);
    }
  });

  it('Playground webview renders the two stages and the 8 strategy chips, and saves a screenshot', async () => {
    const frame = await webviewFrame(wb.page, 'Strategy planning');
    const chips = frame.locator('.legend .chip');
    await chips.nth(7).waitFor({ timeout: 15_000 });
    assert.deepEqual(await chips.allInnerTexts(), [...STRATEGIES]);
    assert.ok(await frame.getByText('Response generation').isVisible());
    const file = await screenshot(wb.page, 'esc-studio-views.png');
    console.log(`screenshot: ${file}`);
  });
});
