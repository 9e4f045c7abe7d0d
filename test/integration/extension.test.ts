// Inside a real VS Code extension host: the extension activates, registers its commands, its three
// views resolve on the demo workspace, and validation reaches the Problems panel.

import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASET_KINDS } from '../../src/core/formats/kinds';
import type { ValidationReport } from '../../src/core/dataset/validate';
import { log } from './index';
import { EXTENSION_ID, api, withTimeout, workspaceDir } from './host';

/** A kernel attribute only writable (every Linux bus has one): opening it for reading fails, for root too. */
const WRITE_ONLY_ATTRIBUTE = '/sys/bus/cpu/uevent';

describe('ESC Studio in a real VS Code', () => {
  it('activates lazily when its view container opens, and reports its activation time', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const pkg = ext.packageJSON as { activationEvents: string[] };
    assert.ok(!pkg.activationEvents.includes('*'), 'no eager activation');
    await vscode.commands.executeCommand('workbench.view.extension.escStudio');
    const a = await api();
    assert.ok(ext.isActive);
    assert.ok(a.activationMs > 0 && a.activationMs < 5000, `activation took ${a.activationMs} ms`);
    log(`  activation: ${a.activationMs.toFixed(1)} ms inside the extension host`);
  });

  it('registers its commands', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'escStudio.detectDataset',
      'escStudio.validateDataset',
      'escStudio.refreshDatasets',
      'escStudio.openPlayground',
      'escStudio.datasets.focus',
      'escStudio.runs.focus',
      'escStudio.playground.focus',
    ]) {
      assert.ok(commands.includes(id), `command ${id} is not registered`);
    }
  });

  it('Datasets view lists every demo file, grouped by all nine kinds', async () => {
    const a = await api();
    await vscode.commands.executeCommand('escStudio.datasets.focus');
    await a.datasets.ready();
    const kinds = a.datasets.getChildren().map((n) => (n.type === 'kind' ? n.kind : 'file'));
    assert.deepEqual([...kinds].sort(), [...DATASET_KINDS].sort());
    const files = a.datasets.datasets;
    assert.ok(
      files.every((f) => f.records > 0 && f.size > 0),
      'every file has records and a size',
    );
    const item = a.datasets.getTreeItem({ type: 'file', entry: files[0]! });
    assert.match(String(item.description), /records · /);
  });

  it('Datasets view picks up a new dataset file and drops a deleted one', async () => {
    const a = await api();
    const file = path.join(workspaceDir(), 'added later.jsonl');
    writeFileSync(
      file,
      JSON.stringify({
        conversations: [{ role: 'user', content: 'hi' }],
        chosen: { role: 'assistant', content: 'Question' },
        rejected: { role: 'assistant', content: 'Others' },
      }) + '\n',
    );
    const seen = async (want: boolean): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        await a.datasets.ready();
        if (a.datasets.datasets.some((d) => d.uri.fsPath === file) === want) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.fail(`the Datasets view did not ${want ? 'add' : 'drop'} ${file}`);
    };
    await seen(true);
    await vscode.workspace.fs.delete(vscode.Uri.file(file));
    await seen(false);
  });

  it('Datasets view shows a file it cannot read on its item, with the reason', async function () {
    const a = await api();
    const file = path.join(workspaceDir(), 'unreadable.json');
    if (process.getuid?.() === 0) {
      // root reads a file whatever its mode; nobody can read a write-only kernel attribute
      if (!existsSync(WRITE_ONLY_ATTRIBUTE)) {
        log(`  - skipped: running as root and ${WRITE_ONLY_ATTRIBUTE} is missing, so no file here is unreadable`);
        this.skip();
      }
      symlinkSync(WRITE_ONLY_ATTRIBUTE, file);
    } else {
      writeFileSync(file, '[]');
      chmodSync(file, 0);
    }
    try {
      await a.datasets.refresh();
      const group = a.datasets.getChildren().find((n) => n.type === 'unreadable');
      assert.ok(group, 'a "Could not be read" group is listed');
      const node = a.datasets.getChildren(group).find((n) => n.type === 'unreadableFile' && n.file.uri.fsPath === file);
      assert.ok(node, 'the file is listed in it');
      const item = a.datasets.getTreeItem(node);
      assert.match(String(item.description), /EACCES|permission denied/i);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match((item.tooltip as vscode.MarkdownString).value, /Could not be read/);
      log(`  unreadable file: "${String(item.description)}"`);
    } finally {
      rmSync(file, { force: true });
    }
    await a.datasets.refresh();
    assert.deepEqual(
      a.datasets.unreadableFiles.map((u) => `${u.uri.fsPath}: ${u.error}`),
      [],
      'the group goes once the file is gone',
    );
  });

  it('Datasets view lists broken files with a warning badge, without a manual validation, and their folder when names repeat', async () => {
    const a = await api();
    const dir = path.join(workspaceDir(), 'broken files');
    mkdirSync(dir, { recursive: true });
    const record = {
      messages: [
        { role: 'user', content: 'I lost my job today.' },
        { role: 'assistant', content: '[Question] How are you feeling about it?' },
      ],
    };
    const write = (name: string, text: string): string => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const empty = write('empty.json', '');
    const object = write('one record.json', JSON.stringify(record));
    const manifest = write('notes.json', JSON.stringify({ name: 'not data', version: '1.0.0' }));
    const invalid = write('invalid records.json', JSON.stringify([record, { messages: 'oops' }, record, { messages: [] }]));
    const full = JSON.stringify([record, record, record]);
    const truncated = write('truncated.json', full.slice(0, full.length - 30));
    // the same name as a demo file: both items say their folder
    const twin = write('sft_vanilla_demo.json', JSON.stringify([record]));
    try {
      await a.datasets.refresh();
      await a.datasets.checked();
      const group = a.datasets.getChildren().find((n) => n.type === 'unreadable');
      assert.ok(group, 'an "Unreadable or invalid" group is listed');
      assert.equal(a.datasets.getTreeItem(group).label, 'Unreadable or invalid');
      const listed = a.datasets.getChildren(group).flatMap((n) => (n.type === 'unreadableFile' ? [n.file] : []));
      for (const [file, reason] of [
        [empty, /empty/i],
        [object, /single JSON object/],
      ] as const) {
        const f = listed.find((u) => u.uri.fsPath === file);
        assert.ok(f, `${path.basename(file)} is listed`);
        const item = a.datasets.getTreeItem({ type: 'unreadableFile', file: f });
        assert.match(String(item.description), reason);
        assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
        assert.equal(a.datasets.provideFileDecoration(f.uri)?.badge, '!');
      }
      assert.ok(
        !listed.some((u) => u.uri.fsPath === manifest) && !a.datasets.datasets.some((d) => d.uri.fsPath === manifest),
        'a manifest is not listed',
      );

      const entry = (file: string) => {
        const e = a.datasets.datasets.find((d) => d.uri.fsPath === file);
        assert.ok(e, `${path.basename(file)} is listed under its kind`);
        return { e, item: a.datasets.getTreeItem({ type: 'file', entry: e }) };
      };
      const bad = entry(invalid);
      assert.match(String(bad.item.description), /4 records · .* · 2 invalid/);
      assert.equal((bad.item.iconPath as vscode.ThemeIcon).id, 'warning');
      assert.equal(a.datasets.provideFileDecoration(bad.e.uri)?.badge, '2');
      // appendText escapes for Markdown: undo that to read the text a user sees
      // the tooltip is made on hover
      const tip = (a.datasets.resolveTreeItem(bad.item, { type: 'file', entry: bad.e }).tooltip as vscode.MarkdownString).value
        .replace(/&nbsp;/g, ' ')
        .replace(/\\/g, '');
      assert.match(tip, /2 of 4 records are invalid/);
      assert.match(tip, /Strategy mix \(turns, 2\)/);
      const cut = entry(truncated);
      assert.equal(cut.e.kind, 'sft-vanilla');
      assert.match(String(cut.item.description), /2 records · .* · 1 invalid/);
      assert.equal(a.datasets.provideFileDecoration(cut.e.uri)?.badge, '1');
      assert.equal(entry(twin).item.description?.toString().split(' · ')[0], 'broken files');
      const demoTwin = a.datasets.datasets.find((d) => d.uri.fsPath === path.join(workspaceDir(), 'data', 'sft_vanilla_demo.json'))!;
      assert.equal(String(a.datasets.getTreeItem({ type: 'file', entry: demoTwin }).description).split(' · ')[0], 'data');
      assert.equal(a.datasets.provideFileDecoration(demoTwin.uri), undefined, 'a valid file has no badge');
      log(`  broken files: ${listed.length} in the group; "${String(bad.item.description)}"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await a.datasets.refresh();
    assert.deepEqual(
      a.datasets.unreadableFiles.map((u) => u.uri.fsPath),
      [],
      'the group goes once the files are gone',
    );
  });

  it('Datasets view watches the include setting as it is now: a file only the changed glob matches appears', async () => {
    const a = await api();
    const datasets = vscode.workspace.getConfiguration('escStudio.datasets');
    const file = path.join(workspaceDir(), 'pairs.esc-data');
    // user settings: a workspace setting would write .vscode/settings.json, a file the old glob watches too
    await datasets.update('include', '**/*.{json,jsonl,esc-data}', vscode.ConfigurationTarget.Global);
    try {
      // the rescan the change starts (and any from earlier file events) is over before the file exists:
      // then only the file watcher can see it
      await new Promise((r) => setTimeout(r, 1500));
      await a.datasets.ready();
      writeFileSync(
        file,
        JSON.stringify([
          {
            conversations: [{ role: 'user', content: 'hi' }],
            chosen: { role: 'assistant', content: 'Question' },
            rejected: { role: 'assistant', content: 'Others' },
          },
        ]),
      );
      const listed = (): boolean =>
        a.datasets
          .getChildren()
          .some((k) => k.type === 'kind' && a.datasets.getChildren(k).some((n) => n.type === 'file' && n.entry.uri.fsPath === file));
      const deadline = Date.now() + 15_000;
      while (!listed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.ok(listed(), 'the file appeared in the Datasets view without a manual refresh');
    } finally {
      rmSync(file, { force: true });
      await datasets.update('include', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Runs view lists the demo experiment with its six stages (the vanilla SFT/DPO baseline too), not started', async () => {
    const a = await api();
    await vscode.commands.executeCommand('escStudio.runs.focus');
    await a.runsModel.ready();
    const experiments = a.runs.getChildren(undefined);
    assert.equal(experiments.length, 1);
    assert.equal(a.runs.getTreeItem(experiments[0]!).label, 'demo-qwen');
    const stages = a.runs.getChildren(experiments[0]!).map((n) => [a.runs.getTreeItem(n).label, a.runs.getTreeItem(n).description]);
    assert.deepEqual(stages, [
      ['planner-sft', 'not started'],
      ['generator-sft', 'not started'],
      ['planner-dpo', 'not started'],
      ['generator-dpo', 'not started'],
      ['vanilla-sft', 'not started'],
      ['vanilla-dpo', 'not started'],
    ]);
  });

  it('Playground webview view loads and answers over the message protocol', async () => {
    const a = await api();
    await vscode.commands.executeCommand('escStudio.openPlayground');
    await withTimeout(a.playground.whenReady(), 30_000, 'the Playground webview handshake');
  });

  it('ESC: Validate Dataset accepts a demo file and reports a truncated one in the Problems panel', async () => {
    await api();
    const good = vscode.Uri.file(path.join(workspaceDir(), 'data', 'sft_vanilla_demo.json'));
    const ok = await vscode.commands.executeCommand<ValidationReport>('escStudio.validateDataset', good);
    assert.ok(ok?.valid, 'the demo file validates');
    assert.deepEqual(vscode.languages.getDiagnostics(good), []);

    const bad = path.join(workspaceDir(), 'truncated copy.json');
    const text = JSON.stringify(
      [
        {
          messages: [
            { role: 'user', content: 'hello' },
            { role: 'assistant', content: '[Question] How are you?' },
          ],
        },
        { messages: [{ role: 'user', content: 'cut' }] },
      ],
      null,
      2,
    );
    writeFileSync(bad, text.slice(0, text.length - 20));
    const badUri = vscode.Uri.file(bad);
    const report = await vscode.commands.executeCommand<ValidationReport>('escStudio.validateDataset', badUri);
    assert.equal(report?.valid, false);
    const diags = vscode.languages.getDiagnostics(badUri);
    assert.ok(diags.length >= 1, 'a diagnostic is reported');
    assert.match(diags[0]!.message, /truncated/);
    // placed at the end of the file, where the truncation is
    assert.ok(diags[0]!.range.start.line > 5, `diagnostic line ${diags[0]!.range.start.line}`);
  });
});

describe('ESC Dataset Viewer in a real VS Code', () => {
  it('opens a demo file in the custom editor and its webview loads', async () => {
    const a = await api();
    const file = vscode.Uri.file(path.join(workspaceDir(), 'data', 'pref_planner_demo.json'));
    const ready = a.viewer.whenReady(file);
    await vscode.commands.executeCommand('escStudio.openViewer', file);
    await withTimeout(ready, 30_000, 'the viewer webview handshake');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom, 'a custom editor tab is active');
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'escStudio.datasetViewer');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the Datasets tooltip gives the strategy mix once the background check is done', async () => {
    const a = await api();
    await a.datasets.checked();
    const entry = a.datasets.datasets.find((d) => d.uri.fsPath.endsWith('sft_vanilla_demo.json'))!;
    const node = { type: 'file' as const, entry };
    const item = a.datasets.resolveTreeItem(a.datasets.getTreeItem(node), node);
    // appendText escapes for Markdown: undo that to read the text a user sees
    const tip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\/g, '');
    assert.match(tip, /Strategy mix \(turns, \d+\): .*Others \d+%/);
  });
});
