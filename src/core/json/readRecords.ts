// Every record of a JSON array or JSON Lines file, parsed, for callers that need them all in memory
// (esc eval, esc infer: a test split is a few MB). A small well-formed file is parsed whole with
// JSON.parse; anything unusual (too big, not UTF-8, broken, empty, one object) goes through the
// record scanner, which says what is wrong and where. Larger files are streamed by the scanner.

import { readFile, stat } from 'node:fs/promises';
import { parseRecord } from './parseRecord';
import { scanFile } from './readFile';

/** The file cannot be read as records: the first problem, in one line (byte offset or record index). */
export class UnreadableRecordsError extends Error {}

/** Files up to this size (a test split's inference output is a few MB) may be read whole; larger ones are streamed. */
const WHOLE_FILE_BYTES = 256 * 1024 * 1024;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The records of a well-formed file, parsed by JSON.parse in one go (a JSON array, or JSON Lines of one
 * object per line): for a small file the byte scanner costs more than the work
 * on its records (half of `esc eval`'s time on a test split). Undefined for
 * anything else (too big, not UTF-8, broken, empty, another shape): the scanner then reads the file and
 * says what is wrong and where, so the records and the errors are the scanner's either way.
 */
async function wellFormedRecords(path: string): Promise<unknown[] | undefined> {
  if ((await stat(path)).size > WHOLE_FILE_BYTES) return undefined;
  try {
    const text = strictUtf8.decode(await readFile(path));
    const first = /[^ \t\r\n]/.exec(text)?.[0];
    if (first === '[') {
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value) && value.length > 0 ? value : undefined;
    }
    if (first === '{') {
      const records = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
      // one object alone is the scanner's to judge (a single JSON object is not a list of records)
      return records.length > 1 && records.every(isObject) ? records : undefined;
    }
  } catch {
    // not UTF-8 or not JSON: the scanner explains
  }
  return undefined;
}

/** The records in file order; UnreadableRecordsError at the first syntax, encoding or truncation problem. */
export async function readAllRecords(path: string, signal?: AbortSignal): Promise<unknown[]> {
  const quick = await wellFormedRecords(path);
  signal?.throwIfAborted();
  if (quick) return quick;
  const records: unknown[] = [];
  let broken: string | undefined;
  const scan = await scanFile(path, {
    signal,
    keepBytes: true,
    onRecord: (span, bytes) => {
      if (broken !== undefined || !bytes) return;
      const parsed = parseRecord(bytes, span.start);
      if (parsed.ok) records.push(parsed.value);
      else broken = `record ${span.index} (byte ${parsed.offset}): ${parsed.message}`;
    },
  });
  const problem = scan.problems[0];
  if (problem) throw new UnreadableRecordsError(`byte ${problem.offset}: ${problem.message}`);
  if (broken !== undefined) throw new UnreadableRecordsError(broken);
  return records;
}
