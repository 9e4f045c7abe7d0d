// What the CLI run benchmarks (bench:infer, bench:mine) share: where things are, the stand-in
// server's delay (--delay / ESC_BENCH_DELAY_MS), dist/cli.js built when it is missing or stale, the
// input (the paper's test split when ../shared/data is beside the repo, else the demo's vanilla SFT
// file), the CLI run as a child process, and the role routes a run answers on.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StandIn } from '../../test/fixtures/openaiStandIn';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OUT = path.join(ROOT, '.bench');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
const SHARED_TEST = path.join(process.env.ESC_SHARED_DATA || path.resolve(ROOT, '..', 'shared', 'data'), 'ESC_sft_test.json');
const DEMO = path.join(ROOT, 'demo', 'data', 'sft_vanilla_demo.json');

/** The stand-in's delay per call: --delay, else ESC_BENCH_DELAY_MS, else `fallback` ms. */
export function delayMs(fallback: number): number {
  const i = process.argv.indexOf('--delay');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.ESC_BENCH_DELAY_MS;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--delay must be a number of milliseconds above 0 (got ${JSON.stringify(raw)})`);
  return n;
}

/**
 * Builds dist/cli.js when it is missing or `stale` says so of its text (`why`: "is missing", "is
 * missing or predates …"), says which input the run reads and returns it, and makes .bench/.
 */
export function prepareRun(why = 'is missing', stale: (cli: string) => boolean = () => false): string {
  if (!existsSync(CLI) || stale(readFileSync(CLI, 'utf8'))) {
    console.log(`dist/cli.js ${why}: building it (node scripts/build.mjs)`);
    const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('the build failed');
  }
  const input = existsSync(SHARED_TEST) ? SHARED_TEST : DEMO;
  console.log(
    input === SHARED_TEST
      ? `Input: the paper's test split, ${path.relative(ROOT, input)}`
      : `Input: the demo's vanilla SFT file, ${path.relative(ROOT, input)} (${SHARED_TEST} is not beside the repo)`,
  );
  mkdirSync(OUT, { recursive: true });
  return input;
}

export function runCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null; wallSeconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ stdout, stderr, code, wallSeconds: (performance.now() - started) / 1000 })),
  );
}

export const fmt = (x: number, digits = 1): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Fresh routes for one run (`tag`), so the recorded bodies of one run are freed before the next. */
export function roleRoutes(
  server: StandIn,
  tag: string,
  wait: { delayMs: number },
): { planner: string; generator: string; vanilla: string } {
  return {
    planner: server.route(`${tag}-sp`, () => ({ ...wait, content: 'Question' })),
    generator: server.route(`${tag}-rg`, () => ({ ...wait, content: 'How are you feeling about it now?' })),
    vanilla: server.route(`${tag}-vm`, () => ({ ...wait, content: '[Question] How are you feeling about it now?' })),
  };
}
