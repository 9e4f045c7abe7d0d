// `npm run bench:datasets`: builds a ~200 MB preference-pair file (JSON array, and the same as JSONL)
// by repeating the project's own demo pairs, then measures the viewer's core and the full pass of
// `esc stats` (validate + summarise every record) side by side with JSON.parse(fs.readFileSync()) in
// Node and json.load in Python. Each measurement runs in its own process so peak memory is its own.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DatasetIndex } from '../../src/core/dataset/datasetIndex';
import { analyzeFile } from '../../src/core/dataset/validate';
import { writeBigPreferenceFile } from '../../test/fixtures/bigPreferenceFile';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, '.bench');
const TARGET_BYTES = Number(process.env.ESC_BENCH_MB ?? 200) * 1024 * 1024;
const SEARCH = 'feeling';

interface Measure {
  ms: number;
  peakAddedMB: number;
  extra?: Record<string, number>;
}

function build(): { json: string; jsonl: string } {
  mkdirSync(OUT, { recursive: true });
  const json = path.join(OUT, `pref_generator_${TARGET_BYTES >> 20}MB.json`);
  const jsonl = json.replace(/\.json$/, '.jsonl');
  return { json: writeBigPreferenceFile(ROOT, json, TARGET_BYTES), jsonl: writeBigPreferenceFile(ROOT, jsonl, TARGET_BYTES * 0.88) };
}

/** Runs one measurement in this process (child mode) and prints it as JSON. */
async function child(mode: string, file: string): Promise<void> {
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  let extra: Record<string, number> | undefined;
  if (mode === 'json-parse') {
    const text = readFileSync(file, 'utf8');
    // JSON Lines: what a notebook does, one JSON.parse per line
    const data = file.endsWith('.jsonl')
      ? text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown)
      : (JSON.parse(text) as unknown[]);
    extra = { records: data.length };
  } else if (mode === 'full-pass') {
    // what `esc stats` does: one pass that validates and summarises every record
    const { report } = await analyzeFile(file, { summarize: true });
    extra = { records: report.records, invalid: report.invalidRecords };
  } else {
    const idx = new DatasetIndex(file);
    let firstRecordsMs = 0;
    await idx.index({ firstRecords: () => (firstRecordsMs = performance.now() - t0) });
    const indexMs = performance.now() - t0;
    const indexPeak = process.resourceUsage().maxRSS * 1024;
    if (mode === 'index') {
      // first page as the viewer gets it: rows 0..99 summarised from their byte ranges
      const f0 = performance.now();
      const fresh = new DatasetIndex(file);
      let firstPageMs = 0;
      await new Promise<void>((resolve) => {
        void fresh.index({
          firstRecords: () => {
            void fresh.rows(0, 100).then(() => {
              firstPageMs = performance.now() - f0;
              resolve();
            });
          },
        });
      });
      extra = { records: idx.count, firstRecordsMs, firstPageMs };
      process.stdout.write(JSON.stringify({ ms: indexMs, peakAddedMB: (indexPeak - before) / 2 ** 20, extra }));
      return;
    }
    if (mode === 'stats') {
      const a0 = performance.now();
      await idx.analyze();
      extra = { analyzeMs: performance.now() - a0, invalid: idx.invalidCount };
    } else if (mode === 'search') {
      const s0 = performance.now();
      const info = await idx.query({ search: { text: SEARCH, regex: false, caseSensitive: false }, facets: {}, sort: 'file' });
      const searchMs = performance.now() - s0;
      const r0 = performance.now();
      const rx = await idx.query({ search: { text: 'feel(ing|s)?\\b', regex: true, caseSensitive: false }, facets: {}, sort: 'file' });
      extra = { searchMs, records: info.total, matches: info.matches ?? 0, regexMs: performance.now() - r0, regexRecords: rx.total };
    }
  }
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ms, peakAddedMB: (peak - before) / 2 ** 20, extra } satisfies Measure));
}

function run(mode: string, file: string): Measure {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', __filename, '--child', mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Measure;
}

function python(file: string): Measure | undefined {
  try {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import json,sys,time,resource\nb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\nt=time.perf_counter()\nf=sys.argv[1]\nd=json.load(open(f,encoding="utf-8")) if f.endswith(".json") else [json.loads(l) for l in open(f,encoding="utf-8") if l.strip()]\nms=(time.perf_counter()-t)*1000\np=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\nprint(json.dumps({"ms":ms,"peakAddedMB":(p-b)/1024,"extra":{"records":len(d)}}))',
        file,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(out) as Measure;
  } catch {
    return undefined;
  }
}

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);
const f0 = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const files = build();
  for (const [label, file] of [
    ['JSON array', files.json],
    ['JSONL', files.jsonl],
  ] as const) {
    const mb = statSync(file).size / 2 ** 20;
    // every measurement reads the file from the page cache: warm it first, or the first one pays for the disk
    execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const index = run('index', file);
    const stats = run('stats', file);
    const fullPass = run('full-pass', file);
    const search = run('search', file);
    const baseline = run('json-parse', file);
    const py = python(file);
    const mbps = (m: Measure): string => f0(mb / (m.ms / 1000));
    console.log(`\n${label}: ${path.relative(ROOT, file)} — ${f1(mb)} MB, ${f0(index.extra!.records!)} records`);
    console.log('| measure | ESC Studio | JSON.parse(readFileSync) (Node) | json.load (Python) |');
    console.log('|---|---|---|---|');
    console.log(`| index time | ${f0(index.ms)} ms | ${f0(baseline.ms)} ms | ${py ? f0(py.ms) + ' ms' : 'n/a'} |`);
    console.log(`| throughput | ${mbps(index)} MB/s | ${mbps(baseline)} MB/s | ${py ? mbps(py) + ' MB/s' : 'n/a'} |`);
    console.log(`| speed-up vs JSON.parse | ${f1(baseline.ms / index.ms)}x | 1.0x | |`);
    console.log(
      `| first page (first 200 records known, rows 0–99 summarised) | ${f0(index.extra!.firstPageMs!)} ms | ${f0(baseline.ms)} ms (whole parse) | ${py ? f0(py.ms) + ' ms' : 'n/a'} |`,
    );
    console.log(
      `| full pass, \`esc stats\` (validate + summarise every record) | ${f0(fullPass.ms)} ms | ${f0(baseline.ms)} ms (parse only) | ${py ? f0(py.ms) + ' ms' : 'n/a'} |`,
    );
    console.log(
      `| full pass / JSON.parse: time, peak memory | ${f2(fullPass.ms / baseline.ms)}x, ${f2(fullPass.peakAddedMB / baseline.peakAddedMB)}x | 1.00x, 1.00x | |`,
    );
    console.log(`| viewer statistics (index, then the full pass) | ${f0(stats.ms)} ms | | |`);
    console.log(
      `| full-text search "${SEARCH}" over every record | ${f0(search.extra!.searchMs!)} ms (${f0(search.extra!.records!)} records, ${f0(search.extra!.matches!)} matches) | | |`,
    );
    console.log(`| regex search /feel(ing|s)?\\b/i | ${f0(search.extra!.regexMs!)} ms | | |`);
    console.log(
      `| peak memory added while indexing | ${f0(index.peakAddedMB)} MB (${f1((100 * index.peakAddedMB) / mb)}% of file) | ${f0(baseline.peakAddedMB)} MB | ${py ? f0(py.peakAddedMB) + ' MB' : 'n/a'} |`,
    );
    console.log(`| peak memory added, full pass | ${f0(fullPass.peakAddedMB)} MB | ${f0(baseline.peakAddedMB)} MB | |`);
    console.log(`| peak memory added, viewer statistics | ${f0(stats.peakAddedMB)} MB | | |`);
  }
}

if (process.argv[2] === '--child') {
  void child(process.argv[3]!, process.argv[4]!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  void main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
