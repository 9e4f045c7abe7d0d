// ESC Dataset Viewer: a custom read-only editor for .json/.jsonl datasets. The document owns a worker
// that indexes the file off the extension host's main thread; each panel is a webview that asks for
// pages of rows and single records. Files of any size work: nothing reads the whole file at once.

import { readFile, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { positionAt } from '../../../core/json/position';
import { KIND_LABELS } from '../../../core/formats/kinds';
import type { WorkerEvent } from '../../../core/dataset/worker/protocol';
import { STRATEGIES, STRATEGY_COLORS } from '../../../core/strategies';
import { CancelledError } from '../../../core/util/cancel';
import {
  viewerToExtension,
  viewSubset,
  type AppliedQuery,
  type ExtensionToViewer,
  type Facet,
  type ViewerBoot,
  type ViewerInit,
  type ViewerTab,
  type ViewerToExtension,
  type ViewInfo,
  type RowSummary,
  type ViewQuery,
  type ViewSubset,
} from '../../../protocol/viewer';
import type { Ctx } from '../../ctx';
import { appliedQuery, EMPTY_QUERY, ROWS_PAGE } from '../../../protocol/viewerQuery';
import { KeyedWaiters } from '../../../core/util/keyedWaiters';
import { webviewHtml } from '../../webviewHtml';
import { WorkerClient } from './workerClient';

export const VIEW_TYPE = 'escStudio.datasetViewer';

/**
 * A search over hundreds of MB takes about a second; one still running after this is stuck (a regular
 * expression that backtracks catastrophically cannot be interrupted inside the worker): the worker
 * is replaced and the search cleared.
 */
const queryTimeoutMs = (): number =>
  Math.max(1, vscode.workspace.getConfiguration('escStudio.viewer').get<number>('searchTimeoutSeconds', 20)) * 1000;

/**
 * One open dataset file. Owns the worker that indexes it, and starts a fresh one when the file
 * changes on disk (byte ranges of the old version would show the wrong records).
 */
export class DatasetDocument implements vscode.CustomDocument {
  client: WorkerClient;
  opened = performance.now();
  openedAt = Date.now();
  /** Set when the file was deleted while open. */
  deleted = false;
  /** Why the next page load must start without the saved search (it hung the previous worker). */
  searchStopped: string | undefined;
  private readonly changed = new vscode.EventEmitter<'restarted' | 'deleted'>();
  /** Fires after the worker was restarted for a changed file, or when the file was deleted. */
  readonly onDidChangeFile = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly uri: vscode.Uri,
    private readonly extensionUri: vscode.Uri,
    /** A worker already indexing this file (started when its tree item was hovered or selected). */
    prewarmed?: WorkerClient,
  ) {
    this.client = prewarmed ?? new WorkerClient(extensionUri, uri.fsPath);
    this.watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop()!),
    );
    const restartSoon = (): void => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.restart(), 300);
    };
    this.watcher.onDidChange(restartSoon);
    this.watcher.onDidCreate(restartSoon);
    this.watcher.onDidDelete(() => {
      this.deleted = true;
      this.changed.fire('deleted');
    });
  }

  restart(): void {
    this.client.dispose();
    this.deleted = false;
    this.opened = performance.now();
    this.openedAt = Date.now();
    this.client = new WorkerClient(this.extensionUri, this.uri.fsPath);
    this.changed.fire('restarted');
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.watcher.dispose();
    this.changed.dispose();
    this.client.dispose();
  }
}

/** What a new panel opens on: the Statistics tab, a drill-down's query (set by openWithTab / openFiltered). */
interface Opening {
  tab?: ViewerTab;
  query?: AppliedQuery;
}

/** A boot posted to a page: the worker it came from, how many of its events it held, its view. */
interface SentBoot {
  client: WorkerClient;
  seen: number;
  view: ShownView;
}

/**
 * How a viewer page started: from the boot sent ahead of it, by asking (init, then its own query), or
 * by asking again after waiting for a boot that never came (`retry`, a fallback that should not happen).
 */
export type PageStart = 'boot' | 'init' | 'retry';

/** The last view a file's viewer was sent: the query it answers and its size (for tests and callers). */
export interface ShownView {
  query: ViewQuery;
  info: ViewInfo;
}

/**
 * One viewer panel: the id its worker calls go under (panels of one file share the worker, each with
 * its own view: core/dataset/worker/ownedQueries.ts) and the last view it was sent.
 */
interface PanelState {
  owner: string;
  doc: DatasetDocument;
  view?: ShownView;
}

/** For tests: an open panel's last view, and rows and positions asked for it the way its page asks. */
export interface PanelProbe {
  view: ShownView | undefined;
  rows(start: number, count: number): Promise<RowSummary[]>;
  position(index: number): Promise<number>;
}

export class DatasetViewerProvider implements vscode.CustomReadonlyEditorProvider<DatasetDocument> {
  /** Tab to show first in the next panel opened for a file (set by "Show Statistics"). */
  private readonly initialTab = new Map<string, ViewerTab>();
  /** Query to start the next panel opened for a file with (set by openFiltered). */
  private readonly initialQuery = new Map<string, AppliedQuery>();
  /**
   * Panels whose webview is loaded and listening. A hidden panel's webview is torn down (no
   * retainContextWhenHidden) and a message posted to it is lost: its query waits in `pendingQuery`
   * and goes with the `init` it gets when shown again.
   */
  private readonly livePanels = new WeakSet<vscode.WebviewPanel>();
  private readonly pendingQuery = new WeakMap<vscode.WebviewPanel, AppliedQuery>();
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
  private readonly panelStates = new WeakMap<vscode.WebviewPanel, PanelState>();
  private panelSeq = 0;
  private readonly readyWaiters = new KeyedWaiters<PageStart>();
  private readonly bootWaiters = new KeyedWaiters<void>();
  private readonly views = new Map<string, ShownView>();
  private readonly viewWaiters = new Map<string, Array<(v: ShownView) => boolean>>();

  /**
   * A worker started for a file before its viewer opens (the tree item hovered or selected): the
   * document opened next for that file, soon and unchanged, takes it with the pages it has indexed.
   */
  private prewarmed: { key: string; version: Promise<string | undefined>; client: WorkerClient; timer: NodeJS.Timeout } | undefined;
  /** The file a document was last opened for, and when: the selection of a clicked item comes with its opening. */
  private lastOpened: { key: string; at: number } | undefined;

  constructor(private readonly ctx: Ctx) {}

  /**
   * Starts indexing a file whose viewer is likely to open next, so the first rows are ready sooner
   * (issue 13 §6). One at a time; unused after PREWARM_MS, it is stopped. Synchronous up to the
   * worker's start, so an opening that follows at once finds it.
   */
  prewarm(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    const key = uri.toString();
    if (this.prewarmed?.key === key) return;
    if ((this.panels.get(key)?.size ?? 0) > 0) return; // open already: a new panel reuses its document
    if (this.lastOpened?.key === key && Date.now() - this.lastOpened.at < 2000) return; // opening now
    this.dropPrewarmed();
    const client = new WorkerClient(this.ctx.extensionUri, uri.fsPath);
    const timer = setTimeout(() => this.dropPrewarmed(), PREWARM_MS).unref();
    this.prewarmed = { key, version: fileVersion(uri.fsPath), client, timer };
  }

  private dropPrewarmed(): void {
    if (!this.prewarmed) return;
    clearTimeout(this.prewarmed.timer);
    this.prewarmed.client.dispose();
    this.prewarmed = undefined;
  }

  /** The prewarmed worker for `uri` when the file has not changed since it started; it is handed over once. */
  private async takePrewarmed(uri: vscode.Uri): Promise<WorkerClient | undefined> {
    const p = this.prewarmed;
    if (p?.key !== uri.toString()) return undefined;
    clearTimeout(p.timer);
    this.prewarmed = undefined;
    const [then, now] = await Promise.all([p.version, fileVersion(uri.fsPath)]);
    if (then !== undefined && then === now) return p.client;
    p.client.dispose();
    return undefined;
  }

  /**
   * Shows a file's viewer limited to `subset` (e.g. the turns behind a cell of an evaluation): an open
   * panel for the file gets the query and is revealed; otherwise the viewer opens with it. The subset
   * replaces any before it, the search is cleared and the facets become `facets` (none when absent),
   * so the user sees exactly those records; the banner above the list names `subset.label` and removes it.
   * Rejects with one clear error for a subset over the protocol's bounds (label <= 200 characters,
   * <= 1,000,000 non-negative integer indices); indices past the file's end are ignored.
   */
  async openFiltered(uri: vscode.Uri, subset: ViewSubset, facets?: Partial<Record<Facet, string>>): Promise<void> {
    const checked = viewSubset.safeParse(subset);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(
        `Cannot show ${uri.fsPath} filtered: subset${issue?.path.length ? '.' + issue.path.join('.') : ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const query: AppliedQuery = { subset: checked.data, ...(facets ? { facets: { ...facets } } : {}) };
    const open = this.panels.get(uri.toString());
    if (open && open.size > 0) {
      for (const p of open) {
        if (this.livePanels.has(p)) {
          void p.webview.postMessage({ type: 'applyQuery', query } satisfies ExtensionToViewer).then(undefined, () => false);
        } else {
          this.pendingQuery.set(p, query);
        }
        p.reveal();
      }
      return;
    }
    this.initialQuery.set(uri.toString(), query);
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    } catch (err) {
      this.initialQuery.delete(uri.toString());
      throw err;
    }
  }

  openWithTab(uri: vscode.Uri, tab: ViewerTab): Thenable<unknown> {
    const open = this.panels.get(uri.toString());
    if (open && open.size > 0) {
      for (const p of open) {
        void p.webview.postMessage({ type: 'showTab', tab } satisfies ExtensionToViewer);
        p.reveal();
      }
      return Promise.resolve();
    }
    this.initialTab.set(uri.toString(), tab);
    return vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  }

  /** The last view (query and its answer) sent to a viewer of this file, if any. */
  lastView(uri: vscode.Uri): ShownView | undefined {
    return this.views.get(uri.toString());
  }

  /**
   * Resolves with the first view of this file that `accept` takes, the last one sent included (for
   * tests, and for callers that must know a filtered view arrived).
   */
  whenView(uri: vscode.Uri, accept: (view: ShownView) => boolean): Promise<ShownView> {
    const last = this.views.get(uri.toString());
    if (last && accept(last)) return Promise.resolve(last);
    return new Promise((resolve) => {
      const list = this.viewWaiters.get(uri.toString()) ?? [];
      list.push((v) => {
        if (!accept(v)) return false;
        resolve(v);
        return true;
      });
      this.viewWaiters.set(uri.toString(), list);
    });
  }

  /** For tests: the open panels of this file, in the order they opened (see PanelProbe). */
  panelsOf(uri: vscode.Uri): PanelProbe[] {
    return [...(this.panels.get(uri.toString()) ?? [])].flatMap((panel) => {
      const state = this.panelStates.get(panel);
      if (!state) return [];
      // the answer the page would be posted, through the same path as the page's own messages
      const ask = async (msg: ViewerToExtension): Promise<ExtensionToViewer | undefined> => {
        let answer: ExtensionToViewer | undefined;
        await this.onMessage(state, msg, (m) => (answer = m));
        return answer;
      };
      return [
        {
          view: state.view,
          rows: async (start, count) => {
            const version = state.view?.info.version ?? 0;
            const answer = await ask({ type: 'rows', version, start, count });
            return answer?.type === 'rows' ? answer.rows : [];
          },
          position: async (index) => {
            const answer = await ask({ type: 'position', index });
            return answer?.type === 'position' ? answer.position : -1;
          },
        },
      ];
    });
  }

  private shown(state: PanelState, view: ShownView): void {
    state.view = view;
    const uri = state.doc.uri;
    const key = uri.toString();
    this.views.set(key, view);
    const waiting = this.viewWaiters.get(key);
    if (!waiting) return;
    const left = waiting.filter((w) => !w(view));
    if (left.length > 0) this.viewWaiters.set(key, left);
    else this.viewWaiters.delete(key);
  }

  /** Resolves when a viewer panel for this file has its webview loaded, with how it started (for tests). */
  whenReady(uri: vscode.Uri): Promise<PageStart> {
    return this.readyWaiters.wait(uri.toString());
  }

  /** Resolves when a first view is next sent ahead of a new page for this file (for tests). */
  whenBootSent(uri: vscode.Uri): Promise<void> {
    return this.bootWaiters.wait(uri.toString());
  }

  async openCustomDocument(uri: vscode.Uri): Promise<DatasetDocument> {
    if (uri.scheme !== 'file') throw new Error(`ESC Dataset Viewer reads files from disk; ${uri.toString()} is not a file.`);
    this.lastOpened = { key: uri.toString(), at: Date.now() };
    return new DatasetDocument(uri, this.ctx.extensionUri, await this.takePrewarmed(uri));
  }

  resolveCustomEditor(doc: DatasetDocument, panel: vscode.WebviewPanel): void {
    const key = doc.uri.toString();
    const set = this.panels.get(key) ?? new Set();
    set.add(panel);
    this.panels.set(key, set);
    const state: PanelState = { owner: `panel-${++this.panelSeq}`, doc };
    this.panelStates.set(panel, state);
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'),
        vscode.Uri.joinPath(this.ctx.extensionUri, 'media'),
      ],
    };
    panel.webview.html = webviewHtml(panel.webview, this.ctx.extensionUri, 'viewer.js', 'ESC Dataset Viewer');
    let disposed = false;
    // a closed panel's webview throws on access: late answers are dropped
    const post = (m: ExtensionToViewer): void => {
      if (!disposed) void panel.webview.postMessage(m).then(undefined, () => undefined);
    };
    const forward = (e: WorkerEvent): void => {
      this.logEvent(doc, e);
      post(viewerMessage(e));
    };
    /**
     * The page's first load: the tab and query the panel opens with (until a page took them, from the
     * boot or with its init), whether a page said `ready` yet (a boot not sent by then is not sent), and
     * the boot sent ahead of it (once the page says it drew it, its worker events are not sent again).
     */
    const load: { opening: Opening; readied: boolean; boot?: SentBoot } = {
      opening: { tab: this.initialTab.get(key), query: this.initialQuery.get(key) },
      readied: false,
    };
    this.initialTab.delete(key);
    this.initialQuery.delete(key);
    // Worker events reach this panel only after its webview said `ready` and got the history so far.
    let sub: vscode.Disposable | undefined;
    const attach = (from: number): void => {
      sub?.dispose();
      sub = doc.client.onEvent(forward);
      for (const e of doc.client.history.slice(from)) forward(e);
    };
    const fileSub = doc.onDidChangeFile((what) => {
      if (what === 'deleted') post({ type: 'error', message: 'The file was deleted.' });
      else {
        // reload: the page asks `ready` again; until then a message to it would be lost
        this.livePanels.delete(panel);
        panel.webview.html = webviewHtml(panel.webview, this.ctx.extensionUri, 'viewer.js', 'ESC Dataset Viewer');
      }
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = viewerToExtension.safeParse(raw);
      if (!parsed.success) {
        this.ctx.log.warn(`Viewer: ignored a malformed message: ${parsed.error.issues[0]?.message ?? ''}`);
        return;
      }
      if (parsed.data.type === 'booted') {
        // the page drew the boot sent ahead of it: it has init, the events so far and the first view
        const boot = load.boot;
        load.boot = undefined;
        if (boot?.client !== doc.client) return; // the file changed meanwhile: the page reloads and asks
        load.opening = {};
        this.shown(state, boot.view);
        // a subset asked for since (the panel was hidden before its page ran) follows it
        const later = this.pendingQuery.get(panel);
        this.pendingQuery.delete(panel);
        if (later) post({ type: 'applyQuery', query: later });
        this.readied(key, 'boot');
        attach(boot.seen);
        doc.client.pageDrawn();
        return;
      }
      if (parsed.data.type === 'ready') {
        this.livePanels.add(panel);
        load.readied = true;
        // a new page takes the boot sent ahead of it and says `booted`; should it not come, it asks again
        if (parsed.data.fresh && !parsed.data.retry && load.boot?.client === doc.client) return;
        load.boot = undefined;
        const opening = load.opening;
        load.opening = {};
        void this.onReady(doc, panel, post, opening, parsed.data.retry ? 'retry' : 'init').then(
          () => attach(0),
          (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
        );
        return;
      }
      void this.onMessage(state, parsed.data, post).catch((err: unknown) => {
        // a superseded query or rows of an older view: the newer request answers
        if (err instanceof CancelledError) return;
        post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    });
    // hidden, the webview is torn down; shown again, it reloads and says `ready`
    const viewState = panel.onDidChangeViewState(() => {
      if (panel.visible) return;
      this.livePanels.delete(panel);
      // a boot not drawn yet went with the webview: the page made when shown again asks instead
      load.boot = undefined;
    });
    panel.onDidDispose(() => {
      disposed = true;
      // its view in the shared worker goes with it (other panels of the file keep theirs)
      void doc.client.request('releasePanel', { owner: state.owner }).catch(() => undefined);
      viewState.dispose();
      this.livePanels.delete(panel);
      sub?.dispose();
      fileSub.dispose();
      set.delete(panel);
      if (set.size === 0) {
        this.panels.delete(key);
        this.views.delete(key);
      }
    });
    // while the workbench makes the webview, the first page is read and sent ahead of the page
    void this.bootFor(doc, state.owner, load.opening, () => load.readied || disposed).then(
      (boot) => {
        // hidden already, the webview is gone: a message now would be lost
        if (!boot || load.readied || disposed || !panel.visible || boot.client !== doc.client) return;
        const sent: SentBoot = { client: boot.client, seen: boot.seen, view: { query: boot.boot.query, info: boot.boot.view } };
        load.boot = sent;
        for (const e of boot.client.history.slice(0, boot.seen)) this.logEvent(doc, e);
        this.bootWaiters.fire(key, undefined);
        void panel.webview.postMessage({ type: 'boot', boot: boot.boot } satisfies ExtensionToViewer).then(
          (delivered) => {
            if (!delivered && load.boot === sent) load.boot = undefined;
          },
          () => {
            if (load.boot === sent) load.boot = undefined;
          },
        );
      },
      (err: unknown) =>
        this.ctx.log.info(
          `Viewer ${doc.uri.fsPath}: no first page ahead of the page (${err instanceof Error ? err.message : String(err)})`,
        ),
    );
  }

  /**
   * The first view for a new panel opening on `opening` to draw as it loads (ViewerBoot), or undefined
   * when the page said `ready` first (`late`) and will ask.
   */
  private async bootFor(
    doc: DatasetDocument,
    owner: string,
    { tab, query: applied }: Opening,
    late: () => boolean,
  ): Promise<{ boot: ViewerBoot; client: WorkerClient; seen: number } | undefined> {
    if (doc.deleted || doc.searchStopped !== undefined) return undefined;
    const client = doc.client;
    await client.whenStarted;
    // the events so far, taken before the query: any later one is forwarded when the page is ready
    const history = [...client.history];
    if (!history.some((e) => e.type === 'firstRecords') || history.some((e) => e.type === 'fatal')) return undefined;
    const stat = await vscode.workspace.fs.stat(doc.uri);
    const query = applied ? appliedQuery(EMPTY_QUERY, applied) : EMPTY_QUERY;
    // once the page runs its own query, a boot query would supersede it (both are this panel's)
    if (late() || client !== doc.client) return undefined;
    const view = await client.request('query', { owner, query });
    const rows =
      view.total > 0
        ? await client.request('rows', { version: view.version, start: 0, count: Math.min(ROWS_PAGE, view.total), beforePage: true })
        : [];
    return {
      boot: {
        init: this.initMessage(doc, stat, tab),
        events: history.map(viewerMessage),
        query,
        view,
        rows,
        readyMs: Math.round(performance.now() - doc.opened),
      },
      client,
      seen: history.length,
    };
  }

  private logEvent(doc: DatasetDocument, e: WorkerEvent): void {
    if (e.type === 'firstRecords') {
      this.ctx.log.info(`Viewer ${doc.uri.fsPath}: first ${e.records} records after ${(performance.now() - doc.opened).toFixed(0)} ms`);
    } else if (e.type === 'indexed') {
      this.ctx.log.info(
        `Viewer ${doc.uri.fsPath}: indexed ${e.info.records} records (${e.info.size} bytes) in ${e.info.indexMs.toFixed(0)} ms`,
      );
    } else if (e.type === 'analyzed') {
      this.ctx.log.info(`Viewer ${doc.uri.fsPath}: analysed in ${e.analyzeMs.toFixed(0)} ms, ${e.invalid} invalid`);
    }
  }

  private initMessage(doc: DatasetDocument, stat: vscode.FileStat, tab: ViewerTab | undefined, query?: AppliedQuery): ViewerInit {
    return {
      type: 'init',
      file: vscode.workspace.asRelativePath(doc.uri),
      size: stat.size,
      version: `${stat.size}:${stat.mtime}`,
      strategies: STRATEGIES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
      tab,
      openedAt: doc.openedAt,
      resetSearch: doc.searchStopped !== undefined,
      ...(query ? { query } : {}),
    };
  }

  private readied(key: string, how: PageStart): void {
    this.readyWaiters.fire(key, how);
  }

  /** A page that asks: its init, with the tab and query it opens on (a subset asked for while it was hidden first). */
  private async onReady(
    doc: DatasetDocument,
    panel: vscode.WebviewPanel,
    post: (m: ExtensionToViewer) => void,
    opening: Opening,
    how: PageStart,
  ): Promise<void> {
    const key = doc.uri.toString();
    if (doc.deleted) throw new Error('The file was deleted.');
    const stat = await vscode.workspace.fs.stat(doc.uri).then(undefined, () => undefined);
    if (!stat) throw new Error('The file cannot be read (was it deleted or moved?).');
    const query = this.pendingQuery.get(panel) ?? opening.query;
    this.pendingQuery.delete(panel);
    post(this.initMessage(doc, stat, opening.tab, query));
    if (doc.searchStopped) post({ type: 'error', message: doc.searchStopped });
    doc.searchStopped = undefined;
    this.readied(key, how);
  }

  private async onMessage(state: PanelState, msg: ViewerToExtension, post: (m: ExtensionToViewer) => void): Promise<void> {
    const { doc, owner } = state;
    switch (msg.type) {
      case 'ready':
        break;
      case 'query': {
        let timer: NodeJS.Timeout | undefined;
        const limit = queryTimeoutMs();
        const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limit)));
        const result = await Promise.race([doc.client.request('query', { owner, query: msg.query }), timeout]).finally(() =>
          clearTimeout(timer),
        );
        if (result === 'timeout') {
          this.ctx.log.warn(`Viewer ${doc.uri.fsPath}: a search ran over ${limit / 1000} s; restarting the worker`);
          doc.searchStopped = `The search ${JSON.stringify(msg.query.search?.text ?? '')} ran over ${limit / 1000} s and was stopped (a regular expression that backtracks catastrophically?). It was cleared.`;
          doc.restart();
          break;
        }
        post({ type: 'view', info: result });
        this.shown(state, { query: msg.query, info: result });
        // a page that asked has its first view: the index and analysis held for it go on
        doc.client.pageDrawn();
        break;
      }
      case 'rows':
        post({
          type: 'rows',
          version: msg.version,
          start: msg.start,
          rows: await doc.client.request('rows', { version: msg.version, start: msg.start, count: msg.count }),
        });
        break;
      case 'record':
        post({ type: 'record', detail: await doc.client.request('record', { index: msg.index }) });
        break;
      case 'position':
        post({ type: 'position', index: msg.index, position: await doc.client.request('position', { owner, index: msg.index }) });
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        void vscode.window.setStatusBarMessage('ESC Studio: copied', 2000);
        break;
      case 'revealInText': {
        const detail = await doc.client.request('record', { index: msg.index });
        await revealOffset(doc.uri, detail.start);
        break;
      }
      case 'revealOffset': // where reading stopped (a truncated file): there is no record to show
        await revealOffset(doc.uri, msg.offset);
        break;
      case 'validate':
        await vscode.commands.executeCommand('escStudio.validateDataset', doc.uri);
        break;
    }
  }
}

/** What the page is sent for a worker event. */
function viewerMessage(e: WorkerEvent): ExtensionToViewer {
  if (e.type === 'fatal') return { type: 'error', message: e.message };
  if (e.type === 'firstRecords') return { ...e, kindLabel: KIND_LABELS[e.kind] };
  return e;
}

/** How long a prewarmed worker waits for its viewer before it is stopped. */
const PREWARM_MS = 20_000;

/** Size and modification time: a prewarmed index holds for this version of the file only. */
async function fileVersion(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Opens the file as text at a byte offset (files VS Code can open as text). */
async function revealOffset(uri: vscode.Uri, byteOffset: number): Promise<void> {
  if ((await stat(uri.fsPath)).size >= 50 * 1024 * 1024) {
    void vscode.window.showWarningMessage('VS Code does not open files over 50 MB as text; the record is at byte ' + byteOffset + '.');
    return;
  }
  const pos = positionAt(await readFile(uri.fsPath), byteOffset);
  const p = new vscode.Position(pos.line, pos.character);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(p, p), preview: true, viewColumn: vscode.ViewColumn.Beside });
}
