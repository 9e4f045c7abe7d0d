// ESC: Mine Preference Pairs inside a real extension host, with the options object that skips the
// pickers: over the Playground's endpoints (a stand-in OpenAI server started here, answering with a
// delay so the run can be stopped midway), Cancel on the mining page keeps the checkpoint and writes
// no pairs; Resume on the page finishes the run, asking again at most the calls that were in flight;
// the pairs files equal, byte for byte, what `esc mine` (the built CLI) writes for the same input in
// one uninterrupted run. The embedded models mine too, as the CLI does with the same folder. A pairs
// file opens in the dataset viewer from the page; an endpoint that refuses the request fails the run
// with its message and the fixes on the page; a file without gold strategies is refused with esc mine's words.

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EscStudioApi } from '../../src/extension';
import type { MinePairsOptions, MinePairsResult } from '../../src/features/mining';
import type { MiningState } from '../../src/protocol/mining';
import { StandIn, type Body } from '../fixtures/openaiStandIn';
import { log } from './index';

const EXTENSION_ID = 'esc-studio.esc-studio';
const LIMIT = 40;

const api = (): Thenable<EscStudioApi> => vscode.extensions.getExtension<EscStudioApi>(EXTENSION_ID)!.activate();
const lastUser = (b: Body): string => b.messages[b.messages.length - 1]!.content;

/** The built `esc` as a child process (asynchronous, so the stand-in server here answers it; onnxruntime-node stays out of this process). */
async function esc(...args: string[]): Promise<void> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, _out, stderr) =>
      err ? reject(new Error(`esc ${args[0]} failed: ${stderr || err.message}`)) : resolve(),
    ),
  );
}

const mine = (opts: MinePairsOptions): Thenable<MinePairsResult> =>
  vscode.commands.executeCommand<MinePairsResult>('escStudio.minePairs', opts);

function withTimeout<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    Promise.resolve(p),
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  ]);
}

/** The next state the mining page is sent that `accept` takes. */
async function pageState(accept: (s: MiningState) => boolean, what: string): Promise<MiningState> {
  const a = await api();
  return withTimeout(
    new Promise<MiningState>((resolve) => {
      const sub = a.mining.page.onDidPost((s) => {
        if (!accept(s)) return;
        sub.dispose();
        resolve(s);
      });
    }),
    60_000,
    what,
  );
}

const read = (dir: string, name: string): string => readFileSync(path.join(dir, `${name}.json`), 'utf8');

describe('Mine Preference Pairs', () => {
  const server = new StandIn();
  const tmp = mkdtempSync(path.join(tmpdir(), 'esc-mine-it-'));
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('escStudio.playground');
  const SETTINGS = ['planner.baseUrl', 'planner.model', 'generator.baseUrl', 'generator.model'];
  let input = '';
  let sp = '';
  let rg = '';

  before(async () => {
    await api();
    await server.start();
    input = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'data', 'sft_vanilla_demo.json').fsPath;
    // answers that depend on the request (so a pair matched to the wrong turn would differ), some equal
    // to the gold strategy (planner-same pairs), each after a delay (so Cancel lands midway)
    sp = server.route('mine-sp', (b) => ({
      content: ['Question', 'Others', 'Reflection of feelings'][lastUser(b).length % 3],
      delayMs: 25,
    }));
    rg = server.route('mine-rg', (b) => ({ content: `reply after ${b.messages.length} messages: ${lastUser(b).slice(-30)}`, delayMs: 25 }));
    await config().update('planner.baseUrl', sp, vscode.ConfigurationTarget.Global);
    await config().update('planner.model', 'sp', vscode.ConfigurationTarget.Global);
    await config().update('generator.baseUrl', rg, vscode.ConfigurationTarget.Global);
    await config().update('generator.model', 'rg', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    for (const k of SETTINGS) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('Cancel midway keeps the checkpoint; Resume finishes it: the files esc mine writes in one run, no duplicates', async function () {
    this.timeout(180_000);
    const a = await api();
    const outDir = path.join(tmp, 'playground');
    const concurrency = 4;
    const asked = (): number => (server.bodies.get('mine-sp')?.length ?? 0) + (server.bodies.get('mine-rg')?.length ?? 0);
    const before = asked();

    const midway = pageState((s) => s.status === 'running' && (s.progress?.calls ?? 0) >= 20, 'the run to get midway');
    const first = mine({
      file: input,
      roles: ['planner', 'generator'],
      source: 'playground',
      judge: null,
      concurrency,
      outDir,
      limit: LIMIT,
    });
    const running = await midway;
    assert.deepEqual(running.roles, ['planner', 'generator']);
    assert.equal(running.models, 'Playground endpoints');
    await a.mining.page.handle({ type: 'cancel' });
    const stopped = await withTimeout(first, 60_000, 'the cancelled run');
    assert.equal(stopped.status, 'cancelled', stopped.error);
    assert.equal(a.mining.page.state!.status, 'cancelled');
    const total = (stopped.progress!.roles.planner!.total ?? 0) + (stopped.progress!.roles.generator!.total ?? 0);
    const kept = stopped.progress!.roles.planner!.done + stopped.progress!.roles.generator!.done;
    assert.ok(kept >= 20 && kept < total, `stopped midway (${kept} of ${total})`);
    assert.ok(existsSync(path.join(outDir, 'mine.checkpoint.jsonl')), 'the checkpoint is kept');
    assert.deepEqual(
      readdirSync(outDir).filter((f) => f.endsWith('-pairs.json') || f.endsWith('-same.json')),
      [],
      'no pairs file before the run is complete',
    );

    // Resume, as the page's button does it
    const finished = pageState((s) => s.status === 'done', 'the resumed run to finish');
    await a.mining.page.handle({ type: 'resume' });
    const done = await finished;
    assert.equal(done.progress!.resumed, kept, 'the kept answers are not asked again');
    const repeated = asked() - before - total;
    assert.ok(repeated >= 0 && repeated <= concurrency, `at most the calls in flight are asked again (${repeated})`);
    assert.deepEqual(
      done.files.map((f) => f.key),
      ['planner-pairs', 'planner-same', 'generator-pairs'],
    );

    const viaCli = path.join(tmp, 'cli');
    await esc('mine', input, '--out', viaCli, '--planner', `${sp}#sp`, '--generator', `${rg}#rg`, '--limit', String(LIMIT));
    for (const f of ['planner-pairs', 'planner-same', 'generator-pairs']) {
      assert.equal(read(outDir, f), read(viaCli, f), `${f}.json as esc mine writes it`);
    }
    const planner = JSON.parse(read(outDir, 'planner-pairs')) as unknown[];
    const same = JSON.parse(read(outDir, 'planner-same')) as unknown[];
    const generator = JSON.parse(read(outDir, 'generator-pairs')) as { conversations: unknown }[];
    assert.ok(planner.length > 0 && same.length > 0, 'both kinds of planner pairs');
    assert.equal(planner.length + same.length, done.progress!.roles.planner!.total);
    assert.equal(new Set(generator.map((p) => JSON.stringify(p.conversations))).size, generator.length, 'no pair twice');
    assert.deepEqual(
      done.files.map((f) => f.records),
      [planner.length, same.length, generator.length],
    );
    log(`  Mine pairs: ${kept} of ${total} calls kept by Cancel, ${repeated} asked again on Resume; ${planner.length} planner pairs`);
  });

  it('opens a pairs file in the dataset viewer from the finished page', async () => {
    const a = await api();
    const uri = vscode.Uri.file(path.join(tmp, 'playground', 'planner-pairs.json'));
    const shown = a.viewer.whenView(uri, () => true);
    await a.mining.page.handle({ type: 'open', file: 'planner-pairs' });
    const view = await withTimeout(shown, 30_000, 'the viewer');
    assert.equal(view.info.total, JSON.parse(read(path.join(tmp, 'playground'), 'planner-pairs')).length);
  });

  it('two starts at once on a folder: one run, the second refused as busy; Cancel while it starts: cancelled, nothing asked', async function () {
    this.timeout(120_000);
    const a = await api();
    const asked = (): number => (server.bodies.get('mine-sp')?.length ?? 0) + (server.bodies.get('mine-rg')?.length ?? 0);
    const opts: MinePairsOptions = {
      file: input,
      roles: ['planner'],
      source: 'playground',
      judge: null,
      concurrency: 2,
      outDir: path.join(tmp, 'twice'),
      limit: 5,
    };
    // as a double press of Resume: both requests before either has started its worker
    const [one, two] = await Promise.all([mine(opts), mine(opts)]);
    assert.deepEqual([one.status, two.status].sort(), ['busy', 'done'], `${one.status} / ${two.status}`);

    // Cancel pressed while the page says "starting" (it shows Cancel then)
    const outDir = path.join(tmp, 'cancel-starting');
    const before = asked();
    const starting = pageState((s) => s.status === 'starting' && s.outDir.endsWith('cancel-starting'), 'the run to start');
    const run = mine({ ...opts, outDir, limit: LIMIT });
    await starting;
    await a.mining.page.handle({ type: 'cancel' });
    const r = await withTimeout(run, 60_000, 'the run cancelled while starting');
    assert.equal(r.status, 'cancelled', r.error);
    assert.equal(a.mining.page.state!.status, 'cancelled');
    assert.equal(asked(), before, 'no call was asked');
    assert.equal(existsSync(path.join(outDir, 'mine.checkpoint.jsonl')), false, 'no checkpoint written');
    // and the command is free again
    const again = await mine({ ...opts, outDir });
    assert.equal(again.status, 'done', again.error);
  });

  it('over the embedded models: the files esc mine writes with the same folder', async function () {
    this.timeout(180_000);
    const a = await api();
    const dir = a.playground.backends.embeddedDir();
    const outDir = path.join(tmp, 'embedded');
    const r = await mine({
      file: input,
      roles: ['planner', 'generator'],
      source: 'embedded',
      judge: null,
      concurrency: 8,
      outDir,
      limit: 15,
    });
    assert.equal(r.status, 'done', r.error);
    const viaCli = path.join(tmp, 'embedded-cli');
    await esc('mine', input, '--out', viaCli, '--planner', `embedded:${dir}`, '--generator', `embedded:${dir}`, '--limit', '15');
    for (const f of ['planner-pairs', 'planner-same', 'generator-pairs']) assert.equal(read(outDir, f), read(viaCli, f), f);
  });

  it('a file without gold strategies: the page shows esc mine’s refusal, word for word; nothing written, nothing asked', async () => {
    const a = await api();
    const file = path.join(tmp, 'untagged.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          messages: [
            { role: 'system', content: 'SYS-V' },
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content: 'Hi there.' },
          ],
        },
      ]),
    );
    const asked = server.bodies.get('mine-sp')?.length ?? 0;
    const outDir = path.join(tmp, 'untagged-out');
    const r = await mine({ file, roles: ['planner'], source: 'playground', judge: null, concurrency: 2, outDir });
    assert.equal(r.status, 'failed');
    const s = a.mining.page.state!;
    assert.equal(s.status, 'failed');
    // written out here, as esc mine prints it after "esc mine: <file>: "
    assert.equal(
      s.error!.message,
      'untagged.json: none of its 1 supporter turns has a [Strategy] tag naming a strategy (an untagged file); planner pairs compare the SFT planner’s prediction with each supporter turn’s gold strategy, read from the "[Strategy] reply" tag of a vanilla SFT file’s assistant turns (FORMATS.md §2); pass the tagged vanilla SFT file of the split instead (as esc convert esconv writes it, e.g. vanilla_train.json).',
    );
    assert.deepEqual(s.error!.fixes, ['showLog']);
    assert.equal(existsSync(outDir), false);
    assert.equal(server.bodies.get('mine-sp')?.length ?? 0, asked, 'the planner was not asked');
  });

  it('an endpoint that refuses the request: the page shows the message and the fixes', async () => {
    const a = await api();
    const bad = server.route('mine-bad', () => ({ status: 400 }));
    await config().update('planner.baseUrl', bad, vscode.ConfigurationTarget.Global);
    try {
      const r = await mine({
        file: input,
        roles: ['planner'],
        source: 'playground',
        judge: null,
        concurrency: 2,
        outDir: path.join(tmp, 'bad'),
        limit: 5,
      });
      assert.equal(r.status, 'failed');
      const s = a.mining.page.state!;
      assert.equal(s.status, 'failed');
      assert.match(s.error!.message, new RegExp(`the planner at ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed`));
      assert.deepEqual(s.error!.fixes, ['testConnection', 'configureEndpoints', 'showLog']);
    } finally {
      await config().update('planner.baseUrl', sp, vscode.ConfigurationTarget.Global);
    }
  });
});
