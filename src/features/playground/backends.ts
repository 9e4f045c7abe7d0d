// Builds the Playground's backends from the settings: the embedded models (loaded, with their
// onnxruntime sessions, on first use — never at activation) or the OpenAI-compatible endpoints with
// their API keys from SecretStorage.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { createEngines, EmbeddedGenerator, EmbeddedJoint, EmbeddedPlanner } from '../../core/inference/embeddedBackend';
import { loadEmbeddedModels } from '../../core/inference/embeddedModels';
import { OpenAIGenerator, OpenAIJoint, OpenAIPlanner } from '../../core/inference/openai/backends';
import { PAPER_API_KEY, type EndpointConfig } from '../../core/inference/openai/config';
import type { Backends } from '../../core/inference/pipeline';
import { withServedModel } from '../../core/inference/servedModel';
import { InferenceError, type DialogueTurn, type JointModel } from '../../core/inference/types';
import type { BackendKind } from '../../protocol/playground';
import { playgroundConfig, type EndpointSlot } from '../config';
import type { Ctx } from '../ctx';

/** The vanilla endpoint, its model name resolved on first use. */
class LazyJoint implements JointModel {
  readonly label: string;

  constructor(private readonly cfg: EndpointConfig) {
    this.label = new OpenAIJoint(cfg).label;
  }

  async *respond(history: readonly DialogueTurn[], signal?: AbortSignal): AsyncIterable<string> {
    yield* new OpenAIJoint(await withServedModel(this.cfg, 'joint', signal)).respond(history, signal);
  }
}

export const secretKey = (slot: EndpointSlot): string => `escStudio.playground.apiKey.${slot}`;

export class PlaygroundBackends implements vscode.Disposable {
  private embedded: { dir: string; backends: Promise<Backends> } | undefined;
  private readonly sub: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('escStudio.playground.embeddedModels')) this.embedded = undefined;
    });
  }

  /** The folder of the embedded models in use: the setting (relative to the workspace), else the shipped default. */
  embeddedDir(): string {
    const configured = playgroundConfig().embeddedModels;
    if (!configured) return vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'models', 'default').fsPath;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.isAbsolute(configured) || !root ? configured : path.join(root, configured);
  }

  /** Forgets loaded embedded models (after retraining into the same folder). */
  reloadEmbedded(): void {
    this.embedded = undefined;
  }

  describe(kind: BackendKind): { planner: string; generator: string; note?: string } {
    if (kind === 'embedded') {
      const configured = playgroundConfig().embeddedModels;
      return {
        planner: 'embedded logistic regression (SFT → DPO)',
        generator: 'embedded retrieval baseline — picks a stored supporter response of the planned strategy; not a language model',
        note: configured ? `Models: ${configured}` : 'Models: the small demo set shipped with ESC Studio; train your own for real use.',
      };
    }
    const c = playgroundConfig();
    const line = (e: { baseUrl: string; model: string }): string => `${e.baseUrl}${e.model ? ` · ${e.model}` : ''}`;
    return {
      planner: line(c.endpoints.planner),
      generator: line(c.endpoints.generator),
      note: `Vanilla endpoint: ${line(c.endpoints.vanilla)} · temperature ${c.temperature}, top_p ${c.topP}`,
    };
  }

  async endpointConfig(slot: EndpointSlot): Promise<EndpointConfig> {
    const c = playgroundConfig();
    const e = c.endpoints[slot];
    const apiKey = (await this.ctx.extension.secrets.get(secretKey(slot))) ?? PAPER_API_KEY;
    return {
      baseUrl: e.baseUrl,
      model: e.model,
      apiKey,
      temperature: c.temperature,
      topP: c.topP,
      // the planner answers a strategy name: a few tokens
      maxTokens: slot === 'planner' ? 16 : c.maxTokens,
      stream: slot === 'planner' ? false : c.stream,
      timeoutMs: c.timeoutMs,
    };
  }

  async get(kind: BackendKind): Promise<Backends> {
    if (kind === 'openai') {
      if (!vscode.workspace.isTrusted) throw new InferenceError('The OpenAI-compatible backend is disabled in an untrusted workspace (it would send the conversation to the configured URL). Trust the workspace, or use the embedded backend.', 'other', 'useEmbedded');
      const [p, g, v] = await Promise.all([
        this.endpointConfig('planner').then((c) => withServedModel(c, 'planner')),
        this.endpointConfig('generator').then((c) => withServedModel(c, 'generator')),
        // the vanilla endpoint is only asked in vanilla and compare modes; resolve its model lazily
        this.endpointConfig('vanilla'),
      ]);
      return { planner: new OpenAIPlanner(p), generator: new OpenAIGenerator(g), joint: new LazyJoint(v) };
    }
    const dir = this.embeddedDir();
    if (this.embedded?.dir !== dir) {
      const backends = (async (): Promise<Backends> => {
        const started = performance.now();
        const models = await loadEmbeddedModels(dir);
        const engines = await createEngines(models);
        this.ctx.log.info(`Playground: embedded models from ${dir} loaded in ${(performance.now() - started).toFixed(0)} ms (${engines.engine}${engines.fallbackReason ? `: ${engines.fallbackReason}` : ''})`);
        return { planner: new EmbeddedPlanner(models, engines), generator: new EmbeddedGenerator(models, engines), joint: new EmbeddedJoint(models, engines) };
      })();
      this.embedded = { dir, backends };
      // a failed load is retried next time (the user may fix the folder)
      backends.catch(() => {
        if (this.embedded?.backends === backends) this.embedded = undefined;
      });
    }
    return this.embedded.backends;
  }

  dispose(): void {
    this.sub.dispose();
  }
}
