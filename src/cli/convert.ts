// `esc convert esconv <ESConv.json> --out <dir> [--split 0.8,0.1,0.1] [--seed N] [--format json|jsonl]
//  [--layout sharegpt|trl] [--register <dataset_info.json>] [--force] [--force-register] [--json]`: ESConv
// → the vanilla, planner and generator SFT files of each split. `esc convert decouple <sft-vanilla file>
// --out <dir> [--format] [--register] [--force] [--force-register] [--json]`: a vanilla file → its planner
// and generator files. --force replaces files in --out only; repointing a dataset_info.json entry that
// names another file is a separate consent, --force-register (the editor asks the two separately too).
// The work is core/prepare's; this module reads the flags and prints the summary.

import { BadInputError, OutputConflictError } from '../core/prepare/prepare';
import {
  decoupleFile,
  OUTPUT_FORMATS,
  OUTPUT_LAYOUTS,
  prepareFromEsconv,
  type DecoupleSummary,
  type FileSummary,
  type OutputFormat,
  type OutputLayout,
  type PrepareEsconvSummary,
} from '../core/prepare/prepare';
import { DEFAULT_SEED, DEFAULT_SPLIT, parseSeed, parseSplit, SplitSpecError } from '../core/prepare/split';
import { requireFile } from './inputFile';
import { InputError, printJson, UsageError, type Io } from './output';

export interface ConvertFlags {
  out?: string;
  split?: string;
  seed?: string;
  format?: string;
  layout?: string;
  register?: string;
  force?: boolean;
  'force-register'?: boolean;
}

const USAGE =
  'usage: esc convert esconv <ESConv.json> --out <dir> [--split 0.8,0.1,0.1] [--seed N] [--format json|jsonl] [--layout sharegpt|trl] [--register <dataset_info.json>] [--force] [--force-register]\n' +
  '       esc convert decouple <sft-vanilla file> --out <dir> [--format json|jsonl] [--register <dataset_info.json>] [--force] [--force-register]';

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`esc convert: ${flag} must be ${allowed.join(' or ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

const fileLine = (f: FileSummary): string => `  ${f.path}  ${f.records} ${f.kind} records`;

function printEsconv(s: PrepareEsconvSummary, io: Io): void {
  const d = s.dialogues;
  io.out(
    `${d.converted} of ${d.input} dialogues converted (${s.supporterTurns} supporter ${s.supporterTurns === 1 ? 'turn' : 'turns'}), split ${d.train}/${d.val}/${d.test} ` +
      `(train/val/test, seed ${s.seed}); ${s.layout} layout, ${s.format}`,
  );
  for (const f of s.files) io.out(fileLine(f));
  const mapped = Object.entries(s.mappedLabels);
  io.out(
    mapped.length === 0
      ? 'Off-list strategy labels mapped: none'
      : `Off-list strategy labels mapped: ${s.mappedTotal} (${mapped.map(([label, m]) => `${m.count} "${label}" → "${m.to}"`).join(', ')})`,
  );
  if (s.skipped.length > 0) {
    io.out(`Skipped ${s.skipped.length} dialogue(s): ${s.skipped.map((k) => `${k.dialogue} (${k.why})`).join('; ')}`);
  }
  const { leadingSupporterTurns: lead, trailingSeekerTurns: trail } = s.dropped;
  if (lead + trail > 0) {
    io.out(`Left out: ${lead} supporter turn(s) before the seeker's first turn, ${trail} seeker turn(s) after the supporter's last`);
  }
  if (s.registered) io.out(`Registered ${s.registered.entries.join(', ')} in ${s.registered.file}`);
}

function printDecouple(s: DecoupleSummary, io: Io): void {
  io.out(`${s.supporterTurns} supporter ${s.supporterTurns === 1 ? 'turn' : 'turns'} of ${s.records} vanilla records`);
  for (const f of s.files) io.out(fileLine(f));
  if (s.registered) io.out(`Registered ${s.registered.entries.join(', ')} in ${s.registered.file}`);
}

export async function convertCommand(args: string[], values: ConvertFlags, json: boolean, io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'esconv' && sub !== 'decouple') {
    throw new UsageError(
      `esc convert: ${sub === undefined ? 'say what to convert' : `unknown conversion ${JSON.stringify(sub)}`}\n${USAGE}`,
    );
  }
  if (rest.length > 1) throw new UsageError(`esc convert ${sub}: one input file at a time\n${USAGE}`);
  const file = await requireFile(rest[0], `convert ${sub}`);
  if (!values.out) throw new UsageError(`esc convert ${sub}: --out <dir> is required (the folder to write into)\n${USAGE}`);
  const format = oneOf<OutputFormat>(values.format, OUTPUT_FORMATS, '--format');
  try {
    if (sub === 'decouple') {
      for (const flag of ['split', 'seed', 'layout'] as const) {
        if (values[flag] !== undefined) throw new UsageError(`esc convert decouple: --${flag} applies to esc convert esconv only`);
      }
      const summary = await decoupleFile({
        input: file,
        out: values.out,
        format,
        register: values.register,
        force: values.force,
        forceRegister: values['force-register'],
      });
      if (json) printJson(io, summary);
      else printDecouple(summary, io);
      return 0;
    }
    const layout = oneOf<OutputLayout>(values.layout, OUTPUT_LAYOUTS, '--layout') ?? 'sharegpt';
    let split, seed;
    try {
      split = values.split === undefined ? DEFAULT_SPLIT : parseSplit(values.split);
      seed = values.seed === undefined ? DEFAULT_SEED : parseSeed(values.seed);
    } catch (err) {
      if (err instanceof SplitSpecError) throw new UsageError(`esc convert esconv: ${err.message}`);
      throw err;
    }
    const summary = await prepareFromEsconv({
      input: file,
      out: values.out,
      split,
      seed,
      format,
      layout,
      register: values.register,
      force: values.force,
      forceRegister: values['force-register'],
    });
    if (json) printJson(io, summary);
    else printEsconv(summary, io);
    return 0;
  } catch (err) {
    if (err instanceof BadInputError) {
      io.err(`esc convert ${sub}: ${err.message}`);
      return 1;
    }
    if (err instanceof OutputConflictError) throw new InputError(`esc convert ${sub}: ${err.message}`);
    throw err;
  }
}
