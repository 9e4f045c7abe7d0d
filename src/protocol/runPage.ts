// Messages between the extension and a run page webview (one stage's charts).

import * as z from 'zod';
import type { TrainPoint } from '../core/training/logs';

export type { TrainPoint };

export const runPageToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('openFolder') }),
]);
export type RunPageToExtension = z.infer<typeof runPageToExtension>;

export type ExtensionToRunPage = {
  type: 'update';
  title: string;
  status: string;
  progress: string;
  folder: string;
  points: TrainPoint[];
  /** How a failed or stopped stage ended: its exit code ("exit code 127 (command not found)") and the last lines it printed. */
  ending?: { exit?: string; lines: string[] };
};
