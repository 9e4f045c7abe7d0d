// The Playground as a user drives it, in code-server with the packaged extension (onnxruntime-node
// vendored into the VSIX): type a seeker message, see the strategy chart and the embedded reply,
// override the strategy and see a new reply, and find the conversation again after a reload.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { loadEmbeddedModels, type EmbeddedModels } from '../../src/core/embedded/modelFolder';
import { relevanceScores } from '../../src/core/embedded/retrieval';
import { detectFile } from '../../src/core/formats/detect';
import { STRATEGIES } from '../../src/core/strategies';
import { REPO_ROOT } from '../runner/paths';
import { findFrame, openEscStudio, openWorkbench, runCommand, screenshot, type Workbench } from './workbench';

const playgroundFrame = (wb: Workbench): Promise<Frame> =>
  findFrame(wb.page, async (f) => (await f.locator('[data-testid=seeker-input]').count()) > 0, 'Playground webview', 30_000, 250);

/** Collapses the Datasets and Runs panes: the Playground gets the room of the sidebar. */
async function roomForPlayground(page: Page): Promise<void> {
  for (const name of ['Datasets', 'Runs']) {
    const header = page.locator('.pane-header', { hasText: name }).first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
}

describe('Playground in code-server', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
    await openEscStudio(wb.page);
    await roomForPlayground(wb.page);
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

// What a new researcher types first, in words of their own (not copied from the demo corpus), and the
// words an on-topic reply would use: stems, matched at the start of the reply's words.
const TOPICS = [
  {
    seeker: "I was laid off from my job on Friday and I'm terrified about paying my bills.",
    words: [
      'job',
      'work',
      'laid',
      'layoff',
      'fired',
      'bill',
      'money',
      'rent',
      'pay',
      'unemploy',
      'career',
      'interview',
      'resume',
      'employ',
      'income',
      'saving',
      'company',
      'boss',
      'redundan',
    ],
  },
  {
    seeker: 'My partner ended things after five years, and now the apartment is empty and I feel completely alone.',
    words: [
      'breakup',
      'broke',
      'relationship',
      'partner',
      'together',
      'alone',
      'lonel',
      'empty',
      'ex',
      'split',
      'separat',
      'miss',
      'heart',
      'marriage',
      'friend',
    ],
  },
  {
    seeker: "I have an important exam tomorrow and I'm so nervous I can't sleep or study.",
    words: ['exam', 'test', 'study', 'studi', 'revis', 'grade', 'school', 'class', 'final', 'course', 'universit', 'college', 'fail'],
  },
] as const;

const words = (text: string): string[] => text.toLowerCase().match(/[a-z]+/g) ?? [];

describe('Playground on the shipped models answers on topic', { timeout: 300_000 }, () => {
  let wb: Workbench;
  let models: EmbeddedModels;
  const replies: string[] = [];
  before(async () => {
    // the VSIX ships the models `npm run build` trained into dist/models/default: the same bank as here
    models = await loadEmbeddedModels(path.join(REPO_ROOT, 'dist', 'models', 'default'));
    // temperature 0: the retrieval's best candidate first, then the next distinct ones (not a sample)
    wb = await openWorkbench(undefined, { 'escStudio.playground.generator.temperature': 0 });
    await openEscStudio(wb.page);
    await roomForPlayground(wb.page);
  });
  after(async () => {
    await wb?.close();
  });

  /** The reply of the latest supporter card once it is done (after `expectIndex` shows, when given). */
  async function latestReply(frame: Frame, expectIndex?: RegExp): Promise<string> {
    const card = frame.locator('[data-testid=supporter-turn]').last();
    if (expectIndex) await card.locator('[data-testid=candidate-index]', { hasText: expectIndex }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid=supporter-turn][data-status=done]').last().waitFor({ timeout: 30_000 });
    const reply = (await card.locator('[data-testid=reply]').first().innerText()).trim();
    assert.ok(reply.length > 0, 'a reply');
    return reply;
  }

  it('three seeker turns (job loss, a breakup and loneliness, exam nerves) get replies on their topic', async () => {
    const frame = await playgroundFrame(wb);
    for (const [n, topic] of TOPICS.entries()) {
      if (n > 0) {
        // a new conversation for each topic: Reset asks before clearing unsaved turns
        await frame.locator('[data-testid=reset]').click();
        const dialog = wb.page.locator('.monaco-dialog-box');
        await dialog.getByRole('button', { name: 'Clear' }).click();
        await frame.locator('[data-testid=supporter-turn]').first().waitFor({ state: 'detached', timeout: 15_000 });
      }
      const input = frame.locator('[data-testid=seeker-input]');
      await input.fill(topic.seeker);
      await input.press('Enter');
      await frame.locator('[data-testid=supporter-turn]').first().waitFor({ timeout: 30_000 });
      const reply = await latestReply(frame);
      replies.push(reply);
      console.log(`seeker: ${topic.seeker}\nsupporter: ${reply}`);
      // the reply uses the topic's words
      const hits = words(reply).filter((w) => topic.words.some((k) => w.startsWith(k)));
      assert.ok(hits.length > 0, `"${reply}" says nothing about ${topic.words.join('/')}`);
      // and the retrieval's own relevance (BM25 over the seeker's words, 0..1) puts it among the bank's closest 5%
      const index = models.bank.texts.findIndex((t) => t.trim() === reply);
      assert.ok(index >= 0, 'the reply is one of the shipped bank responses');
      const rel = relevanceScores(models.bank, [{ speaker: 'seeker', text: topic.seeker }]);
      const above = rel.filter((r) => r > rel[index]!).length;
      assert.ok(rel[index]! > 0, `relevance ${rel[index]}`);
      // the card shows the same relevance the retrieval ranked it by
      const shown = Number(
        await frame
          .locator('[data-testid=supporter-turn]')
          .last()
          .locator('[data-testid=relevance]')
          .first()
          .getAttribute('data-relevance'),
      );
      assert.ok(Math.abs(shown - rel[index]!) < 1e-3, `the card's relevance ${shown} is the retrieval's ${rel[index]}`);
      console.log(`relevance ${rel[index]!.toFixed(3)} (${above} of ${rel.length} bank responses closer)`);
      assert.ok(above < rel.length * 0.05, `relevance ${rel[index]!.toFixed(3)}: ${above} of ${rel.length} responses are closer`);
    }
    assert.equal(new Set(replies).size, TOPICS.length, 'three topics, three different replies');
    console.log(`screenshot: ${await screenshot(wb.page, 'playground-on-topic.png')}`);
  });

  it('Regenerate gives three distinct replies, and Keep both saves them as a generator pair', async () => {
    const frame = await playgroundFrame(wb);
    const card = frame.locator('[data-testid=supporter-turn]').last();
    const candidates = [await latestReply(frame)];
    for (const k of [2, 3]) {
      await card.locator('[data-testid=regenerate]').click();
      candidates.push(await latestReply(frame, new RegExp(`${k}\\s*/\\s*${k}`)));
    }
    console.log(`candidates: ${JSON.stringify(candidates)}`);
    assert.equal(new Set(candidates).size, 3, `three distinct replies: ${JSON.stringify(candidates)}`);

    const pairs = path.join(wb.workspace, 'data', 'pref_generator_demo.json');
    const before = JSON.parse(readFileSync(pairs, 'utf8')) as unknown[];
    await card.locator('[data-testid=keep-both-toggle]').click();
    const panel = frame.locator('[data-testid=keep-both]');
    const sides = (await panel.locator('[data-testid=pair-reply]').allInnerTexts()).map((t) => t.trim());
    assert.equal(sides.length, 2);
    await panel.locator('[data-testid=pick-better]').first().click();
    await panel.locator('[data-testid=save-generator-pair]').click();
    // the target file: the quick pick offers the workspace's generator pair files
    const widget = wb.page.locator('.quick-input-widget');
    await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'pref_generator_demo.json' }).first().click({ timeout: 30_000 });
    let after = before;
    for (let i = 0; i < 60 && after.length === before.length; i++) {
      await wb.page.waitForTimeout(250);
      after = JSON.parse(readFileSync(pairs, 'utf8')) as unknown[];
    }
    assert.equal(after.length, before.length + 1, 'one pair appended');
    assert.deepEqual(after.slice(0, -1), before, 'the other records are kept');
    const pair = after.at(-1) as {
      conversations: { role: string; content: string }[];
      chosen: { content: string };
      rejected: { content: string };
    };
    assert.deepEqual([pair.chosen.content, pair.rejected.content], sides, 'the better reply is chosen, the other rejected');
    assert.equal(pair.conversations.at(-1)!.content, TOPICS[2].seeker);
    assert.equal((await detectFile(pairs)).kind, 'pref-generator');
  });
});
