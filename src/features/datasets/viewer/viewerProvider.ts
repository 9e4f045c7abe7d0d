// ESC Dataset Viewer: a custom read-only editor for .json/.jsonl datasets. The document owns a worker
// that indexes the file off the extension host's main thread; each panel is a webview that asks for
// pages of rows and single records. Files of any size work: nothing reads the whole file at once.

import { readFile, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { positionAt } from '../../../core/dataset/position';
import { KIND_LABELS } from '../../../core/formats/kinds';
import type { WorkerEvent } from '../../../core/dataset/worker/protocol';
import { STRATEGIES, STRATEGY_COLORS } from '../../../core/strategies';
import { viewerToExtension, type ExtensionToViewer, type ViewerTab, type ViewerToExtension } from '../../../protocol/viewer';
import type { Ctx } from '../../ctx';
import { webviewHtml } from '../../webviewHtml';
import { WorkerClient } from './workerClient';

export const VIEW_TYPE = 'escStudio.datasetViewer';

export class DatasetDocument implements vscode.CustomDocument {
  readonly client: WorkerClient;
  readonly opened = performance.now();
  readonly openedAt = Date.now();

  constructor(
    readonly uri: vscode.Uri,
    extensionUri: vscode.Uri,
  ) {
    this.client = new WorkerClient(extensionUri, uri.fsPath);
  }

  dispose(): void {
    this.client.dispose();
  }
}

export class DatasetViewerProvider implements vscode.CustomReadonlyEditorProvider<DatasetDocument> {
  /** Tab to show first in the next panel opened for a file (set by "Show Statistics"). */
  private readonly initialTab = new Map<string, ViewerTab>();
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
  private readonly readyWaiters = new Map<string, Array<() => void>>();

  constructor(private readonly ctx: Ctx) {}

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

  /** Resolves when a viewer panel for this file has its webview loaded (for tests). */
  whenReady(uri: vscode.Uri): Promise<void> {
    return new Promise((resolve) => {
      const list = this.readyWaiters.get(uri.toString()) ?? [];
      list.push(resolve);
      this.readyWaiters.set(uri.toString(), list);
    });
  }

  openCustomDocument(uri: vscode.Uri): DatasetDocument {
    if (uri.scheme !== 'file') throw new Error(`ESC Dataset Viewer reads files from disk; ${uri.toString()} is not a file.`);
    return new DatasetDocument(uri, this.ctx.extensionUri);
  }

  resolveCustomEditor(doc: DatasetDocument, panel: vscode.WebviewPanel): void {
    const key = doc.uri.toString();
    const set = this.panels.get(key) ?? new Set();
    set.add(panel);
    this.panels.set(key, set);
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.ctx.extensionUri, 'media')],
    };
    panel.webview.html = webviewHtml(panel.webview, this.ctx.extensionUri, 'viewer.js', 'ESC Dataset Viewer');
    const post = (m: ExtensionToViewer): void => void panel.webview.postMessage(m);
    const forward = (e: WorkerEvent): void => {
      switch (e.type) {
        case 'fatal':
          post({ type: 'error', message: e.message });
          break;
        case 'firstRecords':
          post({ ...e, kindLabel: KIND_LABELS[e.kind] });
          this.ctx.log.info(`Viewer ${doc.uri.fsPath}: first ${e.records} records after ${(performance.now() - doc.opened).toFixed(0)} ms`);
          break;
        case 'indexed':
          this.ctx.log.info(`Viewer ${doc.uri.fsPath}: indexed ${e.info.records} records (${e.info.size} bytes) in ${e.info.indexMs.toFixed(0)} ms`);
          post(e);
          break;
        case 'analyzed':
          this.ctx.log.info(`Viewer ${doc.uri.fsPath}: analysed in ${e.analyzeMs.toFixed(0)} ms, ${e.invalid} invalid`);
          post(e);
          break;
        default:
          post(e);
      }
    };
    const sub = doc.client.onEvent(forward);
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = viewerToExtension.safeParse(raw);
      if (!parsed.success) {
        this.ctx.log.warn(`Viewer: ignored a malformed message: ${parsed.error.issues[0]?.message ?? ''}`);
        return;
      }
      void this.onMessage(doc, parsed.data, post).catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== 'cancelled') post({ type: 'error', message });
      });
    });
    panel.onDidDispose(() => {
      sub.dispose();
      set.delete(panel);
    });
  }

  private async onMessage(doc: DatasetDocument, msg: ViewerToExtension, post: (m: ExtensionToViewer) => void): Promise<void> {
    const key = doc.uri.toString();
    switch (msg.type) {
      case 'ready': {
        const stat = await vscode.workspace.fs.stat(doc.uri);
        const tab = this.initialTab.get(key);
        this.initialTab.delete(key);
        post({
          type: 'init',
          file: vscode.workspace.asRelativePath(doc.uri),
          size: stat.size,
          strategies: STRATEGIES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
          tab,
          openedAt: doc.openedAt,
        });
        // replay what the worker said before this panel existed (or before a reload)
        for (const e of doc.client.history) {
          if (e.type === 'fatal') post({ type: 'error', message: e.message });
          else if (e.type === 'firstRecords') post({ ...e, kindLabel: KIND_LABELS[e.kind] });
          else post(e as ExtensionToViewer);
        }
        for (const w of this.readyWaiters.get(key)?.splice(0) ?? []) w();
        break;
      }
      case 'query':
        post({ type: 'view', info: await doc.client.request({ type: 'query', query: msg.query }) });
        break;
      case 'rows':
        post({ type: 'rows', version: msg.version, start: msg.start, rows: await doc.client.request({ type: 'rows', start: msg.start, count: msg.count }) });
        break;
      case 'record':
        post({ type: 'record', detail: await doc.client.request({ type: 'record', index: msg.index }) });
        break;
      case 'position':
        post({ type: 'position', index: msg.index, position: await doc.client.request({ type: 'position', index: msg.index }) });
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        void vscode.window.setStatusBarMessage('ESC Studio: copied', 2000);
        break;
      case 'revealInText': {
        const detail = await doc.client.request({ type: 'record', index: msg.index });
        await revealOffset(doc.uri, detail.start);
        break;
      }
      case 'validate':
        await vscode.commands.executeCommand('escStudio.validateDataset', doc.uri);
        break;
    }
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
