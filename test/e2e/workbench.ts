// Shared e2e set-up: the packaged extension installed into a real code-server, the demo workspace
// (a throw-away copy) open in headless Chromium, and helpers to reach views and webviews.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { copyWorkspace, launchChromium, startCodeServer, workbenchUrl, type CodeServer } from '../runner/codeServer';
import { DEMO_DIR, REPO_ROOT, RESULTS_DIR } from '../runner/paths';

export interface Workbench {
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

/** Opens the demo workspace (a copy; `prepare` may add files to it first) with the packaged extension installed. */
export async function openWorkbench(prepare?: (workspace: string) => void, settings?: Record<string, unknown>): Promise<Workbench> {
  const extensionsDir = mkdtempSync(path.join(tmpdir(), 'esc-e2e-ext-'));
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-extension.sh'), extensionsDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ws = copyWorkspace(DEMO_DIR, 'demo workspace');
  prepare?.(ws.dir);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({ workspace: ws.dir, extensionsDir, settings });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(workbenchUrl(server.origin, ws.dir));
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    const s = server;
    const b = browser;
    return {
      page,
      workspace: ws.dir,
      close: async () => {
        await b.close();
        await s.stop();
        ws.dispose();
        rmSync(extensionsDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close();
    await server?.stop();
    ws.dispose();
    throw err;
  }
}

export async function openEscStudio(page: Page): Promise<void> {
  // a click on the icon of the container already shown would hide it: click only when it is not the checked one
  const item = page
    .locator('.activitybar .action-item[aria-label*="ESC Studio"]')
    .or(page.locator('.activitybar .action-item', { has: page.locator('[aria-label*="ESC Studio"]') }))
    .first();
  const classes = (await item.getAttribute('class', { timeout: 30_000 })) ?? '';
  if (!classes.split(/\s+/).includes('checked')) await item.locator('.action-label').first().click();
  await page.locator('.pane-header', { hasText: 'Datasets' }).waitFor({ timeout: 30_000 });
}

/** The first frame (webviews are nested iframes) for which `matches` holds, polled until `timeoutMs`. */
export async function findFrame(
  page: Page,
  matches: (frame: Frame) => Promise<boolean>,
  what: string,
  timeoutMs: number,
  pollMs: number,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if (await matches(frame)) return frame;
      } catch {
        // frame navigating or detached
      }
    }
    await page.waitForTimeout(pollMs);
  }
  throw new Error(`no ${what} within ${timeoutMs} ms`);
}

/** The innermost frame of a webview whose body contains `text`. */
export function webviewFrame(page: Page, text: string, timeoutMs = 30_000): Promise<Frame> {
  return findFrame(
    page,
    async (f) => (await f.locator('body').innerText({ timeout: 500 })).includes(text),
    `webview showing ${JSON.stringify(text)}`,
    timeoutMs,
    250,
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  await page.screenshot({ path: file });
  return file;
}

/** The Datasets view's pane. */
export const datasetsPane = (page: Page) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Datasets' }) });

/** Opens a dataset from the Datasets tree (collapsing groups first: the tree renders visible rows only). */
export async function openFromTree(page: Page, kindLabel: string, fileName: string, beforeClick?: () => void): Promise<void> {
  const tree = datasetsPane(page);
  await tree.locator('.monaco-list-row', { hasText: 'records ·' }).first().waitFor({ timeout: 30_000 });
  const row = tree.locator('.monaco-list-row', { hasText: fileName }).first();
  // The background checks redraw the tree as each file's result arrives: a click on the kind's row while
  // it is replaced does not expand it. Collapse all and click it again until the file's row shows.
  for (let attempt = 1; ; attempt++) {
    await tree.locator('.pane-header').hover();
    await tree.getByRole('button', { name: 'Collapse All' }).click();
    await tree.locator('.monaco-list-row', { hasText: kindLabel }).first().click();
    try {
      await row.waitFor({ timeout: 10_000 });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  // The tree redraws when a scan ends (a large file counted, a watcher event): a click on a row being
  // replaced is lost. Click again (restarting the caller's clock) until the file's editor tab opens.
  const tab = page.locator('.tabs-container .tab', { hasText: fileName });
  for (let attempt = 1; ; attempt++) {
    await row.waitFor();
    beforeClick?.();
    await row.click();
    try {
      await tab.first().waitFor({ timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** The ESC Studio views, top to bottom. */
const PANES = ['Datasets', 'Runs', 'Evaluations', 'Playground'] as const;

/** Collapses the other ESC Studio panes so `name`'s tree has room, expands `name`, and returns its pane. */
export async function focusPane(page: Page, name: (typeof PANES)[number]): Promise<Locator> {
  for (const other of PANES) {
    if (other === name) continue;
    const header = page.locator('.pane-header', { hasText: other }).first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: name }) });
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // the panes resize (and the tree lays out its rows) after a collapse or an expansion: a row clicked
  // while it moves is missed (the click lands beside it). Wait until the pane's box holds still.
  let last = '';
  for (let i = 0, still = 0; i < 40 && still < 3; i++) {
    const box = JSON.stringify(await pane.boundingBox());
    still = box === last ? still + 1 : 0;
    last = box;
    await page.waitForTimeout(100);
  }
  return pane;
}

/** Collapses the other panes (Runs, Evaluations, Playground) so the Datasets tree has room. */
export async function focusDatasetsPane(page: Page): Promise<void> {
  await focusPane(page, 'Datasets');
}

/** Runs a command from the Command Palette by its title, as a user would. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Opens a workspace file in the text editor through Quick Open. */
export async function quickOpen(page: Page, relativePath: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(relativePath);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relativePath) })
    .first()
    .waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: path.basename(relativePath) }).waitFor();
}

/** The ESC Dataset Viewer webview showing `fileName` (its innermost frame). */
export function viewerFrame(page: Page, fileName: string, timeoutMs = 30_000): Promise<Frame> {
  const matches = async (f: Frame): Promise<boolean> => {
    const title = f.locator('.file-title');
    return (await title.count()) > 0 && (await title.innerText({ timeout: 200 })).endsWith(fileName);
  };
  return findFrame(page, matches, `ESC Dataset Viewer showing ${fileName}`, timeoutMs, 20);
}
