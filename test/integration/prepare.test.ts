// ESC: Prepare Datasets from ESConv… inside a real extension host, with the options object that skips the
// picks: the demo's ESConv file becomes the nine SFT files (each detected as its kind by formats/detect.ts),
// registered in a dataset_info.json, byte for byte what `esc convert esconv` (the built CLI) writes; a
// folder already holding those files is refused with nothing changed, and replaced with force; a bad
// ESConv file writes nothing.

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectFile } from '../../src/core/formats/detect';
import type { PrepareEsconvSummary } from '../../src/core/prepare/prepare';
import type { EscStudioApi } from '../../src/extension';
import type { PrepareOptions } from '../../src/features/datasets/prepareCommand';
import { log } from './index';

const EXTENSION_ID = 'esc-studio.esc-studio';

const prepare = (opts: PrepareOptions): Thenable<PrepareEsconvSummary | undefined> =>
  vscode.commands.executeCommand<PrepareEsconvSummary | undefined>('escStudio.prepareDatasets', opts);

async function esc(...args: string[]): Promise<void> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, _out, stderr) =>
      err ? reject(new Error(`esc ${args[0]} failed: ${stderr || err.message}`)) : resolve(),
    ),
  );
}

describe('Prepare Datasets from ESConv', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'esc-prepare-it-'));
  let input = '';

  before(async () => {
    await vscode.extensions.getExtension<EscStudioApi>(EXTENSION_ID)!.activate();
    input = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'data', 'esconv_demo.json').fsPath;
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes the nine SFT files of the demo ESConv file, of their kinds, registered, as esc convert does', async () => {
    const out = path.join(tmp, 'prepared');
    const info = path.join(tmp, 'dataset_info.json');
    writeFileSync(info, JSON.stringify({ mine: { file_name: 'mine.json' } }));
    const started = Date.now();
    const summary = await prepare({
      file: input,
      out,
      split: '0.5,0.25,0.25',
      seed: 42,
      format: 'json',
      layout: 'sharegpt',
      register: info,
    });
    assert.ok(summary, 'the command returned no summary');
    log(`      prepare: ${summary.files.length} files from ${summary.dialogues.input} dialogues in ${Date.now() - started} ms`);
    assert.deepEqual(summary.dialogues, { input: 12, converted: 12, train: 6, val: 3, test: 3 });
    assert.deepEqual(
      summary.files.map((f) => path.basename(f.path)),
      ['train', 'val', 'test'].flatMap((s) => ['vanilla', 'planner', 'generator'].map((r) => `${r}_${s}.json`)),
    );
    for (const f of summary.files) {
      const detected = await detectFile(f.path);
      assert.equal(detected.kind, f.kind, f.path);
      assert.equal((JSON.parse(readFileSync(f.path, 'utf8')) as unknown[]).length, f.records, f.path);
      if (f.role === 'vanilla') assert.equal(f.records, summary.dialogues[f.split!]);
      else assert.ok(f.records > summary.dialogues[f.split!], `${f.path}: one record per supporter turn`);
    }
    const registered = JSON.parse(readFileSync(info, 'utf8')) as Record<string, { file_name: string }>;
    assert.deepEqual(Object.keys(registered), ['mine', ...summary.files.map((f) => path.basename(f.path, '.json'))]);
    assert.equal(registered.planner_val!.file_name, 'prepared/planner_val.json');
    // the same conversion as the CLI, byte for byte
    const cliOut = path.join(tmp, 'cli');
    await esc('convert', 'esconv', input, '--out', cliOut, '--split', '0.5,0.25,0.25', '--seed', '42');
    for (const f of summary.files) {
      assert.equal(readFileSync(f.path, 'utf8'), readFileSync(path.join(cliOut, path.basename(f.path)), 'utf8'));
    }
  });

  it('refuses a folder that holds the files (nothing changed), replaces them with force', async () => {
    const out = path.join(tmp, 'busy');
    assert.ok(await prepare({ file: input, out, layout: 'trl' }));
    const file = path.join(out, 'vanilla_train.jsonl');
    writeFileSync(file, 'KEEP');
    assert.equal(await prepare({ file: input, out, layout: 'trl' }), undefined);
    assert.equal(readFileSync(file, 'utf8'), 'KEEP');
    const forced = await prepare({ file: input, out, layout: 'trl', force: true });
    assert.ok(forced);
    assert.equal((await detectFile(file)).kind, 'sft-vanilla');
    assert.equal(readdirSync(out).length, 9);
  });

  it('force replaces files but never repoints dataset_info.json entries naming other files; forceRegister does', async () => {
    const out = path.join(tmp, 'repoint');
    const info = path.join(tmp, 'repoint_info.json');
    const precious = JSON.stringify({ vanilla_train: { file_name: 'my/other/precious.json' } });
    writeFileSync(info, precious);
    assert.equal(await prepare({ file: input, out, register: info, force: true }), undefined);
    assert.equal(readFileSync(info, 'utf8'), precious);
    assert.equal(existsSync(out), false);
    assert.ok(await prepare({ file: input, out, register: info, force: true, forceRegister: true }));
    const merged = JSON.parse(readFileSync(info, 'utf8')) as Record<string, { file_name: string }>;
    assert.equal(merged.vanilla_train!.file_name, 'repoint/vanilla_train.json');
  });

  it('a bad ESConv file writes nothing', async () => {
    const bad = path.join(tmp, 'bad_esconv.json');
    writeFileSync(bad, JSON.stringify([{ dialog: [{ speaker: 'therapist', content: 'hello' }] }]));
    const out = path.join(tmp, 'none');
    assert.equal(await prepare({ file: bad, out }), undefined);
    assert.equal(existsSync(out), false);
  });
});
