// `npm run bench:infer [-- --delay <ms>]`: `esc infer`'s throughput against a local stand-in
// OpenAI-compatible server (test/fixtures/openaiStandIn.ts, on 127.0.0.1 in this process) that answers
// every chat completion after a fixed delay (50 ms unless --delay or ESC_BENCH_DELAY_MS says
// otherwise), so the figures measure the runner — the pool, the checkpoint's synchronous appends, the
// HTTP client, the final write — and not a model. The real CLI runs as a child process (dist/cli.js,
// built first when missing) in vanilla mode (one call per turn) and decoupled mode (planner then
// generator: two calls in a row per turn) at concurrency 1, 8 and 32, over the paper's test split
// when ../shared/data/ESC_sft_test.json is beside the repo (ESC_SHARED_DATA names another folder),
// else the demo's vanilla SFT file. Concurrency 1 runs only the first 200 turns (--limit 200): the
// whole split one call at a time would take minutes and measure the same thing.
//
// The baseline is the ideal: with N calls in flight, each taking exactly the delay, N × 1000 / delay
// calls per second. Outputs and checkpoints go to .bench/ (never committed).

import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { StandIn } from '../../test/fixtures/openaiStandIn';
import { delayMs, fmt, OUT, prepareRun, roleRoutes, runCli } from './standInRun';

const CONCURRENCY = [1, 8, 32] as const;
const MODES = ['vanilla', 'decoupled'] as const;
/** Turns run at concurrency 1. */
const SERIAL_LIMIT = 200;

interface Result {
  mode: string;
  concurrency: number;
  records: number;
  calls: number;
  /** The runner's own time (esc infer --json `seconds`: reading the input and starting the models excluded). */
  seconds: number;
  /** The whole child process. */
  wallSeconds: number;
}

async function main(): Promise<void> {
  const delay = delayMs(50);
  const input = prepareRun();

  const server = new StandIn();
  await server.start();
  const wait = { delayMs: delay };
  const results: Result[] = [];
  try {
    for (const mode of MODES) {
      for (const concurrency of CONCURRENCY) {
        const tag = `${mode}-c${concurrency}`;
        const { planner, generator, vanilla } = roleRoutes(server, tag, wait);
        const out = path.join(OUT, `infer-${tag}.json`);
        rmSync(out, { force: true });
        rmSync(`${out}.checkpoint.jsonl`, { force: true });
        const models =
          mode === 'vanilla' ? ['--vanilla', `${vanilla}#bench`] : ['--planner', `${planner}#bench`, '--generator', `${generator}#bench`];
        const limit = concurrency === 1 ? ['--limit', String(SERIAL_LIMIT)] : [];
        const r = await runCli([
          'infer',
          input,
          '--out',
          out,
          '--mode',
          mode,
          ...models,
          '--concurrency',
          String(concurrency),
          ...limit,
          '--json',
        ]);
        if (r.code !== 0) throw new Error(`esc infer (${tag}) exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
        const s = JSON.parse(r.stdout) as { records: number; calls: number; seconds: number };
        results.push({ mode, concurrency, records: s.records, calls: s.calls, seconds: s.seconds, wallSeconds: r.wallSeconds });
        server.bodies.clear();
        server.raw.clear();
        console.log(`  ${tag}: ${s.records} turns, ${s.calls} calls in ${fmt(s.seconds, 2)} s`);
      }
    }
  } finally {
    await server.close();
  }

  console.log(
    `\nesc infer against a stand-in server answering every call after ${delay} ms (${cpus().length} cores; the server runs in this process, the CLI as a child process).`,
  );
  console.log(
    `Concurrency 1 runs the first ${SERIAL_LIMIT} turns; the others run every turn. Ideal = concurrency × 1000 / ${delay} calls/s.`,
  );
  console.log('| mode | concurrency | turns | turns/s | calls/s | ideal calls/s | of ideal | whole process |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const ideal = (r.concurrency * 1000) / delay;
    const callRate = r.calls / r.seconds;
    console.log(
      `| ${r.mode} | ${r.concurrency} | ${r.records.toLocaleString('en-US')} | ${fmt(r.records / r.seconds)} | ${fmt(callRate)} | ${fmt(ideal, 0)} | ${Math.round((100 * callRate) / ideal)}% | ${fmt(r.wallSeconds, 2)} s |`,
    );
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
