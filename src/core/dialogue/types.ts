// The playground pipeline's vocabulary: a dialogue, the planner and generator interfaces every
// backend implements (embedded ONNX, OpenAI-compatible), and what a planner returns.

import type { Strategy } from '../strategies';

export interface DialogueTurn {
  speaker: 'seeker' | 'supporter';
  text: string;
  /** The strategy a supporter turn was written with (needed for vanilla history and saved records). */
  strategy?: Strategy;
}

export type StrategyProbabilities = Record<Strategy, number>;

export interface PlanResult {
  strategy: Strategy;
  /** Probability of each of the 8 strategies; absent when the backend cannot tell (no logprobs). */
  probabilities?: StrategyProbabilities;
  /** What the model answered, as text (endpoint backends). */
  raw?: string;
  /** A remark for the UI, e.g. how probabilities were derived. */
  note?: string;
}

/** Stage 1: chooses the strategy of the next supporter turn. */
export interface Planner {
  readonly label: string;
  /** A remark the UI shows next to the stage, e.g. what kind of model this is. */
  readonly note?: string;
  plan(history: readonly DialogueTurn[], signal?: AbortSignal): Promise<PlanResult>;
}

/** How one reply is chosen; a backend ignores what it cannot honour (an endpoint samples with its own settings). */
export interface SamplingOptions {
  /** 0: the best reply; higher spreads the choice over the next best ones. */
  temperature?: number;
  /** The same seed gives the same replies (tests). */
  seed?: number;
  /** Replies already offered for this turn: a regeneration offers another one. */
  avoid?: readonly string[];
  /** Told how the reply was found, before its text (retrieval backends: how relevant it is to the context). */
  onRetrieved?: (info: RetrievalInfo) => void;
}

/** A retrieved reply's figures: what a card shows and an on-topic check asserts on. */
export interface RetrievalInfo {
  /** BM25 relevance of the reply to the dialogue context, 0..1. */
  relevance: number;
  /** Its place among the candidates, 0 = the best; a regeneration counts the replies offered for the turn before it. */
  rank: number;
  /** Every reply that fits was offered already (a small bank): this one repeats, and the card says so. */
  repeated?: boolean;
}

/** Stage 2: writes the reply for a given strategy; yields text chunks as they arrive. */
export interface Generator {
  readonly label: string;
  readonly note?: string;
  generate(history: readonly DialogueTurn[], strategy: Strategy, signal?: AbortSignal, sampling?: SamplingOptions): AsyncIterable<string>;
}

/** The vanilla joint baseline: one model answers "[Strategy] text"; yields raw text chunks. */
export interface JointModel {
  readonly label: string;
  readonly note?: string;
  respond(history: readonly DialogueTurn[], signal?: AbortSignal, sampling?: SamplingOptions): AsyncIterable<string>;
}

/** What the UI can offer next to a failure (a button in the card). */
export const FIX_ACTIONS = ['configure', 'testConnection', 'useEmbedded', 'retrain'] as const;
export type FixAction = (typeof FIX_ACTIONS)[number];

/** A failure a user can act on: what happened, in words, and optionally which fix to offer. */
export class InferenceError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'dropped' | 'timeout' | 'http' | 'malformed' | 'aborted' | 'unparsable' | 'model' | 'other',
    readonly fix?: FixAction,
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}
