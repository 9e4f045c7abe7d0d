// ESConv dialogues (FORMATS.md §1): which side of the conversation a turn's speaker name is on.
// ESConv.json writes seeker/supporter, FailedESConv.json speaker/listener (speaker = seeker,
// listener = supporter). Every reader of ESConv turns (schemas, statistics, viewer, conversion, the
// CLI's history files) asks this module, so a third spelling would be added here once.

import { isObject } from './messages';

/** The two sides of an emotional support conversation. */
export type Side = 'seeker' | 'supporter';

/** Each speaker name ESConv files use and its side, in the order the schema lists them in its messages. */
export const ESCONV_SPEAKERS: Readonly<Record<string, Side>> = Object.freeze({
  seeker: 'seeker',
  supporter: 'supporter',
  speaker: 'seeker',
  listener: 'supporter',
});

export const ESCONV_SPEAKER_NAMES = Object.keys(ESCONV_SPEAKERS) as [string, ...string[]];

/** The side of a turn's speaker name, or undefined for a name ESConv does not use. */
export function speakerSide(speaker: unknown): Side | undefined {
  return typeof speaker === 'string' && Object.hasOwn(ESCONV_SPEAKERS, speaker) ? ESCONV_SPEAKERS[speaker] : undefined;
}

/** The turns of an ESConv record's `dialog` (entries that are not objects skipped). */
export function esconvTurns(r: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(r.dialog) ? r.dialog.filter(isObject) : [];
}
