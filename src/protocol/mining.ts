// Messages between the extension and the mining page (ESC: Mine Preference Pairs): the run's live
// progress per role, the pairs so far, the planner's mistakes by strategy, the judge's verdicts, and
// when it ends the pairs files or the failure with its fix. The extension validates what arrives with
// these schemas; the webview imports the types only.

import * as z from 'zod';
import type { MineProgress, MineRole } from '../core/runs/mineRun';
import type { StrategyChip } from './playground';

// What the mining page draws, re-exported so the webview imports nothing outside src/protocol/.
export type { MineProgress, MineRole } from '../core/runs/mineRun';
export type { StrategyChip } from './playground';

/** The pairs files a finished run offers, in this order (FORMATS.md §7; `.retained`: the judge's "Yes"). */
export const PAIRS_FILES = [
  'planner-pairs',
  'planner-same',
  'generator-pairs',
  'generator-pairs.retained',
  'vanilla-pairs',
  'vanilla-pairs.retained',
] as const;
export type PairsFile = (typeof PAIRS_FILES)[number];

/** A fix the page offers beside a failure (each runs an existing command). */
export const MINING_FIXES = ['configureEndpoints', 'testConnection', 'deleteCheckpoint', 'showLog'] as const;
export type MiningFix = (typeof MINING_FIXES)[number];

export type MiningStatus = 'starting' | 'running' | 'stopping' | 'done' | 'cancelled' | 'failed';

export interface MiningState {
  type: 'state';
  status: MiningStatus;
  /** The vanilla SFT file and the output folder, relative to the workspace. */
  input: string;
  outDir: string;
  /** The roles asked, in MINE_ROLES order; whether a judge filters the generator and vanilla pairs. */
  roles: MineRole[];
  judge: boolean;
  /** Where the models come from, for the header ("Playground endpoints", "embedded models"). */
  models: string;
  /** The last progress (absent until the first arrives). */
  progress?: MineProgress;
  /** A finished run's files, with their records. */
  files: { key: PairsFile; name: string; records: number }[];
  /** A failure: its message and the fixes that may help. */
  error?: { message: string; fixes: MiningFix[] };
  /** The eight strategies in their order, with their colours (the planner heatmap's axes). */
  strategies: StrategyChip[];
}

export type ExtensionToMining = MiningState;

export const miningToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Stop the run; its checkpoint keeps every finished call. */
  z.object({ type: z.literal('cancel') }),
  /** Run again on the same output folder (resumes from its checkpoint). */
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('open'), file: z.enum(PAIRS_FILES) }),
  z.object({ type: z.literal('addToExperiment') }),
  z.object({ type: z.literal('fix'), fix: z.enum(MINING_FIXES) }),
]);
export type MiningToExtension = z.infer<typeof miningToExtension>;
