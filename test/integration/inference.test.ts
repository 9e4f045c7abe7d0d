// ESC: Run Inference… inside a real extension host, with the options object that skips the pickers:
// over the Playground's endpoints (a stand-in OpenAI server started here, set as the Playground's
// URLs) and over the embedded models, the output file holds the same records — count, order, gold
// fields and predictions — as `esc infer` (the built CLI) writes for the same input and mode; an
// endpoint that refuses the request ends the run with a message naming it.

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EscStudioApi } from '../../src/extension';
import type { RunInferenceOptions, RunInferenceResult } from '../../src/features/evaluations/runInference';
import { StandIn, type Body } from '../fixtures/openaiStandIn';
import { log } from './index';
import { EXTENSION_ID } from './host';

interface InferenceRow {
  conversations: unknown[];
  GT_strategy: string;
  predict_strategy: string | null;
  GT_content: string;
  predict_content: string;
}

const readJson = (file: string): InferenceRow[] => JSON.parse(readFileSync(file, 'utf8')) as InferenceRow[];
const lastUser = (b: Body): string => b.messages[b.messages.length - 1]!.content;

/**
 * The built `esc` as a child process (asynchronous, so the stand-in server here answers it; and never
 * in this process, whose onnxruntime-node must stay unloaded for the Playground's activation test).
 */
async function esc(...args: string[]): Promise<void> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, _out, stderr) =>
      err ? reject(new Error(`esc ${args[0]} failed: ${stderr || err.message}`)) : resolve(),
    ),
  );
}

const runInference = (opts: RunInferenceOptions): Thenable<RunInferenceResult> =>
  vscode.commands.executeCommand<RunInferenceResult>('escStudio.runInference', opts);

describe('Run Inference', () => {
  const server = new StandIn();
  const tmp = mkdtempSync(path.join(tmpdir(), 'esc-infer-it-'));
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('escStudio.playground');
  const SETTINGS = ['planner.baseUrl', 'planner.model', 'generator.baseUrl', 'generator.model', 'vanilla.baseUrl', 'vanilla.model'];
  let input = '';

  before(async () => {
    await vscode.extensions.getExtension<EscStudioApi>(EXTENSION_ID)!.activate();
    await server.start();
    input = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'data', 'sft_vanilla_demo.json').fsPath;
  });
  after(async () => {
    for (const k of SETTINGS) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('over the Playground’s endpoints: the records esc infer writes for the same file and mode', async () => {
    // answers that depend on the request, so a record paired with the wrong turn would differ
    const sp = server.route('it-sp', (b) => ({ content: ['Question', 'Others', 'Reflection of feelings'][lastUser(b).length % 3] }));
    const rg = server.route('it-rg', (b) => ({
      content: `reply after ${b.messages.length} messages: ${b.messages[0]!.content.slice(-40)}`,
    }));
    await config().update('planner.baseUrl', sp, vscode.ConfigurationTarget.Global);
    await config().update('planner.model', 'sp', vscode.ConfigurationTarget.Global);
    await config().update('generator.baseUrl', rg, vscode.ConfigurationTarget.Global);
    await config().update('generator.model', 'rg', vscode.ConfigurationTarget.Global);
    const out = path.join(tmp, 'playground.json');
    const t0 = performance.now();
    const r = await runInference({ file: input, mode: 'decoupled', source: 'playground', concurrency: 4, out });
    const ms = performance.now() - t0;
    assert.equal(r.status, 'done', r.error);
    const viaCli = path.join(tmp, 'playground-cli.json');
    await esc('infer', input, '--out', viaCli, '--mode', 'decoupled', '--planner', `${sp}#sp`, '--generator', `${rg}#rg`);
    const mine = readJson(out);
    const theirs = readJson(viaCli);
    assert.ok(mine.length > 10);
    assert.equal(mine.length, theirs.length);
    assert.deepEqual(
      mine.map((x) => [x.GT_strategy, x.GT_content]),
      theirs.map((x) => [x.GT_strategy, x.GT_content]),
    );
    assert.deepEqual(mine, theirs);
    assert.equal(r.summary!.records, mine.length);
    assert.equal(r.summary!.calls, 2 * mine.length);
    log(`  Run Inference over the Playground endpoints: ${mine.length} turns (decoupled, concurrency 4) in ${ms.toFixed(0)} ms`);
  });

  it('over the embedded models: the records esc infer writes with the same folder', async () => {
    const a = await vscode.extensions.getExtension<EscStudioApi>(EXTENSION_ID)!.activate();
    const dir = a.playground.backends.embeddedDir();
    const out = path.join(tmp, 'embedded.json');
    const r = await runInference({ file: input, mode: 'vanilla', source: 'embedded', out, limit: 25 });
    assert.equal(r.status, 'done', r.error);
    const viaCli = path.join(tmp, 'embedded-cli.json');
    await esc('infer', input, '--out', viaCli, '--mode', 'vanilla', '--vanilla', `embedded:${dir}`, '--limit', '25');
    const mine = readJson(out);
    assert.equal(mine.length, 25);
    assert.deepEqual(mine, readJson(viaCli));
  });

  it('an endpoint that refuses the request: the run fails with a message naming it', async () => {
    const bad = server.route('it-bad', () => ({ status: 400 }));
    await config().update('vanilla.baseUrl', bad, vscode.ConfigurationTarget.Global);
    await config().update('vanilla.model', 'vm', vscode.ConfigurationTarget.Global);
    const out = path.join(tmp, 'bad.json');
    const r = await runInference({ file: input, mode: 'vanilla', source: 'playground', concurrency: 2, out });
    assert.equal(r.status, 'failed');
    assert.match(r.error ?? '', new RegExp(`the vanilla model at ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed`));
  });
});
