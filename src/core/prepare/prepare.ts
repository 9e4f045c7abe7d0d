// `esc convert` and *ESC: Prepare Datasets from ESConv…*: ESConv → the vanilla, planner and generator
// SFT files of each split (FORMATS.md §1–3), and a vanilla file → its planner and generator files.
//
// One derivation owns the decoupled sets: a planner / generator record is the paper's SP / RG request
// for a supporter turn of a vanilla record (FORMATS.md §7, runs/paperRequests.ts) plus the gold answer.
// So the ESConv path converts to vanilla (convert/esconvToSft.ts: " " placeholder user turn between
// consecutive supporter turns, consecutive seeker turns joined with "\n") and derives the other two
// from it; its planner file is exactly `decouple` of its vanilla file. (The planner's flattened history
// keeps the placeholder turns as "seeker:  \n", as the released inference scripts do.)
//
// Whitespace, as read off the released SFT files: no message starts or ends with whitespace (the
// placeholder aside) and none holds a blank line, while FailedESConv's turns often end in "\n". So each
// seeker turn loses its trailing line breaks before the join, and every message is then stripped
// (Python's strip, as the scripts' helpers use).
//
// Writing: every file's text is computed first, the output folder is checked (a file it would write
// that exists already is refused unless `force`), the dataset_info.json merge is computed (refused if an
// entry of the same name points at another file, unless `forceRegister`: replacing files and repointing
// someone's registrations are separate consents), and only then is each file written atomically (temp
// file + rename), dataset_info.json last.

import { lstat } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { emptyReport, toVanillaSft, type EsconvDialogue } from '../convert/esconvToSft';
import { speakerSide } from '../formats/esconv';
import type { ChatMessage } from '../formats/messages';
import { readAllRecords, UnreadableRecordsError } from '../json/readRecords';
import {
  bracketResponse,
  bracketStrategy,
  generatorRequest,
  NotVanillaError,
  plannerRequest,
  pyStrip,
  vanillaTurns,
} from '../runs/paperRequests';
import { normalizeStrategy, type Strategy } from '../strategies';
import { datasetInfoEntry, mergeDatasetInfo, type DatasetInfoEntry } from '../training/datasetInfo';
import { writeFileAtomic } from '../util/atomicWrite';
import { BadInputError, checkEsconv, readJsonFile } from './esconvInput';
import { SPLIT_NAMES, splitIndices, type SplitName, type SplitRatios } from './split';

export { BadInputError } from './esconvInput';

export const OUTPUT_FORMATS = ['json', 'jsonl'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/**
 * `sharegpt`: LLaMA-Factory's sharegpt layout with OpenAI role/content tags; `trl`: TRL's conversational
 * layout. For SFT the two are the same `{"messages": [...]}` records (system message first), so `trl`
 * changes only the default format to JSON Lines, the `datasets` convention.
 */
export const OUTPUT_LAYOUTS = ['sharegpt', 'trl'] as const;
export type OutputLayout = (typeof OUTPUT_LAYOUTS)[number];
export const defaultFormat = (layout: OutputLayout): OutputFormat => (layout === 'trl' ? 'jsonl' : 'json');

export type Role = 'vanilla' | 'planner' | 'generator';
export const ROLES: readonly Role[] = ['vanilla', 'planner', 'generator'];
export type SftKind = `sft-${Role}`;

export interface SftRecord {
  messages: ChatMessage[];
}

/** A refused output: files that exist, a dataset_info.json entry that names another file (exit 2 in the CLI). */
export class OutputConflictError extends Error {
  override name = 'OutputConflictError';
}

// ---------------------------------------------------------------------------------------------
// Decoupling: vanilla records → planner and generator records

/** Planner and generator records of a vanilla file's records, one per supporter turn, in file order. */
export function decoupleRecords(records: readonly unknown[]): { planner: SftRecord[]; generator: SftRecord[] } {
  let turns;
  try {
    turns = vanillaTurns(records);
  } catch (err) {
    if (err instanceof NotVanillaError) throw new BadInputError(err.message);
    throw err;
  }
  const planner: SftRecord[] = [];
  const generator: SftRecord[] = [];
  for (const turn of turns) {
    // a planner or generator SFT file given as the vanilla one is refused by vanillaTurns (one owner of that check)
    const strategy = bracketStrategy(turn.gold);
    if (!strategy) {
      const preview = turn.gold.length > 40 ? `${turn.gold.slice(0, 40)}…` : turn.gold;
      throw new BadInputError(
        `record ${turn.record} message ${turn.before.length}: the assistant reply ${JSON.stringify(preview)} has no "[Strategy] " tag, so no planner answer`,
      );
    }
    planner.push({ messages: [...plannerRequest(turn), { role: 'assistant', content: strategy }] });
    generator.push({ messages: [...generatorRequest(turn, strategy), { role: 'assistant', content: bracketResponse(turn.gold) }] });
  }
  return { planner, generator };
}

// ---------------------------------------------------------------------------------------------
// ESConv → vanilla records, dialogue by dialogue

const cleanSeeker = (text: string): string => text.replace(/[\r\n]+$/, '');

const cleanDialogue = (d: EsconvDialogue): EsconvDialogue => ({
  ...d,
  dialog: d.dialog.map((t) => ({
    ...t,
    content: speakerSide(t.speaker) === 'seeker' ? cleanSeeker(t.content) : pyStrip(t.content),
  })),
});

/** Every message stripped but the system prompt (byte for byte) and the placeholder " " user turn. */
const stripMessage = (m: ChatMessage): ChatMessage =>
  m.role === 'system' || (m.role === 'user' && m.content === ' ') ? m : { role: m.role, content: pyStrip(m.content) };

export interface SkippedDialogue {
  dialogue: number;
  why: string;
}

export interface EsconvConversion {
  /** The vanilla record of each dialogue that has one, by dialogue index. */
  vanilla: Map<number, SftRecord>;
  skipped: SkippedDialogue[];
  supporterTurns: number;
  /** Labels mapped (off-list or loosely written), with the strategy each became. */
  mapped: Record<string, { to: Strategy; count: number }>;
  dropped: { leadingSupporterTurns: number; trailingSeekerTurns: number };
}

export function convertDialogues(dialogues: readonly EsconvDialogue[]): EsconvConversion {
  const report = emptyReport(dialogues.length);
  const vanilla = new Map<number, SftRecord>();
  const skipped: SkippedDialogue[] = [];
  dialogues.forEach((d, i) => {
    const [record] = toVanillaSft([cleanDialogue(d)], report);
    if (record) {
      vanilla.set(i, { messages: record.messages.map(stripMessage) });
      return;
    }
    const seeker = d.dialog.some((t) => speakerSide(t.speaker) === 'seeker');
    skipped.push({
      dialogue: i,
      why: seeker ? "every supporter turn comes before the seeker's first turn" : 'the seeker never speaks',
    });
  });
  const mapped: EsconvConversion['mapped'] = {};
  for (const [label, count] of Object.entries(report.mapped)) mapped[label] = { to: normalizeStrategy(label)!.strategy, count };
  return {
    vanilla,
    skipped,
    supporterTurns: report.supporterTurns,
    mapped,
    dropped: { leadingSupporterTurns: report.droppedLeadingSupporterTurns, trailingSeekerTurns: report.droppedTrailingSeekerTurns },
  };
}

// ---------------------------------------------------------------------------------------------
// Files

export interface PlannedFile {
  /** Absolute path. */
  path: string;
  role: Role;
  kind: SftKind;
  split?: SplitName;
  records: number;
  text: string;
}

export function serialize(records: readonly SftRecord[], format: OutputFormat): string {
  if (format === 'jsonl') return records.map((r) => JSON.stringify(r) + '\n').join('');
  return JSON.stringify(records, null, 2) + '\n';
}

const exists = async (p: string): Promise<boolean> =>
  lstat(p).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );

async function checkOutFolder(out: string, files: readonly PlannedFile[], force: boolean): Promise<void> {
  const info = await lstat(out).catch(() => undefined);
  if (info && !info.isDirectory()) throw new OutputConflictError(`${out} is a file, not a folder; nothing was written`);
  if (force) return;
  const present: string[] = [];
  for (const f of files) if (await exists(f.path)) present.push(path.basename(f.path));
  if (present.length > 0) {
    throw new OutputConflictError(
      `${out} already holds ${present.join(', ')}; nothing was written (choose another folder, remove them, or pass --force to replace them)`,
    );
  }
}

/** The dataset_info.json entry name of a written file: its name without the extension. */
export const entryName = (file: string): string => path.basename(file).replace(/\.jsonl?$/i, '');

/** file_name as LLaMA-Factory resolves it (joined to dataset_dir, the folder of dataset_info.json). */
function fileNameFrom(infoFile: string, file: string): string {
  const rel = path.relative(path.dirname(infoFile), file);
  return path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
}

/** An entry of dataset_info.json that registering would point at another file. */
export interface Repointed {
  name: string;
  /** Its file_name now (as written there; undefined when it has none). */
  from: unknown;
  /** The file_name it would get. */
  to: string;
}

/**
 * The entries `register` would repoint, given the existing dataset_info.json text: one blank or
 * whitespace-only file is empty, as mergeDatasetInfo reads it. BadInputError when it is not a JSON object.
 */
function repointed(infoFile: string, existing: string | undefined, entries: Record<string, DatasetInfoEntry>): Repointed[] {
  let text: string;
  try {
    // mergeDatasetInfo owns the parse: its result holds every old entry not in `entries` as it was
    text = mergeDatasetInfo(existing, {});
  } catch (err) {
    throw new BadInputError(`${infoFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const before = JSON.parse(text) as Record<string, { file_name?: unknown } | undefined>;
  return Object.entries(entries)
    .filter(([name, e]) => Object.hasOwn(before, name) && before[name]?.file_name !== e.file_name)
    .map(([name, e]) => ({ name, from: before[name]?.file_name, to: e.file_name }));
}

function entriesFor(infoFile: string, files: readonly string[], kinds: readonly SftKind[]): Record<string, DatasetInfoEntry> {
  const entries: Record<string, DatasetInfoEntry> = {};
  files.forEach((file, i) => {
    const kind = kinds[i]!;
    const entry = datasetInfoEntry(fileNameFrom(infoFile, file), kind, { kind, conversationKey: 'messages', tags: 'role/content' });
    if ('error' in entry) throw new Error(`cannot register ${file}: ${entry.error}`); // SFT files always can: a bug
    entries[entryName(file)] = entry;
  });
  return entries;
}

/**
 * The dataset_info.json entries that registering these files (absolute paths, each an SFT file of its
 * role) would point at another file: the editor asks about them before it passes `forceRegister`.
 */
export async function registrationConflicts(register: string, files: readonly { path: string; role: Role }[]): Promise<Repointed[]> {
  const infoFile = path.resolve(register);
  const entries = entriesFor(
    infoFile,
    files.map((f) => f.path),
    files.map((f) => `sft-${f.role}` as const),
  );
  return repointed(infoFile, await readIfPresent(infoFile), entries);
}

/** The new dataset_info.json text with one entry per file; OutputConflictError when a name is taken by another file. */
async function mergedDatasetInfo(
  infoFile: string,
  files: readonly PlannedFile[],
  forceRegister: boolean,
): Promise<{ text: string; names: string[] }> {
  const existing = await readIfPresent(infoFile);
  const entries = entriesFor(
    infoFile,
    files.map((f) => f.path),
    files.map((f) => f.kind),
  );
  const taken = repointed(infoFile, existing, entries);
  if (!forceRegister && taken.length > 0) {
    throw new OutputConflictError(
      `${infoFile} already has ${taken.map((t) => JSON.stringify(t.name)).join(', ')} for other files; nothing was written (pass --force-register to repoint them)`,
    );
  }
  return { text: mergeDatasetInfo(existing, entries), names: Object.keys(entries) };
}

export interface Registered {
  file: string;
  entries: string[];
}

/** Checks everything, then writes every file atomically, dataset_info.json last. */
async function writeAll(
  out: string,
  files: readonly PlannedFile[],
  register: string | undefined,
  force: boolean,
  forceRegister: boolean,
): Promise<Registered | undefined> {
  await checkOutFolder(out, files, force);
  const info = register === undefined ? undefined : await mergedDatasetInfo(path.resolve(register), files, forceRegister);
  for (const f of files) await writeFileAtomic(f.path, f.text);
  if (info && register !== undefined) {
    await writeFileAtomic(path.resolve(register), info.text);
    return { file: path.resolve(register), entries: info.names };
  }
  return undefined;
}

export interface FileSummary {
  path: string;
  role: Role;
  kind: SftKind;
  split?: SplitName;
  records: number;
}

const fileSummary = ({ text: _text, ...rest }: PlannedFile): FileSummary => rest;

// ---------------------------------------------------------------------------------------------
// The two commands

export interface PrepareEsconvOptions {
  input: string;
  out: string;
  split: SplitRatios;
  seed: number;
  layout: OutputLayout;
  /** Default: defaultFormat(layout). */
  format?: OutputFormat;
  /** A LLaMA-Factory dataset_info.json to merge one entry per written file into (created if absent). */
  register?: string;
  /** Replace files of the same names in the output folder. */
  force?: boolean;
  /** Repoint dataset_info.json entries of the same names that name other files. */
  forceRegister?: boolean;
  /** Called between phases, for progress reports. */
  onPhase?: (phase: 'reading' | 'converting' | 'writing') => void;
  /** Checked before anything is written: a cancel up to then writes nothing. */
  signal?: AbortSignal;
}

export interface PrepareEsconvSummary {
  input: string;
  out: string;
  format: OutputFormat;
  layout: OutputLayout;
  seed: number;
  split: SplitRatios;
  dialogues: { input: number; converted: number } & Record<SplitName, number>;
  supporterTurns: number;
  files: FileSummary[];
  /** Labels not written exactly as one of the eight (off-list or loosely written), mapped: label → the strategy and how many turns. */
  mappedLabels: Record<string, { to: Strategy; count: number }>;
  mappedTotal: number;
  skipped: SkippedDialogue[];
  dropped: { leadingSupporterTurns: number; trailingSeekerTurns: number };
  registered?: Registered;
}

/** The file name of a role's records for a split: vanilla_train.json, planner_val.jsonl, … */
export const esconvFileName = (role: Role, split: SplitName, format: OutputFormat): string => `${role}_${split}.${format}`;

/** Every file `prepareFromEsconv` writes for these options (splits with a share of 0 get none). */
export const esconvFileNames = (split: SplitRatios, format: OutputFormat): string[] =>
  SPLIT_NAMES.filter((s) => split[s] > 0).flatMap((s) => ROLES.map((role) => esconvFileName(role, s, format)));

/** The dialogues each split gets, as indices into the input file (ascending). */
export function splitDialogues(converted: readonly number[], split: SplitRatios, seed: number): Record<SplitName, number[]> {
  const idx = splitIndices(converted.length, split, seed);
  return { train: idx.train.map((i) => converted[i]!), val: idx.val.map((i) => converted[i]!), test: idx.test.map((i) => converted[i]!) };
}

export async function prepareFromEsconv(opts: PrepareEsconvOptions): Promise<PrepareEsconvSummary> {
  const format = opts.format ?? defaultFormat(opts.layout);
  const out = path.resolve(opts.out);
  opts.onPhase?.('reading');
  const dialogues = checkEsconv(await readJsonFile(opts.input), opts.input);
  opts.onPhase?.('converting');
  const conv = convertDialogues(dialogues);
  if (conv.vanilla.size === 0) {
    throw new BadInputError(`${opts.input}: no dialogue has a supporter turn after a seeker turn; nothing to write`);
  }
  const bySplit = splitDialogues([...conv.vanilla.keys()], opts.split, opts.seed);
  const files: PlannedFile[] = [];
  for (const split of SPLIT_NAMES) {
    if (opts.split[split] === 0) continue;
    const vanilla = bySplit[split].map((i) => conv.vanilla.get(i)!);
    const { planner, generator } = decoupleRecords(vanilla);
    const sets: Record<Role, SftRecord[]> = { vanilla, planner, generator };
    for (const role of ROLES) {
      files.push({
        path: path.join(out, esconvFileName(role, split, format)),
        role,
        kind: `sft-${role}`,
        split,
        records: sets[role].length,
        text: serialize(sets[role], format),
      });
    }
  }
  opts.signal?.throwIfAborted();
  opts.onPhase?.('writing');
  const registered = await writeAll(out, files, opts.register, opts.force ?? false, opts.forceRegister ?? false);
  return {
    input: path.resolve(opts.input),
    out,
    format,
    layout: opts.layout,
    seed: opts.seed,
    split: opts.split,
    dialogues: {
      input: dialogues.length,
      converted: conv.vanilla.size,
      train: bySplit.train.length,
      val: bySplit.val.length,
      test: bySplit.test.length,
    },
    supporterTurns: conv.supporterTurns,
    files: files.map(fileSummary),
    mappedLabels: conv.mapped,
    mappedTotal: Object.values(conv.mapped).reduce((n, m) => n + m.count, 0),
    skipped: conv.skipped,
    dropped: conv.dropped,
    ...(registered ? { registered } : {}),
  };
}

export interface DecoupleOptions {
  input: string;
  out: string;
  /** Default: the input's (JSON Lines for a .jsonl file). */
  format?: OutputFormat;
  register?: string;
  force?: boolean;
  forceRegister?: boolean;
}

export interface DecoupleSummary {
  input: string;
  out: string;
  format: OutputFormat;
  records: number;
  supporterTurns: number;
  files: FileSummary[];
  registered?: Registered;
}

/** Output names for a vanilla file: "vanilla" in its name becomes planner / generator, else a suffix. */
export function decoupledNames(input: string, format: OutputFormat): Record<'planner' | 'generator', string> {
  const stem = path.basename(input).replace(/\.jsonl?$/i, '');
  const name = (role: string): string => (/vanilla/i.test(stem) ? stem.replace(/vanilla/i, role) : `${stem}_${role}`) + `.${format}`;
  return { planner: name('planner'), generator: name('generator') };
}

export async function decoupleFile(opts: DecoupleOptions): Promise<DecoupleSummary> {
  const format = opts.format ?? (/\.jsonl$/i.test(opts.input) ? 'jsonl' : 'json');
  const out = path.resolve(opts.out);
  let records: unknown[];
  try {
    records = await readAllRecords(opts.input);
  } catch (err) {
    if (err instanceof UnreadableRecordsError) throw new BadInputError(`${opts.input}: ${err.message}`);
    throw err;
  }
  if (records.length === 0) throw new BadInputError(`${opts.input}: the file holds no records`);
  let sets;
  try {
    sets = decoupleRecords(records);
  } catch (err) {
    if (err instanceof BadInputError) throw new BadInputError(`${opts.input}: ${err.message}`);
    throw err;
  }
  const names = decoupledNames(opts.input, format);
  const files: PlannedFile[] = (['planner', 'generator'] as const).map((role) => ({
    path: path.join(out, names[role]),
    role,
    kind: `sft-${role}`,
    records: sets[role].length,
    text: serialize(sets[role], format),
  }));
  const registered = await writeAll(out, files, opts.register, opts.force ?? false, opts.forceRegister ?? false);
  return {
    input: path.resolve(opts.input),
    out,
    format,
    records: records.length,
    supporterTurns: sets.planner.length,
    files: files.map(fileSummary),
    ...(registered ? { registered } : {}),
  };
}
