// The full pass (analyzeFile: the check compiled from the schemas, batches, worker threads) against the plain zod
// path it replaced: every record classified, checked with schema.safeParse, summarised in one
// sequential loop. Both must give the same verdicts, problems (paths and messages), statistics and
// summaries, on the real files and on records broken on purpose in every way the walk below finds.

import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { parseRecord } from '../../src/core/json/parseRecord';
import { scanFile } from '../../src/core/json/readFile';
import type { RecordSpan } from '../../src/core/json/scanner';
import { classifyRecord } from '../../src/core/formats/classify';
import { detectFile } from '../../src/core/formats/detect';
import { DATASET_KINDS, isDatasetKind, type DatasetKind, type DetectedKind } from '../../src/core/formats/kinds';
import { checkRecord, recordIssues, schemaFor, type RecordIssue } from '../../src/core/formats/schemas';
import { PassWorkers } from '../../src/core/dataset/passBatches';
import { StatsAccumulator } from '../../src/core/dataset/stats';
import { clip, summarize, type RecordSummary } from '../../src/core/dataset/summary';
import { analyzeFile, type AnalyzeOptions, type ValidationProblem } from '../../src/core/dataset/validate';
import { DEMO_DATA, sharedData, SHARED_DATA, tempDir } from './helpers';

/** The check as it was: classify the record, build its kind's schema, parse with the zod runtime. */
function zodIssues(kind: DatasetKind, value: unknown): RecordIssue[] {
  const layout = classifyRecord(value);
  const result = schemaFor(kind, { ...layout, kind }).safeParse(value);
  return result.success ? [] : recordIssues(result.error);
}

/** The pass as it was: one loop over the records with the zod path above. */
async function zodPass(file: string, opts: { kind?: DatasetKind; maxProblems?: number } = {}) {
  const maxProblems = opts.maxProblems ?? 1000;
  const detection = await detectFile(file);
  const kind: DetectedKind = opts.kind ?? detection.kind;
  const problems: ValidationProblem[] = [];
  let total = 0;
  const add = (p: ValidationProblem): void => {
    total++;
    if (problems.length < maxProblems) problems.push(p);
  };
  const stats = new StatsAccumulator(kind);
  const summaries: [RecordSpan, RecordSummary | undefined][] = [];
  let invalidRecords = 0;
  let syntaxError = false;
  const invalid = (span: RecordSpan, p: ValidationProblem): void => {
    invalidRecords++;
    add(p);
    stats.addInvalid();
    summaries.push([span, undefined]);
  };
  const scan = await scanFile(file, {
    keepBytes: true,
    onRecord: (span, bytes) => {
      const parsed = parseRecord(bytes!, span.start);
      if (!parsed.ok) {
        syntaxError = true;
        invalid(span, { index: span.index, offset: parsed.offset, path: `[${span.index}]`, message: parsed.message });
        return;
      }
      if (!isDatasetKind(kind)) return;
      const issues = zodIssues(kind, parsed.value);
      if (issues.length > 0) {
        const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
        invalid(span, {
          index: span.index,
          offset: span.start,
          path: `[${span.index}]${issues[0]!.path}`,
          message: issues[0]!.message + more,
        });
        return;
      }
      const summary = summarize(kind, parsed.value);
      stats.add(summary);
      summaries.push([span, summary]);
    },
  });
  for (const p of scan.problems) {
    syntaxError = true;
    if (p.index !== undefined && p.index >= scan.records) invalidRecords++;
    add({ index: p.index, offset: p.offset, path: p.index === undefined ? '' : `[${p.index}]`, message: p.message });
  }
  if (!isDatasetKind(kind) && scan.records > 0) {
    add({
      offset: 0,
      path: '',
      message: `Cannot validate: this is not an ESC dataset (${detection.layout.reason ?? 'unknown layout'}). Pass a kind explicitly if it is one.`,
    });
  }
  problems.sort((a, b) => a.offset - b.offset);
  const report = {
    file,
    kind,
    container: detection.container,
    records: scan.records,
    invalidRecords,
    problems,
    truncatedList: total > problems.length,
    parseable: !syntaxError,
    valid: total === 0,
  };
  return { report, stats: { ...stats.result(), records: scan.records, invalid: invalidRecords }, summaries };
}

/** analyzeFile with the summaries it reports, in the order it reports them. */
async function fullPass(file: string, opts: AnalyzeOptions) {
  const summaries: [RecordSpan, RecordSummary | undefined][] = [];
  const { report, stats } = await analyzeFile(file, { ...opts, summarize: true, onSummary: (span, s) => summaries.push([span, s]) });
  return { report, stats, summaries };
}

/** The ways the pass may be run: all on this thread, and shared with a worker in small batches (some done here, some there). */
const SPLITS = [{ workers: 0 }, { workers: 1, batchBytes: 4096 }];

async function assertSamePass(file: string, opts: { kind?: DatasetKind; maxProblems?: number } = {}): Promise<void> {
  const expected = await zodPass(file, opts);
  for (const split of SPLITS) {
    const actual = await fullPass(file, { ...opts, split });
    const what = `${path.basename(file)} with ${JSON.stringify(split)}`;
    assert.deepStrictEqual(actual, expected, what);
    // the order of labels in the tables too (deepStrictEqual ignores key order; `esc stats` prints it)
    assert.equal(JSON.stringify(actual.stats), JSON.stringify(expected.stats), what);
  }
}

// ---- crafted records ---------------------------------------------------------------------------

const load = (file: string): unknown[] => {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.jsonl')
    ? text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as unknown)
    : (JSON.parse(text) as unknown[]);
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const clone = <T>(v: T): T => structuredClone(v);

const FROM: Record<string, string> = { user: 'human', assistant: 'gpt', system: 'system' };
const asFromValue = (m: Json): Json =>
  m && typeof m === 'object' && !Array.isArray(m) && typeof m.role === 'string'
    ? { from: FROM[m.role] ?? m.role, value: m.content ?? null }
    : m;

/** The same record in the other layouts FORMATS.md allows: sharegpt from/value, TRL pairs (strings and message lists). */
function layouts(record: Json): Json[] {
  const r = record as Record<string, Json>;
  const out: Json[] = [record];
  const key = Array.isArray(r.messages) ? 'messages' : Array.isArray(r.conversations) ? 'conversations' : undefined;
  if (key) {
    const fv: Record<string, Json> = { ...clone(r), [key]: (r[key] as Json[]).map(asFromValue) };
    if ('chosen' in r) Object.assign(fv, { chosen: asFromValue(r.chosen!), rejected: asFromValue(r.rejected!) });
    out.push(fv);
  }
  if ('chosen' in r && Array.isArray(r.conversations)) {
    const text = (m: Json): Json => (m && typeof m === 'object' && !Array.isArray(m) ? (m.content ?? null) : m);
    const { conversations, chosen, rejected, ...rest } = clone(r);
    out.push({ ...rest, prompt: conversations!, chosen: text(chosen!), rejected: text(rejected!) });
    out.push({ ...rest, prompt: conversations!, chosen: [chosen!], rejected: [rejected!] });
  }
  return out;
}

const VALUES: Json[] = [null, 42, true, '', ' ', 'x', 'Question', '[Question] x', '[Nonsense] x', [], {}, { role: 'user', content: 'x' }];

/** Every record one change away from `record`: each value (at any depth) removed or replaced, each list item dropped or repeated. */
function* broken(record: Json): Generator<Json> {
  function* at(node: Json, edit: (replace: (v: Json | undefined) => Json) => Json): Generator<Json> {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const without = node.filter((_, j) => j !== i);
        yield edit(() => without);
        yield edit(() => [...node.slice(0, i + 1), ...node.slice(i)]);
        for (const v of VALUES) yield edit(() => node.map((x, j) => (j === i ? v : x)));
        yield* at(node[i]!, (replace) => edit(() => node.map((x, j) => (j === i ? replace(x) : x))));
      }
      return;
    }
    for (const k of Object.keys(node)) {
      const without = { ...node };
      delete without[k];
      yield edit(() => without);
      for (const v of VALUES) yield edit(() => ({ ...node, [k]: v }));
      yield* at(node[k]!, (replace) => edit(() => ({ ...node, [k]: replace(node[k]) })));
    }
  }
  yield* at(record, (replace) => replace(record));
}

/** Up to two records of each demo file per kind, in every layout. */
function seeds(): Map<DatasetKind, Json[]> {
  const byKind = new Map<DatasetKind, Json[]>();
  for (const name of readdirSync(DEMO_DATA)) {
    for (const record of load(path.join(DEMO_DATA, name)).slice(0, 2) as Json[]) {
      const kind = classifyRecord(record).kind;
      if (!isDatasetKind(kind)) continue;
      byKind.set(kind, [...(byKind.get(kind) ?? []), ...layouts(record)]);
    }
  }
  return byKind;
}

describe('full pass: compiled check and worker split give what the zod path gives', () => {
  it('the worker bundle is found, so the split is really exercised', async () => {
    const workers = new PassWorkers(1);
    assert.equal(workers.threads.length, 1);
    await workers.stop();
  });

  it('every crafted record gets the same verdict and problems, for every kind and layout', () => {
    const byKind = seeds();
    assert.deepEqual([...byKind.keys()].sort(), [...DATASET_KINDS].sort(), 'the demo data has records of every kind');
    let invalid = 0;
    let checked = 0;
    for (const [kind, records] of byKind) {
      // each record checked as its own kind and as every other (a file may be forced to a kind)
      for (const record of records) {
        for (const as of DATASET_KINDS) {
          for (const variant of as === kind ? [record, ...broken(record)] : [record]) {
            const expected = zodIssues(as, variant);
            const actual = checkRecord(as, variant);
            if (!isDeepStrictEqual(actual, expected)) {
              assert.deepStrictEqual(actual, expected, `${kind} record checked as ${as}: ${JSON.stringify(variant)}`);
            }
            checked++;
            if (expected.length > 0) invalid++;
          }
        }
      }
    }
    assert.ok(invalid > 1000 && checked - invalid > 100, `a mix of valid and invalid records (${checked} checked, ${invalid} invalid)`);
  });

  it('crafted files, JSON and JSON Lines: same report, statistics and summaries', async () => {
    const tmp = tempDir();
    try {
      for (const [kind, records] of seeds()) {
        // valid records in every layout, each followed by a few broken ones
        const mixed = records.flatMap((r) => [r, ...[...broken(r)].filter((_, i) => i % 37 === 0)]);
        const json = tmp.write(`${kind}.json`, JSON.stringify(mixed, null, 2));
        const lines = mixed.map((r) => JSON.stringify(r));
        lines.splice(3, 0, '{"broken": tru}'); // a syntax error inside a record
        const jsonl = tmp.write(`${kind}.jsonl`, lines.join('\n') + '\n');
        for (const file of [json, jsonl]) {
          await assertSamePass(file);
          await assertSamePass(file, { maxProblems: 3 });
        }
        const truncated = tmp.write(`${kind}-cut.json`, JSON.stringify(records, null, 2).slice(0, -40));
        await assertSamePass(truncated);
      }
    } finally {
      tmp.dispose();
    }
  });

  it('a file forced to the wrong kind, and a file of no ESC kind', async () => {
    const tmp = tempDir();
    try {
      const pairs = path.join(DEMO_DATA, 'pref_generator_demo.json');
      await assertSamePass(pairs, { kind: 'sft-vanilla' });
      await assertSamePass(pairs, { kind: 'esconv', maxProblems: 2 });
      await assertSamePass(tmp.write('other.jsonl', '{"a": 1}\n{"b": 2}\n{"c": \n'));
    } finally {
      tmp.dispose();
    }
  });

  it('a cancelled pass stops its workers and rejects with the abort', async () => {
    const tmp = tempDir();
    try {
      const pairs = load(path.join(DEMO_DATA, 'pref_generator_demo.json'));
      const file = tmp.write('big.jsonl', Array.from({ length: 3000 }, (_, i) => JSON.stringify(pairs[i % pairs.length])).join('\n'));
      const abort = new AbortController();
      const summarised: number[] = [];
      await assert.rejects(
        analyzeFile(file, {
          summarize: true,
          signal: abort.signal,
          split: { workers: 1, batchBytes: 4096 },
          onProgress: () => abort.abort(),
          onSummary: (span) => summarised.push(span.index),
        }),
        { name: 'AbortError' },
      );
      assert.ok(summarised.length < 3000, 'stopped before the end');
      // (a worker left running would keep this test process alive)
    } finally {
      tmp.dispose();
    }
  });

  it('the real splits (ESC_sft_test, ESC_sft_val, FailedESConv)', { skip: sharedData.skip }, async () => {
    for (const name of readdirSync(SHARED_DATA).filter((n) => /\.jsonl?$/.test(n))) {
      await assertSamePass(path.join(SHARED_DATA, name));
    }
  });
});

describe('snippets', () => {
  it('clip gives what collapsing all whitespace, trimming and cutting gives, for texts of every length', () => {
    const plain = (text: string): string => {
      const one = text.replace(/\s+/g, ' ').trim();
      return one.length > 140 ? one.slice(0, 139) + '…' : one;
    };
    // every character \s matches, and some that look like spaces but are not (zero-width space, Mongolian vowel separator)
    const spaces = [
      ' ',
      '\t',
      '\n',
      '\v',
      '\f',
      '\r',
      '\u00a0',
      '\u1680',
      '\u2000',
      '\u2005',
      '\u200a',
      '\u2028',
      '\u2029',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
    ];
    const pieces = ['a', 'word', 'é', '😀', '\u200b', '\u180e', '…', ...spaces, '  \n\t'];
    for (const c of spaces) assert.equal(c.replace(/\s/, ''), '', `${JSON.stringify(c)} is one of \\s`);
    // texts with one kind of gap throughout, around the cut (single spaces are not collapsed again)
    for (let words = 0; words < 80; words++) {
      for (const gap of [' ', '  ', '\n', ' \n', '\t']) {
        const text = Array.from({ length: words }, (_, i) => `w${i}`).join(gap);
        for (const t of [text, ` ${text}`, `${text} `, `${text}\n`]) assert.equal(clip(t), plain(t), JSON.stringify(t));
      }
    }
    // and every UTF-16 code unit between two words: clip's own test for a space agrees with \s on each
    for (let code = 0; code <= 0xffff; code++) {
      const text = `a${String.fromCharCode(code)}b`;
      if (clip(text) !== plain(text)) assert.equal(clip(text), plain(text), `U+${code.toString(16)}`);
    }
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const len = next() % 1200;
      while (text.length < len) text += pieces[next() % pieces.length];
      assert.equal(clip(text), plain(text), JSON.stringify(text));
    }
  });
});
