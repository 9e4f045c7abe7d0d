// Reading a raw ESConv / FailedESConv file for conversion (FORMATS.md §1), strictly: the first problem
// is one line naming the dialogue index and the field, and nothing is converted. The record schema is
// formats/schemas.ts's (the one the viewer and `esc validate` use); conversion adds what it needs
// beyond it: a supporter turn to learn from, and strategy labels it can map to the eight.

import { readFile } from 'node:fs/promises';
import type { EsconvDialogue } from '../convert/esconvToSft';
import { speakerSide } from '../formats/esconv';
import { checkRecord } from '../formats/schemas';
import { normalizeStrategy } from '../strategies';

/** The input cannot be converted: the message is the whole story, in one line (exit 1 in the CLI). */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a JSON file: UTF-8 (BOM dropped) parsed whole; BadInputError for anything else. */
export async function readJsonFile(file: string): Promise<unknown> {
  const bytes = await readFile(file);
  let text: string;
  try {
    text = strictUtf8.decode(bytes).replace(/^\ufeff/, '');
  } catch {
    throw new BadInputError(`${file}: not UTF-8 text`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadInputError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Why dialogue `index` cannot be converted, or undefined when it can. */
export function esconvDialogueProblem(value: unknown, index: number): string | undefined {
  const [issue] = checkRecord('esconv', value);
  if (issue) return `dialogue ${index}${issue.path ? ` ${issue.path}` : ''}: ${issue.message}`;
  const dialog = (value as EsconvDialogue).dialog;
  let supporter = false;
  for (const [t, turn] of dialog.entries()) {
    if (speakerSide(turn.speaker) !== 'supporter') continue;
    supporter = true;
    const label = turn.annotation!.strategy!;
    if (!normalizeStrategy(label)) {
      return `dialogue ${index} .dialog[${t}].annotation.strategy: ${JSON.stringify(label)} is neither one of the eight strategies nor a known off-list ESConv label`;
    }
  }
  if (!supporter) return `dialogue ${index} .dialog: no supporter turn (speaker "supporter" or "listener"), nothing to learn from`;
  return undefined;
}

/** The dialogues of an ESConv file, checked; BadInputError at the first problem. */
export function checkEsconv(value: unknown, file: string): EsconvDialogue[] {
  if (!Array.isArray(value)) {
    throw new BadInputError(`${file}: not an ESConv file: the top level must be a JSON array of dialogues (FORMATS.md §1)`);
  }
  if (value.length === 0) throw new BadInputError(`${file}: the file holds no dialogues`);
  value.forEach((d, i) => {
    const problem = esconvDialogueProblem(d, i);
    if (problem) throw new BadInputError(`${file}: ${problem}`);
  });
  return value as EsconvDialogue[];
}
