// Which files the Datasets view lists, from what inspectFile found: a file of an ESC kind is a dataset;
// a file that cannot be read as records (empty, not UTF-8, not JSON, a top-level object) is listed as
// invalid when it fails to parse or looks like ESC data, so a broken dataset is never hidden; a file
// that parses and is clearly something else (a package manifest, settings, an array of numbers) is
// not listed. Only the head of the file is read to decide.

import { open } from 'node:fs/promises';
import { classifyRecord } from './classify';
import { inspectFile, HEAD_BYTES, type Inspection } from './detect';

/** `dataset`: listed under its kind; `invalid`: listed as unreadable or invalid; undefined: not listed. */
export type Listing = 'dataset' | 'invalid' | undefined;

export interface Survey extends Inspection {
  listing: Listing;
  /** Why an `invalid` file is listed, as one plain sentence. */
  reason?: string;
}

/** Field names only ESC layouts use (FORMATS.md): an object holding one of them is ESC data gone wrong. */
const ESC_KEYS = new Set([
  'messages',
  'conversations',
  'dialog',
  'chosen',
  'rejected',
  'emotion_type',
  'problem_type',
  'situation',
  'strategy',
  'seeker_question_before',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True for a parsed top level that holds ESC records or fields: one record, or a wrapper of a list of them. */
export function looksLikeEsc(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && looksLikeEsc(value[0]);
  if (!isObject(value)) return false;
  if (classifyRecord(value).kind !== 'unknown') return true;
  for (const [key, v] of Object.entries(value)) {
    if (ESC_KEYS.has(key)) return true;
    // {"train": [records]}: a split wrapped in an object
    if (Array.isArray(v) && v.length > 0 && isObject(v[0]) && holdsConversation(v[0])) return true;
  }
  return false;
}

/**
 * A nested record must hold a conversation to count: a list of notes about records ({dialogue, turn,
 * rejected}, as the demo's sources keep) is something else.
 */
const holdsConversation = (o: Record<string, unknown>): boolean => ['messages', 'conversations', 'dialog'].some((k) => k in o);

/** Field names of ESC_KEYS written as JSON keys, for a head too large to parse. */
const ESC_KEY_TEXT = new RegExp(`"(?:${[...ESC_KEYS].join('|')})"\\s*:`);

/** The head of the file as text (at most `bytes`), and whether that is the whole file. */
async function head(path: string, bytes: number): Promise<{ text: string; whole: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(Math.min(size, bytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return {
      text: buf
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
      whole: bytesRead >= size,
    };
  } finally {
    await handle.close();
  }
}

/** Decides whether a file the include globs match is listed, and how. */
export async function surveyFile(path: string, opts: { signal?: AbortSignal } = {}): Promise<Survey> {
  const inspection = await inspectFile(path, { countUnknown: true, signal: opts.signal });
  const { detection } = inspection;
  if (detection.kind !== 'unknown' && !detection.problem) return { ...inspection, listing: 'dataset' };
  if (detection.problem) {
    const reason = detection.problem.message;
    if (detection.problem.kind === 'encoding' || /empty/i.test(reason)) return { ...inspection, listing: 'invalid', reason };
    // not a list of records: listed when it is broken JSON or ESC data in the wrong shape
    const { text, whole } = await head(path, HEAD_BYTES);
    if (!whole) return { ...inspection, listing: ESC_KEY_TEXT.test(text.slice(0, 64 * 1024)) ? 'invalid' : undefined, reason };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { ...inspection, listing: 'invalid', reason: `${reason} It is not valid JSON either (${(err as Error).message}).` };
    }
    return { ...inspection, listing: looksLikeEsc(value) ? 'invalid' : undefined, reason };
  }
  // records of no ESC kind: listed when the file breaks off, has a syntax error between records, or its
  // records carry ESC field names (ESC data that no longer classifies)
  if (inspection.problems > 0) {
    const n = inspection.problems;
    return {
      ...inspection,
      listing: 'invalid',
      reason: `The file does not parse (${n} syntax problem${n === 1 ? '' : 's'}), and no record is of an ESC kind.`,
    };
  }
  if (inspection.records > 0 && ESC_KEY_TEXT.test((await head(path, 64 * 1024)).text)) {
    return { ...inspection, listing: 'invalid', reason: `No record is of an ESC kind: ${detection.layout.reason ?? 'unknown layout'}.` };
  }
  return { ...inspection, listing: undefined };
}
