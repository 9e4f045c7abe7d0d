// Mining in the editor as a researcher does it, in code-server with the packaged extension: *ESC: Mine
// Preference Pairs (IPM)…* run from the Command Palette and driven through its picks (the demo's
// vanilla SFT file, the planner and generator roles, the embedded models, no judge, the default output
// folder); the mining page draws the run — a bar per role, calls/s, the pairs so far, the planner's
// gold → predicted grid — and, once done, adds the pairs to the demo experiment's DPO stages and opens
// the planner pairs in the dataset viewer. Screenshot for the README (mining-page.png).

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { findFrame, openEscStudio, openWorkbench, runCommand, screenshot, viewerFrame, type Workbench } from './workbench';

const miningFrame = (page: Page): Promise<Frame> =>
  findFrame(page, async (f) => (await f.locator('[data-testid=mining-page]').count()) > 0, 'mining page', 60_000, 250);

/** Picks the quick pick's row showing `text` (typed as a filter first when given). */
async function pick(page: Page, title: string, row: string, filter?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  if (filter !== undefined) await widget.locator('input').first().fill(filter);
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: row }).first().waitFor();
  await page.keyboard.press('Enter');
}

describe('Mining in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
    await openEscStudio(wb.page);
  });
  after(async () => {
    await wb?.close();
  });

  it('runs from the palette through its picks, draws the page with progress and the result, opens the planner pairs', async () => {
    const page = wb.page;
    await runCommand(page, 'ESC: Mine Preference Pairs (IPM)…');
    await pick(page, 'the dialogues', 'sft_vanilla_demo.json', 'sft_vanilla_demo');
    // the roles: planner and generator are ticked by default
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'the roles to mine' }).waitFor({ timeout: 30_000 });
    const ticked = await widget.locator('.quick-input-list .monaco-list-row[aria-checked=true]').allInnerTexts();
    assert.deepEqual(
      ticked.map((t) => t.split('\n')[0]!.trim()),
      ['planner', 'generator'],
    );
    await page.keyboard.press('Enter');
    await pick(page, 'the models', 'Embedded models', 'Embedded');
    await pick(page, 'the judge', 'No judge');
    // the output folder: the default, <workspace>/data/ipm-<input>-<roles> (runs of other roles get their own)
    await widget.locator('.quick-input-title', { hasText: 'the output folder' }).waitFor({ timeout: 30_000 });
    const outDir = await widget.locator('input').first().inputValue();
    assert.equal(outDir, path.join(wb.workspace, 'data', 'ipm-sft_vanilla_demo-planner-generator'));
    await page.keyboard.press('Enter');

    const frame = await miningFrame(page);
    await frame.locator('[data-testid=mining-page][data-status=done]').waitFor({ timeout: 120_000 });
    // a bar per role, full
    const bars = await frame.locator('[data-testid=mining-bar-text]').allInnerTexts();
    assert.equal(bars.length, 2);
    for (const b of bars) assert.match(b, /^(\d+) \/ \1 \(100 %\)$/);
    assert.match(await frame.locator('[data-testid=mining-rate]').innerText(), /^\d+(\.\d)?$/);
    assert.match(await frame.locator('[data-testid=mining-status]').innerText(), /^Done in \d+s: [\d,]+ pairs in 3 files\.$/);
    // the pairs so far and the planner grid agree with the file written
    const plannerPairs = JSON.parse(readFileSync(path.join(outDir, 'planner-pairs.json'), 'utf8')) as unknown[];
    const rowCount = await frame.locator('[data-testid=mining-pairs] tr[data-file=planner-pairs] td').innerText();
    assert.equal(Number(rowCount.replace(/,/g, '')), plannerPairs.length);
    const cells = await frame.locator('[data-testid=mining-heat-cell]').allInnerTexts();
    assert.equal(
      cells.reduce((a, t) => a + (Number(t.replace(/,/g, '')) || 0), 0),
      plannerPairs.length,
      'the grid counts every different-strategy planner pair',
    );
    assert.ok(existsSync(path.join(outDir, 'generator-pairs.json')));

    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await page.waitForTimeout(800);
    console.log(`screenshot: ${await screenshot(page, 'mining-page.png')}`);
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');

    // the pairs become the experiment's DPO datasets: the demo's experiment names others, so it asks first
    await frame.locator('[data-testid=mining-add-experiment]').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.getByText('Replace the datasets of planner-dpo, generator-dpo').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await page.locator('.tab.active', { hasText: 'esc-experiment.yaml' }).waitFor({ timeout: 30_000 });
    const yaml = readFileSync(path.join(wb.workspace, 'esc-experiment.yaml'), 'utf8');
    assert.match(yaml, /^ {2}planner-dpo: data\/ipm-sft_vanilla_demo-planner-generator\/planner-pairs\.json$/m);
    assert.match(yaml, /^ {2}generator-dpo: data\/ipm-sft_vanilla_demo-planner-generator\/generator-pairs\.json$/m);
    assert.match(yaml, /^ {2}vanilla-dpo: data\/pref_vanilla_demo\.json +# the paper's main baseline/m, 'other entries and comments kept');
    assert.match(yaml, /^# A decoupled DecoupledESC experiment/);

    // back to the page (the experiment file opened over it)
    await page.locator('.tab', { hasText: 'ESC: Mining' }).click();
    await (await miningFrame(page)).locator('[data-testid=mining-open][data-file=planner-pairs]').click();
    const viewer = await viewerFrame(page, 'planner-pairs.json', 60_000);
    await viewer
      .getByText(new RegExp(`${plannerPairs.length.toLocaleString('en-US')} records`))
      .first()
      .waitFor({ timeout: 30_000 });
  });
});
