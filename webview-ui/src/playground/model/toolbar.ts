// The Playground toolbar's state: the mode and backend pickers (locked while a turn is produced),
// the OpenAI-compatible backend (needs a trusted workspace), and the lines saying who answers.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

import type { BackendKind, Mode, PlaygroundState } from '../../../../src/protocol/playground';

// short labels fit two pickers side by side in a 280 px sidebar; the dropdown shows the description
export const MODE_LABELS: Record<Mode, [label: string, description: string]> = {
  decoupled: ['Decoupled', 'Planner picks the strategy, then the generator writes the reply'],
  vanilla: ['Vanilla joint', 'One model answers "[strategy] reply"'],
  compare: ['Compare', 'Decoupled and vanilla joint side by side on the same input'],
};
export const BACKEND_LABELS: Record<BackendKind, [label: string, description: string]> = {
  embedded: ['Embedded', 'Local models shipped with the extension, no setup'],
  openai: ['OpenAI-compatible', 'Your planner and generator served by vLLM or similar'],
};

export interface ToolbarView {
  mode: Mode;
  backend: BackendKind;
  /** Switching while a turn is produced would leave that turn half in one mode, half in another. */
  pickersDisabled: boolean;
  openaiDisabled: boolean;
  untrusted: boolean;
  info: string[];
  note?: string;
}

export function toolbarView(state: PlaygroundState, trusted: boolean): ToolbarView {
  const { planner, generator, note } = state.backendInfo;
  return {
    mode: state.mode,
    backend: state.backend,
    pickersDisabled: state.busy,
    openaiDisabled: !trusted,
    untrusted: !trusted,
    info: [`Planner: ${planner}`, `Generator: ${generator}`],
    note,
  };
}
