// The comparison page as a researcher uses it, in code-server with the packaged extension: two runs of
// the embedded models (decoupled and vanilla, written by the real `esc infer` over the real test split,
// or over the demo's vanilla SFT file when ../shared is not beside the clone) clicked in the Evaluations
// view; the table and the charts drawn; the LaTeX export copied; a confusion cell opens the viewer on
// exactly its turns. Screenshots for the README.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { REPO_ROOT } from '../runner/paths';
import { sharedData } from '../sharedData';
import { findFrame, focusPane, openEscStudio, openWorkbench, runCommand, screenshot, viewerFrame, type Workbench } from './workbench';

const RUNS = ['embedded-decoupled.json', 'embedded-vanilla.json'];

function prepare(ws: string): void {
  const input = sharedData.skip ? path.join(REPO_ROOT, 'demo', 'data', 'sft_vanilla_demo.json') : sharedData.file('ESC_sft_test.json');
  mkdirSync(path.join(ws, 'runs'));
  for (const [file, mode] of [
    [RUNS[0]!, 'decoupled'],
    [RUNS[1]!, 'vanilla'],
  ] as const) {
    execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'cli.js'), 'infer', input, '--out', path.join(ws, 'runs', file), '--mode', mode],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
}

const comparisonFrame = (page: Page, timeoutMs = 60_000): Promise<Frame> =>
  findFrame(
    page,
    async (f) => (await f.locator('[data-testid=comparison-table], [data-testid=comparison-empty]').count()) > 0,
    'comparison page',
    timeoutMs,
    250,
  );

/** Whether a canvas has anything drawn on it. */
const drawn = (frame: Frame, testid: string): Promise<boolean> =>
  frame.locator(`canvas[data-testid=${testid}]`).evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return false;
    const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
    return false;
  });

describe('The comparison page in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench(prepare);
    await wb.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await openEscStudio(wb.page);
  });
  after(async () => {
    await wb?.close();
  });

  it('scores two runs clicked in the Evaluations view and draws the table and the charts', async () => {
    const page = wb.page;
    const pane = await focusPane(page, 'Evaluations');
    // Each click adds its run to the page once scored. The tree redraws when a run's scores arrive (its
    // description changes), and a click on a row being replaced is lost: click again until the run's row
    // is on the page (adding a run twice keeps one row).
    let frame: Frame | undefined;
    for (const run of RUNS) {
      for (let attempt = 1; ; attempt++) {
        await pane.locator('.monaco-list-row', { hasText: run }).first().click({ timeout: 60_000 });
        try {
          // the page opens with the first run clicked (a lost click opens nothing: click again)
          frame ??= await comparisonFrame(page, 30_000);
          await frame.locator('[data-testid=comparison-row]', { hasText: run }).waitFor({ timeout: 30_000 });
          break;
        } catch (err) {
          if (attempt >= 3) {
            console.log(`screenshot of the failure: ${await screenshot(page, 'evaluations-failure.png')}`);
            throw err;
          }
          console.log(`  ${run}: not on the page 30 s after click ${attempt} (${(err as Error).message.split('\n')[0]}); clicking again`);
        }
      }
    }
    assert.ok(frame);
    const rows = frame.locator('[data-testid=comparison-row]');
    assert.equal(await rows.count(), 2);
    assert.ok((await frame.locator('[data-best]').count()) >= 10, 'a best value is marked in each column with two different values');
    // the hover of a header says what the number is
    const headerTitle = await frame.locator('[data-testid=comparison-table] th[title*="ROUGE-L"]').first().getAttribute('title');
    assert.match(headerTitle ?? '', /longest common subsequence/);
    for (const chart of ['chart-f1', 'chart-preference', 'chart-lengths']) {
      await frame.locator(`canvas[data-testid=${chart}]`).scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      assert.ok(await drawn(frame, chart), `${chart} is drawn`);
    }
    assert.equal(await frame.locator('[data-testid=confusion-cell]').count(), 8 * 9, 'the 8 x (8 + no strategy) confusion grid');
    await frame.locator('[data-testid=comparison-table]').scrollIntoViewIfNeeded();
    // the README's picture: the page with the side bar out of the way, so every column shows
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await page.waitForTimeout(800);
    console.log(`screenshot: ${await screenshot(page, 'comparison-page.png')}`);
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
  });

  it('copies the table as LaTeX', async () => {
    const page = wb.page;
    const frame = await comparisonFrame(page);
    await frame.locator('[data-testid=export-menu]').click();
    await frame.locator('[data-testid=export-latex-clipboard]').click();
    await page.locator('.notification-toast', { hasText: 'results table copied as LaTeX' }).waitFor({ timeout: 15_000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^% needs \\usepackage\{booktabs\}\n\\begin\{tabular\}/);
    assert.match(copied, /Run & BLEU-1 & BLEU-2 & BLEU-3 & BLEU-4 & Dist-1 & Dist-2 & Dist-3 & F1 & ROUGE-L & Len\. & Acc\./);
    for (const run of RUNS) assert.ok(copied.includes(`runs/${run.replace(/_/g, '\\_')}`), `${run} is a row`);
    assert.match(copied, /\\textbf\{/);
  });

  it('opens the turns behind a confusion cell in the viewer, filtered', async () => {
    const page = wb.page;
    const frame = await comparisonFrame(page);
    // the busiest mistake of the run shown: an off-diagonal cell with the largest count
    const cells = frame.locator('[data-testid=confusion-cell]');
    let best: { i: number; n: number; gold: string; predicted: string } | undefined;
    for (let i = 0; i < (await cells.count()); i++) {
      const c = cells.nth(i);
      const gold = (await c.getAttribute('data-gold')) ?? '';
      const predicted = (await c.getAttribute('data-predicted')) ?? '';
      const n = Number((await c.innerText()).replace(/,/g, '')) || 0;
      if (gold !== predicted && Number(predicted) >= 0 && n > (best?.n ?? 0)) best = { i, n, gold, predicted };
    }
    assert.ok(best, 'the run has a mistake to drill into');
    await cells.nth(best.i).click();
    const viewer = await viewerFrame(page, RUNS[0]!, 60_000);
    // the banner names the cell, and its count once the view is answered
    const banner = viewer.locator('.subset-banner', { hasText: `Showing ${best.n.toLocaleString('en-US')} turn` });
    await banner.waitFor({ timeout: 30_000 });
    assert.match(await banner.locator('.subset-label').innerText(), /^Showing [\d,]+ turns?: gold .+ → predicted [^(]+$/);
    await viewer
      .getByText(new RegExp(`${best.n.toLocaleString('en-US')} of [\\d,]+ records`))
      .first()
      .waitFor({ timeout: 30_000 });
    console.log(`screenshot: ${await screenshot(page, 'comparison-drilldown.png')}`);
  });
});
