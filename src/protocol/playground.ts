// Messages between the extension and the Playground webview. The one definition both sides use: the
// extension validates what arrives with these schemas; the webview imports the types only.

import * as z from 'zod';

export const playgroundToExtension = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('runCommand'), command: z.enum(['escStudio.datasets.focus', 'escStudio.detectDataset']) }),
]);
export type PlaygroundToExtension = z.infer<typeof playgroundToExtension>;

export interface StrategyChip {
  name: string;
  color: string;
}

export type ExtensionToPlayground = {
  type: 'init';
  strategies: StrategyChip[];
  /** Whether the workspace is trusted (process-launching backends need it). */
  trusted: boolean;
  version: string;
};
