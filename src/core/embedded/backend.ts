// The embedded backend: the planner (logistic regression, SFT+DPO) run through onnxruntime-node, or
// through the TypeScript forward pass of the same math when asked to (benchmarks, tests) or when
// onnxruntime-node cannot load on this machine; and the retrieval generator (retrieval.ts, in
// TypeScript: BM25 over a sparse index).

import { STRATEGIES, type Strategy, strategyId } from '../strategies';
import { contextFeatures } from './features';
import type { EmbeddedModels } from './modelFolder';
import { loadOrt, plannerSession, type PlannerRun } from './ortRuntime';
import { modelContext } from '../dialogue/requests';
import { mulberry32 } from '../util/random';
import { ANY_STRATEGY, retrieve, sampleCandidate, type Candidate } from './retrieval';
import type { DialogueTurn, Generator, JointModel, PlanResult, Planner, SamplingOptions, StrategyProbabilities } from '../dialogue/types';

export type Engine = 'onnxruntime' | 'typescript';

export interface EmbeddedEngines {
  engine: Engine;
  /** Why the TypeScript engine runs instead of onnxruntime, when it was not asked for. */
  fallbackReason?: string;
  planner: PlannerRun;
  /** Frees the onnxruntime session (its copy of the weights). */
  release(): Promise<void>;
}

/** A session for the planner's graph; `prefer` 'typescript' skips onnxruntime-node entirely. */
export async function createEngines(models: EmbeddedModels, prefer: Engine = 'onnxruntime'): Promise<EmbeddedEngines> {
  const typescript = (fallbackReason?: string): EmbeddedEngines => ({
    engine: 'typescript',
    fallbackReason,
    planner: async (x) => Float32Array.from(models.planner.probabilities(x)),
    release: async () => undefined,
  });
  if (prefer === 'typescript') return typescript();
  const ort = loadOrt();
  if (ort instanceof Error) return typescript(ort.message);
  try {
    const p = await plannerSession(models.plannerOnnx);
    return { engine: 'onnxruntime', planner: p.run, release: () => p.release() };
  } catch (reason) {
    return typescript(
      `onnxruntime-node could not open the planner (${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)})`,
    );
  }
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
      `planner trained on ${m.training.about ?? m.training.train} (${m.training.trainTurns} ${m.training.trainTurns === 1 ? 'turn' : 'turns'}; ${dpo})` +
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

/**
 * The reply for a context from the retrieval's candidates: never one already said in the conversation
 * nor one already offered for this turn (`avoid`); sampled with the temperature (0 — the default, and
 * what `esc infer` uses — takes the best), seeded when a seed is given.
 */
function choose(
  candidatesOf: (exclude?: ReadonlySet<string>) => Candidate[],
  history: readonly DialogueTurn[],
  defaults: SamplingOptions,
  sampling: SamplingOptions | undefined,
): Candidate | undefined {
  const o = { ...defaults, ...sampling };
  const avoid = new Set([
    ...history.filter((t) => t.speaker === 'supporter').map((t) => t.text.trim()),
    ...(o.avoid ?? []).map((t) => t.trim()),
  ]);
  const random = o.seed === undefined ? undefined : mulberry32(o.seed + avoid.size);
  // the avoided replies are left out before the candidates are ranked, so the pool is never used up by them
  const fresh = candidatesOf(avoid);
  let hit = sampleCandidate(fresh, { temperature: o.temperature ?? 0, random });
  if (hit) {
    o.onRetrieved?.({ relevance: hit.relevance, rank: fresh.indexOf(hit) + (o.avoid?.length ?? 0) });
    return hit;
  }
  // everything that fits was said or offered already (a small bank): repeating the best beats answering
  // nothing, and the card says it is a repeat (a Keep both of two equal replies would be no preference)
  const all = candidatesOf();
  hit = all[0];
  if (hit) o.onRetrieved?.({ relevance: hit.relevance, rank: 0, repeated: true });
  return hit;
}

export class EmbeddedGenerator implements Generator {
  readonly label: string;
  readonly note = 'retrieval baseline, not a language model';

  /** `defaults`: the sampling used when a call gives none (temperature 0: the best candidate). */
  constructor(
    private readonly models: EmbeddedModels,
    engines: EmbeddedEngines,
    private readonly defaults: SamplingOptions = {},
  ) {
    this.label = `embedded retrieval generator · ${models.bank.texts.length} responses · BM25 · planner on ${describeEngine(engines)}`;
  }

  /** The ranked candidates for a context and strategy (what `generate` samples from). */
  candidates(history: readonly DialogueTurn[], strategy: Strategy, exclude?: ReadonlySet<string>): Candidate[] {
    return retrieve(this.models.bank, modelContext(history), { strategy: strategyId(strategy), exclude });
  }

  async *generate(
    history: readonly DialogueTurn[],
    strategy: Strategy,
    signal?: AbortSignal,
    sampling?: SamplingOptions,
  ): AsyncIterable<string> {
    signal?.throwIfAborted();
    const hit = choose((ex) => this.candidates(history, strategy, ex), history, this.defaults, sampling);
    if (!hit) {
      // no response of this strategy in the bank: say so rather than answer with another strategy
      throw new Error(
        `The embedded bank has no "${strategy}" response to retrieve. Train the embedded models on data with more ${strategy} turns, or use an endpoint.`,
      );
    }
    yield hit.text;
  }
}

/**
 * Vanilla joint baseline, embedded: strategy and response are scored together over the whole bank
 * (relevance, agreement, and how strongly the neighbouring contexts vote for the response's strategy),
 * without the planner; the reply brings its own strategy.
 */
export class EmbeddedJoint implements JointModel {
  readonly label: string;
  readonly note = 'retrieval baseline: strategy and response retrieved together';

  constructor(
    private readonly models: EmbeddedModels,
    engines: EmbeddedEngines,
    private readonly defaults: SamplingOptions = {},
  ) {
    this.label = `embedded joint retrieval · ${models.bank.texts.length} responses · BM25 · ${describeEngine(engines)}`;
  }

  candidates(history: readonly DialogueTurn[], exclude?: ReadonlySet<string>): Candidate[] {
    return retrieve(this.models.bank, modelContext(history), { strategy: ANY_STRATEGY, exclude });
  }

  async *respond(history: readonly DialogueTurn[], signal?: AbortSignal, sampling?: SamplingOptions): AsyncIterable<string> {
    signal?.throwIfAborted();
    const hit = choose((ex) => this.candidates(history, ex), history, this.defaults, sampling);
    if (!hit) throw new Error('The embedded bank is empty.');
    yield `[${STRATEGIES[hit.strategy]}] ${hit.text}`;
  }
}
