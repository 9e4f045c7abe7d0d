// The embedded backend: the planner (logistic regression, SFT+DPO) and the retrieval generator, run
// through onnxruntime-node, or through the TypeScript forward pass of the same math when asked to
// (benchmarks, tests) or when onnxruntime-node cannot load on this machine.

import { STRATEGIES, type Strategy, strategyId } from '../strategies';
import { contextFeatures } from './features';
import type { EmbeddedModels } from './modelFolder';
import { GENERATOR_TOP_K } from './onnxGraphs';
import { generatorSession, loadOrt, plannerSession, type GeneratorRun, type PlannerRun } from './ortRuntime';
import { modelContext } from '../dialogue/requests';
import { ANY_STRATEGY, MASKED_SCORE, retrievalEmbedding, topResponses } from './retrieval';
import type { DialogueTurn, Generator, JointModel, PlanResult, Planner, StrategyProbabilities } from '../dialogue/types';

export type Engine = 'onnxruntime' | 'typescript';

export interface EmbeddedEngines {
  engine: Engine;
  /** Why the TypeScript engine runs instead of onnxruntime, when it was not asked for. */
  fallbackReason?: string;
  planner: PlannerRun;
  generator: GeneratorRun;
  /** Frees the onnxruntime sessions (their copy of the weights). */
  release(): Promise<void>;
}

/** Sessions for both graphs; `prefer` 'typescript' skips onnxruntime-node entirely. */
export async function createEngines(models: EmbeddedModels, prefer: Engine = 'onnxruntime'): Promise<EmbeddedEngines> {
  const typescript = (fallbackReason?: string): EmbeddedEngines => ({
    engine: 'typescript',
    fallbackReason,
    planner: async (x) => Float32Array.from(models.planner.probabilities(x)),
    generator: async (q, s) => topResponses(models.bank, q, s, GENERATOR_TOP_K),
    release: async () => undefined,
  });
  if (prefer === 'typescript') return typescript();
  const ort = loadOrt();
  if (ort instanceof Error) return typescript(ort.message);
  const [planner, generator] = await Promise.allSettled([plannerSession(models.plannerOnnx), generatorSession(models.generatorOnnx)]);
  if (planner.status === 'fulfilled' && generator.status === 'fulfilled') {
    const [p, g] = [planner.value, generator.value];
    return {
      engine: 'onnxruntime',
      planner: p.run,
      generator: g.run,
      release: async () => void (await Promise.all([p.release(), g.release()])),
    };
  }
  // one graph would not open: free the other, and run both with the TypeScript engine
  for (const opened of [planner, generator]) if (opened.status === 'fulfilled') await opened.value.release().catch(() => undefined);
  const reason = [planner, generator].find((r) => r.status === 'rejected')!.reason as unknown;
  return typescript(
    `onnxruntime-node could not open the models (${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)})`,
  );
}

const describeEngine = (e: EmbeddedEngines): string => (e.engine === 'onnxruntime' ? 'onnxruntime-node' : 'TypeScript engine');

export class EmbeddedPlanner implements Planner {
  readonly label: string;
  readonly note: string;

  constructor(
    models: EmbeddedModels,
    private readonly engines: EmbeddedEngines,
  ) {
    const m = models.manifest;
    this.label = `embedded planner · logistic regression (${m.planner.stages.toUpperCase()}) · ${describeEngine(engines)}`;
    const dpo =
      m.planner.pairSource === 'none'
        ? 'no DPO pairs'
        : `DPO on ${m.planner.pairs} ${m.planner.pairSource === 'mined' ? 'mined pairs' : `pairs from ${m.training.pref ?? 'a preference file'}`}`;
    this.note =
      `planner trained on ${m.training.train} (${m.training.trainTurns} turns; ${dpo})` +
      (engines.fallbackReason ? ` · ${engines.fallbackReason}` : '');
  }

  async plan(history: readonly DialogueTurn[], signal?: AbortSignal): Promise<PlanResult> {
    signal?.throwIfAborted();
    const p = await this.engines.planner(contextFeatures(modelContext(history)));
    const probabilities = {} as StrategyProbabilities;
    let best = 0;
    STRATEGIES.forEach((s, i) => {
      probabilities[s] = p[i]!;
      if (p[i]! > p[best]!) best = i;
    });
    return { strategy: STRATEGIES[best]!, probabilities };
  }
}

/** Picks the best retrieved reply not already said in this conversation. */
function firstUnsaid(
  models: EmbeddedModels,
  history: readonly DialogueTurn[],
  indices: number[],
  scores: number[],
): { index: number; score: number } | undefined {
  const said = new Set(history.filter((t) => t.speaker === 'supporter').map((t) => t.text));
  for (let i = 0; i < indices.length; i++) {
    if (scores[i]! <= MASKED_SCORE / 2) break;
    if (!said.has(models.bank.texts[indices[i]!]!)) return { index: indices[i]!, score: scores[i]! };
  }
  return indices.length > 0 && scores[0]! > MASKED_SCORE / 2 ? { index: indices[0]!, score: scores[0]! } : undefined;
}

export class EmbeddedGenerator implements Generator {
  readonly label: string;
  readonly note = 'retrieval baseline, not a language model';
  /** Score of the last reply (for `esc chat` and the UI's provenance line). */
  lastScore: number | undefined;

  constructor(
    private readonly models: EmbeddedModels,
    private readonly engines: EmbeddedEngines,
  ) {
    this.label = `embedded retrieval generator · ${models.bank.texts.length} responses · ${describeEngine(engines)}`;
  }

  async *generate(history: readonly DialogueTurn[], strategy: Strategy, signal?: AbortSignal): AsyncIterable<string> {
    signal?.throwIfAborted();
    const found = await this.engines.generator(retrievalEmbedding(modelContext(history)), strategyId(strategy));
    const hit = firstUnsaid(this.models, history, found.indices, found.scores);
    if (!hit) {
      // no response of this strategy in the bank: say so rather than answer with another strategy
      throw new Error(
        `The embedded bank has no "${strategy}" response to retrieve. Train the embedded models on data with more ${strategy} turns, or use an endpoint.`,
      );
    }
    this.lastScore = hit.score;
    yield this.models.bank.texts[hit.index]!;
  }
}

/** Vanilla joint baseline, embedded: retrieve across all strategies; the reply brings its own strategy. */
export class EmbeddedJoint implements JointModel {
  readonly label: string;
  readonly note = 'retrieval baseline: closest response of any strategy';

  constructor(
    private readonly models: EmbeddedModels,
    private readonly engines: EmbeddedEngines,
  ) {
    this.label = `embedded joint retrieval · ${models.bank.texts.length} responses · ${describeEngine(engines)}`;
  }

  async *respond(history: readonly DialogueTurn[], signal?: AbortSignal): AsyncIterable<string> {
    signal?.throwIfAborted();
    const found = await this.engines.generator(retrievalEmbedding(modelContext(history)), ANY_STRATEGY);
    const hit = firstUnsaid(this.models, history, found.indices, found.scores);
    if (!hit) throw new Error('The embedded bank is empty.');
    yield `[${STRATEGIES[this.models.bank.strategies[hit.index]!]}] ${this.models.bank.texts[hit.index]}`;
  }
}
