// One dataset file open in two viewer panels (Split Editor / Open to the Side) inside a real VS Code:
// the panels share the file's worker, and each keeps its own view, so the second panel's query does
// not take the rows (scrolling) or positions (jumps) from under the first.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { log } from './index';
import { api, viewerTabs, withTimeout, workspaceDir } from './host';

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ESC Dataset Viewer in two panels on one file', () => {
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it("keeps the first panel's view serving rows and positions after the second panel queries", async function () {
    this.timeout(120_000);
    const a = await api();
    const file = vscode.Uri.file(path.join(workspaceDir(), 'data', 'inference_demo.json'));
    const records = (JSON.parse(readFileSync(file.fsPath, 'utf8')) as unknown[]).length;
    assert.ok(records > 8, 'the demo file has records outside the subset');

    // the first panel, on a subset
    const firstReady = a.viewer.whenReady(file);
    const firstView = a.viewer.whenView(file, (v) => v.query.subset?.label === 'first panel');
    await a.viewer.openFiltered(file, { label: 'first panel', indices: [7, 3] });
    await withTimeout(firstView, 30_000, 'the first panel view');
    await withTimeout(firstReady, 30_000, 'the first panel page');
    // its page asks again when the analysis ends (the facets): wait for that view, so it is the panel's last
    await until(() => a.viewer.panelsOf(file)[0]?.view?.info.facets.strategy !== undefined, 30_000, "the first panel's analysed view");
    const before = a.viewer.panelsOf(file)[0]!.view!;

    // a second panel on the same file, in the group beside: its own (whole-file) query comes after
    const secondReady = a.viewer.whenReady(file);
    const wholeView = a.viewer.whenView(file, (v) => v.query.subset === undefined && v.info.version > before.info.version);
    await vscode.commands.executeCommand('vscode.openWith', file, 'escStudio.datasetViewer', vscode.ViewColumn.Beside);
    await withTimeout(secondReady, 30_000, 'the second panel page');
    const second = await withTimeout(wholeView, 30_000, 'the second panel view');
    assert.equal(viewerTabs(file).length, 2, 'two viewer tabs on the file');
    assert.equal(second.info.total, records);

    const panels = a.viewer.panelsOf(file);
    assert.equal(panels.length, 2);
    const [first, other] = panels as [(typeof panels)[0], (typeof panels)[0]];
    assert.equal(first.view?.query.subset?.label, 'first panel', 'the first panel still shows its subset');
    assert.ok(first.view!.info.version < second.info.version, "the first panel's view is older than the second's query");
    // rows (as its page asks them when scrolling) and positions (jumps) answer for the first panel's own view
    assert.deepEqual(
      (await first.rows(0, 100)).map((r) => r.index),
      [3, 7],
      "the first panel's rows after the second panel's query",
    );
    assert.equal(await first.position(7), 1, 'record 7 is second in the first panel');
    assert.equal(await first.position(5), -1, 'record 5 is not in the first panel');
    assert.equal(await other.position(7), 7, 'record 7 is eighth in the whole file');
    assert.deepEqual(
      (await other.rows(0, 100)).map((r) => r.index),
      Array.from({ length: records }, (_, i) => i),
    );
    log(`  two panels: views ${first.view!.info.version} (2 records) and ${second.info.version} (${records} records) both serve rows`);
  });
});
