// The Playground as a user drives it, in code-server with the packaged extension (onnxruntime-node
// vendored into the VSIX): type a seeker message, see the strategy chart and the embedded reply,
// override the strategy and see a new reply, and find the conversation again after a reload.

import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { STRATEGIES } from '../../src/core/strategies';
import { findFrame, openEscStudio, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

const playgroundFrame = (wb: Workbench): Promise<Frame> =>
  findFrame(wb.page, async (f) => (await f.locator('[data-testid=seeker-input]').count()) > 0, 'Playground webview', 30_000, 250);

describe('Playground in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
    await openEscStudio(wb.page);
    // give the Playground the room of the sidebar
    for (const name of ['Datasets', 'Runs']) {
      const header = wb.page.locator('.pane-header', { hasText: name }).first();
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
  });
  after(async () => {
    await wb?.close();
  });

  it('a seeker message gets the strategy chart, then a reply from the embedded backend', async () => {
    const frame = await playgroundFrame(wb);
    const input = frame.locator('[data-testid=seeker-input]');
    await input.fill('I lost my job last week and I cannot stop worrying about money.');
    await input.press('Enter');
    const card = frame.locator('[data-testid=supporter-turn]').last();
    await card.locator('[data-testid=reply]').first().waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid=supporter-turn][data-status=done]').first().waitFor({ timeout: 30_000 });
    const bars = card.locator('button[data-testid=strategy-bar]');
    assert.equal(await bars.count(), 8);
    assert.deepEqual(await bars.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-strategy'))), [...STRATEGIES]);
    const pressed = card.locator('button[data-testid=strategy-bar][aria-pressed=true]');
    assert.equal(await pressed.count(), 1);
    const chosen = (await card.locator('[data-testid=chosen-strategy]').first().innerText()).trim();
    assert.equal(await pressed.getAttribute('data-strategy'), chosen);
    assert.ok((await card.locator('[data-testid=reply]').first().innerText()).trim().length > 0);
    assert.match(await card.locator('[data-testid=latency-planner]').first().innerText(), /\d.*ms/);
    assert.match(await card.locator('[data-testid=latency-generator]').first().innerText(), /\d.*ms/);
    assert.match(await frame.locator('body').innerText(), /retrieval baseline/i);
    console.log(`screenshot: ${await screenshot(wb.page, 'playground-turn.png')}`);
  });

  it('clicking another strategy regenerates the reply for it', async () => {
    const frame = await playgroundFrame(wb);
    const card = frame.locator('[data-testid=supporter-turn]').last();
    const before = (await card.locator('[data-testid=reply]').first().innerText()).trim();
    const chosen = (await card.locator('[data-testid=chosen-strategy]').first().innerText()).trim();
    const target = STRATEGIES.find((s) => s !== chosen && s !== 'Others')!;
    await card.locator(`button[data-testid=strategy-bar][data-strategy="${target}"]`).click();
    await frame.locator('[data-testid=candidate-index]', { hasText: '2' }).first().waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid=supporter-turn][data-status=done]').last().waitFor({ timeout: 30_000 });
    const after = frame.locator('[data-testid=supporter-turn]').last();
    assert.equal((await after.locator('[data-testid=chosen-strategy]').first().innerText()).trim(), target);
    const reply = (await after.locator('[data-testid=reply]').first().innerText()).trim();
    assert.ok(reply.length > 0 && reply !== before, `a new reply for ${target}`);
    assert.match(await after.locator('[data-testid=candidate-index]').first().innerText(), /2\s*\/\s*2/);
    console.log(`screenshot: ${await screenshot(wb.page, 'playground-override.png')}`);
  });

  it('the conversation is still there after the window reloads', async () => {
    let frame = await playgroundFrame(wb);
    const reply = (await frame.locator('[data-testid=supporter-turn]').last().locator('[data-testid=reply]').first().innerText()).trim();
    await wb.page.waitForTimeout(600); // the session is persisted 300 ms after a change
    await wb.page.reload();
    await wb.page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    // the window comes back with the ESC Studio container open (clicking its icon again would close it)
    const header = wb.page.locator('.pane-header', { hasText: 'Playground' }).first();
    // (a restore slower than 10 s once made this click the icon of the container already shown, hiding it)
    await header.waitFor({ timeout: 30_000 }).catch(() => undefined);
    if (!(await header.isVisible())) await openEscStudio(wb.page);
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    frame = await playgroundFrame(wb);
    await frame.locator('[data-testid=supporter-turn]').first().waitFor({ timeout: 30_000 });
    assert.equal(
      (await frame.locator('[data-testid=supporter-turn]').last().locator('[data-testid=reply]').first().innerText()).trim(),
      reply,
    );
    assert.match(await frame.locator('[data-testid=seeker-turn]').first().innerText(), /lost my job/);
  });

  it('ESC: Open Playground in Editor shows the same conversation in a tab', async () => {
    await runCommand(wb.page, 'ESC: Open Playground in Editor');
    await wb.page.locator('.tab', { hasText: 'ESC Playground' }).waitFor({ timeout: 15_000 });
    // two Playground webviews now: the sidebar's and the tab's, both drawing the one session
    const frames = async (): Promise<number> => {
      let n = 0;
      for (const f of wb.page.frames()) {
        if (
          await f
            .locator('[data-testid=supporter-turn]')
            .count()
            .catch(() => 0)
        ) {
          n++;
        }
      }
      return n;
    };
    for (let i = 0; i < 60 && (await frames()) < 2; i++) await wb.page.waitForTimeout(250);
    assert.equal(await frames(), 2);
    console.log(`screenshot: ${await screenshot(wb.page, 'playground-editor-tab.png')}`);
  });
});
