// What the editor serves and knows of: per experiment, one server per served role (starting → ready,
// or failed with its last output lines and exit status, or stopped), and servers started elsewhere
// and attached by URL. Status comes from polling GET <baseUrl>/models, and, for the servers ESC Studio
// started, from their exit status. It draws its rows in the Runs view (RunsTreeRows) and offers the
// ready ones to Run Inference and Mine Preference Pairs (ServedEndpoints).

import * as vscode from 'vscode';
import { PAPER_API_KEY, PAPER_PRESETS } from '../../core/openai/config';
import { testConnection } from '../../core/openai/testConnection';
import type { ServeRole } from '../../core/serve/types';
import type { EndpointSlot } from '../config';
import type { RowNode, RunsTreeRows } from '../training';
import { logTail } from '../../core/serve/serverProcess';
import type { SavedHandle, ServerHandle } from './localServer';

export type ServerStatus = 'starting' | 'ready' | 'failed' | 'stopped';

export interface Server {
  /** The experiment file it serves a stage of; undefined for an attached server. */
  experimentFile?: string;
  /** What the row is called: the experiment's name, or the attached URL's host. */
  label: string;
  role: ServeRole;
  /** What it serves (the stage), for the tooltip. */
  stage?: string;
  /** Where it answers; under Slurm only once the job runs (undefined until then). */
  baseUrl?: string;
  model: string;
  status: ServerStatus;
  /** Why it failed: the server's last output lines, its exit status, or the last answer of /models. */
  reason?: string;
  lastLines?: string[];
  exitCode?: number | null;
  /** The models /models listed when it was last asked. */
  models?: string[];
  /** Set for servers ESC Studio started (undefined for attached ones). */
  handle?: ServerHandle;
  stopping?: boolean;
  /** The argv it was started with. */
  argv?: string[];
  /** The port a local server binds (reserved from its start, before it listens). */
  port?: number;
  /** An attached server's API key (from SecretStorage; never saved elsewhere); undefined: the paper's "EMPTY". */
  apiKey?: string;
}

/** A started server as kept in workspaceState, to be followed again after a window reload. */
export interface SavedServer {
  experimentFile: string;
  label: string;
  role: ServeRole;
  stage?: string;
  model: string;
  argv?: string[];
  port?: number;
  handle: SavedHandle;
}

/** The workspaceState key of the started servers. */
export const SAVED_SERVERS_KEY = 'escStudio.serving.servers';

const STARTING_POLL_MS = 1000;
const READY_POLL_MS = 5000;

const ICONS: Record<ServerStatus, [string, string | undefined]> = {
  starting: ['loading~spin', 'charts.blue'],
  ready: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['debug-stop', 'charts.orange'],
};

/** The served endpoints Run Inference and Mine Preference Pairs may use (ready ones only). */
export interface ServedEndpoint {
  baseUrl: string;
  model: string;
  label: string;
  /** The key to send (an attached server's); undefined: the paper's "EMPTY". */
  apiKey?: string;
}

export class Servers implements RunsTreeRows, vscode.Disposable {
  readonly all: Server[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private lastReadyPoll = 0;
  private polling = false;
  /** Called when a server it started became ready or failed (the Playground question waits for the set). */
  private readonly settledWaiters: Array<() => void> = [];

  /** `state`: where the started servers are kept across window reloads (the workspace's memento). */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly state?: vscode.Memento,
  ) {}

  fire(): void {
    this.save();
    this.changed.fire();
    this.schedule();
    for (const w of [...this.settledWaiters]) w();
  }

  /** The started servers that are starting or ready, as kept across reloads (a terminal and its processes outlive one). */
  private save(): void {
    if (!this.state) return;
    const saved: SavedServer[] = this.all.flatMap((s) =>
      s.handle && s.experimentFile && (s.status === 'starting' || s.status === 'ready')
        ? [
            {
              experimentFile: s.experimentFile,
              label: s.label,
              role: s.role,
              stage: s.stage,
              model: s.model,
              argv: s.argv,
              port: s.port,
              handle: s.handle.saved(),
            },
          ]
        : [],
    );
    void this.state.update(SAVED_SERVERS_KEY, saved);
  }

  /** What was kept by the last window (see save). */
  savedServers(): SavedServer[] {
    return this.state?.get<SavedServer[]>(SAVED_SERVERS_KEY) ?? [];
  }

  /**
   * Forgets every server without stopping any, and without touching what is kept: what a window reload
   * does to this object (the test's way to simulate one before Servers are rebuilt from the kept state).
   */
  forget(): void {
    for (const s of this.all) s.handle?.dispose();
    this.all.length = 0;
    this.changed.fire();
    this.schedule();
  }

  /** ESC Studio's own local servers that hold or are about to bind a port (starting or ready). */
  get livePorts(): Server[] {
    return this.all.filter((s) => s.handle && s.port !== undefined && (s.status === 'starting' || s.status === 'ready'));
  }

  of(experimentFile: string): Server[] {
    return this.all.filter((s) => s.experimentFile === experimentFile);
  }

  get attached(): Server[] {
    return this.all.filter((s) => s.experimentFile === undefined);
  }

  /** Replaces the experiment's server for a role (a new start) or adds one. */
  put(server: Server): void {
    const i = this.all.findIndex(
      (s) =>
        s.role === server.role &&
        (server.experimentFile !== undefined
          ? s.experimentFile === server.experimentFile
          : s.experimentFile === undefined && s.baseUrl === server.baseUrl),
    );
    if (i >= 0) {
      this.all[i]!.handle?.dispose();
      this.all[i] = server;
    } else this.all.push(server);
    this.fire();
  }

  remove(server: Server): void {
    const i = this.all.indexOf(server);
    if (i >= 0) this.all.splice(i, 1);
    server.handle?.dispose();
    this.fire();
  }

  /** Resolves once none of `servers` is starting any more. */
  settled(servers: readonly Server[]): Promise<void> {
    return new Promise((resolve) => {
      const check = (): boolean => servers.every((s) => s.status !== 'starting');
      if (check()) return resolve();
      const w = (): void => {
        if (!check()) return;
        const i = this.settledWaiters.indexOf(w);
        if (i >= 0) this.settledWaiters.splice(i, 1);
        resolve();
      };
      this.settledWaiters.push(w);
    });
  }

  /** The ready server for a Playground slot, the newest first; one whose /models does not list its model is not offered. */
  endpoint(slot: EndpointSlot): ServedEndpoint | undefined {
    const s = [...this.all]
      .reverse()
      .find((x) => x.role === slot && x.status === 'ready' && x.baseUrl && (!x.model || !x.models || x.models.includes(x.model)));
    return s ? { baseUrl: s.baseUrl!, model: s.model, label: `${s.label} ${s.role}`, apiKey: s.apiKey } : undefined;
  }

  private schedule(): void {
    const live = this.all.some((s) => s.status === 'starting' || s.status === 'ready');
    if (live && !this.timer) this.timer = setInterval(() => void this.poll(), STARTING_POLL_MS);
    if (!live && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** One round: starting servers every second, ready ones every few seconds. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      const readyRound = now - this.lastReadyPoll >= READY_POLL_MS;
      if (readyRound) this.lastReadyPoll = now;
      let changed = false;
      for (const s of [...this.all]) {
        if (s.status === 'starting' || (s.status === 'ready' && readyRound)) changed = (await this.check(s)) || changed;
      }
      if (changed) this.fire();
      for (const w of [...this.settledWaiters]) w();
    } finally {
      this.polling = false;
    }
  }

  /** Re-reads one server's state; true when what the view shows changed. */
  private async check(s: Server): Promise<boolean> {
    const before = `${s.status}|${s.baseUrl}|${s.reason}`;
    if (s.handle) {
      const code = await s.handle.exitStatus().catch(() => undefined);
      if (code !== undefined) {
        s.exitCode = code;
        if (s.stopping || s.handle.closedByUser?.()) s.status = 'stopped';
        else {
          s.status = 'failed';
          s.lastLines = await logTail(s.handle.logFile);
          s.reason = `${code === null ? 'the server ended' : `the server exited with status ${code}`}${s.lastLines.length ? `; its last output:\n${s.lastLines.join('\n')}` : ' without output'}`;
          this.log.error(`Serving ${s.label} ${s.role}: ${s.reason}`);
        }
        return true;
      }
      s.baseUrl ??= await s.handle.baseUrl();
      if (!s.baseUrl) {
        const waiting = s.handle.waiting?.();
        if (waiting !== s.reason) s.reason = waiting;
        return before !== `${s.status}|${s.baseUrl}|${s.reason}`;
      }
    }
    if (!s.baseUrl) return false;
    const r = await testConnection({
      ...PAPER_PRESETS.generator,
      baseUrl: s.baseUrl,
      model: s.model,
      apiKey: s.apiKey ?? PAPER_API_KEY,
      timeoutMs: 3000,
    });
    if (r.ok) {
      s.models = r.models;
      s.status = 'ready';
      s.reason = r.modelServed === false ? `serves ${r.models.join(', ')}, not "${s.model}"` : undefined;
      // no model named: the LoRA adapter it serves, not its base model
      if (!s.model && r.models[0]) s.model = r.suggestedModel ?? r.models[0];
    } else if (s.status === 'ready' && !s.handle) {
      // an attached server that stopped answering
      s.status = 'failed';
      s.reason = r.message;
    } else if (s.status === 'ready') {
      s.reason = `not answering: ${r.message}`;
    } else if (!s.handle) {
      s.status = 'failed';
      s.reason = r.message;
    }
    if (before !== `${s.status}|${s.baseUrl}|${s.reason}` && s.status === 'ready') {
      this.log.info(`Serving ${s.label} ${s.role}: ready at ${s.baseUrl}`);
    }
    return before !== `${s.status}|${s.baseUrl}|${s.reason}`;
  }

  // --- the Runs view's rows ---

  rows(experimentFile: string | undefined): RowNode[] {
    const mine = experimentFile === undefined ? this.attached : this.of(experimentFile);
    return mine.map((value) => ({ type: 'row', owner: this, value }));
  }

  item(node: RowNode): vscode.TreeItem {
    const s = node.value as Server;
    const item = new vscode.TreeItem(`${s.role} server`, vscode.TreeItemCollapsibleState.None);
    item.id = `served:${s.experimentFile ?? 'attached'}:${s.role}:${s.experimentFile ? '' : s.baseUrl}`;
    const where = s.baseUrl ?? 'host not known yet';
    const exit = s.status === 'failed' && s.exitCode !== undefined ? ` (exit ${s.exitCode ?? 'unknown'})` : '';
    item.description = [
      `${s.status}${exit}`,
      s.experimentFile ? where : `${where} · attached`,
      s.status === 'failed' ? s.lastLines?.at(-1) : s.reason,
    ]
      .filter(Boolean)
      .join(' · ');
    item.tooltip = [
      `${s.role}${s.stage ? ` — ${s.stage}` : ''} · ${s.status}${exit}`,
      `${where} · model "${s.model || '(server default)'}"`,
      ...(s.status === 'failed' ? [s.reason ?? ''] : s.reason ? [s.reason] : []),
    ].join('\n');
    const [icon, color] = ICONS[s.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = s.handle ? `escServed.${s.status}` : 'escServedAttached';
    return item;
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const s of this.all) s.handle?.dispose();
    this.changed.dispose();
  }
}
