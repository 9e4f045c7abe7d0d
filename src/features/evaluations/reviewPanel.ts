// One blind review in an editor tab: a webview panel over a ReviewSession (core/eval/reviewSession).
// The page is sent only what the annotator may see (the item's replies as First / Second); each key
// press comes back as the position picked and is mapped to a run here, appended to the judgement file,
// and answered with the next item. The panel's view type has a serializer (review.ts), so a window
// reload reopens the same judgement file where the annotator left off.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { pickFor, type Pick, type ReviewSession } from '../../core/eval/reviewSession';
import { reviewToExtension, type ExtensionToReview, type ReviewState } from '../../protocol/review';
import type { Ctx } from '../ctx';
import { webviewHtml } from '../webviewHtml';

export const REVIEW_VIEW_TYPE = 'escStudio.review';

export function reviewWebviewOptions(ctx: Ctx): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(ctx.extensionUri, 'media')],
  };
}

export class ReviewPanel implements vscode.Disposable {
  /** The item shown; undefined once the annotator has judged everything (until they go back). */
  private current: number | undefined;
  private disposed = false;
  private lastRendered: number | null | undefined;
  private waiters: { item: number | null; resolve: () => void }[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly onDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDisposeEmitter.event;

  constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    readonly session: ReviewSession,
    private annotatorName: string,
    /** Asks for another annotator name (the page's "Change annotator…"); undefined keeps the current one. */
    private readonly askAnnotator: (current: string) => Promise<string | undefined>,
  ) {
    this.current = this.firstOpen();
    panel.webview.options = reviewWebviewOptions(ctx);
    panel.title = `Review ${path.basename(session.file, '.review.jsonl')}`;
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, 'review.js', 'Blind pairwise review');
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    if (session.ignoredLines.length > 0) {
      ctx.log.warn(`Review ${session.file}: ignored line(s) ${session.ignoredLines.join(', ')} (not judgements: a write cut short)`);
    }
  }

  get file(): string {
    return this.session.file;
  }

  get annotator(): string {
    return this.annotatorName;
  }

  private firstOpen(): number | undefined {
    const next = this.session.next(this.annotatorName);
    return next < this.session.items.length ? next : undefined;
  }

  /** After a judgement of `item`: the next item this annotator has not judged (after it, else from the start). */
  private after(item: number): number | undefined {
    const n = this.session.items.length;
    for (let k = 1; k <= n; k++) {
      const i = (item + k) % n;
      if (!this.session.judgementOf(this.annotatorName, i)) return i;
    }
    return undefined;
  }

  /** What the page is sent: the item in the blind order, and the result with the runs named. */
  state(): ReviewState {
    const s = this.session;
    const result = s.result();
    const runs = s.runs;
    const state: ReviewState = {
      file: s.file,
      title: path.basename(s.file),
      annotator: this.annotatorName,
      total: s.items.length,
      judged: s.judgedBy(this.annotatorName),
      result: {
        runA: vscode.workspace.asRelativePath(runs.a),
        runB: vscode.workspace.asRelativePath(runs.b),
        items: result.items,
        p: result.p,
        perAnnotator: result.perAnnotator,
        agreement: result.agreement && {
          ...result.agreement,
          kappa: Number.isNaN(result.agreement.kappa) ? null : result.agreement.kappa,
        },
      },
      ignoredLines: [...s.ignoredLines],
    };
    if (this.current !== undefined) {
      const item = s.items[this.current]!;
      const shown = s.shown(item.index);
      const [first, second] = shown === 'ab' ? [item.replyA, item.replyB] : [item.replyB, item.replyA];
      const earlier = s.judgementOf(this.annotatorName, item.index);
      state.item = {
        index: item.index,
        context: item.context,
        seeker: item.seeker,
        first,
        second,
        gold: item.gold,
        ...(earlier ? { previous: { pick: pickFor(earlier.choice, earlier.shown), ...(earlier.note ? { note: earlier.note } : {}) } } : {}),
      };
    }
    return state;
  }

  /** The item shown (undefined when the annotator is done). */
  get item(): number | undefined {
    return this.current;
  }

  /** Judges the item shown, as a key press on the page does. Resolves once the judgement is on disk. */
  async judge(pick: Pick, note?: string, item = this.current): Promise<void> {
    if (item === undefined) throw new Error('nothing to judge: every item is judged');
    await this.session.judge(this.annotatorName, item, pick, note);
    this.current = this.after(item);
    this.post({ type: 'state', state: this.state() });
  }

  goto(item: number): void {
    if (!Number.isInteger(item) || item < 0 || item >= this.session.items.length) return;
    this.current = item;
    this.post({ type: 'state', state: this.state() });
  }

  setAnnotator(name: string): void {
    this.annotatorName = name;
    this.current = this.firstOpen();
    this.post({ type: 'state', state: this.state() });
  }

  /** Resolves when the page has drawn `item` (null: the "all judged" view): the page is really showing it. */
  rendered(item: number | null): Promise<void> {
    if (this.lastRendered === item) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ item, resolve }));
  }

  reveal(): void {
    this.panel.reveal();
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = reviewToExtension.safeParse(raw);
    if (!parsed.success) {
      this.ctx.log.warn(`Review: ignored a malformed message from the page: ${parsed.error.message}`);
      return;
    }
    const m = parsed.data;
    try {
      switch (m.type) {
        case 'ready':
          this.post({ type: 'state', state: this.state() });
          break;
        case 'judge':
          await this.judge(m.pick, m.note, m.item);
          break;
        case 'goto':
          this.goto(m.item);
          break;
        case 'changeAnnotator': {
          const name = await this.askAnnotator(this.annotatorName);
          if (name) this.setAnnotator(name);
          break;
        }
        case 'rendered': {
          this.lastRendered = m.item;
          const drawn = this.waiters.filter((w) => w.item === m.item);
          this.waiters = this.waiters.filter((w) => w.item !== m.item);
          for (const w of drawn) w.resolve();
          break;
        }
      }
    } catch (err) {
      const text = `Could not save the judgement: ${err instanceof Error ? err.message : String(err)}`;
      this.ctx.log.error(`Review ${this.file}: ${text}`);
      this.post({ type: 'notice', level: 'error', text });
    }
  }

  private post(m: ExtensionToReview): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(m).then(undefined, () => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDisposeEmitter.fire();
    this.onDisposeEmitter.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
