// Setting an experiment's DPO datasets in its esc-experiment.yaml (what *Add to experiment's DPO
// stages* on the mining page does): the `datasets.<stage>` entries are set in place through the YAML
// document model, so the user's comments, key order and other entries stay as they were.

import { isMap, parseDocument } from 'yaml';
import type { StageId } from './experiment';

export type DpoStage = Extract<StageId, 'planner-dpo' | 'generator-dpo' | 'vanilla-dpo'>;

/** The experiment file cannot be edited safely: it does not parse, or `datasets` is not a mapping. */
export class ExperimentEditError extends Error {}

export interface DpoEdit {
  /** The new text of the experiment file. */
  text: string;
  /** Entries that held another dataset before (for the caller to confirm). */
  replaced: { stage: DpoStage; before: string; after: string }[];
  /** Whether the text changed at all. */
  changed: boolean;
}

/** `text` with `datasets.<stage>: <path>` for each entry (paths as given: relative to the experiment file). */
export function setDpoDatasets(text: string, entries: Partial<Record<DpoStage, string>>): DpoEdit {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ExperimentEditError(`the experiment file does not parse: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new ExperimentEditError('the experiment file is not a YAML mapping');
  const datasets = doc.get('datasets', true);
  if (datasets !== undefined && datasets !== null && !isMap(datasets)) {
    throw new ExperimentEditError('its "datasets" entry is not a mapping of stage to file');
  }
  const replaced: DpoEdit['replaced'] = [];
  let changed = false;
  for (const [stage, file] of Object.entries(entries) as [DpoStage, string][]) {
    const before = doc.getIn(['datasets', stage]);
    if (before === file) continue;
    if (typeof before === 'string' && before !== '') replaced.push({ stage, before, after: file });
    doc.setIn(['datasets', stage], file);
    changed = true;
  }
  return { text: changed ? doc.toString() : text, replaced, changed };
}
