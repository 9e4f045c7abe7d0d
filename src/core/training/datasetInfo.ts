// LLaMA-Factory's dataset_info.json: the entry for each dataset file (sharegpt formatting; ranking for
// pairs; every column and tag listed, because LLaMA-Factory turns an omitted key into None once
// `columns`/`tags` are given), and a merge that keeps every other entry where it was.

import type { RecordLayout } from '../formats/classify';
import type { DatasetKind } from '../formats/kinds';

export interface DatasetInfoEntry {
  file_name: string;
  formatting: 'sharegpt';
  ranking?: boolean;
  columns: Record<string, string>;
  tags: Record<string, string>;
}

const ROLE_CONTENT_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' };
const FROM_VALUE_TAGS = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system' };

/** The entry for a dataset file, or a reason it cannot be registered as it is. */
export function datasetInfoEntry(fileName: string, kind: DatasetKind, layout: RecordLayout): DatasetInfoEntry | { error: string } {
  const tags = layout.tags === 'from/value' ? FROM_VALUE_TAGS : ROLE_CONTENT_TAGS;
  if (kind.startsWith('sft-')) {
    const columns: Record<string, string> = { messages: layout.conversationKey ?? 'messages' };
    if (layout.tags === 'from/value') columns.system = 'system';
    return { file_name: fileName, formatting: 'sharegpt', columns, tags };
  }
  if (kind.startsWith('pref-')) {
    if (layout.pairLayout === 'trl') {
      return {
        error:
          'TRL prompt/chosen/rejected pairs: LLaMA-Factory needs the sharegpt ranking layout (conversations + single chosen/rejected messages).',
      };
    }
    return {
      file_name: fileName,
      formatting: 'sharegpt',
      ranking: true,
      columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected' },
      tags,
    };
  }
  return { error: `a ${kind} file is not training data` };
}

/**
 * Merges entries into an existing dataset_info.json text: existing names keep their place (their
 * value is replaced), new names are appended, nothing else changes. Throws on invalid JSON rather
 * than overwrite a file it cannot read.
 */
export function mergeDatasetInfo(existing: string | undefined, entries: Record<string, DatasetInfoEntry>): string {
  let base: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing.replace(/^\ufeff/, ''));
    } catch (err) {
      throw new Error(
        `the existing dataset_info.json is not valid JSON (${err instanceof Error ? err.message : String(err)}); fix it first — it was left untouched`,
        { cause: err },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the existing dataset_info.json is not a JSON object; it was left untouched');
    }
    base = parsed as Record<string, unknown>;
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [name, entry] of Object.entries(entries)) merged[name] = entry;
  return JSON.stringify(merged, null, 2) + '\n';
}
