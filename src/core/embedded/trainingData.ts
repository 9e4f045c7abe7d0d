// Training examples for the embedded models, read from the user's files: one example per supporter
// turn (its context, strategy and text) from ESConv dialogues, vanilla SFT, generator SFT or planner
// SFT (no reply text there: planner only); planner preference pairs from IPM-PrefDial SP files.
// JSON or JSONL, role/content or from/value tags, sharegpt or TRL pair layouts.

import { supporterTurns, type EsconvDialogue } from '../convert/esconvToSft';
import { parseRecord } from '../json/parseRecord';
import { scanFile } from '../json/readFile';
import { detectFile } from '../formats/detect';
import type { DetectedKind } from '../formats/kinds';
import { conditionedStrategy, conversationOf, plannerHistoryOf } from '../formats/accessors';
import { isObject, replyText, toChatMessages, type ChatMessage } from '../formats/messages';
import { normalizeStrategy, splitStrategyTag, type Strategy } from '../strategies';
import { turnsOfFlattened, turnsOfHistory } from '../dialogue/requests';
import type { DialogueTurn } from '../dialogue/types';

export interface Example {
  context: DialogueTurn[];
  strategy: Strategy;
  /** The supporter's reply; absent for planner SFT. */
  text?: string;
  /** Groups the turns of one dialogue, so a held-out split never splits a dialogue. */
  group: string;
}

export interface PlannerPairExample {
  context: DialogueTurn[];
  chosen: Strategy;
  rejected: Strategy;
}

export const TRAIN_KINDS = ['esconv', 'sft-vanilla', 'sft-generator', 'sft-planner'] as const;
export type TrainKind = (typeof TRAIN_KINDS)[number];

const groupOf = (context: readonly DialogueTurn[]): string => context.find((t) => t.speaker === 'seeker')?.text.slice(0, 200) ?? '';

async function readRecords(file: string, signal?: AbortSignal): Promise<{ kind: DetectedKind; records: unknown[]; broken: number }> {
  const detection = await detectFile(file);
  if (detection.problem) throw new Error(`${file}: ${detection.problem.message}`);
  const records: unknown[] = [];
  let broken = 0;
  const scan = await scanFile(file, {
    keepBytes: true,
    signal,
    onRecord: (span, bytes) => {
      const parsed = parseRecord(bytes!, span.start);
      if (parsed.ok) records.push(parsed.value);
      else broken++;
    },
  });
  broken += scan.problems.length;
  return { kind: detection.kind, records, broken };
}

function examplesOfMessages(messages: ChatMessage[], group: string | undefined, out: Example[]): number {
  let skipped = 0;
  const history: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === 'assistant') {
      const tag = splitStrategyTag(m.content);
      if (tag?.normalized) {
        const context = turnsOfHistory(history);
        out.push({ context, strategy: tag.normalized.strategy, text: tag.text, group: group ?? groupOf(context) });
      } else skipped++;
    }
    history.push(m);
  }
  return skipped;
}

/** Every supporter turn of a training file with its context; `skipped` counts turns without a usable strategy. */
export async function readExamples(file: string, signal?: AbortSignal): Promise<{ kind: TrainKind; examples: Example[]; skipped: number }> {
  const { kind, records, broken } = await readRecords(file, signal);
  if (!(TRAIN_KINDS as readonly string[]).includes(kind)) {
    throw new Error(
      `${file} is ${kind === 'unknown' ? 'not an ESC dataset' : `a ${kind} file`}; train the embedded models from ESConv dialogues or a vanilla, generator or planner SFT file.`,
    );
  }
  const examples: Example[] = [];
  let skipped = broken;
  records.forEach((r, ri) => {
    if (!isObject(r)) return void skipped++;
    if (kind === 'esconv') {
      for (const t of supporterTurns([r as unknown as EsconvDialogue])) {
        examples.push({ context: turnsOfHistory(t.history), strategy: t.strategy, text: t.text, group: `d${ri}` });
      }
      return;
    }
    const messages = toChatMessages(conversationOf(r));
    if (kind === 'sft-vanilla') {
      skipped += examplesOfMessages(messages, `d${ri}`, examples);
      return;
    }
    const last = messages[messages.length - 1];
    if (last?.role !== 'assistant') return void skipped++;
    const history = messages.slice(0, -1);
    if (kind === 'sft-generator') {
      const label = conditionedStrategy(messages, r);
      const norm = label === undefined ? undefined : normalizeStrategy(label);
      if (!norm) return void skipped++;
      const context = turnsOfHistory(history);
      examples.push({ context, strategy: norm.strategy, text: last.content, group: groupOf(context) });
      return;
    }
    // planner SFT: the history is flattened into the user message
    const norm = normalizeStrategy(last.content);
    const flattened = plannerHistoryOf(history);
    if (!norm || flattened === undefined) return void skipped++;
    const context = turnsOfFlattened(flattened);
    examples.push({ context, strategy: norm.strategy, group: groupOf(context) });
  });
  if (examples.length === 0) {
    throw new Error(`${file}: no supporter turn with one of the 8 strategies was found (${records.length} records read).`);
  }
  return { kind: kind as TrainKind, examples, skipped };
}

/** Planner preference pairs (IPM-PrefDial SP layout, sharegpt or TRL). */
export async function readPlannerPairs(file: string, signal?: AbortSignal): Promise<{ pairs: PlannerPairExample[]; skipped: number }> {
  const { kind, records, broken } = await readRecords(file, signal);
  if (kind !== 'pref-planner') {
    throw new Error(
      `${file} is ${kind === 'unknown' ? 'not an ESC dataset' : `a ${kind} file`}; the preference file must hold planner pairs (chosen and rejected strategies).`,
    );
  }
  const pairs: PlannerPairExample[] = [];
  let skipped = broken;
  for (const r of records) {
    if (!isObject(r)) {
      skipped++;
      continue;
    }
    const flattened = plannerHistoryOf(toChatMessages(conversationOf(r)));
    const chosen = normalizeStrategy(replyText(r.chosen) ?? '');
    const rejected = normalizeStrategy(replyText(r.rejected) ?? '');
    if (flattened === undefined || !chosen || !rejected || chosen.id === rejected.id) {
      skipped++;
      continue;
    }
    pairs.push({ context: turnsOfFlattened(flattened), chosen: chosen.strategy, rejected: rejected.strategy });
  }
  return { pairs, skipped };
}
