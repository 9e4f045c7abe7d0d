// The dataset viewer's model (runs in a worker thread): record byte ranges found by the streaming
// scanner, then per-record summaries and statistics from one analysis pass, then views (search,
// facets, sort) over them. Records are parsed on demand from their byte ranges.

import { open, type FileHandle } from 'node:fs/promises';
import { detectFile, type Detection } from '../formats/detect';
import { isDatasetKind, type DatasetKind } from '../formats/kinds';
import { analyzeFile, recordChecker, type ValidationProblem } from './validate';
import { parseRecord } from '../json/parseRecord';
import { recordView } from './recordView';
import { scanFile } from '../json/readFile';
import { forEachRecord, readRange } from '../json/recordReader';
import { compileSearch } from './search';
import { CancelledError } from '../util/cancel';
import type { DatasetStats } from './stats';
import { summarize, type RecordSummary } from './summary';
import {
  FACETS,
  RAW_TEXT_LIMIT,
  type Facet,
  type FacetValue,
  type IndexProgress,
  type RecordDetail,
  type RowSummary,
  type ViewInfo,
  type ViewQuery,
} from './viewTypes';

/** How many views the index keeps (see DatasetIndex.views). */
export const MAX_VIEWS = 8;

const facetValues = (s: RecordSummary, f: Facet): readonly string[] => {
  switch (f) {
    case 'strategy':
      return s.strategyFacet;
    case 'rejected':
      return s.rejectedFacet;
    case 'emotion':
      return s.emotion === undefined ? [] : [s.emotion];
    case 'problem':
      return s.problem === undefined ? [] : [s.problem];
    case 'errorType':
      return s.errorTypes;
    case 'retained':
      return s.retained === undefined ? [] : [s.retained];
  }
};

export interface IndexEvents {
  progress?: (p: IndexProgress) => void;
  /** The first records are known: a first page can be shown before the whole file is indexed. */
  firstRecords?: (count: number) => void;
  /** Awaited once after the first records are announced, before the rest is indexed (it may hold the scan). */
  afterFirstRecords?: () => Promise<void>;
}

export class DatasetIndex {
  private handle: FileHandle | undefined;
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  count = 0;
  size = 0;
  detection: Detection | undefined;
  /** Problems of the structure (truncation, encoding) and of records (syntax, schema). */
  problems: ValidationProblem[] = [];
  invalidCount = 0;
  stats: DatasetStats | undefined;
  private summaries: (RecordSummary | undefined)[] = [];
  private invalid = new Uint8Array(0);
  analyzed = false;
  indexMs = 0;
  analyzeMs = 0;
  /**
   * Views by version: each panel on the file (they share this index) has its own, so a query of one
   * panel does not take the rows from under another. Bounded (MAX_VIEWS, the most recent kept): on a
   * file of millions of records each view is a Uint32Array of up to `count` entries (4 bytes a record),
   * so views of panels long closed must not pile up. The worker also drops a panel's view once its next
   * one is made (dropView), so in practice only panels beyond MAX_VIEWS lose theirs.
   */
  private readonly views = new Map<number, Uint32Array>();
  private version = 0;
  /** The newest view made (0: none yet, all records in file order). */
  private newest = 0;

  constructor(readonly path: string) {}

  get kind(): DatasetKind | 'unknown' {
    return this.detection?.kind ?? 'unknown';
  }

  /** Phase 1: the kind from the head, then every record's byte range. */
  async index(events: IndexEvents = {}, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    this.detection = await detectFile(this.path);
    this.handle = await open(this.path, 'r');
    const FIRST_PAGE = 200;
    let announced = false;
    let held = false;
    let lastProgress = 0;
    const scan = await scanFile(this.path, {
      signal,
      between: () => {
        if (!announced || held) return undefined;
        held = true;
        return events.afterFirstRecords?.();
      },
      onRecord: (span) => {
        if (this.count === this.starts.length) this.grow();
        this.starts[this.count] = span.start;
        this.ends[this.count] = span.end;
        this.count++;
        if (!announced && this.count >= FIRST_PAGE) {
          announced = true;
          events.firstRecords?.(this.count);
        }
      },
      onProgress: (bytes, size) => {
        this.size = size;
        const now = performance.now();
        if (now - lastProgress > 100) {
          lastProgress = now;
          events.progress?.({ phase: 'indexing', bytes, size, records: this.count });
        }
      },
    });
    this.size = scan.size;
    for (const p of scan.problems) {
      this.problems.push({ index: p.index, offset: p.offset, path: p.index === undefined ? '' : `[${p.index}]`, message: p.message });
    }
    if (this.detection.problem && this.problems.length === 0) {
      const p = this.detection.problem;
      this.problems.push({ offset: p.offset, path: '', message: p.message });
    }
    this.invalid = new Uint8Array(this.count);
    this.summaries = new Array(this.count);
    this.indexMs = performance.now() - started;
    if (!announced) events.firstRecords?.(this.count);
  }

  private grow(): void {
    const s = new Float64Array(this.starts.length * 2);
    s.set(this.starts);
    this.starts = s;
    const e = new Float64Array(this.ends.length * 2);
    e.set(this.ends);
    this.ends = e;
  }

  /** Phase 2: validate and summarise every record (facets, sorting, statistics, problem list). */
  async analyze(events: IndexEvents = {}, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    if (!isDatasetKind(this.kind)) {
      this.analyzed = true;
      return;
    }
    let lastProgress = 0;
    const recordProblems: ValidationProblem[] = [];
    const { report, stats } = await analyzeFile(this.path, {
      kind: this.kind,
      summarize: true,
      signal,
      maxProblems: 10_000,
      onSummary: (span, summary) => {
        if (span.index >= this.count) return;
        this.summaries[span.index] = summary;
        if (!summary) this.invalid[span.index] = 1;
      },
      onProgress: (bytes, size) => {
        const now = performance.now();
        if (now - lastProgress > 100) {
          lastProgress = now;
          events.progress?.({ phase: 'analyzing', bytes, size, records: this.count });
        }
      },
    });
    for (const p of report.problems) if (p.index !== undefined && p.index < this.count) recordProblems.push(p);
    // structure problems came from indexing; record problems (syntax inside a record, schema) from analysis
    this.problems = [...this.problems.filter((p) => p.index === undefined || p.index >= this.count), ...recordProblems].sort(
      (a, b) => a.offset - b.offset,
    );
    this.invalidCount = report.invalidRecords;
    this.stats = stats;
    this.analyzed = true;
    this.analyzeMs = performance.now() - started;
  }

  /** Applies a subset, search, facet selection and sort; returns the new view's size and facet counts. */
  async query(q: ViewQuery, events: IndexEvents = {}, signal?: AbortSignal): Promise<ViewInfo> {
    const version = ++this.version;
    const n = this.count;
    // the subset as a mask over the file: out-of-range indices drop out, duplicates count once
    let inSubset: Uint8Array | undefined;
    let subsetTotal: number | undefined;
    if (q.subset) {
      inSubset = new Uint8Array(n);
      subsetTotal = 0;
      for (const i of q.subset.indices) {
        if (Number.isInteger(i) && i >= 0 && i < n && inSubset[i] === 0) {
          inSubset[i] = 1;
          subsetTotal++;
        }
      }
    }
    let matched: Uint8Array | undefined;
    let perRecordMatches: Uint32Array | undefined;
    let searchMs: number | undefined;
    let searchError: string | undefined;
    if (q.search && q.search.text !== '') {
      const t0 = performance.now();
      try {
        const compiled = compileSearch(q.search);
        matched = new Uint8Array(n);
        perRecordMatches = new Uint32Array(n);
        let lastProgress = 0;
        await forEachRecord(
          this.handle!,
          this.starts,
          this.ends,
          n,
          (i, bytes) => {
            if (inSubset && !inSubset[i]) return;
            const raw = bytes.toString('utf8');
            if (!compiled.mayMatch(raw)) return;
            const parsed = parseRecord(bytes, this.starts[i]!);
            if (!parsed.ok) return;
            let c: number;
            try {
              c = compiled.count(parsed.value);
            } catch {
              return; // a pathological record must not end the whole search
            }
            if (c > 0) {
              matched![i] = 1;
              perRecordMatches![i] = c;
            }
            const now = performance.now();
            if (now - lastProgress > 150) {
              lastProgress = now;
              events.progress?.({ phase: 'searching', bytes: this.starts[i]!, size: this.size, records: n });
            }
          },
          signal,
        );
      } catch (err) {
        if (err instanceof SyntaxError) searchError = err.message;
        else throw err;
        matched = new Uint8Array(n);
      }
      searchMs = performance.now() - t0;
    }
    // a newer query of the same panel started while this one searched (the caller aborts it): it owns that panel's view now
    signal?.throwIfAborted();
    const selected = FACETS.filter((f) => q.facets[f] !== undefined);
    const passesFacets = (i: number, except?: Facet): boolean => {
      if (selected.length === 0) return true;
      const s = this.summaries[i];
      if (!s) return false;
      for (const f of selected) if (f !== except && !facetValues(s, f).includes(q.facets[f]!)) return false;
      return true;
    };
    const ids: number[] = [];
    const inView = (i: number): boolean => (!inSubset || inSubset[i] === 1) && (!matched || matched[i] === 1);
    for (let i = 0; i < n; i++) if (inView(i) && passesFacets(i)) ids.push(i);
    this.sortIds(ids, q.sort);
    this.keepView(version, Uint32Array.from(ids));
    let matches: number | undefined;
    if (perRecordMatches) {
      matches = 0;
      for (const i of ids) matches += perRecordMatches[i]!;
    }
    const facets: ViewInfo['facets'] = {};
    if (this.analyzed) {
      for (const f of FACETS) {
        const counts = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          const s = this.summaries[i];
          if (!s || !inView(i) || !passesFacets(i, f)) continue;
          for (const v of new Set(facetValues(s, f))) counts.set(v, (counts.get(v) ?? 0) + 1);
        }
        if (counts.size > 0 || q.facets[f] !== undefined) {
          facets[f] = [...counts]
            .map(([value, count]): FacetValue => ({ value, count }))
            .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
        }
      }
    }
    return { version, total: ids.length, ...(subsetTotal === undefined ? {} : { subsetTotal }), facets, matches, searchMs, searchError };
  }

  private sortIds(ids: number[], sort: ViewQuery['sort']): void {
    if (sort === 'file' || !this.analyzed) return;
    const key = (i: number): number => {
      const s = this.summaries[i];
      if (!s) return -1;
      return sort.startsWith('length') ? s.sortLength : s.turns;
    };
    const dir = sort.endsWith('desc') ? -1 : 1;
    ids.sort((a, b) => (key(a) - key(b)) * dir || a - b);
  }

  /** Whether a view is one an open panel shows (set by the worker): such a view is never evicted. */
  inUse: (version: number) => boolean = () => false;

  private keepView(version: number, view: Uint32Array): void {
    this.views.set(version, view);
    this.newest = Math.max(this.newest, version);
    // the oldest made first (Map keeps insertion order), skipping views open panels show: with more
    // than MAX_VIEWS panels open on one file each keeps its own
    for (const old of this.views.keys()) {
      if (this.views.size <= MAX_VIEWS) break;
      if (old !== version && !this.inUse(old)) this.views.delete(old);
    }
  }

  /** Forgets a view no one will ask for again (its panel has a newer one). */
  dropView(version: number): void {
    this.views.delete(version);
  }

  /**
   * The records of view `version` in order (undefined: all records in file order, before any query);
   * a view dropped or evicted is refused, like rows of a superseded view: the panel asks again on its next view.
   */
  private viewOf(version: number): Uint32Array | undefined {
    if (version === 0) return undefined;
    const view = this.views.get(version);
    if (!view) throw new CancelledError(`view ${version} is gone (superseded or evicted)`);
    return view;
  }

  /** Rows [start, start+count) of view `version` (the newest by default); records not analysed yet are summarised now. */
  async rows(start: number, count: number, version = this.newest): Promise<RowSummary[]> {
    const view = this.viewOf(version);
    const total = view ? view.length : this.count;
    const out: RowSummary[] = [];
    for (let k = start; k < Math.min(total, start + count); k++) {
      const index = view ? view[k]! : k;
      let s = this.summaries[index];
      let invalid = this.invalid[index] === 1;
      if (!s && !invalid && isDatasetKind(this.kind)) {
        const parsed = parseRecord(await readRange(this.handle!, this.starts[index]!, this.ends[index]!), this.starts[index]!);
        if (parsed.ok) s = summarize(this.kind, parsed.value);
        else invalid = true;
      }
      out.push({
        index,
        snippet: s?.snippet ?? '',
        strategies: s?.strategies ?? [],
        turns: s?.turns ?? 0,
        length: s?.sortLength ?? 0,
        ...(invalid ? { invalid } : {}),
      });
    }
    return out;
  }

  /** Position of a record in view `version` (the newest by default), for jumping to it, or -1. */
  positionOf(index: number, version = this.newest): number {
    const view = this.viewOf(version);
    if (!view) return index < this.count ? index : -1;
    return view.indexOf(index);
  }

  async record(index: number): Promise<RecordDetail> {
    if (index < 0 || index >= this.count) throw new RangeError(`no record ${index}`);
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    const bytes = await readRange(this.handle!, start, end);
    const parsed = parseRecord(bytes, start);
    const raw = bytes.toString('utf8');
    const problems = this.problems.filter((p) => p.index === index).map((p) => ({ path: p.path, message: p.message }));
    if (!parsed.ok && problems.length === 0) problems.push({ path: `[${index}]`, message: parsed.message });
    if (parsed.ok && problems.length === 0 && isDatasetKind(this.kind) && !this.analyzed) {
      for (const issue of recordChecker(this.kind)(parsed.value)) {
        problems.push({ path: `[${index}]${issue.path}`, message: issue.message });
      }
    }
    return {
      index,
      kind: this.kind,
      start,
      end,
      value: parsed.ok ? parsed.value : undefined,
      view: parsed.ok && isDatasetKind(this.kind) ? recordView(this.kind, parsed.value) : undefined,
      // the webview pretty-prints `value`; raw text is only needed when the record does not parse
      raw: parsed.ok ? '' : raw.slice(0, RAW_TEXT_LIMIT),
      rawTruncated: !parsed.ok && raw.length > RAW_TEXT_LIMIT,
      problems,
    };
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
