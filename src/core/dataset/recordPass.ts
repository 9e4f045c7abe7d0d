// The full pass over a run of consecutive records: parse each one, check it against its kind's
// schema, summarise it. A run's results are plain data (a PassPart), so a run can be done on this
// thread or in a worker thread (passSplit.ts), and parts merged in file order give exactly what one
// sequential pass gives: the same problems in the same order, the same statistics.

import { parseRecord } from '../json/parseRecord';
import type { RecordSpan } from '../json/scanner';
import { isDatasetKind, type DetectedKind } from '../formats/kinds';
import { checkRecord } from '../formats/schemas';
import { StatsAccumulator, type StatsPart } from './stats';
import { summarize, type RecordSummary } from './summary';

export interface ValidationProblem {
  /** Record index, or undefined for file-level problems (encoding, top level). */
  index?: number;
  /** Byte offset in the file. */
  offset: number;
  /** JSON path from the file's root, e.g. `[12].messages[3].content`. */
  path: string;
  message: string;
}

export interface PassSettings {
  kind: DetectedKind;
  /** Problems kept per part (and per file): the first ones in file order. */
  maxProblems: number;
  /** Accumulate statistics as well as validating. */
  summarize: boolean;
  /** Keep an entry per record in the part (for onSummary). */
  summaries: boolean;
}

export interface PassPart {
  /** Records of the run that are invalid (syntax or schema). */
  invalid: number;
  /** A record of the run is not JSON (or not UTF-8). */
  syntaxError: boolean;
  /** The run's first problems, in file order (at most maxProblems). */
  problems: ValidationProblem[];
  /** Problems found, including those past maxProblems. */
  problemCount: number;
  stats?: StatsPart;
  /**
   * One entry per record (settings.summaries only): its summary, undefined when it is invalid, null
   * when it is valid but not summarised (summarize off, or the file is no ESC dataset).
   */
  summaries?: (RecordSummary | undefined | null)[];
}

/** Parses, checks and summarises records handed to it in file order; finish() gives the run's part. */
export class RecordPass {
  private readonly part: PassPart;
  private readonly stats: StatsAccumulator | undefined;
  private readonly kind;

  constructor(private readonly settings: PassSettings) {
    this.kind = isDatasetKind(settings.kind) ? settings.kind : undefined;
    this.stats = settings.summarize ? new StatsAccumulator(settings.kind) : undefined;
    this.part = { invalid: 0, syntaxError: false, problems: [], problemCount: 0, summaries: settings.summaries ? [] : undefined };
  }

  add(span: RecordSpan, bytes: Buffer): void {
    const parsed = parseRecord(bytes, span.start);
    if (!parsed.ok) {
      this.part.syntaxError = true;
      this.invalid({ index: span.index, offset: parsed.offset, path: `[${span.index}]`, message: parsed.message });
      return;
    }
    if (!this.kind) {
      this.part.summaries?.push(null); // not an ESC dataset: only JSON syntax can be checked
      return;
    }
    const issues = checkRecord(this.kind, parsed.value);
    if (issues.length > 0) {
      const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
      this.invalid({
        index: span.index,
        offset: span.start,
        path: `[${span.index}]${issues[0]!.path}`,
        message: issues[0]!.message + more,
      });
      return;
    }
    if (!this.stats) {
      this.part.summaries?.push(null);
      return;
    }
    const summary = summarize(this.kind, parsed.value);
    this.stats.add(summary);
    this.part.summaries?.push(summary);
  }

  finish(): PassPart {
    if (this.stats) this.part.stats = this.stats.part();
    return this.part;
  }

  private invalid(p: ValidationProblem): void {
    this.part.invalid++;
    this.part.problemCount++;
    if (this.part.problems.length < this.settings.maxProblems) this.part.problems.push(p);
    this.stats?.addInvalid();
    this.part.summaries?.push(undefined);
  }
}
