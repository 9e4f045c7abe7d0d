// The ESC Dataset Viewer in a real browser against a real VS Code, on the real ../shared/data files
// (copied into a throw-away workspace, never into the repository; their tests are skipped when
// ../shared is not beside the clone), on broken copies of our demo data, on a hostile file, and on a
// 200 MB file for the first-page time.

import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeBigPreferenceFile } from '../fixtures/bigPreferenceFile';
import { REPO_ROOT } from '../runner/paths';
import { sharedData } from '../sharedData';
import {
  focusDatasetsPane,
  openEscStudio,
  openFromTree,
  openWorkbench,
  quickOpen,
  runCommand,
  screenshot,
  viewerFrame,
  type Workbench,
} from './workbench';

const REAL = ['ESC_sft_test.json', 'ESC_sft_val.json', 'FailedESConv.json'];
const XSS = {
  img: '<img src=x onerror="window.__escXss=1">',
  script: '</script><script>window.__escXss=2</script>',
  link: '<a href="javascript:window.__escXss=3">click me</a>',
  css: '</style><style>body{display:none !important}</style><div style="position:fixed;inset:0;background:red">',
};

function prepare(ws: string): void {
  if (!sharedData.skip) {
    mkdirSync(path.join(ws, 'real data'));
    for (const f of REAL) copyFileSync(sharedData.file(f), path.join(ws, 'real data', f));
  }
  const bad = path.join(ws, 'bad');
  mkdirSync(bad);
  const sft = readFileSync(path.join(REPO_ROOT, 'demo', 'data', 'sft_vanilla_demo.json'));
  writeFileSync(path.join(bad, 'truncated.json'), sft.subarray(0, Math.floor(sft.length * 0.75)));
  writeFileSync(
    path.join(bad, 'utf16.json'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(JSON.parse(sft.toString()).slice(0, 3)), 'utf16le')]),
  );
  writeFileSync(path.join(bad, 'empty.json'), '');
  const lines = (JSON.parse(sft.toString()) as unknown[]).slice(0, 6).map((r) => JSON.stringify(r));
  lines[3] = lines[3]!.slice(0, 200);
  writeFileSync(path.join(bad, 'bad-lines.jsonl'), lines.join('\n') + '\n');
  const huge = {
    messages: [
      { role: 'user', content: 'a very long message: ' + 'words '.repeat(900_000) },
      { role: 'assistant', content: '[Question] Could you say more?' },
    ],
  };
  writeFileSync(
    path.join(bad, 'huge-string.json'),
    JSON.stringify([
      huge,
      {
        messages: [
          { role: 'user', content: 'short' },
          { role: 'assistant', content: '[Others] ok' },
        ],
      },
    ]),
  );
  const hostile = Object.values(XSS).map((payload, i) => ({
    messages: [
      { role: 'user', content: `seeker says ${payload}` },
      { role: 'assistant', content: `[${['Question', 'Others', 'Information', 'Self-disclosure'][i]}] reply ${payload}` },
    ],
  }));
  writeFileSync(path.join(ws, 'hostile.json'), JSON.stringify(hostile, null, 1));
  const backtrack = [
    {
      messages: [
        { role: 'user', content: 'a'.repeat(40) + '!' },
        { role: 'assistant', content: '[Question] ok?' },
      ],
    },
  ];
  writeFileSync(path.join(ws, 'backtrack.json'), JSON.stringify(backtrack));
  mkdirSync(path.join(ws, 'big'));
  writeBigPreferenceFile(REPO_ROOT, path.join(ws, 'big', 'pref_generator_200MB.json'), 200 * 1024 * 1024);
}

describe('ESC Dataset Viewer in code-server', { timeout: 600_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench(prepare, { 'escStudio.viewer.searchTimeoutSeconds': 3 });
    await openEscStudio(wb.page);
    await focusDatasetsPane(wb.page);
  });
  after(async () => {
    await wb?.close();
  });

  /** Opens a file from the tree and returns the times to its first rows, from the webview's own wall-clock stamps. */
  async function timeFirstPage(
    kindLabel: string,
    fileName: string,
  ): Promise<{ total: number; line: string; frame: Awaited<ReturnType<typeof viewerFrame>> }> {
    const page = wb.page;
    let started = 0;
    await openFromTree(page, kindLabel, fileName, () => (started = Date.now()));
    const frame = await viewerFrame(page, fileName);
    await frame.locator('.row[data-index]').first().waitFor({ timeout: 30_000 });
    // the webview stamps the wall-clock time it drew the first rows; the browser and this process share the clock
    const t = await frame.evaluate(() => ({
      at: Number(document.body.dataset.firstRowsAt),
      fromScript: Number(document.body.dataset.firstRowsMs),
      scriptStart: Number(document.body.dataset.scriptStartMs),
      html: Number(document.body.dataset.htmlDeliveredMs),
      opened: Number(document.body.dataset.documentOpenedAt),
      bootReady: Number(document.body.dataset.bootReadyMs),
    }));

    const line =
      `${fileName}: ${t.at - started} ms from the click on the tree item to the first rows drawn ` +
      `(click -> document opened: ${t.opened - started} ms; document -> rows drawn: ${t.at - t.opened} ms, of which ` +
      `VS Code's webview host until our HTML arrived: ${t.html} ms, HTML -> script start: ${t.scriptStart - t.html} ms, script start -> rows: ${t.fromScript} ms; ${
        Number.isFinite(t.bootReady)
          ? `drawn from the first view sent ahead, ready ${t.bootReady} ms after the document opened`
          : 'the page asked'
      })`;
    return { total: t.at - started, line, frame };
  }

  it('opens a 200 MB file from the tree and shows the first page quickly (measured, printed)', async () => {
    const page = wb.page;
    // the first webview of a session also pays for the workbench's webview start-up: measure a small file first
    const small = await timeFirstPage('Generator preference pairs', 'pref_generator_demo.json');
    console.log(`first page, small file (first viewer of the session): ${small.line}`);
    await runCommand(page, 'View: Close All Editors');
    const big = await timeFirstPage('Generator preference pairs', 'pref_generator_200MB.json');
    console.log(`first page, 200 MB file: ${big.line}`);
    const frame = big.frame;
    await frame.locator('.file-title').waitFor();
    await frame.getByText('86,950 records', { exact: false }).waitFor({ timeout: 60_000 });
    await screenshot(page, 'viewer-200MB.png');
    await runCommand(page, 'View: Close All Editors');
  });

  it(
    'real SFT file: open from the tree, scroll, keyboard, search with highlights, filter by strategy',
    { skip: sharedData.skip },
    async () => {
      const page = wb.page;
      await openFromTree(page, 'Vanilla SFT', 'ESC_sft_test.json');
      let frame = await viewerFrame(page, 'ESC_sft_test.json');
      await frame.locator('.row[data-index]').first().waitFor();
      await frame.getByText('130 records').waitFor();
      // scroll to the end of the list: rows far down are fetched and drawn
      // (scrolled again until it shows: the list may still be growing to its full height when first scrolled)
      const last = frame.locator('.row[data-index="129"]');
      for (let i = 0; i < 20 && !(await last.isVisible()); i++) {
        await frame.locator('.record-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
        await page.waitForTimeout(250);
      }
      await last.waitFor();
      // keyboard: Home, then ArrowDown twice selects record 2 and shows it
      await frame.locator('.record-list').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await frame.locator('.record-title', { hasText: 'Record 2' }).waitFor();
      assert.ok((await frame.locator('.record-pane .bubble.supporter .chip').count()) > 0, 'strategy chips on supporter bubbles');
      // search: count equals a plain count over the same file
      const data = JSON.parse(readFileSync(sharedData.file('ESC_sft_test.json'), 'utf8')) as { messages: { content: string }[] }[];
      const expectedRecords = data.filter((r) => r.messages.some((m) => /brother/i.test(m.content))).length;
      await frame.locator('input.search').fill('brother');
      await frame.locator('.match-info', { hasText: `in ${expectedRecords} records` }).waitFor();
      await page.keyboard.press('Tab');
      await frame.locator('.row[data-index]').first().click();
      await frame.locator('.record-pane mark').first().waitFor();
      assert.match((await frame.locator('.record-pane mark').first().innerText()).toLowerCase(), /brother/);
      await screenshot(page, 'viewer-search.png');
      // state survives hide/show: another editor hides the viewer (its webview is discarded), then back
      const shown = await frame.locator('.record-title').innerText();
      await quickOpen(page, 'demo/README.md'.replace('demo/', ''));
      await page.locator('.tab', { hasText: 'ESC_sft_test.json' }).click();
      frame = await viewerFrame(page, 'ESC_sft_test.json');
      await frame.locator('.record-title', { hasText: shown }).waitFor();
      // shown again, the page took its own saved query, not a boot
      assert.equal(await frame.evaluate(() => document.body.dataset.bootReadyMs), undefined);
      assert.equal(await frame.locator('input.search').inputValue(), 'brother');
      await frame.locator('.match-info', { hasText: `in ${expectedRecords} records` }).waitFor();
      // filter: clear the search, pick Self-disclosure
      await frame.locator('input.search').fill('');
      await frame.locator('input.search').press('Enter');
      await frame.locator('select[data-facet="strategy"]').waitFor();
      const withSelfDisclosure = data.filter((r) => r.messages.some((m) => m.content.startsWith('[Self-disclosure]'))).length;
      await frame.locator('select[data-facet="strategy"]').selectOption('Self-disclosure');
      await frame.locator('.match-info', { hasText: `${withSelfDisclosure} of 130 records` }).waitFor();
      await screenshot(page, 'viewer-filter.png');
      await runCommand(page, 'View: Close All Editors');
    },
  );

  it('real ESConv file: the Statistics tab draws its charts', { skip: sharedData.skip }, async () => {
    const page = wb.page;
    await openFromTree(page, 'ESConv dialogues', 'FailedESConv.json');
    const frame = await viewerFrame(page, 'FailedESConv.json');
    await frame.locator('.tab', { hasText: 'Statistics' }).click();
    await frame.locator('figure.chart canvas').nth(4).waitFor({ timeout: 30_000 });
    const captions = await frame.locator('figure.chart figcaption').allInnerTexts();
    assert.ok(captions.some((c) => c.startsWith('Strategy distribution')));
    assert.ok(captions.includes('Emotion types') && captions.includes('Problem types'));
    const strategyLabel = await frame.locator('figure.chart canvas').first().getAttribute('aria-label');
    assert.match(strategyLabel ?? '', /Question 528/);
    await screenshot(page, 'viewer-statistics.png');
    await runCommand(page, 'View: Close All Editors');
  });

  it('preference pairs: chosen and rejected side by side with a word diff; planner pairs with their matrix', async () => {
    const page = wb.page;
    await openFromTree(page, 'Generator preference pairs', 'pref_generator_demo.json');
    let frame = await viewerFrame(page, 'pref_generator_demo.json');
    await frame.locator('.row[data-index="0"]').click();
    await frame.locator('.side.chosen').waitFor();
    assert.ok((await frame.locator('.side.chosen .diff-only.chosen').count()) > 0, 'words only in the chosen reply are marked');
    assert.ok((await frame.locator('.side.rejected .diff-only.rejected').count()) > 0, 'words only in the rejected reply are marked');
    // the colours read right: the chosen reply's own words in the theme's positive (inserted) colour,
    // never its removed (red) one; the rejected reply's in a neutral colour; a legend names both
    const colours = await frame.evaluate(() => {
      const themed = (v: string): string => {
        const probe = document.body.appendChild(document.createElement('span'));
        probe.style.background = `var(${v})`;
        const c = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return c;
      };
      const bg = (sel: string): string => getComputedStyle(document.querySelector(sel)!).backgroundColor;
      return {
        chosen: bg('.side.chosen .diff-only'),
        rejected: bg('.side.rejected .diff-only'),
        inserted: themed('--vscode-diffEditor-insertedTextBackground'),
        removed: themed('--vscode-diffEditor-removedTextBackground'),
      };
    });
    assert.equal(colours.chosen, colours.inserted, `chosen-only words in the positive colour (${JSON.stringify(colours)})`);
    assert.notEqual(colours.chosen, colours.removed);
    assert.ok(![colours.inserted, colours.removed].includes(colours.rejected), `rejected-only words neutral (${JSON.stringify(colours)})`);
    const legend = await frame.locator('.diff-legend').innerText();
    assert.match(legend, /only in the chosen reply/);
    assert.match(legend, /only in the rejected reply/);
    await screenshot(page, 'viewer-pair-diff.png');
    await runCommand(page, 'View: Close All Editors');
    await openFromTree(page, 'Planner preference pairs', 'pref_planner_demo.json');
    frame = await viewerFrame(page, 'pref_planner_demo.json');
    await frame.locator('.row[data-index="0"]').click();
    await frame.locator('.side .chip.big').nth(1).waitFor();
    assert.equal(await frame.locator('.side .chip.big').count(), 2);
    await frame.locator('.tab', { hasText: 'Statistics' }).click();
    await frame.locator('figure.chart figcaption', { hasText: 'Chosen → rejected strategy' }).waitFor();
    await screenshot(page, 'viewer-planner-matrix.png');
    await runCommand(page, 'View: Close All Editors');
  });

  it('inference and error-statistics files: the Statistics tab reports accuracy, F1s and the confusion; the share with an empathy error', async () => {
    const page = wb.page;
    // expected figures from the demo file itself (its counts may change when the demo data is regenerated)
    const demo = (name: string): Record<string, unknown>[] =>
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'demo', 'data', name), 'utf8')) as Record<string, unknown>[];
    const inference = demo('inference_demo.json');
    const right = inference.filter((r) => String(r.GT_strategy).toLowerCase() === String(r.predict_strategy).toLowerCase()).length;
    await openFromTree(page, 'Inference output', 'inference_demo.json');
    let frame = await viewerFrame(page, 'inference_demo.json');
    await frame.locator('.tab', { hasText: 'Statistics' }).click();
    const confusion = frame.locator('figure.chart', { has: frame.locator('figcaption', { hasText: 'Gold → predicted strategy' }) });
    await confusion.waitFor({ timeout: 30_000 });
    const summary = await frame.locator('.stats-summary').innerText();
    assert.match(
      summary,
      new RegExp(`strategy accuracy\\s+${((100 * right) / inference.length).toFixed(1)}% of ${inference.length} turns`),
    );
    assert.match(summary, /weighted F1\s+\d+\.\d%/);
    assert.match(summary, /macro F1\s+\d+\.\d%/);
    assert.match(summary, /predicted length/);
    assert.doesNotMatch(summary, /rejected/);
    const cells = (await confusion.locator('canvas').getAttribute('aria-label')) ?? '';
    const others = inference.filter((r) => r.GT_strategy === 'Others' && r.predict_strategy === 'Others').length;
    if (others > 0) assert.match(cells, new RegExp(`gold Others → predicted Others: ${others} turns?`));
    await runCommand(page, 'Notifications: Clear All Notifications');
    await screenshot(page, 'stats-inference.png');
    await runCommand(page, 'View: Close All Editors');

    const judged = demo('error_stats_demo.json');
    const yes = judged.filter((r) => r['Contains Empathy Error'] === 'Yes').length;
    await openFromTree(page, 'Error statistics', 'error_stats_demo.json');
    frame = await viewerFrame(page, 'error_stats_demo.json');
    await frame.locator('.tab', { hasText: 'Statistics' }).click();
    await frame.locator('figure.chart figcaption', { hasText: 'Contains empathy error' }).waitFor({ timeout: 30_000 });
    assert.match(await frame.locator('.stats-summary').innerText(), new RegExp(`empathy error\\s+${yes} responses? of ${judged.length}`));
    const captions = await frame.locator('figure.chart figcaption').allInnerTexts();
    assert.ok(!captions.includes('Turns per record'), `no turns chart for judged responses (${captions.join(', ')})`);
    assert.ok(captions.includes('Error types'));
    await runCommand(page, 'Notifications: Clear All Notifications');
    await screenshot(page, 'stats-error.png');
    await runCommand(page, 'View: Close All Editors');
  });

  it('bad input: truncated, UTF-16, empty, a broken JSONL line and a 5 MB string each get a clear message, never a blank page', async () => {
    const page = wb.page;
    const open = async (rel: string): Promise<Awaited<ReturnType<typeof viewerFrame>>> => {
      await quickOpen(page, rel);
      await runCommand(page, 'ESC: Open in ESC Dataset Viewer');
      return viewerFrame(page, path.basename(rel));
    };
    let frame = await open('bad/truncated.json');
    await frame.locator('.banner', { hasText: /1 of [\d,]+ records is invalid; the file ends inside record/ }).waitFor();
    await frame.locator('.row[data-index]').first().waitFor();
    // the valid records are listed (the list refreshes once the analysis is done: wait for its rows)
    await frame.waitForFunction(() => document.querySelectorAll('.row[data-index]').length > 5, undefined, { timeout: 30_000 });
    await frame.locator('.banner summary').click();
    assert.match(await frame.locator('.problem-list').innerText(), /truncated/);
    await screenshot(page, 'viewer-bad-truncated.png');
    await runCommand(page, 'View: Close All Editors');

    frame = await open('bad/utf16.json');
    await frame.locator('.banner.error', { hasText: 'UTF-16' }).waitFor();
    await runCommand(page, 'View: Close All Editors');

    frame = await open('bad/empty.json');
    await frame.locator('.banner.error', { hasText: 'empty' }).waitFor();
    await runCommand(page, 'View: Close All Editors');

    frame = await open('bad/bad-lines.jsonl');
    await frame.locator('.banner', { hasText: '1 of 6 records is invalid. Invalid records are marked in the list.' }).waitFor();
    await frame.locator('.row.invalid').first().click();
    await frame.locator('.record-problems', { hasText: 'JSON syntax error' }).waitFor();
    await runCommand(page, 'View: Close All Editors');

    frame = await open('bad/huge-string.json');
    await frame.locator('.row[data-index="0"]').click();
    await frame.locator('.record-pane .link-button', { hasText: 'show all' }).waitFor();
    await runCommand(page, 'View: Close All Editors');
  });

  it('security: HTML, script, javascript: links and CSS in data are shown literally and run nothing', async () => {
    const page = wb.page;
    await quickOpen(page, 'hostile.json');
    await runCommand(page, 'ESC: Open in ESC Dataset Viewer');
    const frame = await viewerFrame(page, 'hostile.json');
    // the list is redrawn once when the analysis ends (sorting and facets arrive): click after that, so a
    // click on a row being replaced is not lost on a loaded machine
    await frame.getByText('Filters and sorting appear when analysis finishes').waitFor({ state: 'detached', timeout: 30_000 });
    for (let i = 0; i < 4; i++) {
      await frame.locator(`.row[data-index="${i}"]`).click();
      await frame.locator('.record-title', { hasText: `Record ${i}` }).waitFor();
      const text = await frame.locator('.record-pane').innerText();
      assert.ok(text.includes(Object.values(XSS)[i]!), `payload ${i} shown literally`);
    }
    await frame.locator('input.search').fill('onerror');
    await frame.locator('.match-info', { hasText: 'matches' }).waitFor();
    await frame.locator('.tab', { hasText: 'Statistics' }).click();
    await frame.locator('figure.chart canvas').first().waitFor();
    await page.waitForTimeout(500);
    assert.equal(await frame.evaluate(() => (window as unknown as { __escXss?: number }).__escXss), undefined, 'no payload ran');
    assert.equal(
      await frame.locator('.record-pane img, .record-pane a[href], .record-pane script, .record-pane style').count(),
      0,
      'no element came from data',
    );
    assert.equal(await frame.locator('body').isVisible(), true, 'injected CSS did not apply');
    for (const f of page.frames()) {
      assert.equal(await f.evaluate(() => (window as unknown as { __escXss?: number }).__escXss).catch(() => undefined), undefined);
    }
    await screenshot(page, 'viewer-security.png');
    await runCommand(page, 'View: Close All Editors');
  });

  it('a regular expression that backtracks catastrophically is stopped and cleared; the viewer recovers', async () => {
    const page = wb.page;
    await quickOpen(page, 'backtrack.json');
    await runCommand(page, 'ESC: Open in ESC Dataset Viewer');
    let frame = await viewerFrame(page, 'backtrack.json');
    await frame.locator('.row[data-index="0"]').waitFor();
    await frame.locator('input.toggle, label.toggle input').first().check();
    await frame.locator('input.search').fill('(a+)+$');
    await frame.locator('input.search').press('Enter');
    // the worker is replaced and the page reloads without the search
    const deadline = Date.now() + 30_000;
    for (;;) {
      frame = await viewerFrame(page, 'backtrack.json');
      if ((await frame.locator('.banner.error', { hasText: 'was stopped' }).count()) > 0) break;
      if (Date.now() > deadline) assert.fail('the stuck search was not stopped');
      await page.waitForTimeout(250);
    }
    assert.equal(await frame.locator('input.search').inputValue(), '');
    await frame.locator('.row[data-index="0"]').waitFor();
    await runCommand(page, 'View: Close All Editors');
  });
});
