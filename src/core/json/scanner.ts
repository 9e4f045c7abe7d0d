// Streaming record scanner: finds the byte range of every record of a JSON-array or JSON Lines file
// without parsing it. Records are parsed on demand from their byte ranges, so a file of any size can
// be indexed in bounded memory, and a broken record (or a truncated file) is located exactly without
// hiding the valid ones around it.

export type Container = 'json-array' | 'jsonl';

export interface RecordSpan {
  index: number;
  /** Byte offset of the record's first byte. */
  start: number;
  /** Byte offset just past the record's last byte. */
  end: number;
}

export interface ScanProblem {
  /** `encoding`: not UTF-8; `structure`: the file is not a list of records; `syntax`: JSON syntax around records. */
  kind: 'encoding' | 'structure' | 'syntax';
  message: string;
  /** Byte offset in the file the problem is at. */
  offset: number;
  /** Index of the record concerned, when there is one. */
  index?: number;
}

export interface ScanResult {
  container: Container | undefined;
  bom: boolean;
  records: number;
  bytes: number;
  problems: ScanProblem[];
  /** Set when scanning stopped before the end of the file (maxRecords reached, or only the head was read). */
  stoppedEarly: boolean;
}

export interface ScannerOptions {
  /** Called for each record; `bytes` is given only with keepBytes and is valid only during the call. */
  onRecord?: (span: RecordSpan, bytes: Buffer | undefined) => void;
  keepBytes?: boolean;
  /** Stop after this many records (used to sniff the head of a file). */
  maxRecords?: number;
  /** The file name's hint: `.jsonl` files are read as JSON Lines even with a single record. */
  jsonlHint?: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;

const isWs = (b: number): boolean => b === 0x20 || b === NEWLINE || b === CR || b === 0x09;

type Expect = 'first' | 'value' | 'comma-or-end' | 'done';
type Mode = 'sniff' | 'array' | 'jsonl' | 'failed';

/** Push-based scanner. Feed it chunks with push(), then call end(). */
export class RecordScanner {
  private readonly opts: ScannerOptions;
  private mode: Mode = 'sniff';
  private offset = 0; // file offset of the next byte to be pushed
  private container: Container | undefined;
  private bom = false;
  private count = 0;
  private readonly problems: ScanProblem[] = [];
  private stopped = false;

  // sniffing: bytes seen before the container is known
  private sniffBuf: Buffer[] = [];
  private sniffLen = 0;

  // array mode
  private depth = 0;
  private inString = false;
  private escaped = false;
  private primitive = false;
  private expect: Expect = 'first';
  private recordStart = -1;
  private trailingReported = false;
  private lastCommaOffset = -1;

  // record bytes spanning chunks (keepBytes)
  private pieces: Buffer[] = [];

  // jsonl mode
  private lineStart = 0;

  constructor(opts: ScannerOptions = {}) {
    this.opts = opts;
  }

  get done(): boolean {
    return this.stopped;
  }

  /** `chunk` may be reused by the caller after this returns (only copies are kept). */
  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.mode === 'sniff') {
      // callers may reuse the chunk's memory for the next read: keep a copy
      this.sniffBuf.push(Buffer.from(chunk));
      this.sniffLen += chunk.length;
      const head = Buffer.concat(this.sniffBuf, this.sniffLen);
      if (!this.trySniff(head)) return;
      // Sniffing only looked: replay the whole head from offset 0.
      this.sniffBuf = [];
      this.sniffLen = 0;
      if ((this.mode as Mode) !== 'failed') this.feed(head, 0);
      return;
    }
    this.feed(chunk, this.offset);
  }

  /**
   * Finishes the scan. `partial` means only the head of the file was pushed: the cut is then not a
   * truncation, and a record running past it is neither reported nor counted.
   */
  end(partial = false): ScanResult {
    if (this.mode === 'sniff') {
      const head = Buffer.concat(this.sniffBuf, this.sniffLen);
      this.sniffBuf = [];
      this.sniffLen = 0;
      this.trySniff(head, !partial);
      if (this.mode !== 'sniff' && this.mode !== 'failed') this.feed(head, 0);
    }
    if (!this.stopped && !partial) {
      if (this.mode === 'array') this.finishArray();
      else if (this.mode === 'jsonl') this.finishJsonl();
    }
    return {
      container: this.container,
      bom: this.bom,
      records: this.count,
      bytes: this.offset,
      problems: this.problems,
      stoppedEarly: this.stopped || partial,
    };
  }

  /** Decides the container from the head; returns false while more bytes are needed. */
  private trySniff(head: Buffer, atEnd = false): boolean {
    let i = 0;
    if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
      return this.fail(
        'encoding',
        'The file is UTF-16 encoded; ESC datasets must be UTF-8. Re-save it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8).',
        0,
      );
    }
    if (head.length >= 4 && head.subarray(0, 4).includes(0)) {
      return this.fail(
        'encoding',
        'The file contains NUL bytes at its start: it is UTF-16/UTF-32 or binary, not UTF-8 JSON. Re-save it as UTF-8.',
        0,
      );
    }
    if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
      this.bom = true;
      i = 3;
    } else if (!atEnd && head.length < 3) {
      return false;
    }
    while (i < head.length && isWs(head[i])) i++;
    if (i >= head.length) {
      if (!atEnd) return false;
      return this.fail('structure', this.bom || head.length > 0 ? 'The file holds no JSON (only whitespace).' : 'The file is empty.', 0);
    }
    const first = head[i];
    if (first === LBRACKET) {
      this.mode = 'array';
      this.container = 'json-array';
      return true;
    }
    if (first === LBRACE) return this.sniffObjectStart(head, i, atEnd);
    return this.fail(
      'structure',
      `The top level is not an array of records or JSON Lines: it starts with ${JSON.stringify(String.fromCharCode(first))}.`,
      i,
    );
  }

  /**
   * A file starting with "{" is JSON Lines when its first non-blank line is a whole JSON value and
   * another record follows (or the name says .jsonl); a pretty-printed single object is not a dataset.
   */
  private sniffObjectStart(head: Buffer, i: number, atEnd: boolean): boolean {
    const lines: string[] = [];
    let pos = i;
    let complete = true;
    while (lines.length < 2) {
      const nl = head.indexOf(NEWLINE, pos);
      if (nl < 0) {
        if (!atEnd) complete = false;
        const last = head.subarray(pos).toString('utf8').trim();
        if (last) lines.push(last);
        break;
      }
      const line = head.subarray(pos, nl).toString('utf8').trim();
      if (line) lines.push(line);
      pos = nl + 1;
    }
    if (lines.length < 2 && !complete) return false; // need more of the file
    const parses = (text: string | undefined): boolean => {
      if (text === undefined) return false;
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    };
    const firstWhole = parses(lines[0]);
    if (this.opts.jsonlHint || (lines.length === 2 && (firstWhole || parses(lines[1])))) {
      this.mode = 'jsonl';
      this.container = 'jsonl';
      return true;
    }
    return this.fail(
      'structure',
      firstWhole
        ? 'The top level is a single JSON object, not an array of records or JSON Lines (one record per line).'
        : 'The top level is a JSON object, not an array of records or JSON Lines (one record per line).',
      i,
    );
  }

  private fail(kind: ScanProblem['kind'], message: string, offset: number): true {
    this.mode = 'failed';
    this.problems.push({ kind, message, offset });
    return true;
  }

  private feed(chunk: Buffer, base: number): void {
    this.offset = base + chunk.length;
    if (this.mode === 'array') this.feedArray(chunk, base);
    else if (this.mode === 'jsonl') this.feedJsonl(chunk, base);
  }

  private emit(start: number, end: number, bytes: Buffer | undefined): void {
    const span: RecordSpan = { index: this.count, start, end };
    this.count++;
    this.opts.onRecord?.(span, bytes);
    if (this.opts.maxRecords !== undefined && this.count >= this.opts.maxRecords) this.stopped = true;
  }

  /** Bytes of the record ending at chunk position `endPos` (exclusive). */
  private recordBytes(chunk: Buffer, base: number, endPos: number): Buffer | undefined {
    if (!this.opts.keepBytes) return undefined;
    const startPos = this.recordStart - base;
    if (this.pieces.length === 0) return chunk.subarray(Math.max(0, startPos), endPos);
    this.pieces.push(chunk.subarray(0, endPos));
    const out = Buffer.concat(this.pieces);
    this.pieces = [];
    return out;
  }

  private startRecord(at: number): void {
    this.recordStart = at;
    this.pieces = [];
  }

  private feedArray(chunk: Buffer, base: number): void {
    const n = chunk.length;
    let i = 0;
    if (base === 0 && this.bom) i = 3;
    while (i < n && !this.stopped) {
      if (this.inString) {
        const q = chunk.indexOf(QUOTE, i);
        if (q < 0) {
          // String runs past this chunk: remember whether it ends on a pending escape.
          let run = 0;
          while (n - 1 - run >= i && chunk[n - 1 - run] === BACKSLASH) run++;
          const pending = run === n - i ? this.escaped : false;
          this.escaped = (run + (pending ? 1 : 0)) % 2 === 1;
          break;
        }
        let run = 0;
        while (q - 1 - run >= i && chunk[q - 1 - run] === BACKSLASH) run++;
        if (q - run === i && this.escaped) run++;
        this.escaped = false;
        i = q + 1;
        if (run % 2 === 1) continue; // an escaped quote
        this.inString = false;
        if (this.depth === 1) {
          // a top-level string record ends here
          this.emit(this.recordStart, base + i, this.recordBytes(chunk, base, i));
          this.recordStart = -1;
          this.expect = 'comma-or-end';
        }
        continue;
      }
      const b = chunk[i];
      if (this.depth > 1) {
        if (b === QUOTE) this.inString = true;
        else if (b === LBRACE || b === LBRACKET) this.depth++;
        else if (b === RBRACE || b === RBRACKET) {
          this.depth--;
          if (this.depth === 1) {
            this.emit(this.recordStart, base + i + 1, this.recordBytes(chunk, base, i + 1));
            this.recordStart = -1;
            this.expect = 'comma-or-end';
          }
        }
        i++;
        continue;
      }
      if (this.depth === 0) {
        if (this.expect === 'first') {
          if (b === LBRACKET) {
            this.depth = 1;
            this.expect = 'value';
          }
          i++;
          continue;
        }
        if (!isWs(b) && !this.trailingReported) {
          this.trailingReported = true;
          this.problems.push({ kind: 'syntax', message: 'Unexpected content after the closing "]" of the array.', offset: base + i });
        }
        i++;
        continue;
      }
      // depth === 1: between records, or inside a number/true/false/null record
      if (this.primitive) {
        if (isWs(b) || b === COMMA || b === RBRACKET || b === RBRACE) {
          this.emit(this.recordStart, base + i, this.recordBytes(chunk, base, i));
          this.recordStart = -1;
          this.primitive = false;
          this.expect = 'comma-or-end';
        } else {
          i++;
          continue;
        }
      }
      if (isWs(b)) {
        i++;
        continue;
      }
      if (b === COMMA) {
        if (this.expect !== 'comma-or-end') {
          this.problems.push({
            kind: 'syntax',
            message: 'Unexpected "," between records (a record is missing).',
            offset: base + i,
            index: this.count,
          });
        }
        this.lastCommaOffset = base + i;
        this.expect = 'value';
        i++;
        continue;
      }
      if (b === RBRACKET || b === RBRACE) {
        if (b === RBRACE) {
          this.problems.push({
            kind: 'syntax',
            message: 'Unexpected "}" where a record or "]" was expected.',
            offset: base + i,
            index: this.count,
          });
        } else if (this.expect === 'value' && this.lastCommaOffset >= 0) {
          this.problems.push({ kind: 'syntax', message: 'Trailing "," before the closing "]".', offset: this.lastCommaOffset });
        }
        if (b === RBRACKET) {
          this.depth = 0;
          this.expect = 'done';
        }
        i++;
        continue;
      }
      if (this.expect === 'comma-or-end') {
        this.problems.push({ kind: 'syntax', message: `Missing "," before record ${this.count}.`, offset: base + i, index: this.count });
      }
      this.startRecord(base + i);
      if (b === LBRACE || b === LBRACKET) this.depth = 2;
      else if (b === QUOTE) this.inString = true;
      else this.primitive = true;
      this.expect = 'value';
      i++;
    }
    if (this.opts.keepBytes && this.recordStart >= 0 && !this.stopped) {
      this.pieces.push(Buffer.from(chunk.subarray(Math.max(0, this.recordStart - base))));
    }
  }

  private finishArray(): void {
    if (this.primitive && this.recordStart >= 0) {
      // a number/literal record at end of file with no closing bracket
      this.problems.push({
        kind: 'syntax',
        message: `The file ends inside record ${this.count} (it starts at byte ${this.recordStart}); the closing "]" is missing.`,
        offset: this.offset,
        index: this.count,
      });
      return;
    }
    if (this.depth > 1 || this.inString) {
      this.problems.push({
        kind: 'syntax',
        message: `The file ends inside record ${this.count}, which starts at byte ${this.recordStart}: it is truncated.`,
        offset: this.offset,
        index: this.count,
      });
      return;
    }
    if (this.depth === 1 || this.expect === 'first') {
      this.problems.push({
        kind: 'syntax',
        message: 'The file ends before the closing "]" of the array: it is truncated.',
        offset: this.offset,
      });
    }
  }

  // JSON Lines: each line is a record, trimmed of surrounding whitespace. The trim bounds are tracked
  // as the line streams past, so only keepBytes holds a line's bytes (memory stays bounded otherwise).
  private lineFirst = -1; // file offset of the line's first non-whitespace byte, or -1
  private lineLast = -1; // file offset just past its last non-whitespace byte

  private feedJsonl(chunk: Buffer, base: number): void {
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.stopped) {
      const nl = chunk.indexOf(NEWLINE, i);
      const segEnd = nl < 0 ? n : nl;
      this.trackSegment(chunk, base, i, segEnd);
      if (nl < 0) {
        // the line goes on in the next chunk; the caller may reuse this chunk's memory: copy
        if (this.opts.keepBytes) this.pieces.push(Buffer.from(chunk.subarray(i)));
        break;
      }
      this.endLine(this.opts.keepBytes ? this.takeLine(chunk.subarray(i, nl)) : undefined);
      this.lineStart = base + nl + 1;
      i = nl + 1;
    }
  }

  private trackSegment(chunk: Buffer, base: number, from: number, to: number): void {
    let j = from;
    if (base + j < 3 && this.bom) j = Math.max(j, 3 - base); // a BOM is not content
    if (this.lineFirst < 0) {
      while (j < to && isWs(chunk[j]!)) j++;
      if (j === to) return;
      this.lineFirst = base + j;
    }
    let k = to;
    while (k > j && isWs(chunk[k - 1]!)) k--;
    if (k > j) this.lineLast = base + k;
  }

  private takeLine(tail: Buffer): Buffer {
    if (this.pieces.length === 0) return tail;
    this.pieces.push(tail);
    const out = Buffer.concat(this.pieces);
    this.pieces = [];
    return out;
  }

  /** Emits the line that just ended, unless it was blank. `bytes` is the whole line (keepBytes only). */
  private endLine(bytes: Buffer | undefined): void {
    const first = this.lineFirst;
    const last = this.lineLast;
    this.lineFirst = this.lineLast = -1;
    if (first < 0) return;
    this.emit(first, last, bytes?.subarray(first - this.lineStart, last - this.lineStart));
  }

  private finishJsonl(): void {
    if (this.lineStart < this.offset) this.endLine(this.opts.keepBytes ? this.takeLine(Buffer.alloc(0)) : undefined);
  }
}
