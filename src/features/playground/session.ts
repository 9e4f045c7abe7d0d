// The Playground's one conversation, shared by the sidebar view and the editor tab: it runs turns
// through the pipeline, sends every view the state and the streaming patches, and keeps the
// conversation in the workspace state so it survives reloads.

import * as vscode from 'vscode';
import { Conversation, type SupporterTurnState } from '../../core/playground/conversation';
import { laneJobs, pendingLane, runLanes, type LaneJob } from '../../core/playground/pipeline';
import { InferenceError } from '../../core/dialogue/types';
import { STRATEGIES, STRATEGY_COLORS, type Strategy } from '../../core/strategies';
import { BACKENDS, MODES, type BackendKind, type ExtensionToPlayground, type Mode, type PlaygroundState } from '../../protocol/playground';
import { playgroundConfig } from '../config';
import type { Ctx } from '../ctx';
import type { PlaygroundBackends } from './backends';

const STORE_KEY = 'escStudio.playground.session';

export interface Stored {
  mode: Mode;
  backend: BackendKind;
  turns: unknown;
}

export class PlaygroundSession implements vscode.Disposable {
  readonly conversation: Conversation;
  mode: Mode;
  backend: BackendKind;
  private abort: AbortController | undefined;
  private readonly views = new Set<vscode.Webview>();
  private persistTimer: NodeJS.Timeout | undefined;
  /** Resolves when the running turn ends (tests and the CLI-like commands wait on it). */
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: Ctx,
    private readonly backends: PlaygroundBackends,
  ) {
    const stored = ctx.extension.workspaceState.get<Stored>(STORE_KEY);
    this.conversation = Conversation.fromJSON(stored?.turns);
    this.mode = stored && (MODES as readonly string[]).includes(stored.mode) ? stored.mode : 'decoupled';
    this.backend = stored && (BACKENDS as readonly string[]).includes(stored.backend) ? stored.backend : 'embedded';
    // a workspace that is not trusted (any more) starts on the embedded backend
    if (this.backend === 'openai' && !vscode.workspace.isTrusted) this.backend = 'embedded';
  }

  get busy(): boolean {
    return this.abort !== undefined;
  }

  /** The turn now running (or a resolved promise). */
  whenIdle(): Promise<void> {
    return this.running;
  }

  state(): PlaygroundState {
    return {
      mode: this.mode,
      backend: this.backend,
      turns: this.conversation.turns,
      busy: this.busy,
      backendInfo: this.backends.describe(this.backend),
    };
  }

  initMessage(): ExtensionToPlayground {
    return {
      type: 'init',
      strategies: STRATEGIES.map((name) => ({ name, color: STRATEGY_COLORS[name] })),
      trusted: vscode.workspace.isTrusted,
      version: this.ctx.version,
      state: this.state(),
    };
  }

  attach(webview: vscode.Webview): vscode.Disposable {
    this.views.add(webview);
    return new vscode.Disposable(() => this.views.delete(webview));
  }

  post(msg: ExtensionToPlayground): void {
    for (const v of this.views) {
      // a view disposed between two messages rejects; it is removed by its own dispose handler
      v.postMessage(msg).then(undefined, () => undefined);
    }
  }

  notice(level: 'info' | 'error', text: string): void {
    this.post({ type: 'notice', level, text });
  }

  broadcast(): void {
    this.post({ type: 'state', state: this.state() });
    this.persistSoon();
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.broadcast();
  }

  setBackend(backend: BackendKind): void {
    if (backend === 'openai' && !vscode.workspace.isTrusted) {
      this.notice(
        'error',
        'The OpenAI-compatible backend is disabled in an untrusted workspace (it sends your conversation to the configured URL). Trust the workspace to use it.',
      );
      this.broadcast();
      return;
    }
    this.backend = backend;
    this.broadcast();
  }

  reset(): void {
    this.cancel();
    this.conversation.clear();
    this.broadcast();
  }

  cancel(): void {
    this.abort?.abort();
  }

  select(turnId: string, index: number): void {
    const turn = this.conversation.supporter(turnId);
    if (!turn || index >= turn.candidates.length) return;
    turn.selected = index;
    this.broadcast();
  }

  /** The seeker speaks: a new supporter turn with one candidate per lane of the mode. */
  send(text: string): Promise<void> {
    if (this.busy) {
      this.notice('error', 'A reply is still being written: wait for it or cancel it (Escape) first.');
      return this.running;
    }
    this.conversation.addSeeker(text);
    const turn = this.conversation.addSupporter([]);
    return this.start(turn, laneJobs(this.mode));
  }

  regenerate(turnId: string): Promise<void> {
    const turn = this.editable(turnId);
    if (!turn) return this.running;
    return this.start(turn, laneJobs(this.mode));
  }

  /** Stage 2 again with the user's strategy, keeping stage 1's probabilities on show. */
  override(turnId: string, index: number, strategy: Strategy): Promise<void> {
    const turn = this.editable(turnId);
    const from = turn?.candidates[index];
    if (!turn || !from) return this.running;
    return this.start(turn, [{ lane: 'decoupled', strategy, probabilities: from.probabilities, plannerLatencyMs: from.latencyMs.planner }]);
  }

  /** Only the latest reply is regenerated: later turns were written against the one shown. */
  private editable(turnId: string): SupporterTurnState | undefined {
    if (this.busy) {
      this.notice('error', 'A reply is still being written: wait for it or cancel it first.');
      return undefined;
    }
    const turn = this.conversation.supporter(turnId);
    if (!turn) return undefined;
    if (turn !== this.conversation.lastSupporter() || this.conversation.turns.at(-1) !== turn) {
      this.notice(
        'error',
        'Only the latest reply can be regenerated or overridden; the conversation after an earlier reply was written against it.',
      );
      return undefined;
    }
    return turn;
  }

  private start(turn: SupporterTurnState, jobs: LaneJob[]): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const history = this.conversation.dialogue(turn.id);
    const first = turn.candidates.length;
    // a regeneration offers a reply this turn has not had yet (the embedded retrieval would otherwise
    // return its best candidate again), sampled at each lane's configured temperature; a turn's first
    // reply is the retrieval's best (endpoints sample with their own settings either way)
    const avoid = turn.candidates.map((c) => c.reply).filter((r) => r.trim());
    const { endpoints } = playgroundConfig();
    const sampling = {
      decoupled: { avoid, temperature: avoid.length ? endpoints.generator.temperature : 0 },
      vanilla: { avoid, temperature: avoid.length ? endpoints.vanilla.temperature : 0 },
    };
    // placeholders, so the views draw the cards at once
    turn.candidates.push(...jobs.map(pendingLane));
    turn.selected = first;
    this.broadcast();
    const kind = this.backend;
    // a backend that cannot load fails every lane's card, with the fix that backend needs
    const backends = this.backends.get(kind).catch((e: unknown) => {
      if (e instanceof InferenceError && e.fix) throw e;
      throw new InferenceError(e instanceof Error ? e.message : String(e), 'other', kind === 'openai' ? 'configure' : 'retrain');
    });
    this.running = runLanes(jobs, history, backends, {
      signal: abort.signal,
      sampling,
      onUpdate: (j, r) => {
        const index = first + j;
        turn.candidates[index] = { ...r };
        this.post({ type: 'candidate', turnId: turn.id, index, candidate: turn.candidates[index]!, busy: true });
      },
    })
      .then(() => undefined)
      .catch((e: unknown) => this.ctx.log.error(`Playground: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => {
        if (this.abort === abort) this.abort = undefined;
        this.broadcast();
      });
    return this.running;
  }

  private persistSoon(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => void this.persist(), 300);
  }

  /** What is stored for the next session (tests read it back). */
  stored(): Stored | undefined {
    return this.ctx.extension.workspaceState.get<Stored>(STORE_KEY);
  }

  persist(): Thenable<void> {
    clearTimeout(this.persistTimer);
    const stored: Stored = { mode: this.mode, backend: this.backend, turns: this.conversation.turns };
    return this.ctx.extension.workspaceState.update(STORE_KEY, stored);
  }

  dispose(): void {
    this.cancel();
    void this.persist();
  }
}
