// A blind pairwise review of two runs over the same split (issue 10 §3): the review items (one per
// record: the context, the seeker's last message, both replies), the blind order each item is shown
// in, and the judgement file.
//
// The judgement file is JSON Lines: a header line {review: 1, a, b, seed, created} (a and b relative
// to the file's folder, so a moved workspace keeps working) and one line per judgement {item,
// annotator, choice: 'a'|'b'|'tie', shown: 'ab'|'ba', note?, at}. Judgements are only ever appended,
// one write per line, fsync'd; a kill leaves at most a torn line, which reading ignores (and says so)
// and the next append ends first. A later judgement of the same item by the same annotator overrides
// the earlier one. The blind order is a hash of the header's seed and the item, so it survives a
// reload (and is the same for every annotator of the file) without looking like a pattern.
//
// The gold reply travels with each item; the page hides it unless the annotator asks for it (seeing it
// first biases the choice towards the reply closer to it).

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readAllRecords } from '../json/readRecords';
import { reviewResult, type Choice, type ReviewResult, type Verdict } from './reviewStats';

export type { Choice } from './reviewStats';

/** Which run was shown first: 'ab' = run A first. */
export type Shown = 'ab' | 'ba';
/** The key pressed: 1 = the first reply shown is better, 2 = the second, 0 = tie. */
export type Pick = 1 | 2 | 0;

export interface ReviewHeader {
  review: 1;
  /** Run A's file, relative to the review file's folder (or absolute on another drive). */
  a: string;
  b: string;
  seed: string;
  created: string;
  /**
   * What each run's replies were when the review started (runFingerprint): a run rewritten since
   * (inference rerun into the same file) must not have its new replies counted with judgements made
   * on the old ones. Absent in files written before it existed.
   */
  fingerprints?: { a: string; b: string };
}

export interface Judgement extends Verdict {
  shown: Shown;
  note?: string;
  /** ISO time of the judgement. */
  at: string;
}

export interface ContextMessage {
  speaker: 'seeker' | 'supporter';
  text: string;
}

export interface ReviewItem {
  index: number;
  /** The conversation before the seeker's last message (system prompts left out). */
  context: ContextMessage[];
  /** The seeker's last message: what both replies answer. Empty when the history ends otherwise. */
  seeker: string;
  replyA: string;
  replyB: string;
  gold: string;
}

/** The file cannot be used for a review: one line saying why (which record, which file). */
export class ReviewError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SEEKER_ROLES = new Set(['user', 'human', 'seeker', 'usr']);
const SUPPORTER_ROLES = new Set(['assistant', 'gpt', 'supporter', 'sys', 'bot']);

/** A chat message in either tag layout (role/content or from/value); undefined for system and unknown roles. */
function contextMessage(m: unknown): ContextMessage | undefined {
  if (!isObject(m)) return undefined;
  const role = typeof m.role === 'string' ? m.role : typeof m.from === 'string' ? m.from : undefined;
  const text = typeof m.content === 'string' ? m.content : typeof m.value === 'string' ? m.value : undefined;
  if (role === undefined || text === undefined) return undefined;
  const r = role.toLowerCase();
  if (SEEKER_ROLES.has(r)) return { speaker: 'seeker', text };
  if (SUPPORTER_ROLES.has(r)) return { speaker: 'supporter', text };
  return undefined;
}

/** A supporter turn's leading strategy tag ("[Question] "), which vanilla histories carry. */
const LEADING_TAG = /^\s*\[[^\]\n]*\]\s*/;

/** The dialogue as the annotator sees it: seeker and supporter turns, system prompts dropped, tags stripped. */
function seenContext(conversations: readonly unknown[]): ContextMessage[] {
  return conversations
    .map(contextMessage)
    .filter((m): m is ContextMessage => m !== undefined)
    .map((m) => (m.speaker === 'supporter' ? { speaker: m.speaker, text: m.text.replace(LEADING_TAG, '') } : m));
}

function inferenceRecord(r: unknown, index: number, name: string): { conversations: unknown[]; gold: string; reply: string } {
  if (!isObject(r)) throw new ReviewError(`${name}: record ${index} is not an object (not an inference file, FORMATS.md §5)`);
  for (const field of ['GT_content', 'predict_content'] as const) {
    if (typeof r[field] !== 'string') {
      throw new ReviewError(`${name}: record ${index} has no ${field} string (not an inference file, FORMATS.md §5)`);
    }
  }
  if (!Array.isArray(r.conversations)) {
    throw new ReviewError(`${name}: record ${index} has no conversations list (not an inference file, FORMATS.md §5)`);
  }
  return { conversations: r.conversations, gold: r.GT_content as string, reply: r.predict_content as string };
}

/**
 * The review items of two runs' records. The runs must be over the same split: as many records, and
 * each record's conversation and GT_content equal; otherwise a ReviewError names the first record that
 * differs and how. `names` label the files in the messages.
 */
export function pairRuns(
  a: readonly unknown[],
  b: readonly unknown[],
  names: { a: string; b: string } = { a: 'run A', b: 'run B' },
): ReviewItem[] {
  if (a.length === 0) throw new ReviewError(`${names.a} has no records`);
  if (a.length !== b.length) {
    throw new ReviewError(`not the same split: ${names.a} has ${a.length} records, ${names.b} has ${b.length}`);
  }
  return a.map((ra, index) => {
    const x = inferenceRecord(ra, index, names.a);
    const y = inferenceRecord(b[index], index, names.b);
    if (x.gold !== y.gold) {
      throw new ReviewError(`not the same split: record ${index} has another GT_content in ${names.a} than in ${names.b}`);
    }
    // Runs of different modes write the same history in different shapes (vanilla: the system prompt
    // and "[Strategy] " tags; decoupled: neither, FORMATS.md §7), so the dialogue is compared as seen.
    const messages = seenContext(x.conversations);
    if (JSON.stringify(messages) !== JSON.stringify(seenContext(y.conversations))) {
      throw new ReviewError(`not the same split: record ${index} has another conversation in ${names.a} than in ${names.b}`);
    }
    const last = messages.at(-1);
    const seeker = last?.speaker === 'seeker' ? last.text : '';
    return { index, context: seeker ? messages.slice(0, -1) : messages, seeker, replyA: x.reply, replyB: y.reply, gold: x.gold };
  });
}

/** Reads both inference files and pairs them (pairRuns); file names in the errors. */
export async function loadReviewItems(fileA: string, fileB: string): Promise<ReviewItem[]> {
  const read = async (file: string): Promise<unknown[]> => {
    try {
      return await readAllRecords(file);
    } catch (err) {
      throw new ReviewError(`${path.basename(file)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const [a, b] = await Promise.all([read(fileA), read(fileB)]);
  const names =
    path.basename(fileA) === path.basename(fileB) ? { a: fileA, b: fileB } : { a: path.basename(fileA), b: path.basename(fileB) };
  return pairRuns(a, b, names);
}

/** The order item `index` is shown in: a hash of the session's seed and the index (random-looking, stable). */
export function shownOrder(seed: string, index: number): Shown {
  return (createHash('sha256').update(`${seed}:${index}`).digest()[0]! & 1) === 0 ? 'ab' : 'ba';
}

/** A digest of one side's replies (with the gold replies, so another split differs too). */
export function runFingerprint(items: readonly ReviewItem[], side: 'a' | 'b'): string {
  const h = createHash('sha256');
  for (const it of items) h.update(`${side === 'a' ? it.replyA : it.replyB}\u0000${it.gold}\u0000`);
  return h.digest('hex').slice(0, 32);
}

/** Refuses a review whose runs changed since it started (their replies are not the ones judged). */
function checkFingerprints(file: string, header: ReviewHeader, items: readonly ReviewItem[]): void {
  if (!header.fingerprints) return;
  for (const side of ['a', 'b'] as const) {
    if (header.fingerprints[side] !== runFingerprint(items, side)) {
      throw new ReviewError(
        `${header[side]} has changed since ${path.basename(file)} was started: its replies are not the ones judged; start a new review file to judge the new outputs`,
      );
    }
  }
}

/** The run a key press prefers, given the order the item was shown in. */
export function choiceFor(pick: Pick, shown: Shown): Choice {
  if (pick === 0) return 'tie';
  const firstIsA = shown === 'ab';
  return (pick === 1) === firstIsA ? 'a' : 'b';
}

/** The key that gives `choice` in the order `shown` (to show an earlier judgement on the page). */
export function pickFor(choice: Choice, shown: Shown): Pick {
  if (choice === 'tie') return 0;
  return (choice === 'a') === (shown === 'ab') ? 1 : 2;
}

export function newHeader(reviewFile: string, fileA: string, fileB: string, now = new Date(), items?: readonly ReviewItem[]): ReviewHeader {
  const dir = path.dirname(path.resolve(reviewFile));
  const rel = (f: string): string => {
    const r = path.relative(dir, path.resolve(f));
    return path.isAbsolute(r) ? r : r.split(path.sep).join('/');
  };
  return {
    review: 1,
    a: rel(fileA),
    b: rel(fileB),
    seed: randomBytes(8).toString('hex'),
    created: now.toISOString(),
    ...(items ? { fingerprints: { a: runFingerprint(items, 'a'), b: runFingerprint(items, 'b') } } : {}),
  };
}

/** The runs' files of a header, as absolute paths. */
export function runFiles(reviewFile: string, header: ReviewHeader): { a: string; b: string } {
  const dir = path.dirname(path.resolve(reviewFile));
  return { a: path.resolve(dir, header.a), b: path.resolve(dir, header.b) };
}

/**
 * Writes a new judgement file holding only its header. The file is created exclusively ('wx'): when two
 * windows start the same review at once, the second is refused instead of replacing the first's file.
 */
export async function createReviewFile(reviewFile: string, header: ReviewHeader): Promise<void> {
  await mkdir(path.dirname(reviewFile), { recursive: true });
  let fh;
  try {
    fh = await open(reviewFile, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ReviewError(`${path.basename(reviewFile)} already exists; open it to resume, or choose another name`);
    }
    throw err;
  }
  try {
    await fh.writeFile(JSON.stringify(header) + '\n', 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface ReviewFileContents {
  header: ReviewHeader;
  /** Every judgement line in file order (re-judgements included; see latestJudgements). */
  judgements: Judgement[];
  /** 1-based line numbers of lines that are not judgements (a torn write), ignored. */
  ignoredLines: number[];
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isHeader(v: unknown): v is ReviewHeader {
  return isObject(v) && v.review === 1 && typeof v.a === 'string' && typeof v.b === 'string' && typeof v.seed === 'string' && v.seed !== '';
}

function isJudgement(v: unknown): v is Judgement {
  return (
    isObject(v) &&
    Number.isInteger(v.item) &&
    (v.item as number) >= 0 &&
    typeof v.annotator === 'string' &&
    v.annotator !== '' &&
    (v.choice === 'a' || v.choice === 'b' || v.choice === 'tie') &&
    (v.shown === 'ab' || v.shown === 'ba') &&
    (v.note === undefined || typeof v.note === 'string') &&
    typeof v.at === 'string'
  );
}

/**
 * Reads a judgement file. Lines that are not judgements (a torn write after a kill; the only thing
 * the append can leave) are ignored and listed in `ignoredLines`; a file whose first line is not a
 * review header is refused.
 */
export async function readReviewFile(reviewFile: string): Promise<ReviewFileContents> {
  let text: string;
  try {
    text = await readFile(reviewFile, 'utf8');
  } catch (err) {
    throw new ReviewError(`cannot read ${path.basename(reviewFile)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const lines = text.split('\n');
  const header = parseLine(lines[0] ?? '');
  if (!isHeader(header)) throw new ReviewError(`${path.basename(reviewFile)} is not a review file (its first line is not a review header)`);
  const judgements: Judgement[] = [];
  const ignoredLines: number[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const v = parseLine(line);
    if (isJudgement(v)) judgements.push(v);
    else ignoredLines.push(i + 2);
  });
  return { header, judgements, ignoredLines };
}

/**
 * Appends one judgement as one line in one write, then fsyncs. If the file does not end with a newline
 * (a torn line from a kill), a newline goes first so the judgement starts a line of its own.
 */
export async function appendJudgement(reviewFile: string, judgement: Judgement): Promise<void> {
  if (!isJudgement(judgement)) throw new ReviewError(`not a judgement: ${JSON.stringify(judgement)}`);
  // 'r+' and a write at the end, not 'a+': a review file deleted or moved while its page is open must
  // not come back as a file without its header (which every later open would refuse)
  let fh;
  try {
    fh = await open(reviewFile, 'r+');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReviewError(
      code === 'ENOENT'
        ? `${path.basename(reviewFile)} was deleted or moved; the judgement was not saved`
        : `cannot write ${path.basename(reviewFile)}: ${code ?? String(err)}`,
    );
  }
  try {
    const { size } = await fh.stat();
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    // the fields in one order, the note only when there is one
    const { item, annotator, choice, shown, note, at } = judgement;
    const line: Judgement = { item, annotator, choice, shown, ...(note ? { note } : {}), at };
    const bytes = Buffer.from(lead + JSON.stringify(line) + '\n', 'utf8');
    await fh.write(bytes, 0, bytes.length, size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The judgement that counts per (item, annotator): the last one in the file. Sorted by item, then annotator. */
export function latestJudgements(judgements: readonly Judgement[]): Judgement[] {
  const last = new Map<string, Judgement>();
  for (const j of judgements) last.set(`${j.item}\u0000${j.annotator}`, j);
  return [...last.values()].sort((x, y) => x.item - y.item || (x.annotator < y.annotator ? -1 : x.annotator > y.annotator ? 1 : 0));
}

/** Where an annotator resumes: the first item they have not judged; `count` when they have judged all. */
export function nextItem(latest: readonly Judgement[], annotator: string, count: number): number {
  const done = new Set(latest.filter((j) => j.annotator === annotator).map((j) => j.item));
  for (let i = 0; i < count; i++) if (!done.has(i)) return i;
  return count;
}

/**
 * An open review: the items, the file's judgements, and what a key press does. The extension holds
 * one per judgement file; every judgement is on disk before `judge` resolves.
 */
export class ReviewSession {
  private latestList: Judgement[];
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    readonly header: ReviewHeader,
    readonly items: readonly ReviewItem[],
    private all: Judgement[],
    /** Lines of the file ignored when it was read (torn writes). */
    readonly ignoredLines: readonly number[],
  ) {
    this.latestList = latestJudgements(all);
    const beyond = this.latestList.find((j) => j.item >= items.length);
    if (beyond) throw new ReviewError(`${path.basename(file)} judges item ${beyond.item}, but the runs have ${items.length} records`);
  }

  /** Opens an existing judgement file and the two runs its header names. */
  static async open(file: string): Promise<ReviewSession> {
    const contents = await readReviewFile(file);
    const runs = runFiles(file, contents.header);
    const items = await loadReviewItems(runs.a, runs.b);
    checkFingerprints(file, contents.header, items);
    return new ReviewSession(file, contents.header, items, contents.judgements, contents.ignoredLines);
  }

  /**
   * Opens `file` if it is a review of these two runs, or creates it. A file reviewing other runs is
   * refused (one file, one pair).
   */
  static async openOrCreate(file: string, fileA: string, fileB: string): Promise<ReviewSession> {
    const items = await loadReviewItems(fileA, fileB);
    let contents: ReviewFileContents | undefined;
    try {
      contents = await readReviewFile(file);
    } catch (err) {
      const missing = await readFile(file).then(
        () => false,
        () => true,
      );
      if (!missing) throw err;
    }
    if (contents) {
      const runs = runFiles(file, contents.header);
      if (runs.a !== path.resolve(fileA) || runs.b !== path.resolve(fileB)) {
        throw new ReviewError(
          `${path.basename(file)} reviews ${contents.header.a} against ${contents.header.b}; choose another file for this pair`,
        );
      }
      checkFingerprints(file, contents.header, items);
      return new ReviewSession(file, contents.header, items, contents.judgements, contents.ignoredLines);
    }
    const header = newHeader(file, fileA, fileB, new Date(), items);
    await createReviewFile(file, header);
    return new ReviewSession(file, header, items, [], []);
  }

  get runs(): { a: string; b: string } {
    return runFiles(this.file, this.header);
  }

  shown(index: number): Shown {
    return shownOrder(this.header.seed, index);
  }

  /** The judgements that count (the last per item and annotator). */
  get latest(): readonly Judgement[] {
    return this.latestList;
  }

  judgementOf(annotator: string, item: number): Judgement | undefined {
    return this.latestList.find((j) => j.annotator === annotator && j.item === item);
  }

  next(annotator: string): number {
    return nextItem(this.latestList, annotator, this.items.length);
  }

  judgedBy(annotator: string): number {
    return this.latestList.filter((j) => j.annotator === annotator).length;
  }

  result(): ReviewResult {
    return reviewResult(this.latestList);
  }

  /** Records `annotator`'s key press on `item` (appended and fsync'd before it resolves); returns the judgement. */
  judge(annotator: string, item: number, pick: Pick, note?: string, now = new Date()): Promise<Judgement> {
    if (!Number.isInteger(item) || item < 0 || item >= this.items.length) {
      return Promise.reject(new ReviewError(`no item ${item} (the review has ${this.items.length})`));
    }
    const shown = this.shown(item);
    const j: Judgement = { item, annotator, choice: choiceFor(pick, shown), shown, at: now.toISOString() };
    const trimmed = note?.trim();
    if (trimmed) j.note = trimmed;
    // one append at a time, in the order the judgements were made
    const write = this.writing.then(() => appendJudgement(this.file, j));
    this.writing = write.catch(() => undefined);
    return write.then(() => {
      this.all.push(j);
      this.latestList = latestJudgements(this.all);
      return j;
    });
  }
}
