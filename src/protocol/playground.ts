// Messages between the extension and the Playground webview. The one definition both sides use: the
// extension validates what arrives with these schemas; the webview imports the types only.
//
// The extension owns the conversation (it persists it across reloads); the webview draws what it is
// sent: a whole `state` on structural changes, `candidate` patches while a reply streams in.

import * as z from 'zod';
import type { ConversationTurn } from '../core/playground/conversation';
import { PIPELINE_MODES, type LaneResult, type PipelineMode } from '../core/playground/pipeline';
import { FIX_ACTIONS } from '../core/dialogue/types';
import { STRATEGIES, type Strategy } from '../core/strategies';

export const MODES = PIPELINE_MODES;
export type Mode = PipelineMode;
export const BACKENDS = ['embedded', 'openai'] as const;
export type BackendKind = (typeof BACKENDS)[number];
export type SaveAs = 'vanilla' | 'planner' | 'generator';
export type { FixAction } from '../core/dialogue/types';

const strategy = z.enum(STRATEGIES);
const id = z.string().min(1).max(100);
const index = z.number().int().min(0).max(1000);

export const playgroundToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** The seeker's message: starts a new supporter turn. */
  z.object({ type: z.literal('send'), text: z.string().min(1).max(20_000) }),
  /** Regenerate stage 2 of a candidate with another strategy (a new candidate on the same turn). */
  z.object({ type: z.literal('override'), turnId: id, candidate: index, strategy }),
  /** Run both stages again on a supporter turn (a new candidate on the same turn). */
  z.object({ type: z.literal('regenerate'), turnId: id }),
  /** Which candidate continues the conversation. */
  z.object({ type: z.literal('select'), turnId: id, candidate: index }),
  /** "Keep both": the user marked `chosen` better than `rejected`; append the pair. */
  z.object({ type: z.literal('savePair'), turnId: id, chosen: index, rejected: index, as: z.enum(['planner', 'generator']) }),
  /** Append the conversation as SFT records to a file the user picks. */
  z.object({ type: z.literal('save'), as: z.enum(['vanilla', 'planner', 'generator']) }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('setMode'), mode: z.enum(MODES) }),
  z.object({ type: z.literal('setBackend'), backend: z.enum(BACKENDS) }),
  z.object({ type: z.literal('fix'), action: z.enum(FIX_ACTIONS) }),
  z.object({
    type: z.literal('runCommand'),
    command: z.enum([
      'escStudio.datasets.focus',
      'escStudio.detectDataset',
      'escStudio.trainEmbedded',
      'escStudio.configurePlaygroundEndpoints',
    ]),
  }),
]);
export type PlaygroundToExtension = z.infer<typeof playgroundToExtension>;

export interface StrategyChip {
  name: Strategy;
  color: string;
}

/** One candidate reply of a supporter turn: the pipeline's own lane result (core/playground/pipeline). */
export type CandidateView = LaneResult;

/** A turn as the extension keeps it (core/playground/conversation). */
export type TurnView = ConversationTurn;

export interface PlaygroundState {
  mode: Mode;
  backend: BackendKind;
  turns: TurnView[];
  /** A turn is being produced; the input is disabled and Cancel is shown. */
  busy: boolean;
  /** One line each describing the active planner / generator. */
  backendInfo: { planner: string; generator: string; note?: string };
}

export type ExtensionToPlayground =
  | {
      type: 'init';
      strategies: StrategyChip[];
      /** Whether the workspace is trusted (process-launching backends need it). */
      trusted: boolean;
      version: string;
      state: PlaygroundState;
    }
  | { type: 'state'; state: PlaygroundState }
  | { type: 'candidate'; turnId: string; index: number; candidate: CandidateView; busy: boolean }
  /** A one-line message shown above the input (saved N records to …, connection OK …). */
  | { type: 'notice'; level: 'info' | 'error'; text: string };
