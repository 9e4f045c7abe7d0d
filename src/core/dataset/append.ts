// Appending records to a dataset file without touching the records already in it: the new records
// are spliced in after the last one (JSON array or JSON Lines), in the file's own indentation and
// line endings, and the result replaces the file atomically. The records must be of the file's kind
// (checked by the detector), so a Playground save never turns a planner file into a mixed one.

import type { Stats } from 'node:fs';
import { open, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { detectFile, detectFromRecords } from '../formats/detect';
import { KIND_LABELS, type DatasetKind, type DetectedKind } from '../formats/kinds';
import { parseRecord } from '../json/parseRecord';
import { isJsonlName, scanFile } from '../json/readFile';
import { writeAtomic } from '../util/atomicWrite';
import { isAbortError } from '../util/cancel';

/** A record to append: any JSON object (the caller built it for the file's kind). */
export type AppendedRecord = object;

/** Why appendRecords wrote nothing; the message names the file and is meant for the user. */
export class AppendRecordsError extends Error {
  constructor(file: string, why: string) {
    super(`${file}: ${why}; nothing was written.`);
    this.name = 'AppendRecordsError';
  }
}

export interface AppendOptions {
  /** Aborting stops the append while the file is being read; once the write begins it completes. */
  signal?: AbortSignal;
  /** The reading pass (the long part for a large file). */
  onProgress?: (bytesRead: number, size: number) => void;
}

export interface AppendResult {
  path: string;
  appended: number;
  /** Records in the file afterwards. */
  total: number;
}

/** How the existing file is laid out, as far as a splice needs to know. */
type FileShape = { asciiOnly: boolean } & (
  | { container: 'jsonl'; records: number; eol: string; endsWithNewline: boolean }
  | { container: 'json-array'; records: 0 }
  | {
      container: 'json-array';
      records: number;
      lastEnd: number;
      gap: string;
      indent: string;
      multiline: boolean;
      eol: string;
      indentUnit: string;
    }
);

const COPY_CHUNK = 1 << 20;
/** How far before the last record to look for the whitespace that precedes it. */
const GAP_WINDOW = 4096;

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, length));
  const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
  return buf.subarray(0, bytesRead);
}

async function writeAll(out: FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) done += (await out.write(data, done, data.length - done)).bytesWritten;
}

/** Copies bytes [from, to) of `src` to `out` in bounded memory. */
async function copyRange(src: FileHandle, out: FileHandle, from: number, to: number): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, to - from)));
  for (let pos = from; pos < to;) {
    const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, to - pos), pos);
    if (bytesRead === 0) throw new Error('the file got shorter while it was being copied');
    await writeAll(out, buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}

// Python's json.dump escapes non-ASCII by default (the released files do): "\u00e9" for "é".
const ESCAPED_NON_ASCII = /\\u(?:00[89a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2})[0-9a-fA-F]/;
const RAW_NON_ASCII = /[\x80-\xff]/;

/** JSON text with every non-ASCII UTF-16 unit escaped, as Python's ensure_ascii writes it. */
const asciiJson = (json: string): string => json.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

const describeKind = (kind: DetectedKind): string => (kind === 'unknown' ? 'not an ESC dataset' : `a ${KIND_LABELS[kind]} file (${kind})`);

/**
 * Reads the whole file once: every record must parse, the structure must be sound (no truncation,
 * no stray commas). Also notes how the last record is written, so new ones can follow its style.
 */
async function readShape(file: string, opts: AppendOptions): Promise<FileShape> {
  let bad: string | undefined;
  let rawNonAscii = false;
  let escapedNonAscii = false;
  let first: { end: number } | undefined;
  let last: { start: number; end: number; newlineAt: number; crlf: boolean; secondLineIndent: string } | undefined;
  const scan = await scanFile(file, {
    keepBytes: true,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onRecord: (span, bytes) => {
      const parsed = parseRecord(bytes!, span.start);
      if (!parsed.ok && bad === undefined) bad = `record ${span.index + 1} (byte ${parsed.offset}) is not valid: ${parsed.message}`;
      first ??= span;
      if (!rawNonAscii) {
        const text = bytes!.toString('latin1');
        rawNonAscii = RAW_NON_ASCII.test(text);
        escapedNonAscii ||= ESCAPED_NON_ASCII.test(text);
      }
      const nl = bytes!.indexOf(0x0a);
      const indent = nl < 0 ? '' : /^[ \t]*/.exec(bytes!.subarray(nl + 1, nl + 1 + 64).toString('latin1'))![0];
      last = { start: span.start, end: span.end, newlineAt: nl, crlf: nl > 0 && bytes![nl - 1] === 0x0d, secondLineIndent: indent };
    },
  });
  const problem = scan.problems[0];
  if (problem) throw new Error(`${problem.message} (at byte ${problem.offset})`);
  if (bad !== undefined) throw new Error(bad);
  // escape only when the file shows it does, and never mix styles in a file that has raw UTF-8
  const asciiOnly = escapedNonAscii && !rawNonAscii;
  const handle = await open(file, 'r');
  try {
    if (scan.container === 'jsonl') {
      // the trimmed end of the first record is followed by its line break: "\r\n" or "\n"
      const afterFirst = first ? await readAt(handle, first.end, 2) : Buffer.alloc(0);
      const lastByte = await readAt(handle, scan.size - 1, 1);
      return {
        asciiOnly,
        container: 'jsonl',
        records: scan.records,
        eol: afterFirst.toString('latin1') === '\r\n' ? '\r\n' : '\n',
        endsWithNewline: lastByte[0] === 0x0a,
      };
    }
    if (!last) return { asciiOnly, container: 'json-array', records: 0 };
    // The whitespace between the delimiter ("[" or ",") and the last record: new records reuse it.
    const from = Math.max(0, last.start - GAP_WINDOW);
    const before = (await readAt(handle, from, last.start - from)).toString('latin1');
    const gap = /[ \t\r\n]*$/.exec(before)![0];
    const multiline = last.newlineAt >= 0;
    const eol = gap.includes('\n') ? (gap.includes('\r\n') ? '\r\n' : '\n') : last.crlf ? '\r\n' : '\n';
    const indent = gap.includes('\n') ? gap.slice(gap.lastIndexOf('\n') + 1) : '';
    // nested lines are indented by the record's own indent plus one unit (2 spaces in the released files)
    const unit = last.secondLineIndent.startsWith(indent) ? last.secondLineIndent.slice(indent.length) : '';
    return {
      asciiOnly,
      container: 'json-array',
      records: scan.records,
      lastEnd: last.end,
      gap,
      indent,
      multiline,
      eol,
      indentUnit: unit === '' ? '  ' : unit.slice(0, 10),
    };
  } finally {
    await handle.close();
  }
}

/** A record in the file's style: pretty-printed at the last record's indent, or on one line. */
function formatRecord(record: AppendedRecord, multiline: boolean, indent: string, unit: string, eol: string): string {
  if (!multiline) return JSON.stringify(record);
  // JSON.stringify escapes newlines inside strings, so every "\n" it emits is a line break of the layout
  return JSON.stringify(record, null, unit)
    .split('\n')
    .join(eol + indent);
}

/** A new file: a pretty-printed array like the released files, or JSON Lines for a .jsonl name. */
function freshContent(records: readonly AppendedRecord[], jsonl: boolean): string {
  return jsonl ? records.map((r) => JSON.stringify(r) + '\n').join('') : JSON.stringify(records, null, 2) + '\n';
}

/** The bytes to insert and where: everything before `at` and from `resume` on is copied unchanged. */
async function planSplice(
  file: string,
  size: number,
  shape: FileShape,
  records: readonly AppendedRecord[],
): Promise<{ at: number; insert: string; resume: number }> {
  if (shape.container === 'jsonl') {
    const lines = records.map((r) => JSON.stringify(r) + shape.eol).join('');
    return { at: size, insert: (shape.endsWithNewline ? '' : shape.eol) + lines, resume: size };
  }
  if ('lastEnd' in shape) {
    // After the last record; the whitespace and "]" that followed it follow the new records.
    const insert = records
      .map((r) => ',' + shape.gap + formatRecord(r, shape.multiline, shape.indent, shape.indentUnit, shape.eol))
      .join('');
    return { at: shape.lastEnd, insert, resume: shape.lastEnd };
  }
  // An empty array ("[]", "[\n]", maybe with a BOM): lay the records out as a new file would, between its brackets.
  const text = (await readFile(file)).toString('latin1');
  const openAt = text.indexOf('[');
  const closeAt = text.lastIndexOf(']');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const insert = eol + '  ' + records.map((r) => formatRecord(r, true, '  ', '  ', eol)).join(',' + eol + '  ') + eol;
  return { at: openAt + 1, insert, resume: closeAt };
}

/** Appends in progress, by absolute path. */
const pending = new Map<string, Promise<AppendResult>>();

/**
 * Appends `records` to a dataset file, atomically, leaving every existing byte as it was (new records
 * are spliced in after the last record of an array, or added as lines to JSON Lines). A missing (or
 * zero-byte) file is created: JSON Lines for a .jsonl name, otherwise a pretty-printed array.
 *
 * Refuses with an AppendRecordsError, writing nothing, when the file is not a sound JSON array / JSON
 * Lines file, or when its detected kind is not `expectedKind` (an empty file or array fits any kind).
 */
export async function appendRecords(
  file: string,
  records: readonly AppendedRecord[],
  expectedKind: DatasetKind,
  opts: AppendOptions = {},
): Promise<AppendResult> {
  const shown = path.resolve(file);
  // Two quick "Keep both" clicks on one file: the second waits for the first instead of failing.
  const previous = pending.get(shown) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => appendNow(shown, records, expectedKind, opts));
  pending.set(shown, run);
  try {
    return await run;
  } finally {
    if (pending.get(shown) === run) pending.delete(shown);
  }
}

async function appendNow(
  shown: string,
  records: readonly AppendedRecord[],
  expectedKind: DatasetKind,
  opts: AppendOptions,
): Promise<AppendResult> {
  const fail = (why: string): never => {
    throw new AppendRecordsError(shown, why);
  };
  try {
    return await appendChecked(shown, records, expectedKind, fail, opts);
  } catch (err) {
    // a cancel is not a failure to explain: the caller tests for it by type
    if (err instanceof AppendRecordsError || isAbortError(err)) throw err;
    // file system errors (permissions, a full disk): the target is untouched all the same
    return fail((err as Error).message);
  }
}

async function appendChecked(
  shown: string,
  records: readonly AppendedRecord[],
  expectedKind: DatasetKind,
  fail: (why: string) => never,
  opts: AppendOptions,
): Promise<AppendResult> {
  if (records.length === 0) fail('there are no records to append');
  // The records themselves must be what the file is for, by the same detector the views use.
  const own = detectFromRecords([...records]).kind;
  if (own !== expectedKind) fail(`the records to append are ${describeKind(own)}, not ${describeKind(expectedKind)}`);

  // Follow a symbolic link, so the link stays and the file it points to gets the records.
  const target = await realpath(shown).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  const before = target === undefined ? undefined : await stat(target);
  if (before && !before.isFile()) fail('it is not a regular file');

  if (!before || before.size === 0) {
    const dest = target ?? shown;
    await writeAtomic(dest, async (out) => {
      await out.writeFile(freshContent(records, isJsonlName(dest)));
      if (before) await out.chmod(before.mode & 0o7777);
      await ensureUnchanged(dest, before, fail);
    });
    return { path: shown, appended: records.length, total: records.length };
  }

  const dest = target!;
  let shape: FileShape;
  try {
    shape = await readShape(dest, opts);
  } catch (err) {
    if (isAbortError(err)) throw err;
    return fail(`it is not a valid JSON array or JSON Lines file: ${(err as Error).message}`);
  }
  if (shape.records > 0) {
    const detection = await detectFile(dest);
    if (detection.kind !== expectedKind) fail(`it is ${describeKind(detection.kind)}, not ${describeKind(expectedKind)}`);
  }
  const splice = await planSplice(dest, before.size, shape, records);
  opts.signal?.throwIfAborted(); // the last moment a cancel leaves the file as it was without undoing anything
  const src = await open(dest, 'r');
  try {
    await writeAtomic(dest, async (out) => {
      await copyRange(src, out, 0, splice.at);
      await writeAll(out, Buffer.from(shape.asciiOnly ? asciiJson(splice.insert) : splice.insert, 'utf8'));
      await copyRange(src, out, splice.resume, before.size);
      // the new file replaces the old one: give it the old one's permissions
      await out.chmod(before.mode & 0o7777);
      await ensureUnchanged(dest, before, fail);
    });
  } finally {
    await src.close();
  }
  return { path: shown, appended: records.length, total: shape.records + records.length };
}

/** Another program wrote the file while it was being read: the splice would lose its change. */
async function ensureUnchanged(file: string, before: Stats | undefined, fail: (why: string) => never): Promise<void> {
  const now = await stat(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  const same =
    before === undefined
      ? now === undefined
      : now !== undefined && now.size === before.size && now.mtimeMs === before.mtimeMs && now.ino === before.ino;
  if (!same) fail('the file changed while the records were being added (try again)');
}
