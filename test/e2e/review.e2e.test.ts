// The blind pairwise review as an annotator drives it, in code-server with the packaged extension: a
// review file of the demo's inference output against a second run, opened from the Evaluations view;
// the annotator name typed once; keys 1 / 2 / 0 pressed in the page judge (typing them in the note does
// not); the window reloaded → the panel comes back at the same item (the serializer) and the file
// holds each key mapped to the run it preferred.

import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { choiceFor, type Judgement, type Pick } from '../../src/core/eval/reviewSession';
import { findFrame, focusPane, openEscStudio, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

const REVIEW = path.join('reviews', 'demo-vs-b.review.jsonl');

const reviewFrame = (wb: Workbench): Promise<Frame> =>
  findFrame(wb.page, async (f) => (await f.locator('[data-testid=review-progress]').count()) > 0, 'review webview', 45_000, 250);

const progress = async (frame: Frame, text: string): Promise<void> => {
  await frame.locator('[data-testid=review-progress]', { hasText: text }).waitFor({ timeout: 15_000 });
};

function judgements(wb: Workbench): Judgement[] {
  const lines = readFileSync(path.join(wb.workspace, REVIEW), 'utf8').split('\n').filter(Boolean);
  return lines.slice(1).map((l) => JSON.parse(l) as Judgement);
}

describe('Blind pairwise review in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench((ws) => {
      const records = JSON.parse(readFileSync(path.join(ws, 'data', 'inference_demo.json'), 'utf8')) as Record<string, unknown>[];
      writeFileSync(
        path.join(ws, 'data', 'run_b.json'),
        JSON.stringify(records.map((r, i) => ({ ...r, predict_content: `Run B's reply to turn ${i}.` }))),
      );
      mkdirSync(path.join(ws, 'reviews'));
      const header = {
        review: 1,
        a: '../data/inference_demo.json',
        b: '../data/run_b.json',
        seed: 'e2e-seed',
        created: new Date().toISOString(),
      };
      writeFileSync(path.join(ws, REVIEW), JSON.stringify(header) + '\n');
    });
    await openEscStudio(wb.page);
  });
  after(async () => {
    await wb?.close();
  });

  it('opens from the Evaluations view, asks the annotator once, and judges with keys 1 / 2 / 0', async () => {
    const page = wb.page;
    const pane = await focusPane(page, 'Evaluations');
    const input = page.locator('.quick-input-widget input');
    // The Evaluations tree redraws as its files are listed and checked: a click on a row being replaced is
    // lost (a fresh-clone run saw nothing open). Click again until the annotator is asked.
    for (let attempt = 1; ; attempt++) {
      await pane.locator('.monaco-list-row', { hasText: 'demo-vs-b' }).first().click({ timeout: 30_000 });
      try {
        await input.waitFor({ timeout: 8_000 });
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    await input.fill('e2e annotator');
    await page.keyboard.press('Enter');

    const frame = await reviewFrame(wb);
    await progress(frame, '1 / 23');
    assert.match(await frame.locator('body').innerText(), /Keys: 1 first is better · 2 second is better · 0 tie/);
    assert.match(await frame.locator('body').innerText(), /0 judged by e2e annotator/);
    // the replies carry no run names
    assert.doesNotMatch(await frame.locator('[data-testid=reply-first]').innerText(), /run_b|inference_demo/);

    await frame.locator('[data-testid=review-progress]').click();
    await page.keyboard.press('1');
    await progress(frame, '2 / 23');
    await page.keyboard.press('2');
    await progress(frame, '3 / 23');
    await page.keyboard.press('0');
    await progress(frame, '4 / 23');

    // typing the keys in the note types them, and judges nothing
    const note = frame.locator('[data-testid=review-note]');
    await note.click();
    await page.keyboard.type('1 2 0');
    assert.equal(await note.inputValue(), '1 2 0');
    await page.waitForTimeout(500);
    await progress(frame, '4 / 23');
    assert.equal(judgements(wb).length, 3);
    console.log(`screenshot: ${await screenshot(page, 'review-page.png')}`);

    const saved = judgements(wb);
    const picks: Pick[] = [1, 2, 0];
    assert.deepEqual(
      saved.map((j) => j.item),
      [0, 1, 2],
    );
    saved.forEach((j, i) => {
      assert.equal(j.annotator, 'e2e annotator');
      assert.equal(j.choice, choiceFor(picks[i]!, j.shown), `item ${i}: key ${picks[i]} shown ${j.shown}`);
    });
  });

  it('after a window reload, the review is back at item 4 and goes on; the results name the runs', async () => {
    const page = wb.page;
    // Developer: Reload Window, as a user reloads: the workbench saves its editors (and the page's state) first
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    const frame = await reviewFrame(wb).catch(async (err: unknown) => {
      console.log(`screenshot: ${await screenshot(page, 'review-reload-failed.png')}`);
      throw err;
    });
    await progress(frame, '4 / 23');
    assert.match(await frame.locator('body').innerText(), /3 judged by e2e annotator/);
    await frame.locator('[data-testid=review-progress]').click();
    await page.keyboard.press('1');
    await progress(frame, '5 / 23');
    assert.equal(judgements(wb).length, 4);

    assert.equal(await frame.locator('[data-testid=review-results]').count(), 0, 'results hidden until asked for');
    await frame.getByRole('button', { name: /Show results/ }).click();
    const results = frame.locator('[data-testid=review-results]');
    await results.waitFor({ timeout: 10_000 });
    const text = await results.innerText();
    assert.match(text, /A = data\/inference_demo\.json, B = data\/run_b\.json/);
    const want = judgements(wb).reduce(
      (t, j) => ({
        win: t.win + (j.choice === 'a' ? 1 : 0),
        tie: t.tie + (j.choice === 'tie' ? 1 : 0),
        loss: t.loss + (j.choice === 'b' ? 1 : 0),
      }),
      { win: 0, tie: 0, loss: 0 },
    );
    assert.match(text, new RegExp(`A against B: ${want.win} win / ${want.tie} tie / ${want.loss} loss`));
    assert.match(text, /sign test/);
    console.log(`screenshot: ${await screenshot(page, 'review-results.png')}`);
  });
});
