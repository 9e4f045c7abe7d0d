// Messages between the extension and the preflight report (every problem a launch would meet, each
// with its fixes; Launch Anyway, Write Configs Only, Check Again). The extension validates what
// arrives with these schemas; the webview imports the types only.

import * as z from 'zod';
import { PREFLIGHT_FIXES, type PreflightCode, type PreflightFix } from '../core/training/preflight';

export type { PreflightCode, PreflightFix };

export interface PreflightRow {
  code: PreflightCode;
  severity: 'error' | 'warning';
  message: string;
  stage?: string;
  /** Each fix with the words of its button. */
  fixes: { fix: PreflightFix; label: string }[];
  /** The user accepted it (e.g. Overwrite): shown, without its buttons. */
  accepted?: string;
}

export interface PreflightState {
  type: 'report';
  /** The experiment's name and its file, relative to the workspace. */
  name: string;
  experiment: string;
  stages: string[];
  problems: PreflightRow[];
  /** No problem blocks the launch (warnings only, or none left). */
  canLaunch: boolean;
  /** The datasets allow the configs to be written (Write Configs Only). */
  canWriteConfigs: boolean;
  /** Where Write Configs Only writes, relative to the workspace. */
  configDir?: string;
  /** What the last action did ("Wrote 13 files to …"). */
  note?: string;
  /** An action is running: the buttons wait. */
  busy: boolean;
}

export type ExtensionToPreflight = PreflightState;

export const preflightToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('recheck') }),
  z.object({ type: z.literal('launch') }),
  z.object({ type: z.literal('writeConfigs') }),
  z.object({ type: z.literal('fix'), index: z.number().int().min(0).max(1000), fix: z.enum(PREFLIGHT_FIXES) }),
]);
export type PreflightToExtension = z.infer<typeof preflightToExtension>;
