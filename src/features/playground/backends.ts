// Builds the Playground's backends from the settings: the embedded models (loaded, with their
// onnxruntime sessions, on first use — never at activation) or the OpenAI-compatible endpoints with
// their API keys from SecretStorage.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { createEngines, EmbeddedGenerator, EmbeddedJoint, EmbeddedPlanner, type EmbeddedEngines } from '../../core/embedded/backend';
import { DEFAULT_MODELS_SUBDIR, loadEmbeddedModels } from '../../core/embedded/modelFolder';
import { OpenAIGenerator, OpenAIJoint, OpenAIPlanner } from '../../core/openai/backends';
import { apiKeySecretKey } from '../../core/openai/apiKeys';
import { endpointLabel, PAPER_API_KEY, type EndpointConfig } from '../../core/openai/config';
import type { Backends } from '../../core/playground/pipeline';
import { withServedModel } from '../../core/openai/servedModel';
import {
  InferenceError,
  type DialogueTurn,
  type Generator,
  type JointModel,
  type PlanResult,
  type Planner,
} from '../../core/dialogue/types';
import type { Strategy } from '../../core/strategies';
import type { BackendKind } from '../../protocol/playground';
import { playgroundConfig, type EndpointSettings, type EndpointSlot } from '../config';
import type { Ctx } from '../ctx';

/**
 * Endpoint backends whose model name (when not configured) is asked from the server when a turn
 * uses them, under that turn's cancel signal: nothing is contacted for a lane the mode does not run.
 */
class EndpointPlanner implements Planner {
  /** Names the served model once it is known (the pipeline reads it after the stage). */
  label: string;
  constructor(private readonly cfg: EndpointConfig) {
    this.label = endpointLabel(cfg);
  }
  async plan(history: readonly DialogueTurn[], signal?: AbortSignal): Promise<PlanResult> {
    const cfg = await withServedModel(this.cfg, 'planner', signal);
    this.label = endpointLabel(cfg);
    return new OpenAIPlanner(cfg).plan(history, signal);
  }
}

class EndpointGenerator implements Generator {
  label: string;
  constructor(private readonly cfg: EndpointConfig) {
    this.label = endpointLabel(cfg);
  }
  async *generate(history: readonly DialogueTurn[], strategy: Strategy, signal?: AbortSignal): AsyncIterable<string> {
    const cfg = await withServedModel(this.cfg, 'generator', signal);
    this.label = endpointLabel(cfg);
    yield* new OpenAIGenerator(cfg).generate(history, strategy, signal);
  }
}

class EndpointJoint implements JointModel {
  label: string;
  constructor(private readonly cfg: EndpointConfig) {
    this.label = cfg.baseUrl ? endpointLabel(cfg) : 'no vanilla endpoint set';
  }
  async *respond(history: readonly DialogueTurn[], signal?: AbortSignal): AsyncIterable<string> {
    if (!this.cfg.baseUrl) {
      // the generator model was not trained to answer "[Strategy] text": never fall back to it silently
      throw new InferenceError(
        'No vanilla endpoint is set: the vanilla and compare modes need a model trained on vanilla SFT (it answers "[Strategy] text"). Set escStudio.playground.vanilla.baseUrl.',
        'other',
        'configure',
      );
    }
    const cfg = await withServedModel(this.cfg, 'joint', signal);
    this.label = endpointLabel(cfg);
    yield* new OpenAIJoint(cfg).respond(history, signal);
  }
}

export class PlaygroundBackends implements vscode.Disposable {
  private embedded: { dir: string; backends: Promise<Backends>; engines: Promise<EmbeddedEngines> } | undefined;
  private readonly sub: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('escStudio.playground.embeddedModels')) this.reloadEmbedded();
    });
  }

  /** The folder of the embedded models in use: the setting (relative to the workspace), else the shipped default. */
  embeddedDir(): string {
    const configured = playgroundConfig().embeddedModels;
    if (!configured) return vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', ...DEFAULT_MODELS_SUBDIR).fsPath;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.isAbsolute(configured) || !root ? configured : path.join(root, configured);
  }

  /** Forgets loaded embedded models (after retraining into the same folder or choosing another). */
  reloadEmbedded(): void {
    const old = this.embedded;
    this.embedded = undefined;
    // their onnxruntime sessions hold a copy of the weights; a turn may still be using them, so they
    // are released a little later rather than under its feet
    if (old) setTimeout(() => void old.engines.then((e) => e.release()).catch(() => undefined), 30_000).unref();
  }

  describe(kind: BackendKind): { planner: string; generator: string; note?: string } {
    if (kind === 'embedded') {
      const configured = playgroundConfig().embeddedModels;
      return {
        planner: 'embedded logistic regression (SFT → DPO)',
        generator: 'embedded retrieval baseline (not a language model)',
        note: configured ? `Models: ${configured}` : 'Models: the demo set shipped with ESC Studio; train your own for real use.',
      };
    }
    const c = playgroundConfig();
    const line = (e: EndpointSettings): string =>
      `${e.baseUrl}${e.model ? ` · ${e.model}` : ''} (temperature ${e.temperature}, top_p ${e.topP})`;
    return {
      planner: line(c.endpoints.planner),
      generator: line(c.endpoints.generator),
      note: `Vanilla: ${c.endpoints.vanilla.baseUrl ? line(c.endpoints.vanilla) : 'no endpoint set (needed by the vanilla and compare modes)'}`,
    };
  }

  async endpointConfig(slot: EndpointSlot): Promise<EndpointConfig> {
    const c = playgroundConfig();
    const endpoint = c.endpoints[slot];
    const apiKey = (await this.ctx.extension.secrets.get(apiKeySecretKey(slot, endpoint.baseUrl))) ?? PAPER_API_KEY;
    return { ...endpoint, apiKey, timeoutMs: c.timeoutMs };
  }

  async get(kind: BackendKind): Promise<Backends> {
    if (kind === 'openai') {
      if (!vscode.workspace.isTrusted) {
        throw new InferenceError(
          'The OpenAI-compatible backend is disabled in an untrusted workspace (it would send the conversation to the configured URL). Trust the workspace, or use the embedded backend.',
          'other',
          'useEmbedded',
        );
      }
      const [p, g, v] = await Promise.all([
        this.endpointConfig('planner'),
        this.endpointConfig('generator'),
        this.endpointConfig('vanilla'),
      ]);
      return { planner: new EndpointPlanner(p), generator: new EndpointGenerator(g), joint: new EndpointJoint(v) };
    }
    const dir = this.embeddedDir();
    if (this.embedded?.dir !== dir) {
      const started = performance.now();
      const loading = loadEmbeddedModels(dir).then(async (models) => ({ models, engines: await createEngines(models) }));
      const backends = loading.then(({ models, engines }): Backends => {
        this.ctx.log.info(
          `Playground: embedded models from ${dir} loaded in ${(performance.now() - started).toFixed(0)} ms (${engines.engine}${engines.fallbackReason ? `: ${engines.fallbackReason}` : ''})`,
        );
        return {
          planner: new EmbeddedPlanner(models, engines),
          generator: new EmbeddedGenerator(models, engines),
          joint: new EmbeddedJoint(models, engines),
        };
      });
      const engines = loading.then((l) => l.engines);
      engines.catch(() => undefined); // the failure is reported through `backends`
      this.embedded = { dir, backends, engines };
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
