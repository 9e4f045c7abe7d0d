// `npm run bench:eval`: `esc eval` against the Python reference (scripts/bench/eval_reference.py: NLTK
// tokens and BLEU, sklearn's f1_score, the paper's formulas) on the same two inference files of 1,355
// turns each, side by side: wall time of each as a process, and of the scoring alone in-process, and a
// check that both give the same numbers (every number of `--json` to 1e-9; exit 1 when they disagree).
//
// The inference files are built into .bench/ (never committed): from the first 1,355 supporter turns of
// the paper's test split when ../shared/data/ESC_sft_test.json is beside the repo, each turn "predicting"
// another turn's gold response and strategy (some predictions null, off-list or upper case, as files
// from other tools have them); from the demo inference file repeated otherwise. ESC_SHARED_DATA names
// another data folder (as for the tests); ESC_BENCH_RUNS sets how many runs (fresh processes) make each
// median, 5 by default: a 2-core machine shared with other work needs a few.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { evaluateFile } from '../../src/core/eval/evaluate';
import { STRATEGIES } from '../../src/core/strategies';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, '.bench');
const SHARED_TEST = path.join(process.env.ESC_SHARED_DATA || path.resolve(ROOT, '..', 'shared', 'data'), 'ESC_sft_test.json');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const REFERENCE = path.join(ROOT, 'scripts', 'bench', 'eval_reference.py');
const TURNS = 1_355;
const RUNS = Number(process.env.ESC_BENCH_RUNS ?? 5);
const TOLERANCE = 1e-9;
const TARGET = 5;

interface Turn {
  history: { role: string; content: string }[];
  strategy: string;
  text: string;
}

/** Supporter turns of the real test split: the "[Strategy] text" assistant messages, with what came before. */
function realTurns(): Turn[] {
  const dialogues = JSON.parse(readFileSync(SHARED_TEST, 'utf8')) as { messages: { role: string; content: string }[] }[];
  const turns: Turn[] = [];
  for (const d of dialogues) {
    const messages = d.messages.filter((m) => m.role !== 'system');
    messages.forEach((m, i) => {
      const tagged = m.role === 'assistant' ? /^\[([^\]]*)\]\s*(.*)$/s.exec(m.content) : null;
      if (tagged && (STRATEGIES as readonly string[]).includes(tagged[1]!)) {
        turns.push({ history: messages.slice(0, i), strategy: tagged[1]!, text: tagged[2]! });
      }
    });
  }
  return turns;
}

/** The demo inference file's gold turns (our own data), for a machine without the paper's data. */
function demoTurns(): Turn[] {
  const records = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'data', 'inference_demo.json'), 'utf8')) as {
    conversations: { role: string; content: string }[];
    GT_strategy: string;
    GT_content: string;
  }[];
  return records.map((r) => ({ history: r.conversations, strategy: r.GT_strategy, text: r.GT_content }));
}

/**
 * Writes two inference files of TURNS records: turn i's gold against the prediction of turn i+shift
 * (its response and strategy). The second file has some predictions null, off-list or upper case.
 */
function build(): { files: string[]; source: string } {
  const real = existsSync(SHARED_TEST);
  const pool = real ? realTurns() : demoTurns();
  const turns = Array.from({ length: TURNS }, (_, i) => pool[i % pool.length]!);
  mkdirSync(OUT, { recursive: true });
  const files = [1, 3].map((shift, f) => {
    const records = turns.map((turn, i) => {
      const other = turns[(i + shift) % turns.length]!;
      const strategy =
        f === 0
          ? other.strategy
          : i % 17 === 0
            ? null
            : i % 23 === 0
              ? 'Advice'
              : i % 5 === 0
                ? other.strategy.toUpperCase()
                : other.strategy;
      return {
        conversations: turn.history,
        GT_strategy: turn.strategy,
        predict_strategy: strategy,
        GT_content: turn.text,
        predict_content: other.text,
      };
    });
    const file = path.join(OUT, `eval_${real ? 'test_split' : 'demo'}_${TURNS}_${f === 0 ? 'a' : 'b'}.json`);
    writeFileSync(file, JSON.stringify(records, null, 2) + '\n');
    return path.relative(ROOT, file);
  });
  const source = real
    ? `the first ${TURNS} supporter turns of ESC_sft_test.json (${pool.length} in all)`
    : `the demo inference file's ${pool.length} turns, repeated`;
  return { files, source };
}

/** The interpreter the differential tests use (test/reference/python.ts): the first that imports nltk and sklearn. */
const PYTHON_CANDIDATES = [process.env.ESC_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
const findPython = (): string | undefined =>
  PYTHON_CANDIDATES.find((python) => spawnSync(python, ['-c', 'import nltk, sklearn'], { stdio: 'ignore' }).status === 0);

/** Child mode: scores the files in this process, twice (cold, then warm), and prints the times and the runs. */
async function child(files: string[]): Promise<void> {
  const t0 = performance.now();
  const runs = [];
  for (const f of files) runs.push(await evaluateFile(f));
  const coldMs = performance.now() - t0;
  const t1 = performance.now();
  for (const f of files) await evaluateFile(f);
  const warmMs = performance.now() - t1;
  process.stdout.write(JSON.stringify({ coldMs, warmMs, runs }));
}

interface Timed {
  ms: number;
  output: { runs: unknown[] };
  innerMs?: number;
  warmMs?: number;
}

function timed(command: string, args: string[], parse: (stdout: string, stderr: string) => Omit<Timed, 'ms'>): Timed {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return { ms, ...parse(r.stdout, r.stderr) };
}

const inProcess = (files: string[]): Timed =>
  timed(process.execPath, [__filename, '--child', ...files], (out) => {
    const o = JSON.parse(out) as { coldMs: number; warmMs: number; runs: unknown[] };
    return { output: { runs: o.runs }, innerMs: o.coldMs, warmMs: o.warmMs };
  });
const cliProcess = (files: string[]): Timed =>
  timed(process.execPath, [CLI, 'eval', '--json', ...files], (out) => ({ output: JSON.parse(out) as { runs: unknown[] } }));
const pythonProcess = (python: string, files: string[]): Timed =>
  timed(python, [REFERENCE, ...files, '--timing'], (out, err) => ({
    output: JSON.parse(out) as { runs: unknown[] },
    innerMs: (JSON.parse(err.trim().split('\n').pop()!) as { ms: number }).ms,
  }));

/** Every difference between two `--json` outputs: other keys, other strings, numbers further apart than TOLERANCE. */
function differences(actual: unknown, expected: unknown, at = ''): { diffs: string[]; numbers: number; maxDiff: number } {
  const result = { diffs: [] as string[], numbers: 0, maxDiff: 0 };
  const walk = (a: unknown, e: unknown, where: string): void => {
    if (typeof a === 'number' && typeof e === 'number') {
      const d = Math.abs(a - e);
      result.numbers++;
      result.maxDiff = Math.max(result.maxDiff, d);
      if (!(d <= TOLERANCE)) result.diffs.push(`${where}: esc ${a}, Python ${e}`);
    } else if (a !== null && e !== null && typeof a === 'object' && typeof e === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
      for (const k of keys) {
        if (!(k in a) || !(k in e)) result.diffs.push(`${where}/${k}: only in ${k in a ? 'esc' : 'Python'}`);
        else walk((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${where}/${k}`);
      }
    } else if (a !== e) {
      result.diffs.push(`${where}: esc ${JSON.stringify(a)}, Python ${JSON.stringify(e)}`);
    }
  };
  walk(actual, expected, at);
  return result;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const ms = (x: number): string => `${Math.round(x).toLocaleString('en-US')} ms`;
const times = (x: number): string => `${x.toFixed(1)}x`;

async function main(): Promise<void> {
  const { files, source } = build();
  if (!existsSync(CLI)) {
    console.log('dist/cli.js is missing: building it (node scripts/build.mjs)');
    const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('the build failed');
  }
  const python = findPython();
  const mb = files.reduce((a, f) => a + statSync(path.join(ROOT, f)).size, 0) / 2 ** 20;
  console.log(`\nTwo inference files of ${TURNS} turns (${source}): ${files.join(', ')} — ${mb.toFixed(1)} MB in all`);

  const samples: { inp: Timed; cli: Timed; py?: Timed }[] = [];
  for (let i = 0; i < RUNS; i++) {
    samples.push({ inp: inProcess(files), cli: cliProcess(files), py: python ? pythonProcess(python, files) : undefined });
  }
  const inCold = median(samples.map((s) => s.inp.innerMs!));
  const inWarm = median(samples.map((s) => s.inp.warmMs!));
  const cli = median(samples.map((s) => s.cli.ms));
  const py = python ? median(samples.map((s) => s.py!.ms)) : undefined;
  const pyInner = python ? median(samples.map((s) => s.py!.innerMs!)) : undefined;
  const vs = (pyMs: number | undefined, esc: number): string => (pyMs === undefined ? 'n/a' : times(pyMs / esc));
  const na = (x: number | undefined): string => (x === undefined ? 'n/a' : ms(x));

  console.log(`wall times, median of ${RUNS} runs; each run is a fresh process`);
  console.log('| measure | esc eval | Python reference (NLTK + sklearn) | speed-up |');
  console.log('|---|---|---|---|');
  console.log(
    `| whole process: \`node dist/cli.js eval --json\` vs \`python3 eval_reference.py\` | ${ms(cli)} | ${na(py)} | ${vs(py, cli)} |`,
  );
  console.log(`| scoring only, in-process (first call, after imports) | ${ms(inCold)} | ${na(pyInner)} | ${vs(pyInner, inCold)} |`);
  console.log(`| scoring only, in-process, second pass (warm) | ${ms(inWarm)} | | |`);

  if (!python) {
    console.log(
      `\nPython reference skipped: needs python3 with nltk and sklearn (tried ${PYTHON_CANDIDATES.join(', ')}): run scripts/setup-reference.sh`,
    );
    return;
  }
  // the same numbers: every run of every sample, the CLI's output and the in-process one, against Python's
  let numbers = 0;
  let maxDiff = 0;
  const diffs: string[] = [];
  for (const s of samples) {
    for (const [what, t] of [
      ['esc eval process', s.cli],
      ['in-process', s.inp],
    ] as const) {
      const d = differences(t.output, s.py!.output, what);
      numbers += d.numbers;
      maxDiff = Math.max(maxDiff, d.maxDiff);
      diffs.push(...d.diffs);
    }
  }
  if (diffs.length === 0) {
    console.log(
      `\nsame numbers: yes — ${numbers} numbers compared, largest difference ${maxDiff.toExponential(1)} (tolerance ${TOLERANCE})`,
    );
  } else {
    console.log(`\nsame numbers: NO — ${diffs.length} differences (tolerance ${TOLERANCE}), first ones:`);
    for (const d of diffs.slice(0, 20)) console.log(`  ${d}`);
    process.exitCode = 1;
  }
  const speedUp = py! / cli;
  console.log(
    `target (at least ${TARGET}x faster than the Python reference, as processes): ${speedUp >= TARGET ? 'met' : 'NOT met'} (${times(speedUp)})`,
  );
}

if (process.argv[2] === '--child') {
  void child(process.argv.slice(3)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  void main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
