// In a real browser against a real VS Code: a user opens the ESC Studio container and sees the
// Datasets, Runs and Playground views working on the demo workspace.

import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KIND_LABELS, DATASET_KINDS } from '../../src/core/formats/kinds';
import { STRATEGIES } from '../../src/core/strategies';
import { STAGES } from '../../src/core/training/experiment';
import { datasetsPane, focusDatasetsPane, openEscStudio, openWorkbench, screenshot, webviewFrame, type Workbench } from './workbench';

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

describe('Datasets view with broken files in the workspace', { timeout: 240_000 }, () => {
  let wb: Workbench;
  before(async () => {
    // our own broken files, written into the throw-away copy of the workspace (never into demo/)
    wb = await openWorkbench((ws) => {
      const dir = path.join(ws, 'broken');
      mkdirSync(dir);
      const record = {
        messages: [
          { role: 'user', content: 'I lost my job today.' },
          { role: 'assistant', content: '[Question] How are you feeling about it?' },
        ],
      };
      writeFileSync(path.join(dir, 'empty.json'), '');
      writeFileSync(path.join(dir, 'one record.json'), JSON.stringify(record));
      writeFileSync(path.join(dir, 'invalid records.json'), JSON.stringify([record, { messages: 'oops' }, record, { messages: [] }]));
      const full = JSON.stringify([record, record, record]);
      writeFileSync(path.join(dir, 'truncated.json'), full.slice(0, full.length - 30));
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'not-data', version: '1.0.0' }));
    });
  });
  after(async () => {
    await wb?.close();
  });

  /** The badges of a row: file decorations are drawn as ::after content. */
  const badges = (row: ReturnType<typeof datasetsPane>) =>
    row.evaluate((el) =>
      [el, ...Array.from(el.querySelectorAll('*'))]
        .map((e) => getComputedStyle(e, '::after').content)
        .filter((c) => c && c !== 'none' && c !== 'normal' && c !== '""')
        .map((c) => c.replace(/^"|"$/g, '')),
    );

  it('lists them with their problem, a warning badge and no manual validation', async () => {
    await openEscStudio(wb.page);
    await focusDatasetsPane(wb.page);
    const tree = datasetsPane(wb.page);
    await tree.locator('.monaco-list-row', { hasText: 'records ·' }).first().waitFor({ timeout: 30_000 });
    // the list renders only visible rows: collapse the groups, then open the two this test reads
    await tree.locator('.pane-header').hover();
    await tree.getByRole('button', { name: 'Collapse All' }).click();
    const group = tree.locator('.monaco-list-row', { hasText: 'Unreadable or invalid' });
    await group.waitFor({ timeout: 30_000 });
    await group.click();
    const row = (name: string) => tree.locator('.monaco-list-row', { hasText: name }).first();
    await row('empty.json').waitFor({ timeout: 10_000 });
    assert.match(await row('empty.json').innerText(), /empty/i);
    assert.match(await row('one record.json').innerText(), /single JSON object/);
    assert.deepEqual(await badges(row('empty.json')), ['!']);
    // the background check: counts and badges arrive without running ESC: Validate Dataset
    await tree.locator('.monaco-list-row', { hasText: KIND_LABELS['sft-vanilla'] }).first().click();
    const invalid = row('invalid records.json');
    await tree.locator('.monaco-list-row', { hasText: /invalid records\.json.*2 invalid/ }).waitFor({ timeout: 30_000 });
    assert.match(await invalid.innerText(), /4 records · .* · 2 invalid/);
    assert.deepEqual(await badges(invalid), ['2']);
    await tree.locator('.monaco-list-row', { hasText: /truncated\.json.*1 invalid/ }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await badges(row('truncated.json')), ['1']);
    assert.equal(await tree.locator('.monaco-list-row', { hasText: 'package.json' }).count(), 0, 'a manifest is not listed');
    const file = await screenshot(wb.page, 'esc-studio-broken-files.png');
    console.log(`screenshot: ${file}`);
  });
});
