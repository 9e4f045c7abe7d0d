// The dataset kinds ESC Studio recognises (FORMATS.md). Names are part of the CLI's JSON output and
// the views' grouping, so they are defined once here.

export const DATASET_KINDS = [
  'esconv',
  'sft-vanilla',
  'sft-planner',
  'sft-generator',
  'pref-planner',
  'pref-generator',
  'pref-vanilla',
  'inference',
  'error-stats',
] as const;

export type DatasetKind = (typeof DATASET_KINDS)[number];
export type DetectedKind = DatasetKind | 'unknown';

export const KIND_LABELS: Readonly<Record<DetectedKind, string>> = {
  esconv: 'ESConv dialogues',
  'sft-vanilla': 'Vanilla SFT (joint strategy + response)',
  'sft-planner': 'Strategy planner SFT',
  'sft-generator': 'Response generator SFT',
  'pref-planner': 'Planner preference pairs',
  'pref-generator': 'Generator preference pairs',
  'pref-vanilla': 'Vanilla preference pairs',
  inference: 'Inference output',
  'error-stats': 'Error statistics',
  unknown: 'Not an ESC dataset',
};

export const isDatasetKind = (k: string): k is DatasetKind => (DATASET_KINDS as readonly string[]).includes(k);
