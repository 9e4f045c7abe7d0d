// ESC: Mine Preference Pairs (IPM)… — Inferential Preference Mining (what `esc mine` does) from the
// editor: a vanilla SFT file, the roles to mine, where the models come from (the Playground's
// endpoints with their API keys, or the embedded models), an optional LLM judge (an OpenAI-compatible
// URL, its key kept in SecretStorage per origin), a concurrency and an output folder; run in the
// mining worker (core/runs/mineWorker.ts) and drawn live on the mining page (miningPage.ts). Cancel
// keeps the checkpoint in the folder; Resume (the same command on the same folder) asks only the rest.
// Endpoints are contacted only in a trusted workspace, even when the command is invoked
// programmatically (package.json's enablement only covers the UI).
//
// The command also takes an options object (MinePairsOptions) that skips the pickers — Resume and the
// tests use it — and resolves with what happened (MinePairsResult) once the run ends.

import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { apiKeySecretKey } from '../../core/openai/apiKeys';
import { mineCheckpointPath, MINE_ROLES, type MineProgress, type MineRole, type MineSummary } from '../../core/runs/mineRun';
import { MINE_FAILURES, type MineWorkerMethods, type MineWorkerParams } from '../../core/runs/mineWorkerProtocol';
import { checkRetentionTemplate } from '../../core/runs/retentionJudge';
import type { RoleSpec } from '../../core/runs/roleSpecs';
import { setDpoDatasets, type DpoStage } from '../../core/training/dpoDatasets';
import { CancelledError } from '../../core/util/cancel';
import { RpcClient } from '../../core/util/workerRpc';
import { PAIRS_FILES, type MiningFix, type PairsFile } from '../../protocol/mining';
import type { EndpointSlot } from '../config';
import type { Ctx } from '../ctx';
import {
  askConcurrency,
  describeSpecs,
  pickModelSource,
  roleSpecOf,
  trustedForRun,
  vanillaFileFor,
  type ModelSource,
} from '../evaluations';
import { requireLocal } from '../targetFile';
import type { MiningDeps } from './index';
import type { MiningPage, MiningView } from './miningPage';

/** What the pickers ask; any field given is not asked. */
export interface MinePairsOptions {
  /** The vanilla SFT file (a path or a URI). */
  file?: string | vscode.Uri;
  roles?: MineRole[];
  source?: ModelSource;
  /** The judge's OpenAI-compatible base URL (`http://host:8000/v1[#model]`), or null for none. Its key: SecretStorage (slot "judge"). */
  judge?: string | null;
  concurrency?: number;
  /** The output folder (a path or a URI). */
  outDir?: string | vscode.Uri;
  /** Only the first N supporter turns. */
  limit?: number;
  /** A judge prompt template file replacing ours (media/mine/retention.txt). */
  judgeTemplate?: string;
}

export interface MinePairsResult {
  status: 'done' | 'cancelled' | 'failed' | 'dismissed' | 'untrusted' | 'busy';
  outDir?: string;
  summary?: MineSummary;
  /** The last progress (cancelled or failed runs: what the checkpoint keeps). */
  progress?: MineProgress;
  /** The failure's message, as shown. */
  error?: string;
}

const OPTIONS_KEY = 'escStudio.mining.options';
const JUDGE_URL_KEY = 'escStudio.mining.judgeUrl';
/** The judge's API key slot in SecretStorage (per origin, as the Playground's keys: core/openai/apiKeys.ts). */
export const JUDGE_KEY_SLOT = 'judge';

const ROLE_DETAIL: Record<MineRole, string> = {
  planner: 'Strategy planner (SP): its strategy against the gold one → planner-pairs.json (different) and planner-same.json.',
  generator: 'Response generator (RG), given the gold strategy: its reply against the gold one → generator-pairs.json.',
  vanilla: 'Vanilla model (VM): its "[Strategy] reply" against the gold turn → vanilla-pairs.json.',
};
const SLOT: Record<MineRole, EndpointSlot> = { planner: 'planner', generator: 'generator', vanilla: 'vanilla' };
const DPO_STAGE: Partial<Record<PairsFile, DpoStage>> = {
  'planner-pairs': 'planner-dpo',
  'generator-pairs': 'generator-dpo',
  'generator-pairs.retained': 'generator-dpo',
  'vanilla-pairs': 'vanilla-dpo',
  'vanilla-pairs.retained': 'vanilla-dpo',
};
/** The pairs files a run of these options writes (as core/runs/mineRun.ts mineFiles: `.retained` only with a judge). */
function runFiles(o: MinePairsOptions): PairsFile[] {
  const roles = o.roles ?? [];
  return PAIRS_FILES.filter((key) => roles.some((r) => key.startsWith(`${r}-`)) && (!key.endsWith('.retained') || Boolean(o.judge)));
}

const EXPERIMENT_GLOB = '**/{esc-experiment,*.esc-experiment}.{yaml,yml}';

const rel = (p: string): string => vscode.workspace.asRelativePath(p, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
const fsPathOf = (x: string | vscode.Uri): string => (typeof x === 'string' ? x : x.fsPath);
const STEPS = 6;

function isOptions(arg: unknown): arg is MinePairsOptions {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri || 'entry' in arg) return false;
  return ['file', 'roles', 'source', 'judge', 'concurrency', 'outDir', 'limit', 'judgeTemplate'].some((k) => k in arg);
}

/** The judge's URL and model from `http://host/v1[#model]`. */
function judgeEndpoint(spec: string): { baseUrl: string; model: string } {
  const [url = '', model = ''] = spec.trim().split('#');
  return { baseUrl: url.trim(), model: model.trim() };
}

const validUrl = (s: string): string | undefined => {
  try {
    const u = new URL(judgeEndpoint(s).baseUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'An http(s) URL';
  } catch {
    return 'An http(s) URL such as http://localhost:8000/v1 (a model name may follow #)';
  }
};

export function registerMinePairs(ctx: Ctx, deps: MiningDeps, page: MiningPage): void {
  const backends = deps.playground.backends;
  let running: { abort: AbortController } | undefined;
  let last: { options: MinePairsOptions; files: Partial<Record<PairsFile, string>>; outDir: string } | undefined;
  const saved = ctx.extension.workspaceState.get<MinePairsOptions & { outDir: string }>(OPTIONS_KEY);
  if (saved) last = { options: saved, files: {}, outDir: saved.outDir };
  if (saved && page.state?.status === 'done') {
    for (const f of page.state.files) last!.files[f.key] = path.join(saved.outDir, `${f.key}.json`);
  }

  async function pickRoles(): Promise<MineRole[] | undefined> {
    const items = MINE_ROLES.map((r) => ({ label: r, detail: ROLE_DETAIL[r], picked: r !== 'vanilla', role: r }));
    const choice = await vscode.window.showQuickPick(items, {
      title: `Mine Preference Pairs (2/${STEPS}): the roles to mine`,
      placeHolder: 'Each supporter turn is asked of every role ticked',
      canPickMany: true,
      ignoreFocusOut: true,
    });
    if (!choice || choice.length === 0) return undefined;
    return MINE_ROLES.filter((r) => choice.some((c) => c.role === r));
  }

  async function pickSource(roles: readonly MineRole[]): Promise<ModelSource | undefined> {
    const described = backends.describe('openai');
    const endpoints = roles
      .map((r) => (r === 'vanilla' ? described.note : `${r} ${r === 'planner' ? described.planner : described.generator}`))
      .filter(Boolean)
      .join(' · ');
    return pickModelSource(backends, `Mine Preference Pairs (3/${STEPS}): the models`, endpoints, deps.served);
  }

  /** The judge's URL (undefined: dismissed; null: no judge); a key not yet stored for its origin is asked once. */
  async function pickJudge(): Promise<string | null | undefined> {
    const lastUrl = ctx.extension.globalState.get<string>(JUDGE_URL_KEY);
    type Item = vscode.QuickPickItem & { judge: 'none' | 'last' | 'new' };
    const items: Item[] = [
      { label: 'No judge', detail: 'Write the generator and vanilla pairs unfiltered.', judge: 'none' },
      ...(lastUrl
        ? [{ label: lastUrl, description: 'the last judge', detail: 'Keep the pairs an LLM judge confirms.', judge: 'last' as const }]
        : []),
      {
        label: '$(link) An OpenAI-compatible endpoint…',
        detail: 'e.g. https://api.openai.com/v1#gpt-4.1-mini, or a local vLLM server',
        judge: 'new',
      },
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: `Mine Preference Pairs (4/${STEPS}): the judge`,
      ignoreFocusOut: true,
    });
    if (!choice) return undefined;
    if (choice.judge === 'none') return null;
    let url = lastUrl;
    if (choice.judge === 'new') {
      url = await vscode.window.showInputBox({
        title: 'The judge: an OpenAI-compatible base URL',
        prompt: 'The model name may follow # (else the server is asked which it serves).',
        value: lastUrl ?? 'https://api.openai.com/v1#gpt-4.1-mini',
        ignoreFocusOut: true,
        validateInput: validUrl,
      });
      if (!url) return undefined;
      url = url.trim();
    }
    const secret = apiKeySecretKey(JUDGE_KEY_SLOT, judgeEndpoint(url!).baseUrl);
    if (!(await ctx.extension.secrets.get(secret))) {
      const key = await vscode.window.showInputBox({
        title: `The judge's API key for ${new URL(judgeEndpoint(url!).baseUrl).origin}`,
        prompt: 'Kept in the editor’s secret storage, sent only to this server. Leave empty for none.',
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return undefined;
      if (key.trim()) await ctx.extension.secrets.store(secret, key.trim());
    }
    await ctx.extension.globalState.update(JUDGE_URL_KEY, url);
    return url!;
  }

  /** data/ipm-<input>-<roles>: runs of other roles on the same input get folders (and checkpoints) of their own. */
  function defaultOutDir(file: string, roles: readonly MineRole[]): string {
    const stem = path.basename(file).replace(/\.jsonl?$/i, '');
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.join(root ?? path.dirname(file), 'data', `ipm-${stem}-${roles.join('-')}`);
  }

  async function askOutDir(file: string, roles: readonly MineRole[]): Promise<string | undefined> {
    const v = await vscode.window.showInputBox({
      title: `Mine Preference Pairs (${STEPS}/${STEPS}): the output folder`,
      value: defaultOutDir(file, roles),
      prompt: 'The pairs files and the checkpoint go here; the same folder again resumes a stopped run.',
      ignoreFocusOut: true,
      validateInput: (s) => (path.isAbsolute(s.trim()) ? undefined : 'An absolute folder path'),
    });
    return v?.trim() || undefined;
  }

  function fixesFor(error: Error | undefined, source: ModelSource): MiningFix[] {
    const name = error?.name;
    if (name === MINE_FAILURES.checkpoint) return ['deleteCheckpoint', 'showLog'];
    const judgeFailed = /\bjudge\b/.test(error?.message ?? '');
    if ((name === MINE_FAILURES.model || name === MINE_FAILURES.inference) && source === 'playground' && !judgeFailed) {
      return ['testConnection', 'configureEndpoints', 'showLog'];
    }
    return ['showLog'];
  }

  async function run(
    params: MineWorkerParams,
    abort: AbortController,
    onProgress: (p: MineProgress) => void,
  ): Promise<{ summary?: MineSummary; error?: Error }> {
    const rpc = new RpcClient<MineWorkerMethods>(new Worker(path.join(ctx.extensionUri.fsPath, 'dist', 'mineWorker.js')), {
      name: 'the mining worker',
    });
    try {
      return { summary: await rpc.call('mine', params, { signal: abort.signal, onProgress }) };
    } catch (e) {
      return { error: e instanceof Error ? e : new Error(String(e)) };
    } finally {
      void rpc.terminate();
    }
  }

  const countRecords = async (file: string): Promise<number> => {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.length : 0;
  };

  async function minePairsCommand(arg?: unknown): Promise<MinePairsResult> {
    if (!trustedForRun('Mine Preference Pairs')) return { status: 'untrusted' };
    if (running) {
      page.show();
      void vscode.window.showInformationMessage('A mining run is starting or in progress: cancel it on the mining page first.');
      return { status: 'busy' };
    }
    // claimed before the first await: a second Resume while this one starts is refused above (two
    // workers on one folder's checkpoint), and a Cancel pressed while it starts is not lost
    const abort = new AbortController();
    running = { abort };
    try {
      return await startRun(arg, abort);
    } finally {
      if (running?.abort === abort) running = undefined;
    }
  }

  async function startRun(arg: unknown, abort: AbortController): Promise<MinePairsResult> {
    const given: MinePairsOptions = isOptions(arg) ? arg : {};
    const fileUri = await vanillaFileFor(given.file, arg, deps.datasets, {
      title: `Mine Preference Pairs (1/${STEPS}): the dialogues`,
      placeHolder: 'A vanilla SFT file (usually the training split): every supporter turn is asked of each model',
      browseTitle: 'Mine Preference Pairs: a vanilla SFT file',
      rel,
    });
    if (!fileUri || !requireLocal(fileUri)) return { status: 'dismissed' };
    const file = fileUri.fsPath;
    const roles = given.roles ?? (await pickRoles());
    if (!roles || roles.length === 0) return { status: 'dismissed' };
    const source = given.source ?? (await pickSource(roles));
    if (!source) return { status: 'dismissed' };
    const judged = roles.some((r) => r !== 'planner');
    const judge = given.judge !== undefined ? given.judge : judged ? await pickJudge() : null;
    if (judge === undefined) return { status: 'dismissed' };
    // the embedded models run on this machine's CPU in one thread: more in flight only queues
    const concurrency =
      given.concurrency ??
      (source === 'embedded' && !judge
        ? 8
        : await askConcurrency(
            `Mine Preference Pairs (5/${STEPS}): calls in flight at once`,
            'Spread over the endpoints; each turn and role has at most one call in flight.',
          ));
    if (!concurrency) return { status: 'dismissed' };
    const outDir = given.outDir !== undefined ? fsPathOf(given.outDir) : await askOutDir(file, roles);
    if (!outDir) return { status: 'dismissed' };

    const options: MinePairsOptions = {
      file,
      roles,
      source,
      judge: judge && judged ? judge : null,
      concurrency,
      outDir,
      limit: given.limit,
      judgeTemplate: given.judgeTemplate,
    };
    last = { options, files: {}, outDir };
    await ctx.extension.workspaceState.update(OPTIONS_KEY, options);
    const resuming = existsSync(mineCheckpointPath(outDir));
    const modelsLabel = source === 'embedded' ? 'embedded models' : source === 'served' ? 'served models' : 'Playground endpoints';
    const view: MiningView = {
      status: 'starting',
      input: rel(file),
      outDir: rel(outDir),
      roles,
      judge: Boolean(options.judge),
      models: modelsLabel,
      files: [],
    };
    page.update(view);
    page.show();

    const fail = (message: string, fixes: MiningFix[]): MinePairsResult => {
      page.update({ ...view, status: 'failed', error: { message, fixes } });
      return { status: 'failed', outDir, error: message };
    };
    const specs: Partial<Record<MineRole, RoleSpec>> = {};
    let judgeParams: MineWorkerParams['judge'];
    let judgeTemplate: string | undefined;
    try {
      for (const r of roles) specs[r] = await roleSpecOf(backends, source, SLOT[r], deps.served);
      if (options.judge) {
        const { baseUrl, model } = judgeEndpoint(options.judge);
        const apiKey = await ctx.extension.secrets.get(apiKeySecretKey(JUDGE_KEY_SLOT, baseUrl));
        judgeParams = [{ baseUrl, model, ...(apiKey ? { apiKey } : {}), timeoutMs: 300_000 }];
        const templateFile = options.judgeTemplate ?? path.join(ctx.extensionUri.fsPath, 'media', 'mine', 'retention.txt');
        judgeTemplate = readFileSync(templateFile, 'utf8');
        checkRetentionTemplate(judgeTemplate, templateFile);
      }
    } catch (e) {
      const message = (e as Error).message;
      ctx.log.error(`Mine pairs: ${message}`);
      return fail(message, source === 'playground' ? ['configureEndpoints'] : ['showLog']);
    }
    const params: MineWorkerParams = { file, outDir, concurrency, specs, judge: judgeParams, judgeTemplate, limit: given.limit };
    ctx.log.info(
      `Mine pairs: ${file} → ${outDir} (${roles.join(', ')}), concurrency ${concurrency}${resuming ? ', resuming its checkpoint' : ''}; ${describeSpecs(specs)}${options.judge ? `; judge ${judgeEndpoint(options.judge).baseUrl}` : ''}`,
    );

    if (abort.signal.aborted) {
      // cancelled while it started: no worker, nothing asked, the folder's checkpoint untouched
      ctx.log.info(`Mine pairs: cancelled before it started; nothing was asked`);
      page.update({ ...view, status: 'cancelled' });
      return { status: 'cancelled', outDir };
    }
    let progress: MineProgress | undefined;
    page.patch({ status: 'running' });
    const { summary, error } = await run(params, abort, (p) => {
      progress = p;
      page.patch({ progress: p, status: abort.signal.aborted ? 'stopping' : 'running' });
    });

    if (summary) {
      const files: MiningView['files'] = [];
      for (const key of PAIRS_FILES) {
        const f = summary.files[key];
        if (!f) continue;
        last.files[key] = f;
        files.push({ key, name: path.basename(f), records: await countRecords(f).catch(() => 0) });
      }
      ctx.log.info(
        `Mine pairs: wrote ${files.map((f) => `${f.name} (${f.records})`).join(', ')} to ${outDir} (${summary.resumed} resumed, ${summary.calls} calls, ${(summary.elapsedMs / 1000).toFixed(1)} s)`,
      );
      page.update({ ...view, status: 'done', progress: summary, files });
      void deps.datasets.refresh();
      return { status: 'done', outDir, summary, progress: summary };
    }
    if (error instanceof CancelledError) {
      ctx.log.info(`Mine pairs: stopped; the finished calls are kept in ${mineCheckpointPath(outDir)}`);
      page.update({ ...view, status: 'cancelled', progress });
      return { status: 'cancelled', outDir, progress };
    }
    const message = (error?.message ?? 'unknown failure').replace(/\.$/, '');
    ctx.log.error(`Mine pairs: ${message}`);
    // a file without gold strategies: the same words as esc mine's refusal (what the file is, why, what to pass instead)
    const shown =
      error?.name === MINE_FAILURES.gold
        ? `${path.basename(file)}: ${message}.`
        : error?.name === MINE_FAILURES.input
          ? `${path.basename(file)} is not a vanilla SFT file: ${message}.`
          : `Mining failed: ${message}.`;
    const kept = progress && progress.calls + progress.resumed > 0 ? ' The finished calls are kept; Resume continues from there.' : '';
    page.update({ ...view, status: 'failed', progress, error: { message: shown + kept, fixes: fixesFor(error, source) } });
    return { status: 'failed', outDir, progress, error: message };
  }

  async function addToExperiment(): Promise<void> {
    if (!last) return;
    const found = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '**/node_modules/**', 50);
    if (found.length === 0) {
      void vscode.window.showInformationMessage(
        'No esc-experiment.yaml in this workspace. Create one first (ESC: New Decoupled Experiment…).',
      );
      return;
    }
    const target =
      found.length === 1
        ? found[0]!
        : (
            await vscode.window.showQuickPick(
              found.map((u) => ({ label: rel(u.fsPath), uri: u })),
              { title: 'Add the pairs to which experiment’s DPO stages?' },
            )
          )?.uri;
    if (!target) return;
    const entries: Partial<Record<DpoStage, string>> = {};
    // a judged file is preferred to its unjudged one (the retained pairs are what the paper trains on)
    for (const key of PAIRS_FILES) {
      const stage = DPO_STAGE[key];
      const file = last.files[key];
      if (stage && file) entries[stage] = path.relative(path.dirname(target.fsPath), file).split(path.sep).join('/');
    }
    if (Object.keys(entries).length === 0) return;
    const doc = await vscode.workspace.openTextDocument(target);
    const edit = setDpoDatasets(doc.getText(), entries);
    if (edit.replaced.length > 0) {
      const answer = await vscode.window.showWarningMessage(
        `Replace the datasets of ${edit.replaced.map((r) => r.stage).join(', ')} in ${rel(target.fsPath)}?`,
        { modal: true, detail: edit.replaced.map((r) => `${r.stage}: ${r.before} → ${r.after}`).join('\n') },
        'Replace',
      );
      if (answer !== 'Replace') return;
    }
    if (edit.changed) {
      const we = new vscode.WorkspaceEdit();
      we.replace(target, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), edit.text);
      if (!(await vscode.workspace.applyEdit(we)) || !(await doc.save())) throw new Error(`could not write ${rel(target.fsPath)}`);
    }
    await vscode.window.showTextDocument(doc, { preview: false });
    void vscode.window.showInformationMessage(
      `${rel(target.fsPath)}: ${Object.entries(entries)
        .map(([s, f]) => `${s} = ${f}`)
        .join(', ')}.`,
    );
  }

  page.setActions({
    cancel: () => {
      if (!running) return;
      running.abort.abort();
      page.patch({ status: 'stopping' });
    },
    resume: async () => {
      if (last) await vscode.commands.executeCommand('escStudio.minePairs', { ...last.options, outDir: last.outDir });
    },
    open: async (file) => {
      await vscode.commands.executeCommand('escStudio.openViewer', vscode.Uri.file(file));
    },
    addToExperiment,
    fix: async (fix) => {
      if (fix === 'configureEndpoints') await vscode.commands.executeCommand('escStudio.configurePlaygroundEndpoints');
      else if (fix === 'testConnection') await vscode.commands.executeCommand('escStudio.testPlaygroundConnection');
      else if (fix === 'showLog') ctx.log.show();
      else if (fix === 'deleteCheckpoint' && last) {
        const folder = last.outDir;
        // only the checkpoint and the files this run would write (another run's files in the folder
        // stay), each named in the question; the modal's default is Cancel
        const doomed = [mineCheckpointPath(folder), ...runFiles(last.options).map((key) => path.join(folder, `${key}.json`))].filter((f) =>
          existsSync(f),
        );
        const answer = await vscode.window.showWarningMessage(
          `Delete ${doomed.length} file(s) in ${rel(folder)} and start over?`,
          {
            modal: true,
            detail:
              'The checkpoint belongs to a run with other inputs or models; its answers cannot be reused for this one. These files will be deleted:\n' +
              doomed.map((f) => path.basename(f)).join('\n'),
          },
          'Delete and Start Over',
        );
        if (answer !== 'Delete and Start Over') return;
        for (const f of doomed) await rm(f, { force: true });
        await vscode.commands.executeCommand('escStudio.minePairs', { ...last.options, outDir: folder });
      }
    },
    fileOf: (key) => last?.files[key],
  });

  ctx.command('escStudio.minePairs', () => (arg?: unknown) => minePairsCommand(arg));
}
