// The blind pairwise review's commands: ESC: Blind Pairwise Review… (two inference files over the same
// split → a judgement file → the review page) and Open Review (a .review.jsonl file → the page, resumed),
// the annotator's name (asked once, kept in globalState, changeable from the page), and the panel
// serializer that reopens a review after a window reload. Reading and writing files only: works in
// untrusted workspaces.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadReviewItems, ReviewError, ReviewSession } from '../../core/eval/reviewSession';
import type { Ctx } from '../ctx';
import { uriOf, urisOf } from '../targetFile';
import type { EvaluationsDeps, EvaluationsFeature } from './index';
import { REVIEW_VIEW_TYPE, ReviewPanel } from './reviewPanel';

export { ReviewPanel } from './reviewPanel';

const ANNOTATOR_KEY = 'escStudio.review.annotator';
export const REVIEW_SUFFIX = '.review.jsonl';

/** What the Evaluations feature exposes of the review (also the integration tests' handle). */
export interface ReviewFeature {
  /**
   * Opens (or creates) the review of `fileA` against `fileB` in `reviewFile` for `annotator` (remembered
   * as the annotator, as if typed in the input box), without dialogs.
   */
  open(fileA: string, fileB: string, reviewFile: string, annotator: string): Promise<ReviewPanel>;
  /** The open panel of a judgement file. */
  panel(reviewFile: string): ReviewPanel | undefined;
  /** What the panel serializer does after a window reload, given the panel and the page's saved state. */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<ReviewPanel | undefined>;
  findReviewFiles(): Promise<vscode.Uri[]>;
}

/** The workspace's judgement files (for the Evaluations view). */
export function findReviewFiles(): Promise<vscode.Uri[]> {
  return Promise.resolve(vscode.workspace.findFiles(`**/*${REVIEW_SUFFIX}`, '**/node_modules/**', 1000));
}

const stem = (file: string): string => path.basename(file).replace(/\.jsonl?$/i, '');

export function registerReview(ctx: Ctx, deps: EvaluationsDeps, feature: EvaluationsFeature): void {
  const panels = new Map<string, ReviewPanel>();
  const globalState = ctx.extension.globalState;

  const askAnnotator = async (current?: string): Promise<string | undefined> => {
    const name = await vscode.window.showInputBox({
      title: 'ESC Studio: Blind Pairwise Review',
      prompt: 'Your annotator name: judgements are saved under it (several annotators can share one review file)',
      value: current ?? '',
      validateInput: (v) => (v.trim() === '' ? 'Enter a name' : v.trim().length > 100 ? 'At most 100 characters' : undefined),
    });
    const trimmed = name?.trim();
    if (trimmed) await globalState.update(ANNOTATOR_KEY, trimmed);
    return trimmed || undefined;
  };
  const annotator = async (): Promise<string | undefined> => globalState.get<string>(ANNOTATOR_KEY) ?? (await askAnnotator());

  const show = (panel: vscode.WebviewPanel, session: ReviewSession, name: string): ReviewPanel => {
    const key = path.resolve(session.file);
    panels.get(key)?.dispose();
    const p = new ReviewPanel(ctx, panel, session, name, askAnnotator);
    panels.set(key, p);
    p.onDidDispose(() => {
      if (panels.get(key) === p) panels.delete(key);
    });
    return p;
  };

  const newPanel = (file: string): vscode.WebviewPanel =>
    vscode.window.createWebviewPanel(REVIEW_VIEW_TYPE, `Review ${path.basename(file, REVIEW_SUFFIX)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
    });

  /** Opens a session in a new panel, or reveals the panel already showing its file. */
  const openSession = async (file: string, load: () => Promise<ReviewSession>, name: string): Promise<ReviewPanel> => {
    const existing = panels.get(path.resolve(file));
    if (existing) {
      if (existing.annotator !== name) existing.setAnnotator(name);
      existing.reveal();
      return existing;
    }
    const session = await load();
    return show(newPanel(file), session, name);
  };

  const fail = (err: unknown): undefined => {
    const text = err instanceof Error ? err.message : String(err);
    ctx.log.error(`Review: ${text}`);
    void vscode.window.showErrorMessage(`ESC Studio: ${text}`);
    if (!(err instanceof ReviewError) && err instanceof Error) ctx.log.error(err.stack ?? '');
    return undefined;
  };

  const pickRun = async (label: string, exclude: vscode.Uri[]): Promise<vscode.Uri | undefined> => {
    await deps.datasets.ready();
    const skip = new Set(exclude.map((u) => u.toString()));
    const files = deps.datasets.datasets.filter((e) => e.kind === 'inference' && !skip.has(e.uri.toString()));
    if (files.length === 0) {
      const picked = await vscode.window.showOpenDialog({
        title: `ESC Studio: Blind Pairwise Review — ${label}`,
        openLabel: `Use as ${label}`,
        filters: { 'Inference outputs': ['json', 'jsonl'] },
      });
      return picked?.[0];
    }
    const choice = await vscode.window.showQuickPick(
      files.map((e) => ({
        label: path.basename(e.uri.fsPath),
        description: vscode.workspace.asRelativePath(e.uri),
        detail: `${e.records} records`,
        uri: e.uri,
      })),
      { title: `ESC Studio: Blind Pairwise Review — ${label}`, placeHolder: `The inference file of ${label}`, matchOnDescription: true },
    );
    return choice?.uri;
  };

  const startReview = async (...args: unknown[]): Promise<ReviewPanel | undefined> => {
    const runs = urisOf(args).slice(0, 2);
    while (runs.length < 2) {
      const next = await pickRun(runs.length === 0 ? 'run A' : 'run B', runs);
      if (!next) return undefined;
      runs.push(next);
    }
    const [a, b] = runs.map((u) => u.fsPath) as [string, string];
    try {
      // before any dialog: two runs over different splits cannot be reviewed
      await loadReviewItems(a, b);
    } catch (err) {
      return fail(err);
    }
    const folder = vscode.workspace.getWorkspaceFolder(runs[0]!) ?? vscode.workspace.workspaceFolders?.[0];
    const base = folder ? folder.uri : vscode.Uri.file(path.dirname(a));
    const target = await vscode.window.showSaveDialog({
      title: 'ESC Studio: Save the judgements in (an existing review of the same two runs is resumed)',
      defaultUri: vscode.Uri.joinPath(base, 'reviews', `${stem(a)}-vs-${stem(b)}${REVIEW_SUFFIX}`),
      filters: { 'Review files': ['jsonl'] },
      saveLabel: 'Start Review',
    });
    if (!target) return undefined;
    const file = target.fsPath.endsWith(REVIEW_SUFFIX) ? target.fsPath : target.fsPath.replace(/(\.jsonl)?$/i, REVIEW_SUFFIX);
    const name = await annotator();
    if (!name) return undefined;
    try {
      return await openSession(file, () => ReviewSession.openOrCreate(file, a, b), name);
    } catch (err) {
      return fail(err);
    }
  };

  const openReview = async (arg?: unknown): Promise<ReviewPanel | undefined> => {
    let uri = uriOf(arg);
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'ESC Studio: Open Review',
        filters: { 'Review files': ['jsonl'] },
        openLabel: 'Open Review',
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    const file = uri.fsPath;
    const name = await annotator();
    if (!name) return undefined;
    try {
      return await openSession(file, () => ReviewSession.open(file), name);
    } catch (err) {
      return fail(err);
    }
  };

  const restore = async (panel: vscode.WebviewPanel, state: unknown): Promise<ReviewPanel | undefined> => {
    const file = typeof state === 'object' && state !== null ? (state as { file?: unknown }).file : undefined;
    if (typeof file !== 'string') {
      panel.dispose();
      return undefined;
    }
    try {
      const session = await ReviewSession.open(file);
      const name = await annotator();
      if (!name) {
        panel.dispose();
        return undefined;
      }
      return show(panel, session, name);
    } catch (err) {
      panel.dispose();
      return fail(err);
    }
  };

  ctx.command('escStudio.startReview', () => startReview);
  ctx.command('escStudio.openReview', () => openReview);
  ctx.push(
    vscode.window.registerWebviewPanelSerializer(REVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        await restore(panel, state);
      },
    }),
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
  );

  feature.review = {
    open: async (fileA, fileB, reviewFile, name) => {
      await globalState.update(ANNOTATOR_KEY, name);
      return openSession(reviewFile, () => ReviewSession.openOrCreate(reviewFile, fileA, fileB), name);
    },
    panel: (reviewFile) => panels.get(path.resolve(reviewFile)),
    restore,
    findReviewFiles,
  };
}
